package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The register transposes against their definitions, at any source and destination offset and
 * source stride, and no float written outside the destination's range (it starts as NaN): the 4 × 8
 * and 6 × 8 interleaves ({@code dst[at + rows·j + i] = src[from + i·stride + j]}) and the 8 × 8 block
 * ({@code dst[at + j·dstStride + i]}). They run 256-bit vectors on every machine (below 256 bits in
 * the Vector API's Java fallback, which the packing does not call there).
 */
class Transpose8Test {

    @Property(tries = 100)
    void interleavesAndTransposesAsDefined(
            @ForAll @IntRange(min = 0, max = 7) int from,
            @ForAll @IntRange(min = 8, max = 40) int stride,
            @ForAll @IntRange(min = 0, max = 7) int at,
            @ForAll @IntRange(min = 8, max = 20) int dstStride) {
        float[] src = new float[from + 7 * stride + 8];
        for (int i = 0; i < src.length; i++) {
            src[i] = i + 1;
        }
        for (int rows : new int[] {4, 6, 8}) {
            int lead = rows == 8 ? dstStride : rows;
            int end = at + 7 * lead + rows;
            float[] dst = new float[end + 8];
            Arrays.fill(dst, Float.NaN);
            switch (rows) {
                case 4 -> Transpose8.fourRows(src, from, stride, dst, at);
                case 6 -> Transpose8.sixRows(src, from, stride, dst, at);
                default -> Transpose8.block(src, from, stride, dst, at, dstStride);
            }
            float[] expected = new float[dst.length];
            Arrays.fill(expected, Float.NaN);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < 8; j++) {
                    expected[at + j * lead + i] = src[from + i * stride + j];
                }
            }
            if (rows == 8) {
                // Between the block's rows lie floats it does not write: compare only the rows.
                for (int j = 0; j < 8; j++) {
                    for (int i = 0; i < 8; i++) {
                        assertEquals(expected[at + j * dstStride + i], dst[at + j * dstStride + i],
                                "block, (" + i + ", " + j + ")");
                    }
                }
            } else {
                for (int k = 0; k < dst.length; k++) {
                    assertEquals(expected[k], dst[k], rows + " rows, dst[" + k + "] with the interleave at " + at);
                }
            }
        }
    }
}
