package io.gasok.cpu;

import io.gasok.spi.Conv2dSpec;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * im2col and col2im for {@link CpuConvolution}, on one image, one group and one range of output
 * pixels (a tile), with each thread's reusable column buffer.
 *
 * <p>The column matrix of a tile of output pixels [firstPixel, firstPixel + pixels) (pixel
 * p = oh·outW + ow) has one row per tap r = (ci·kernelH + kh)·kernelW + kw, ci the channel within
 * the group, and one column per pixel of the tile:
 * {@code cols[r·pixels + (p - firstPixel)] = x[ci, oh·strideH - padTop + kh·dilationH,
 * ow·strideW - padLeft + kw·dilationW]}, zero where that falls in the padding. So the weights
 * {@code [outPerGroup, K]} times the columns {@code [K, pixels]} is the tile of the NCHW output.
 *
 * <p>A row of the matrix is walked one output row segment at a time: the segment's taps that fall
 * in the padding are zero-filled, the rest is one {@code System.arraycopy} of the input row at
 * stride 1 (an intrinsic, vectorised copy) and a plain gather at larger strides. col2im adds such a
 * segment back into the input gradient, with vector adds at stride 1 and scalar adds otherwise;
 * it adds row r's values in pixel order and the rows in r order, so the sums are deterministic.
 *
 * <p>Threads: each call fills (or drains) the rows of channels [firstChannel, lastChannel) only,
 * so callers split the rows by channel across threads with no two threads touching one element.
 */
final class Im2col {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

    private static final ThreadLocal<Im2col> PER_THREAD = ThreadLocal.withInitial(Im2col::new);

    private float[] floatColumns = new float[0];
    private double[] doubleColumns = new double[0];

    private Im2col() {
    }

    /** The calling thread's column buffer of at least {@code size} floats (grown, never shrunk). */
    static float[] floatColumns(int size) {
        Im2col scratch = PER_THREAD.get();
        if (scratch.floatColumns.length < size) {
            scratch.floatColumns = new float[size];
        }
        return scratch.floatColumns;
    }

    static double[] doubleColumns(int size) {
        Im2col scratch = PER_THREAD.get();
        if (scratch.doubleColumns.length < size) {
            scratch.doubleColumns = new double[size];
        }
        return scratch.doubleColumns;
    }

    /**
     * One output-row segment of one tap row: output pixels ow in [owStart, owEnd) of output row oh,
     * which read input row {@code inputRow} (outside [0, inHeight) means padding) at columns
     * {@code ow·stride + columnShift}; [validStart, validEnd) are the ow whose column is inside.
     */
    private record Segment(int inputRow, int columnShift, int validStart, int validEnd) {

        static Segment of(Conv2dSpec spec, int oh, int kh, int kw, int owStart, int owEnd) {
            int inputRow = oh * spec.strideHeight() - spec.padTop() + kh * spec.dilationHeight();
            int shift = kw * spec.dilationWidth() - spec.padLeft();
            int stride = spec.strideWidth();
            if (inputRow < 0 || inputRow >= spec.inHeight()) {
                return new Segment(inputRow, shift, owStart, owStart);
            }
            int first = Math.min(owEnd, Math.max(owStart, ceilDiv(-shift, stride)));
            int last = Math.min(owEnd, floorDiv(spec.inWidth() - 1 - shift, stride) + 1);
            return new Segment(inputRow, shift, first, Math.max(first, last));
        }
    }

