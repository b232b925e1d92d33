package io.gasok.reference;

import io.gasok.spi.Operand;
import io.gasok.spi.Upsample2dSpec;

/**
 * Nearest and bilinear resizing of the reference backend, forward and backward, with the source
 * coordinates {@link Upsample2dSpec} defines. Bilinear follows PyTorch: for a source coordinate
 * {@code s}, the taps are {@code low = floor(s)} and {@code high = min(low + 1, in - 1)}, weighted
 * {@code 1 - λ} and {@code λ = s - low}; rows and columns are interpolated independently.
 */
final class ReferenceUpsampling {
    private ReferenceUpsampling() {}

    /** The two source indices of one output row or column and the weight of the high one. */
    private record Taps(int low, int high, double highWeight) {
        double lowWeight() {
            return 1 - highWeight;
        }
    }

    private static Taps taps(Upsample2dSpec spec, int dst, int in, int out) {
        double source = spec.bilinearSource(dst, in, out);
        int low = (int) Math.floor(source);
        return new Taps(low, Math.min(low + 1, in - 1), source - low);
    }

    /**
     * NEAREST: {@code y[n, c, oh, ow] = x[n, c, nearest(oh), nearest(ow)]}; BILINEAR: the weighted
     * sum of the four taps, in double.
     */
    static void upsample2d(Upsample2dSpec spec, Operand xOperand, Operand yOperand) {
        Nchw x = Nchw.of(xOperand);
        Nchw y = Nchw.of(yOperand);
        for (int n = 0; n < spec.batch(); n++) {
            for (int c = 0; c < spec.channels(); c++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        double value;
                        if (spec.mode() == Upsample2dSpec.Mode.NEAREST) {
                            value = x.get(n, c, spec.nearestSource(oh, spec.inHeight(), spec.outHeight()),
                                    spec.nearestSource(ow, spec.inWidth(), spec.outWidth()));
                        } else {
                            Taps rows = taps(spec, oh, spec.inHeight(), spec.outHeight());
                            Taps cols = taps(spec, ow, spec.inWidth(), spec.outWidth());
                            value = rows.lowWeight() * (cols.lowWeight() * x.get(n, c, rows.low(), cols.low())
                                            + cols.highWeight() * x.get(n, c, rows.low(), cols.high()))
                                    + rows.highWeight() * (cols.lowWeight() * x.get(n, c, rows.high(), cols.low())
                                            + cols.highWeight() * x.get(n, c, rows.high(), cols.high()));
                        }
                        y.set(n, c, oh, ow, value);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #upsample2d}: every {@code gy[n, c, oh, ow]} is added to the input
     * pixels it was read from, with the same weights (1 for nearest), summed in a double plane per
     * (n, c). Overwrites gx.
     */
    static void upsample2dBackward(Upsample2dSpec spec, Operand gyOperand, Operand gxOperand) {
        Nchw gy = Nchw.of(gyOperand);
        Nchw gx = Nchw.of(gxOperand);
        int width = spec.inWidth();
        for (int n = 0; n < spec.batch(); n++) {
            for (int c = 0; c < spec.channels(); c++) {
                double[] plane = new double[spec.inHeight() * width];
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        double gradient = gy.get(n, c, oh, ow);
                        if (spec.mode() == Upsample2dSpec.Mode.NEAREST) {
                            int row = spec.nearestSource(oh, spec.inHeight(), spec.outHeight());
                            int col = spec.nearestSource(ow, width, spec.outWidth());
                            plane[row * width + col] += gradient;
                        } else {
                            Taps rows = taps(spec, oh, spec.inHeight(), spec.outHeight());
                            Taps cols = taps(spec, ow, width, spec.outWidth());
                            plane[rows.low() * width + cols.low()] += gradient * rows.lowWeight() * cols.lowWeight();
                            plane[rows.low() * width + cols.high()] += gradient * rows.lowWeight() * cols.highWeight();
                            plane[rows.high() * width + cols.low()] += gradient * rows.highWeight() * cols.lowWeight();
                            plane[rows.high() * width + cols.high()] += gradient * rows.highWeight() * cols.highWeight();
                        }
                    }
                }
                gx.setPlane(n, c, plane, spec.inHeight(), width);
            }
        }
    }
}
