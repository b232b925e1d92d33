package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.LANES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both micro-kernel shapes, including the one this machine's register file does not select, writing
 * into a strided block of a larger array: over it (NaN there is never read) and added to it.
 */
class GemmFloat32MicroKernelsTest {

    interface MicroKernel {
        void multiply(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex,
                      float[] out, int outIndex, int ldo, boolean accumulate);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 512})
    void fourByTwoVectorsMatchesTheReference(int kc) {
        check(4, 2 * LANES, kc, GemmFloat32MicroKernels::multiply4x2);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 512})
    void sixByFourVectorsMatchesTheReference(int kc) {
        check(6, 4 * LANES, kc, GemmFloat32MicroKernels::multiply6x4);
    }

    private static void check(int mr, int nr, int kc, MicroKernel kernel) {
        check(mr, nr, kc, kernel, false);
        check(mr, nr, kc, kernel, true);
    }

    private static void check(int mr, int nr, int kc, MicroKernel kernel, boolean accumulate) {
        Random random = new Random(kc * 100L + mr);
        int aIndex = 3 * mr;
        int bIndex = 5 * nr;
        float[] packedA = new float[aIndex + kc * mr];
        float[] packedB = new float[bIndex + kc * nr];
        for (int i = 0; i < packedA.length; i++) {
            packedA[i] = random.nextFloat() * 2 - 1;
        }
        for (int i = 0; i < packedB.length; i++) {
            packedB[i] = random.nextFloat() * 2 - 1;
        }
        int ldo = nr + 3;
        int outIndex = 2 * ldo + 1;
        float[] out = new float[outIndex + mr * ldo + 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = accumulate ? random.nextFloat() * 2 - 1 : Float.NaN;
        }
        float[] before = out.clone();
        kernel.multiply(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate);
        for (int i = 0; i < out.length; i++) {
            int r = Math.floorDiv(i - outIndex, ldo);
            int j = Math.floorMod(i - outIndex, ldo);
            if (r < 0 || r >= mr || j >= nr) {
                assertEquals(before[i], out[i], "out[" + i + "] lies outside the tile");
            }
        }
        for (int r = 0; r < mr; r++) {
            for (int j = 0; j < nr; j++) {
                double sum = accumulate ? before[outIndex + r * ldo + j] : 0;
                double magnitude = 0;
                for (int p = 0; p < kc; p++) {
                    double product = (double) packedA[aIndex + p * mr + r] * packedB[bIndex + p * nr + j];
                    sum += product;
                    magnitude += Math.abs(product);
                }
                double tolerance = 4 * Math.ulp(1f) * Math.sqrt(kc) * magnitude;
                assertEquals(sum, out[outIndex + r * ldo + j], tolerance + Math.ulp((float) sum),
                        "tile[" + r + "][" + j + "], accumulate " + accumulate);
            }
        }
    }
}
