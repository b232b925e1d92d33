package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The vector flip against its definition, {@code dst[t·MR + r] = src[r·T + T - 1 - t]} block by
 * block (as GEMM's A packing reads it with a column step of -1), at any offsets and steps, with no
 * float written outside the blocks (they start as NaN); and it applies to exactly the kernels whose
 * MR-row blocks take two to four vectors (on AVX-512's 16 lanes and 6-row tile: 3×3 among them).
 */
class KernelFlipTest {
    private static final int MR = GemmFloat32MicroKernels.MR;
    private static final int LANES = CpuVectors.FLOATS.length();

    @Property(tries = 60)
    void permutesEachBlockAsDefined(
            @ForAll @IntRange(min = 1, max = 16) int taps,
            @ForAll @IntRange(min = 1, max = 4) int count,
            @ForAll @IntRange(min = 0, max = 9) int from,
            @ForAll @IntRange(min = 0, max = 9) int srcGap,
            @ForAll @IntRange(min = 0, max = 9) int at,
            @ForAll @IntRange(min = 0, max = 9) int dstGap) {
        KernelFlip flip = KernelFlip.forTaps(taps);
        int block = MR * taps;
        assertEquals(block > LANES && block <= 4 * LANES, flip != null, taps + " taps, " + LANES + " lanes");
        if (flip == null) {
            return;
        }
        assertEquals(block, flip.length());
        int srcStep = block + srcGap;
        int dstStep = block + dstGap;
        float[] src = new float[from + count * srcStep];
        for (int i = 0; i < src.length; i++) {
            src[i] = i + 1;
        }
        float[] dst = new float[at + count * dstStep];
        Arrays.fill(dst, Float.NaN);
        flip.pack(count, src, from, srcStep, dst, at, dstStep);
        float[] expected = new float[dst.length];
        Arrays.fill(expected, Float.NaN);
        for (int i = 0; i < count; i++) {
            GemmFloat32Packing.packA(MR, taps, src, from + i * srcStep + taps - 1, taps, -1, expected, at + i * dstStep);
            for (int t = 0; t < taps; t++) {
                for (int r = 0; r < MR; r++) {
                    assertEquals(src[from + i * srcStep + r * taps + taps - 1 - t], expected[at + i * dstStep + t * MR + r]);
                }
            }
        }
        assertArrayEquals(expected, dst, taps + " taps, " + count + " blocks");
    }
}
