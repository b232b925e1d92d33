package io.gasok.reference;

import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;

/**
 * Max and average pooling of the reference backend, forward and backward, by the definition.
 *
 * <p>Output pixel (oh, ow) looks at the window of input rows starting at
 * {@code oh·strideH - padTop} and columns starting at {@code ow·strideW - padLeft}, kernelH × kernelW
 * in size. Only the part of the window inside the input takes part: padded positions never win a
 * max, and add nothing to an average. The backward kernels collect each input pixel's gradient in
 * a double plane per (n, c) and write gx once, overwriting it.
 */
final class ReferencePooling {
    private ReferencePooling() {}

    /**
     * The input rows [rowStart, rowEnd) and columns [colStart, colEnd) of one output's window,
     * clipped to the input, and the divisor average pooling uses for it.
     */
    private record Window(int rowStart, int rowEnd, int colStart, int colEnd, int divisor) {
        boolean isEmpty() {
            return rowStart >= rowEnd || colStart >= colEnd;
        }
    }

    /**
     * The window of output (oh, ow). The divisor is the number of input pixels in it, or, with
     * countIncludePad, PyTorch's rule: the window clipped to the padded input (input plus padding
     * on both sides), so a ceil-mode window running past the padding does not count that part.
     */
    private static Window window(Pool2dSpec spec, int oh, int ow) {
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

    /**
     * MAX: {@code y[n, c, oh, ow]} = the window's maximum (-inf for a window with no input pixel);
     * AVG: the window's sum in double over its divisor (0 for an empty window).
     */
    static void pool2d(Pool2dSpec spec, Operand xOperand, Operand yOperand) {
        Nchw x = Nchw.of(xOperand);
        Nchw y = Nchw.of(yOperand);
        for (int n = 0; n < spec.batch(); n++) {
            for (int c = 0; c < spec.channels(); c++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        Window window = window(spec, oh, ow);
                        double value;
                        if (spec.kind() == Pool2dSpec.Kind.MAX) {
                            int at = firstMaximum(x, n, c, window, spec.inWidth());
                            value = at < 0 ? Double.NEGATIVE_INFINITY
                                    : x.get(n, c, at / spec.inWidth(), at % spec.inWidth());
                        } else {
                            value = window.isEmpty() ? 0 : windowSum(x, n, c, window) / window.divisor();
                        }
                        y.set(n, c, oh, ow, value);
                    }
                }
            }
        }
    }

    /**
     * MAX: each {@code gy[n, c, oh, ow]} goes to the first maximum of its window (the pixel the
     * forward chose); AVG: it is spread evenly, {@code gy / divisor}, over the window's input pixels.
     * Overlapping windows add up. Overwrites gx.
     */
    static void pool2dBackward(Pool2dSpec spec, Operand xOperand, Operand gyOperand, Operand gxOperand) {
        Nchw x = Nchw.of(xOperand);
        Nchw gy = Nchw.of(gyOperand);
        Nchw gx = Nchw.of(gxOperand);
        int width = spec.inWidth();
        for (int n = 0; n < spec.batch(); n++) {
            for (int c = 0; c < spec.channels(); c++) {
                double[] plane = new double[spec.inHeight() * width];
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        Window window = window(spec, oh, ow);
                        double gradient = gy.get(n, c, oh, ow);
                        if (spec.kind() == Pool2dSpec.Kind.MAX) {
                            int at = firstMaximum(x, n, c, window, width);
                            if (at >= 0) {
                                plane[at] += gradient;
                            }
                        } else if (!window.isEmpty()) {
                            double share = gradient / window.divisor();
                            for (int row = window.rowStart(); row < window.rowEnd(); row++) {
                                for (int col = window.colStart(); col < window.colEnd(); col++) {
                                    plane[row * width + col] += share;
                                }
                            }
                        }
                    }
                }
                gx.setPlane(n, c, plane, spec.inHeight(), width);
            }
        }
    }

    /**
     * The in-plane index {@code row · width + col} of the window's first maximum in row-major
     * window order, or -1 for an empty window. A NaN beats every number, and the first NaN is final.
     */
    private static int firstMaximum(Nchw x, int n, int c, Window window, int width) {
        int best = -1;
        double bestValue = Double.NEGATIVE_INFINITY;
        for (int row = window.rowStart(); row < window.rowEnd(); row++) {
            for (int col = window.colStart(); col < window.colEnd(); col++) {
                double value = x.get(n, c, row, col);
                if (best < 0 || (!Double.isNaN(bestValue) && (value > bestValue || Double.isNaN(value)))) {
                    best = row * width + col;
                    bestValue = value;
                }
            }
        }
        return best;
    }

    private static double windowSum(Nchw x, int n, int c, Window window) {
        double sum = 0;
        for (int row = window.rowStart(); row < window.rowEnd(); row++) {
            for (int col = window.colStart(); col < window.colEnd(); col++) {
                sum += x.get(n, c, row, col);
            }
        }
        return sum;
    }
}
