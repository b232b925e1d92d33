package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.NR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Im2col#im2colPacked} and {@link Im2col#im2colPadded} over a {@link Im2col.PaddedInput}
 * (padded whole or in row ranges) write exactly the column matrix of the FP64 {@link Im2col#im2col}
 * (the unpacked definition on x itself, which tests the padding segment by segment), the first in
 * GEMM's packed B layout with zero lanes past the tile: at every stride, dilation and asymmetric
 * padding, for tiles whose micro-panels lie on one output row and tiles whose panels cross rows.
 */
class Im2colPackedTest {

    @Property(tries = 300)
    void packedColumnsAreTheColumnMatrixInPanelOrder(
            @ForAll @IntRange(min = 1, max = 5) int channels,
            @ForAll @IntRange(min = 1, max = 37) int height,
            @ForAll @IntRange(min = 1, max = 41) int width,
            @ForAll @IntRange(min = 1, max = 4) int kernelH,
            @ForAll @IntRange(min = 1, max = 4) int kernelW,
            @ForAll @IntRange(min = 1, max = 3) int strideH,
            @ForAll @IntRange(min = 1, max = 3) int strideW,
            @ForAll @IntRange(min = 1, max = 2) int dilationH,
            @ForAll @IntRange(min = 1, max = 2) int dilationW,
            @ForAll @IntRange(min = 0, max = 3) int padTop,
            @ForAll @IntRange(min = 0, max = 3) int padLeft,
            @ForAll @IntRange(min = 0, max = 3) int padBottom,
            @ForAll @IntRange(min = 0, max = 3) int padRight,
            @ForAll @IntRange(min = 0, max = 1000) int tileSeed) {
        int reachH = dilationH * (kernelH - 1) + 1;
        int reachW = dilationW * (kernelW - 1) + 1;
        Assume.that(height + padTop + padBottom >= reachH && width + padLeft + padRight >= reachW);
        Conv2dSpec spec = new Conv2dSpec(2, channels + 1, height, width, 3, kernelH, kernelW, strideH, strideW,
                padTop, padLeft, padBottom, padRight, dilationH, dilationW, 1, Epilogue.NONE);
        int pixels = spec.outHeight() * spec.outWidth();
        float[] x = new float[2 * spec.inChannels() * height * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        int image = tileSeed % 2;
        int firstChannel = tileSeed % 2;
        int firstPixel = (tileSeed * 7) % pixels;
        int count = 1 + (tileSeed * 13) % (pixels - firstPixel);
        int depth = channels * kernelH * kernelW;
        int panels = (count + NR - 1) / NR;

        // The FP64 im2col, on x itself, is the oracle (the values are small integers: exact in both).
        double[] wide = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            wide[i] = x[i];
        }
        double[] columnsWide = new double[depth * count];
        int plane = height * width;
        Im2col.im2col(spec, wide, (image * spec.inChannels() + firstChannel) * plane, 0, channels, firstPixel, count,
                columnsWide);
        float[] columns = new float[depth * count];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = (float) columnsWide[i];
        }
        float[] expected = new float[depth * panels * NR];
        for (int r = 0; r < depth; r++) {
            for (int j = 0; j < count; j++) {
                expected[(j / NR) * depth * NR + r * NR + j % NR] = columns[r * count + j];
            }
        }

        Im2col.PaddedInput padded = Im2col.PaddedInput.of(spec, new float[Im2col.PaddedInput.size(spec)]);
        Im2col.padInput(spec, x, 0, image, 0, spec.inChannels(), padded);
        // Padded in three row ranges (as the forward's tiles do at strides above 1): the same floats.
        Im2col.PaddedInput pieces = Im2col.PaddedInput.of(spec, new float[Im2col.PaddedInput.size(spec)]);
        java.util.Arrays.fill(pieces.data(), Float.NaN);
        int cut = (tileSeed * 3) % (padded.rows() + 1);
        int cut2 = cut + (tileSeed * 5) % (padded.rows() - cut + 1);
        Im2col.padInput(spec, x, 0, image, 0, spec.inChannels(), cut, cut2, pieces);
        Im2col.padInput(spec, x, 0, image, 0, spec.inChannels(), 0, cut, pieces);
        Im2col.padInput(spec, x, 0, image, 0, spec.inChannels(), cut2, padded.rows(), pieces);
        assertArrayEquals(padded.data(), pieces.data(), spec + ": rows padded in [0, " + cut + "), [" + cut + ", "
                + cut2 + "), [" + cut2 + ", " + padded.rows() + ")");
        // The weight gradient's im2col copies the same rows from the padded input.
        float[] copied = new float[depth * count];
        java.util.Arrays.fill(copied, Float.NaN);
        Im2col.im2colPadded(spec, padded, firstChannel, 0, depth, firstPixel, count, copied);
        assertArrayEquals(columns, copied, spec + ": im2colPadded, image " + image + ", pixels [" + firstPixel + ", "
                + (firstPixel + count) + ")");
        // A range of rows that starts and ends inside channels (the weight gradient's blocks).
        int firstRow = tileSeed % depth;
        int endRow = firstRow + (tileSeed * 7) % (depth - firstRow + 1);
        float[] someRows = new float[(endRow - firstRow) * count + 2];
        java.util.Arrays.fill(someRows, Float.NaN);
        Im2col.im2colPadded(spec, padded, firstChannel, firstRow, endRow, firstPixel, count, someRows);
        assertArrayEquals(java.util.Arrays.copyOfRange(columns, firstRow * count, endRow * count),
                java.util.Arrays.copyOf(someRows, (endRow - firstRow) * count), spec + ": im2colPadded rows ["
                        + firstRow + ", " + endRow + "), pixels [" + firstPixel + ", " + (firstPixel + count) + ")");
        assertTrue(Float.isNaN(someRows[someRows.length - 1]) && Float.isNaN(someRows[someRows.length - 2]),
                spec + ": im2colPadded wrote past its rows");
        // From an offset within the buffer (callers start on a cache line), nothing written around it;
        // with the forward's row of ones after the taps (the bias as a depth step) for some tiles.
        int at = (tileSeed / 3) % CacheLines.LINE_FLOATS;
        boolean onesRow = tileSeed % 3 == 0;
        int packedDepth = depth + (onesRow ? 1 : 0);
        float[] withOnes = expected;
        if (onesRow) {
            withOnes = new float[packedDepth * panels * NR];
            for (int panel = 0; panel < panels; panel++) {
                System.arraycopy(expected, panel * depth * NR, withOnes, panel * packedDepth * NR, depth * NR);
                java.util.Arrays.fill(withOnes, (panel * packedDepth + depth) * NR, (panel + 1) * packedDepth * NR, 1f);
            }
        }
        float[] packed = new float[at + packedDepth * panels * NR + 3];
        java.util.Arrays.fill(packed, Float.NaN);
        Im2col.im2colPacked(spec, padded, firstChannel, channels, firstPixel, count, onesRow, packed, at);
        assertArrayEquals(withOnes, java.util.Arrays.copyOfRange(packed, at, at + packedDepth * panels * NR), spec
                + ", image " + image + ", channels from " + firstChannel + ", pixels [" + firstPixel + ", "
                + (firstPixel + count) + "), from " + at + (onesRow ? ", with a row of ones" : ""));
        for (int i = 0; i < packed.length; i++) {
            if (i < at || i >= at + packedDepth * panels * NR) {
                assertTrue(Float.isNaN(packed[i]), "nothing written outside the panels: " + i);
            }
        }
    }
}
