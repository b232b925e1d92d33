package io.gasok.cpu;

import static io.gasok.cpu.EveryOther.EVEN_LANES;
import static io.gasok.cpu.EveryOther.ODD_LANES;

import io.gasok.DType;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max and average pooling of the CPU backend, forward and backward, over contiguous NCHW
 * operands; {@code ReferencePooling} is the definition. Output (oh, ow) looks at input rows from
 * {@code oh·strideH - padTop} and columns from {@code ow·strideW - padLeft}, kernelH × kernelW,
 * clipped to the input: padding never wins a max and adds nothing to an average. The FLOAT32
 * vector path sums an average's window in float (the scalar path and the reference in double): a
 * window of values near the float range can overflow to inf there.
 *
 * <p>Threads take ranges of the N·C planes [p·NC/P, (p+1)·NC/P). Within a plane, FLOAT32 forward
 * is vectorised along the output width over the <em>interior</em> columns (windows wholly inside
 * the input, where every lane has the same window shape), V = {@code SPECIES.length()} outputs per
 * step: stride 1 reads each tap as one shifted vector; stride 2 with a 2-wide kernel (YOLO's and
 * VGG's 2×2/2 max pool) loads 2V inputs per row and splits even and odd columns with two
 * shuffles. Border columns, other strides and FLOAT64 take the scalar path, which keeps the
 * first maximum in row-major window order (a NaN beats every number; the first NaN is final).
 * The vector max is {@link Math#max} lanewise: the same value, NaN included, except that a window
 * whose maximum is a tie of -0 and +0 gives +0.
 *
 * <p>Backward accumulates each plane's gradient in a double scratch plane (in output order, as the
 * reference does) and overwrites gx once: max sends each gy to its window's first maximum, average
 * spreads gy / divisor over the window.
 */
final class CpuPooling {
    private CpuPooling() {}

    private static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    private static final int LANES = SPECIES.length();

    /**
     * The input rows [rowStart, rowEnd) and columns [colStart, colEnd) of one output's window,
     * clipped to the input, and the average's divisor (PyTorch's rule, as the reference).
     */
    private record Window(int rowStart, int rowEnd, int colStart, int colEnd, int divisor) {
        static Window of(Pool2dSpec spec, int oh, int ow) {
            int top = oh * spec.strideHeight() - spec.padTop();
            int left = ow * spec.strideWidth() - spec.padLeft();
            int paddedBottom = Math.min(top + spec.kernelHeight(), spec.inHeight() + spec.padBottom());
            int paddedRight = Math.min(left + spec.kernelWidth(), spec.inWidth() + spec.padRight());
            int rowStart = Math.max(top, 0);
            int rowEnd = Math.min(top + spec.kernelHeight(), spec.inHeight());
            int colStart = Math.max(left, 0);
            int colEnd = Math.min(left + spec.kernelWidth(), spec.inWidth());
            int divisor = spec.countIncludePad()
                    ? (paddedBottom - top) * (paddedRight - left)
                    : (rowEnd - rowStart) * (colEnd - colStart);
            return new Window(rowStart, rowEnd, colStart, colEnd, divisor);
        }

        boolean isEmpty() {
            return rowStart >= rowEnd || colStart >= colEnd;
        }
    }

    /**
     * MAX: y = the window's first maximum (-inf for a window with no input pixel); AVG: the
     * window's sum over its divisor (0 for an empty window).
     */
    static void forward(Pool2dSpec spec, Operand x, Operand y, WorkerPool pool) {
        requireContiguous("pool2d", x, y);
        int planes = spec.batch() * spec.channels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        long work = (long) planes * outPlane * spec.kernelHeight() * spec.kernelWidth();
        boolean float32 = x.dtype() == DType.FLOAT32;
        Object xArray = CpuBuffer.array(x);
        Object yArray = CpuBuffer.array(y);
        int outHeight = spec.outHeight();
        int outWidth = spec.outWidth();
        int vectorStart = firstInterior(spec);
        int vectorEnd = endInterior(spec);
        CpuReductions.forRanges(planes, work, pool, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int xPlane = x.offset() + plane * inPlane;
                int yPlane = y.offset() + plane * outPlane;
                for (int oh = 0; oh < outHeight; oh++) {
                    int done = float32 ? vectorRow(spec, vectorStart, vectorEnd, (float[]) xArray, xPlane,
                            (float[]) yArray, yPlane + oh * outWidth, oh) : -1;
                    for (int ow = 0; ow < outWidth; ow++) {
                        if (ow < vectorStart || ow >= done) {
                            CpuReductions.writeDouble(yArray, yPlane + oh * outWidth + ow,
                                    scalarOutput(spec, xArray, xPlane, oh, ow));
                        }
                    }
                }
            }
        });
    }

    /** The first output column whose window starts inside the input. */
    private static int firstInterior(Pool2dSpec spec) {
        return Math.min(Math.ceilDiv(spec.padLeft(), spec.strideWidth()), spec.outWidth());
    }

    /** One past the last output column whose window ends inside the input (at least firstInterior). */
    private static int endInterior(Pool2dSpec spec) {
        int span = spec.inWidth() - spec.kernelWidth() + spec.padLeft();
        int end = span < 0 ? 0 : span / spec.strideWidth() + 1;
        return Math.max(firstInterior(spec), Math.min(end, spec.outWidth()));
    }

    /**
     * Vectorised interior outputs of row oh, from {@link #firstInterior} up to the returned column
     * (exclusive); the caller fills the rest by the scalar path. A last partial vector is computed
     * shifted back to end at the interior's end (recomputing a few outputs, identically). Returns
     * -1 when this spec has no vector form.
     */
    private static int vectorRow(Pool2dSpec spec, int start, int end, float[] x, int xPlane, float[] y, int yRow,
                                 int oh) {
        boolean max = spec.kind() == Pool2dSpec.Kind.MAX;
        boolean strideOne = spec.strideWidth() == 1;
        boolean pairs = max && spec.strideWidth() == 2 && spec.kernelWidth() == 2;
        if (!strideOne && !pairs) {
            return -1;
        }
        Window rows = Window.of(spec, oh, start);
        if (rows.rowStart() >= rows.rowEnd() || end - start < LANES) {
            return start;
        }
        for (int ow = start; ow < end; ow += LANES) {
            int at = Math.min(ow, end - LANES);
            int left = at * spec.strideWidth() - spec.padLeft();
            if (pairs) {
                storeMaxOfPairs(x, xPlane, rows, left, spec.inWidth(), y, yRow + at);
            } else if (max) {
                storeMaxShifted(x, xPlane, rows, left, spec.inWidth(), spec.kernelWidth(), y, yRow + at);
            } else {
                storeAverageShifted(x, xPlane, rows, left, spec.inWidth(), spec.kernelWidth(), y, yRow + at);
            }
        }
        return end;
    }

    // The vector helpers below store their result rather than return it: a vector passed across
    // a call the JIT does not inline is boxed, which costs more than the pooling itself.

    /**
     * Lanewise {@link Math#max}: NaN wins, so the value is the window's first maximum's, except
     * that a tie of -0 and +0 gives +0 wherever it stands (the scalar path and backward keep the
     * reference's first-maximum rule exactly). One operation: an exact compare-and-blend here
     * made the kernel too large for the JIT to inline and its vectors were boxed.
     */
    private static FloatVector maximum(FloatVector a, FloatVector b) {
        return a.max(b);
    }

    /** The first maximum of each lane's window, stride 1: tap (r, k) is the vector at column left + k. */
    private static void storeMaxShifted(float[] x, int xPlane, Window rows, int left, int width, int kernelWidth,
                                        float[] y, int yAt) {
        int first = xPlane + rows.rowStart() * width + left;
        FloatVector best = FloatVector.fromArray(SPECIES, x, first);
        for (int k = 1; k < kernelWidth; k++) {
            best = maximum(best, FloatVector.fromArray(SPECIES, x, first + k));
        }
        for (int at = first + width; at < xPlane + rows.rowEnd() * width; at += width) {
            for (int k = 0; k < kernelWidth; k++) {
                best = maximum(best, FloatVector.fromArray(SPECIES, x, at + k));
            }
        }
        best.intoArray(y, yAt);
    }

    /** The first maximum of 2-wide windows at stride 2: even and odd columns of 2V loaded inputs. */
    private static void storeMaxOfPairs(float[] x, int xPlane, Window rows, int left, int width, float[] y, int yAt) {
        int first = xPlane + rows.rowStart() * width + left;
        FloatVector low = FloatVector.fromArray(SPECIES, x, first);
        FloatVector high = FloatVector.fromArray(SPECIES, x, first + LANES);
        FloatVector best = maximum(low.rearrange(EVEN_LANES, high), low.rearrange(ODD_LANES, high));
        for (int at = first + width; at < xPlane + rows.rowEnd() * width; at += width) {
            low = FloatVector.fromArray(SPECIES, x, at);
            high = FloatVector.fromArray(SPECIES, x, at + LANES);
            best = maximum(best, maximum(low.rearrange(EVEN_LANES, high), low.rearrange(ODD_LANES, high)));
        }
        best.intoArray(y, yAt);
    }

    private static void storeAverageShifted(float[] x, int xPlane, Window rows, int left, int width,
                                            int kernelWidth, float[] y, int yAt) {
        FloatVector sum = FloatVector.zero(SPECIES);
        for (int row = rows.rowStart(); row < rows.rowEnd(); row++) {
            int at = xPlane + row * width + left;
            for (int k = 0; k < kernelWidth; k++) {
                sum = sum.add(FloatVector.fromArray(SPECIES, x, at + k));
            }
        }
        sum.div(rows.divisor()).intoArray(y, yAt);
    }

    private static double scalarOutput(Pool2dSpec spec, Object x, int xPlane, int oh, int ow) {
        Window window = Window.of(spec, oh, ow);
        if (spec.kind() == Pool2dSpec.Kind.MAX) {
            int at = firstMaximumIndex(x, xPlane, window, spec.inWidth());
            return at < 0 ? Double.NEGATIVE_INFINITY : CpuReductions.readDouble(x, xPlane + at);
        }
        if (window.isEmpty()) {
            return 0;
        }
        double sum = 0;
        for (int row = window.rowStart(); row < window.rowEnd(); row++) {
            for (int col = window.colStart(); col < window.colEnd(); col++) {
                sum += CpuReductions.readDouble(x, xPlane + row * spec.inWidth() + col);
            }
        }
        return sum / window.divisor();
    }

    /** In-plane index of the window's first maximum in row-major order (NaN wins), -1 if empty. */
    private static int firstMaximumIndex(Object x, int xPlane, Window window, int width) {
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int row = window.rowStart(); row < window.rowEnd(); row++) {
            for (int col = window.colStart(); col < window.colEnd(); col++) {
                double value = CpuReductions.readDouble(x, xPlane + row * width + col);
                if (best < 0 || (!Double.isNaN(bestValue) && (value > bestValue || Double.isNaN(value)))) {
                    best = row * width + col;
                    bestValue = value;
                }
            }
        }
        return best;
    }

    /**
     * MAX: each gy goes to its window's first maximum; AVG: gy / divisor to every input pixel of
     * the window. Overlapping windows add up. Overwrites gx.
     */
    static void backward(Pool2dSpec spec, Operand x, Operand gy, Operand gx, WorkerPool pool) {
        requireContiguous("pool2dBackward", x, gy, gx);
        int planes = spec.batch() * spec.channels();
        int width = spec.inWidth();
        int inPlane = spec.inHeight() * width;
        int outHeight = spec.outHeight();
        int outWidth = spec.outWidth();
        int outPlane = outHeight * outWidth;
        long work = (long) planes * outPlane * spec.kernelHeight() * spec.kernelWidth();
        Object xArray = CpuBuffer.array(x);
        Object gyArray = CpuBuffer.array(gy);
        Object gxArray = CpuBuffer.array(gx);
        CpuReductions.forRanges(planes, work, pool, (from, to) -> {
            double[] gradient = new double[inPlane];
            for (int plane = from; plane < to; plane++) {
                java.util.Arrays.fill(gradient, 0);
                int xPlane = x.offset() + plane * inPlane;
                int gyPlane = gy.offset() + plane * outPlane;
                for (int oh = 0; oh < outHeight; oh++) {
                    for (int ow = 0; ow < outWidth; ow++) {
                        double g = CpuReductions.readDouble(gyArray, gyPlane + oh * outWidth + ow);
                        Window window = Window.of(spec, oh, ow);
                        if (spec.kind() == Pool2dSpec.Kind.MAX) {
                            int at = firstMaximumIndex(xArray, xPlane, window, width);
                            if (at >= 0) {
                                gradient[at] += g;
                            }
                        } else if (!window.isEmpty()) {
                            double share = g / window.divisor();
                            for (int row = window.rowStart(); row < window.rowEnd(); row++) {
                                for (int col = window.colStart(); col < window.colEnd(); col++) {
                                    gradient[row * width + col] += share;
                                }
                            }
                        }
                    }
                }
                int gxPlane = gx.offset() + plane * inPlane;
                for (int i = 0; i < inPlane; i++) {
                    CpuReductions.writeDouble(gxArray, gxPlane + i, gradient[i]);
                }
            }
        });
    }

    static void requireContiguous(String kernel, Operand... operands) {
        for (Operand operand : operands) {
            if (!operand.isContiguous()) {
                throw new IllegalArgumentException(kernel + ": cpu backend needs contiguous NCHW operands, got " + operand);
            }
        }
    }
}