    /**
     * Fills the rows of channels [firstChannel, lastChannel) of the column matrix of the tile
     * (row length {@code pixels}); {@code x[inputBase + ci·inH·inW + …]} is channel ci of the group.
     */
    static void im2col(Conv2dSpec spec, float[] x, int inputBase, int firstChannel, int lastChannel,
                       int firstPixel, int pixels, float[] cols) {
        int taps = spec.kernelHeight() * spec.kernelWidth();
        int plane = spec.inHeight() * spec.inWidth();
        int outWidth = spec.outWidth();
        int stride = spec.strideWidth();
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            int channel = inputBase + ci * plane;
            for (int tap = 0; tap < taps; tap++) {
                int kh = tap / spec.kernelWidth();
                int kw = tap % spec.kernelWidth();
                int out = (ci * taps + tap) * pixels - firstPixel;
                for (int p = firstPixel; p < firstPixel + pixels; ) {
                    int oh = p / outWidth;
                    int owStart = p % outWidth;
                    int owEnd = Math.min(outWidth, owStart + firstPixel + pixels - p);
                    int rowPixel = p - owStart;
                    Segment s = Segment.of(spec, oh, kh, kw, owStart, owEnd);
                    Arrays.fill(cols, out + rowPixel + owStart, out + rowPixel + s.validStart, 0f);
                    int src = channel + s.inputRow * spec.inWidth() + s.columnShift;
                    if (stride == 1 && s.validEnd > s.validStart) {
                        System.arraycopy(x, src + s.validStart, cols, out + rowPixel + s.validStart,
                                s.validEnd - s.validStart);
                    } else if (stride != 1) {
                        for (int ow = s.validStart; ow < s.validEnd; ow++) {
                            cols[out + rowPixel + ow] = x[src + ow * stride];
                        }
                    }
                    Arrays.fill(cols, out + rowPixel + s.validEnd, out + rowPixel + owEnd, 0f);
                    p = rowPixel + owEnd;
                }
            }
        }
    }

    static void im2col(Conv2dSpec spec, double[] x, int inputBase, int firstChannel, int lastChannel,
                       int firstPixel, int pixels, double[] cols) {
        int taps = spec.kernelHeight() * spec.kernelWidth();
        int plane = spec.inHeight() * spec.inWidth();
        int outWidth = spec.outWidth();
        int stride = spec.strideWidth();
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            int channel = inputBase + ci * plane;
            for (int tap = 0; tap < taps; tap++) {
                int kh = tap / spec.kernelWidth();
                int kw = tap % spec.kernelWidth();
                int out = (ci * taps + tap) * pixels - firstPixel;
                for (int p = firstPixel; p < firstPixel + pixels; ) {
                    int oh = p / outWidth;
                    int owStart = p % outWidth;
                    int owEnd = Math.min(outWidth, owStart + firstPixel + pixels - p);
                    int rowPixel = p - owStart;
                    Segment s = Segment.of(spec, oh, kh, kw, owStart, owEnd);
                    Arrays.fill(cols, out + rowPixel + owStart, out + rowPixel + s.validStart, 0d);
                    int src = channel + s.inputRow * spec.inWidth() + s.columnShift;
                    if (stride == 1 && s.validEnd > s.validStart) {
                        System.arraycopy(x, src + s.validStart, cols, out + rowPixel + s.validStart,
                                s.validEnd - s.validStart);
                    } else if (stride != 1) {
                        for (int ow = s.validStart; ow < s.validEnd; ow++) {
                            cols[out + rowPixel + ow] = x[src + ow * stride];
                        }
                    }
                    Arrays.fill(cols, out + rowPixel + s.validEnd, out + rowPixel + owEnd, 0d);
                    p = rowPixel + owEnd;
                }
            }
        }
    }

    /**
     * Adds the rows of channels [firstChannel, lastChannel) of a tile's column matrix into the input
     * gradient {@code gx[inputBase + ci·inH·inW + …]}, skipping the values that fell in the padding.
     */
    static void col2im(Conv2dSpec spec, float[] cols, int firstChannel, int lastChannel,
                       int firstPixel, int pixels, float[] gx, int inputBase) {
        int taps = spec.kernelHeight() * spec.kernelWidth();
        int plane = spec.inHeight() * spec.inWidth();
        int outWidth = spec.outWidth();
        int stride = spec.strideWidth();
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            int channel = inputBase + ci * plane;
            for (int tap = 0; tap < taps; tap++) {
                int kh = tap / spec.kernelWidth();
                int kw = tap % spec.kernelWidth();
                int in = (ci * taps + tap) * pixels - firstPixel;
                for (int p = firstPixel; p < firstPixel + pixels; ) {
                    int owStart = p % outWidth;
                    int owEnd = Math.min(outWidth, owStart + firstPixel + pixels - p);
                    int rowPixel = p - owStart;
                    Segment s = Segment.of(spec, p / outWidth, kh, kw, owStart, owEnd);
                    int dst = channel + s.inputRow * spec.inWidth() + s.columnShift;
                    if (stride == 1) {
                        addInto(cols, in + rowPixel + s.validStart, gx, dst + s.validStart, s.validEnd - s.validStart);
                    } else {
                        for (int ow = s.validStart; ow < s.validEnd; ow++) {
                            gx[dst + ow * stride] += cols[in + rowPixel + ow];
                        }
                    }
                    p = rowPixel + owEnd;
                }
            }
        }
    }

    static void col2im(Conv2dSpec spec, double[] cols, int firstChannel, int lastChannel,
                       int firstPixel, int pixels, double[] gx, int inputBase) {
        int taps = spec.kernelHeight() * spec.kernelWidth();
        int plane = spec.inHeight() * spec.inWidth();
        int outWidth = spec.outWidth();
        int stride = spec.strideWidth();
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            int channel = inputBase + ci * plane;
            for (int tap = 0; tap < taps; tap++) {
                int kh = tap / spec.kernelWidth();
                int kw = tap % spec.kernelWidth();
                int in = (ci * taps + tap) * pixels - firstPixel;
                for (int p = firstPixel; p < firstPixel + pixels; ) {
                    int owStart = p % outWidth;
                    int owEnd = Math.min(outWidth, owStart + firstPixel + pixels - p);
                    int rowPixel = p - owStart;
                    Segment s = Segment.of(spec, p / outWidth, kh, kw, owStart, owEnd);
                    int dst = channel + s.inputRow * spec.inWidth() + s.columnShift;
                    if (stride == 1) {
                        addInto(cols, in + rowPixel + s.validStart, gx, dst + s.validStart, s.validEnd - s.validStart);
                    } else {
                        for (int ow = s.validStart; ow < s.validEnd; ow++) {
                            gx[dst + ow * stride] += cols[in + rowPixel + ow];
                        }
                    }
                    p = rowPixel + owEnd;
                }
            }
        }
    }

    /** {@code dst[dstIndex + i] += src[srcIndex + i]} for i in [0, length): vectors, then a scalar tail. */
    private static void addInto(float[] src, int srcIndex, float[] dst, int dstIndex, int length) {
        int i = 0;
        for (int bound = FLOATS.loopBound(length); i < bound; i += FLOATS.length()) {
            FloatVector.fromArray(FLOATS, dst, dstIndex + i)
                    .add(FloatVector.fromArray(FLOATS, src, srcIndex + i))
                    .intoArray(dst, dstIndex + i);
        }
        for (; i < length; i++) {
            dst[dstIndex + i] += src[srcIndex + i];
        }
    }

    private static void addInto(double[] src, int srcIndex, double[] dst, int dstIndex, int length) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(length); i < bound; i += DOUBLES.length()) {
            DoubleVector.fromArray(DOUBLES, dst, dstIndex + i)
                    .add(DoubleVector.fromArray(DOUBLES, src, srcIndex + i))
                    .intoArray(dst, dstIndex + i);
        }
        for (; i < length; i++) {
            dst[dstIndex + i] += src[srcIndex + i];
        }
    }

    static int ceilDiv(int x, int y) {
        return Math.floorDiv(x + y - 1, y);
    }

    private static int floorDiv(int x, int y) {
        return Math.floorDiv(x, y);
    }
}
