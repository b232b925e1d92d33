package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.LANES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both micro-kernel shapes, including the one this machine's register file does not select, with A
 * packed and read in place, and with B read in place through tap offsets, writing into a strided block of a larger array: over it (NaN there is
 * never read) and added to it.
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

    /** The in-place kernels: A's rows {@code lda} floats apart. */
    interface RowsKernel {
        void multiply(int kc, float[] a, int aIndex, int lda, float[] packedB, int bIndex,
                      float[] out, int outIndex, int ldo, boolean accumulate);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 512})
    void fourByTwoVectorsReadingRowsInPlaceMatchesTheReference(int kc) {
        checkRows(4, 2 * LANES, kc, GemmFloat32MicroKernels::multiply4x2Rows);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 512})
    void sixByFourVectorsReadingRowsInPlaceMatchesTheReference(int kc) {
        checkRows(6, 4 * LANES, kc, GemmFloat32MicroKernels::multiply6x4Rows);
    }

    /** The kernels reading B in place: depth p's columns from {@code x[taps[tapIndex + p] + pixel]}. */
    interface TapsKernel {
        void multiply(int kc, float[] packedA, int aIndex, float[] x, int[] taps, int tapIndex, int pixel,
                      float[] out, int outIndex, int ldo, boolean accumulate);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 512})
    void fourByTwoVectorsReadingTapsMatchesTheReference(int kc) {
        check(4, 2 * LANES, kc, taps(2 * LANES, GemmFloat32MicroKernels::multiply4x2Taps));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 17, 512})
    void sixByFourVectorsReadingTapsMatchesTheReference(int kc) {
        check(6, 4 * LANES, kc, taps(4 * LANES, GemmFloat32MicroKernels::multiply6x4Taps));
    }

    /**
     * A packed-B kernel made of a taps kernel: B's rows copied out of order, with gaps, into a larger
     * array (depth p at {@code taps[2 + p] + pixel}, the last depth first), NaN between them.
     */
    private static MicroKernel taps(int nr, TapsKernel kernel) {
        return (kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate) -> {
            int pixel = 5;
            int[] taps = new int[kc + 2];
            float[] x = new float[(kc + 1) * (nr + 3) + pixel];
            java.util.Arrays.fill(x, Float.NaN);
            for (int p = 0; p < kc; p++) {
                taps[2 + p] = (kc - 1 - p) * (nr + 3) + 1;
                System.arraycopy(packedB, bIndex + p * nr, x, taps[2 + p] + pixel, nr);
            }
            kernel.multiply(kc, packedA, aIndex, x, taps, 2, pixel, out, outIndex, ldo, accumulate);
        };
    }

    private static void check(int mr, int nr, int kc, MicroKernel kernel) {
        // Packed: row r, depth p at aIndex + p·mr + r.
        check(mr, nr, kc, 1, mr, kernel, false);
        check(mr, nr, kc, 1, mr, kernel, true);
    }

    private static void checkRows(int mr, int nr, int kc, RowsKernel kernel) {
        // In place: row r, depth p at aIndex + r·lda + p, rows longer than kc.
        int lda = kc + 7;
        for (boolean accumulate : new boolean[] {false, true}) {
            check(mr, nr, kc, lda, 1, (kc1, a, aIndex, packedB, bIndex, out, outIndex, ldo, acc) ->
                    kernel.multiply(kc1, a, aIndex, lda, packedB, bIndex, out, outIndex, ldo, acc), accumulate);
        }
    }

    /** A's row r, depth p at {@code aIndex + r·rowStep + p·depthStep}. */
    private static void check(int mr, int nr, int kc, int rowStep, int depthStep, MicroKernel kernel,
                              boolean accumulate) {
        Random random = new Random(kc * 100L + mr);
        int aIndex = 3 * mr;
        int bIndex = 5 * nr;
        float[] packedA = new float[aIndex + (mr - 1) * rowStep + (kc - 1) * depthStep + 1 + 3];
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
                    double product = (double) packedA[aIndex + r * rowStep + p * depthStep] * packedB[bIndex + p * nr + j];
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
