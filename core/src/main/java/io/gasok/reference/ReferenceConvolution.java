package io.gasok.reference;

import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import java.util.Objects;

/**
 * 2-D convolution (cross-correlation) of the reference backend: direct loops straight from the
 * definition, one double accumulator per output element, zero padding by skipping the taps that
 * fall outside the input.
 *
 * <p>Notation: input {@code x[n, ci, ih, iw]}, weights {@code w[co, ci', kh, kw]} with ci' the
 * channel within its group, output {@code y[n, co, oh, ow]}. Output pixel (oh, ow) sees input row
 * {@code ih = oh·strideH - padTop + kh·dilationH} and column
 * {@code iw = ow·strideW - padLeft + kw·dilationW}. Group g holds input channels
 * [g·cin/groups, (g+1)·cin/groups) and output channels [g·cout/groups, (g+1)·cout/groups).
 *
 * <p>The backward kernels are written as gathers (each result element sums what it receives), so
 * they too accumulate every sum in one double and write each element once.
 */
final class ReferenceConvolution {
    private ReferenceConvolution() {}

    /**
     * {@code y[n, co, oh, ow] = act(alpha · Σ_{ci', kh, kw} x[n, g·cinPerGroup + ci', ih, iw] · w[co, ci', kh, kw]
     * + bias[co] + beta · y_old)} with g the group of co, for every n, co, oh, ow.
     */
    static void conv2d(Conv2dSpec spec, Operand xOperand, Operand wOperand, Operand biasOperand, Operand yOperand) {
        Nchw x = Nchw.of(xOperand);
        Nchw w = Nchw.of(wOperand);
        Nchw y = Nchw.of(yOperand);
        HostBuffer bias = biasOperand == null ? null : HostBuffer.of(biasOperand);
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        int inPerGroup = spec.inChannels() / spec.groups();
        int outPerGroup = spec.outChannels() / spec.groups();
        for (int n = 0; n < spec.batch(); n++) {
            for (int co = 0; co < spec.outChannels(); co++) {
                int firstInChannel = (co / outPerGroup) * inPerGroup;
                double biasValue = bias == null ? 0 : bias.getDouble(biasOperand.indexOf(co));
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        double acc = 0;
                        for (int ci = 0; ci < inPerGroup; ci++) {
                            for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                                int ih = inputRow(spec, oh, kh);
                                for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                                    int iw = inputColumn(spec, ow, kw);
                                    if (inside(spec, ih, iw)) {
                                        acc += x.get(n, firstInChannel + ci, ih, iw) * w.get(co, ci, kh, kw);
                                    }
                                }
                            }
                        }
                        ReferenceGemm.storeWithEpilogue(epilogue, acc, biasValue, y.buffer(), y.index(n, co, oh, ow));
                    }
                }
            }
        }
    }

    /**
     * {@code gx[n, ci, ih, iw] = Σ gy[n, co, oh, ow] · w[co, ci', kh, kw]} over the output channels
     * co of ci's group and the taps (kh, kw) whose output position (oh, ow) lands on (ih, iw):
     * {@code oh = (ih + padTop - kh·dilationH) / strideH} when that divides exactly and is in range.
     * Overwrites gx; ignores the epilogue.
     */
    static void conv2dBackwardInput(Conv2dSpec spec, Operand gyOperand, Operand wOperand, Operand gxOperand) {
        Nchw gy = Nchw.of(gyOperand);
        Nchw w = Nchw.of(wOperand);
        Nchw gx = Nchw.of(gxOperand);
        int inPerGroup = spec.inChannels() / spec.groups();
        int outPerGroup = spec.outChannels() / spec.groups();
        for (int n = 0; n < spec.batch(); n++) {
            for (int ci = 0; ci < spec.inChannels(); ci++) {
                int group = ci / inPerGroup;
                int channelInGroup = ci % inPerGroup;
                for (int ih = 0; ih < spec.inHeight(); ih++) {
                    for (int iw = 0; iw < spec.inWidth(); iw++) {
                        double acc = 0;
                        for (int co = group * outPerGroup; co < (group + 1) * outPerGroup; co++) {
                            for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                                int oh = outputRow(spec, ih, kh);
                                for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                                    int ow = outputColumn(spec, iw, kw);
                                    if (oh >= 0 && ow >= 0) {
                                        acc += gy.get(n, co, oh, ow) * w.get(co, channelInGroup, kh, kw);
                                    }
                                }
                            }
                        }
                        gx.set(n, ci, ih, iw, acc);
                    }
                }
            }
        }
    }

    /**
     * {@code gw[co, ci', kh, kw] = Σ_{n, oh, ow} x[n, g·cinPerGroup + ci', ih, iw] · gy[n, co, oh, ow]}
     * over the output positions whose tap (kh, kw) falls inside the input. Overwrites gw, and gb
     * where it is not null ({@link #biasGradient}).
     */
    static void conv2dBackwardWeight(Conv2dSpec spec, Operand xOperand, Operand gyOperand, Operand gwOperand,
                                     Operand gbOperand) {
        biasGradient(spec, gyOperand, gbOperand);
        Nchw x = Nchw.of(xOperand);
        Nchw gy = Nchw.of(gyOperand);
        Nchw gw = Nchw.of(gwOperand);
        int inPerGroup = spec.inChannels() / spec.groups();
        int outPerGroup = spec.outChannels() / spec.groups();
        for (int co = 0; co < spec.outChannels(); co++) {
            int firstInChannel = (co / outPerGroup) * inPerGroup;
            for (int ci = 0; ci < inPerGroup; ci++) {
                for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                    for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                        double acc = 0;
                        for (int n = 0; n < spec.batch(); n++) {
                            for (int oh = 0; oh < spec.outHeight(); oh++) {
                                int ih = inputRow(spec, oh, kh);
                                for (int ow = 0; ow < spec.outWidth(); ow++) {
                                    int iw = inputColumn(spec, ow, kw);
                                    if (inside(spec, ih, iw)) {
                                        acc += x.get(n, firstInChannel + ci, ih, iw) * gy.get(n, co, oh, ow);
                                    }
                                }
                            }
                        }
                        gw.set(co, ci, kh, kw, acc);
                    }
                }
            }
        }
    }

    /**
     * The bias gradient {@code gb[co] = Σ_{n, oh, ow} gy[n, co, oh, ow]}, summed in double; nothing
     * when {@code gbOperand} is null.
     */
    static void biasGradient(Conv2dSpec spec, Operand gyOperand, Operand gbOperand) {
        if (gbOperand == null) {
            return;
        }
        Nchw gy = Nchw.of(gyOperand);
        HostBuffer gb = HostBuffer.of(gbOperand);
        for (int co = 0; co < spec.outChannels(); co++) {
            double acc = 0;
            for (int n = 0; n < spec.batch(); n++) {
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        acc += gy.get(n, co, oh, ow);
                    }
                }
            }
            gb.setDouble(gbOperand.offset() + co * gbOperand.stride(0), acc);
        }
    }

    /**
     * Depthwise forward, groups == channels: each channel is convolved with its own single filter,
     * {@code y[n, c, oh, ow] = act(alpha · Σ_{kh, kw} x[n, c, ih, iw] · w[c, 0, kh, kw] + bias[c] + beta · y_old)}.
     */
    static void depthwiseConv2d(Conv2dSpec spec, Operand xOperand, Operand wOperand, Operand biasOperand, Operand yOperand) {
        Nchw x = Nchw.of(xOperand);
        Nchw w = Nchw.of(wOperand);
        Nchw y = Nchw.of(yOperand);
        HostBuffer bias = biasOperand == null ? null : HostBuffer.of(biasOperand);
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        for (int n = 0; n < spec.batch(); n++) {
            for (int c = 0; c < spec.inChannels(); c++) {
                double biasValue = bias == null ? 0 : bias.getDouble(biasOperand.indexOf(c));
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        double acc = 0;
                        for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                            int ih = inputRow(spec, oh, kh);
                            for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                                int iw = inputColumn(spec, ow, kw);
                                if (inside(spec, ih, iw)) {
                                    acc += x.get(n, c, ih, iw) * w.get(c, 0, kh, kw);
                                }
                            }
                        }
                        ReferenceGemm.storeWithEpilogue(epilogue, acc, biasValue, y.buffer(), y.index(n, c, oh, ow));
                    }
                }
            }
        }
    }

    /** Depthwise input gradient: {@code gx[n, c, ih, iw] = Σ_{kh, kw} gy[n, c, oh, ow] · w[c, 0, kh, kw]}. Overwrites gx. */
    static void depthwiseConv2dBackwardInput(Conv2dSpec spec, Operand gyOperand, Operand wOperand, Operand gxOperand) {
        Nchw gy = Nchw.of(gyOperand);
        Nchw w = Nchw.of(wOperand);
        Nchw gx = Nchw.of(gxOperand);
        for (int n = 0; n < spec.batch(); n++) {
            for (int c = 0; c < spec.inChannels(); c++) {
                for (int ih = 0; ih < spec.inHeight(); ih++) {
                    for (int iw = 0; iw < spec.inWidth(); iw++) {
                        double acc = 0;
                        for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                            int oh = outputRow(spec, ih, kh);
                            for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                                int ow = outputColumn(spec, iw, kw);
                                if (oh >= 0 && ow >= 0) {
                                    acc += gy.get(n, c, oh, ow) * w.get(c, 0, kh, kw);
                                }
                            }
                        }
                        gx.set(n, c, ih, iw, acc);
                    }
                }
            }
        }
    }

    /**
     * Depthwise weight gradient: {@code gw[c, 0, kh, kw] = Σ_{n, oh, ow} x[n, c, ih, iw] · gy[n, c, oh, ow]}.
     * Overwrites gw, and gb where it is not null ({@link #biasGradient}).
     */
    static void depthwiseConv2dBackwardWeight(Conv2dSpec spec, Operand xOperand, Operand gyOperand,
                                              Operand gwOperand, Operand gbOperand) {
        biasGradient(spec, gyOperand, gbOperand);
        Nchw x = Nchw.of(xOperand);
        Nchw gy = Nchw.of(gyOperand);
        Nchw gw = Nchw.of(gwOperand);
        for (int c = 0; c < spec.inChannels(); c++) {
            for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                    double acc = 0;
                    for (int n = 0; n < spec.batch(); n++) {
                        for (int oh = 0; oh < spec.outHeight(); oh++) {
                            int ih = inputRow(spec, oh, kh);
                            for (int ow = 0; ow < spec.outWidth(); ow++) {
                                int iw = inputColumn(spec, ow, kw);
                                if (inside(spec, ih, iw)) {
                                    acc += x.get(n, c, ih, iw) * gy.get(n, c, oh, ow);
                                }
                            }
                        }
                    }
                    gw.set(c, 0, kh, kw, acc);
                }
            }
        }
    }

    /** The input row that kernel row {@code kh} of output row {@code oh} reads (may be padding). */
    private static int inputRow(Conv2dSpec spec, int oh, int kh) {
        return oh * spec.strideHeight() - spec.padTop() + kh * spec.dilationHeight();
    }

    private static int inputColumn(Conv2dSpec spec, int ow, int kw) {
        return ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
    }

    private static boolean inside(Conv2dSpec spec, int ih, int iw) {
        return ih >= 0 && ih < spec.inHeight() && iw >= 0 && iw < spec.inWidth();
    }

    /** The output row whose kernel row {@code kh} reads input row {@code ih}, or -1 when none does. */
    private static int outputRow(Conv2dSpec spec, int ih, int kh) {
        return outputIndex(ih + spec.padTop() - kh * spec.dilationHeight(), spec.strideHeight(), spec.outHeight());
    }

    private static int outputColumn(Conv2dSpec spec, int iw, int kw) {
        return outputIndex(iw + spec.padLeft() - kw * spec.dilationWidth(), spec.strideWidth(), spec.outWidth());
    }

    /** {@code offset / stride} when it is an exact, in-range output index; otherwise -1. */
    private static int outputIndex(int offset, int stride, int outExtent) {
        if (offset < 0 || offset % stride != 0 || offset / stride >= outExtent) {
            return -1;
        }
        return offset / stride;
    }
}
