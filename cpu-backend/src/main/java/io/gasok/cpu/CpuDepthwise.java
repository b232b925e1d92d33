package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise 2-D convolution (groups == inChannels == outChannels, which includes a one-channel plain
 * convolution) and its two gradients, as {@code ReferenceConvolution} defines them, by direct loops:
 * each channel plane is convolved with its own kernelH × kernelW filter. At K = kh·kw multiply-adds
 * per output it is bound by memory bandwidth, not arithmetic, so it reads x and writes y once.
 *
 * <p><b>Phased rows.</b> Output column ow, tap kw reads padded input column
 * {@code ow·s + kw·dilationW} (s = strideW, padded column = input column + padLeft). Each input row is
 * copied once per plane into s zero-padded "phase" rows, {@code phase[r][j] = padded[j·s + r]}
 * (stride 1: one zero-padded copy; stride 2: even and odd columns deinterleaved). Then tap kw of
 * outputs [ow, ow + LANES) is one contiguous vector load from {@code phase[(kw·d) % s]} at
 * {@code ow + (kw·d) / s}, with no gather, no lane masks and no border cases: the padding is real
 * zeros. Rows outside the input (top/bottom padding) are skipped per output row.
 *
 * <p><b>FP32 kernels</b> (lanes along the output width, filter taps broadcast):
 * <ul>
 *   <li>forward: per output row, per vector of outputs, the taps accumulate in one register; then
 *       {@code alpha·acc + bias[c]} goes through {@link GemmFloat32Epilogue} (beta·y_old and the
 *       vectorised activation) at the store;
 *   <li>backward input: the scatter of the forward, into zeroed phase rows of gx
 *       ({@code phase[(kw·d) % s][ow + (kw·d)/s] += w·gy[oh, ow]}, vector fma along ow, in
 *       (oh, kh, kw) order), then the phase rows are interleaved back into gx (overwritten);
 *   <li>backward weight: per tap, a dot product of the phase rows with gy rows (vector fma along ow,
 *       one reduceLanes per image), summed over images in order.
 * </ul>
 * <b>FP64</b> uses plain scalar loops over the contiguous arrays (FP64 is for gradient checks).
 *
 * <p><b>Threads.</b> Forward and backward input split the batch·C planes into one contiguous range
 * per thread of the {@link WorkerPool}; backward weight splits the channels (each channel sums its
 * images itself). Below {@value #PARALLEL_ELEMENTS} elements of x and y together a call runs on the
 * calling thread. Each plane's sums run in a fixed order, so results do not depend on the split.
 * Each thread keeps one plane of phase rows ({@code inH · s · ⌈paddedW / s⌉} floats) as scratch.
 */
final class CpuDepthwise {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();
    /** Below this many elements of x plus y a call runs on the calling thread. */
    static final long PARALLEL_ELEMENTS = 1L << 15;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private CpuDepthwise() {
    }

    /** Where the phase rows of one plane lie: row (ih, r) starts at {@code (ih·stride + r)·length}. */
    private record Phases(int stride, int length, int padLeft, int inWidth) {

        static Phases of(Conv2dSpec spec) {
            int s = spec.strideWidth();
            int paddedWidth = Math.max(spec.padLeft() + spec.inWidth(),
                    (spec.outWidth() - 1) * s + (spec.kernelWidth() - 1) * spec.dilationWidth() + 1);
            return new Phases(s, (paddedWidth + s - 1) / s, spec.padLeft(), spec.inWidth());
        }

        /** Floats of one plane's phase rows, plus a vector of slack so a last partial vector can be loaded whole. */
        int planeSize(int inHeight) {
            return inHeight * stride * length + LANES;
        }

        /** Index of the first phase row of input row ih. */
        int rowStart(int ih) {
            return ih * stride * length;
        }

        /** Per kernel column kw, where output column 0's tap lies relative to {@link #rowStart}. */
        int[] tapOffsets(int kernelWidth, int dilation) {
            int[] offsets = new int[kernelWidth];
            for (int kw = 0; kw < kernelWidth; kw++) {
                int column = kw * dilation;
                offsets[kw] = column % stride * length + column / stride;
            }
            return offsets;
        }

        /** Copies the input row at {@code src} into the phase rows of row ih, zeros in the padding. */
        void split(float[] x, int src, float[] phases, int ih) {
            for (int r = 0; r < stride; r++) {
                int row = (ih * stride + r) * length;
                for (int j = 0; j < length; j++) {
                    int column = j * stride + r - padLeft;
                    phases[row + j] = column >= 0 && column < inWidth ? x[src + column] : 0f;
                }
            }
        }

        /** Writes the phase rows of row ih back as the input row at {@code dst} (padding dropped). */
        void merge(float[] phases, int ih, float[] gx, int dst) {
            for (int iw = 0; iw < inWidth; iw++) {
                int column = iw + padLeft;
                gx[dst + iw] = phases[(ih * stride + column % stride) * length + column / stride];
            }
        }
    }

    private static float[] scratch(int slot, int size) {
        float[][] buffers = SCRATCH.get();
        if (buffers[slot].length < size) {
            buffers[slot] = new float[size];
        }
        return buffers[slot];
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(int first, int last);
    }

    /** Splits [0, count) into one contiguous range per thread (or one range when the work is small). */
    private static void forRanges(int count, long elements, WorkerPool pool, RangeBody body) {
        int parts = elements >= PARALLEL_ELEMENTS ? Math.min(pool.threads(), count) : 1;
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        int perPart = (count + parts - 1) / parts;
        pool.parallelFor((count + perPart - 1) / perPart, part -> body.run(part * perPart, Math.min(count, (part + 1) * perPart)));
    }

    private static long elements(Conv2dSpec spec) {
        return (long) spec.batch() * spec.inChannels()
                * ((long) spec.inHeight() * spec.inWidth() + (long) spec.outHeight() * spec.outWidth());
    }

    /** The input row that kernel row kh of output row oh reads (outside [0, inHeight) is padding). */
    private static int inputRow(Conv2dSpec spec, int oh, int kh) {
        return oh * spec.strideHeight() - spec.padTop() + kh * spec.dilationHeight();
    }

    // ---- forward ----

    static void forward(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y, WorkerPool pool) {
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        int channels = spec.inChannels();
        if (y.dtype() == DType.FLOAT32) {
            float[] xs = CpuBuffer.floats(x);
            float[] ws = CpuBuffer.floats(w);
            float[] ys = CpuBuffer.floats(y);
            float[] biases = bias == null ? null : CpuBuffer.floats(bias);
            GemmFloat32Epilogue store = new GemmFloat32Epilogue(
                    new Epilogue(1, epilogue.beta(), epilogue.activation(), epilogue.activationParam()), null, 0);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    int c = plane % channels;
                    float biasValue = biases == null ? 0f : biases[bias.offset() + c * bias.stride(0)];
                    forwardPlane(spec, xs, x.offset() + plane * spec.inHeight() * spec.inWidth(),
                            ws, w.offset() + c * spec.kernelHeight() * spec.kernelWidth(),
                            (float) epilogue.alpha(), biasValue, store,
                            ys, y.offset() + plane * spec.outHeight() * spec.outWidth());
                }
            });
        } else if (y.dtype() == DType.FLOAT64) {
            double[] xs = CpuBuffer.doubles(x);
            double[] ws = CpuBuffer.doubles(w);
            double[] ys = CpuBuffer.doubles(y);
            double[] biases = bias == null ? null : CpuBuffer.doubles(bias);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    int c = plane % channels;
                    double biasValue = biases == null ? 0 : biases[bias.offset() + c * bias.stride(0)];
                    forwardPlane(spec, xs, x.offset() + plane * spec.inHeight() * spec.inWidth(),
                            ws, w.offset() + c * spec.kernelHeight() * spec.kernelWidth(), epilogue, biasValue,
                            ys, y.offset() + plane * spec.outHeight() * spec.outWidth());
                }
            });
        } else {
            throw unsupported("depthwiseConv2d", y);
        }
    }

    /**
     * One plane: whole vectors along the output row; the last, partial one is loaded whole too (the
     * phase rows have a vector of slack) and only its valid lanes are stored.
     */
    private static void forwardPlane(Conv2dSpec spec, float[] x, int xBase, float[] w, int wBase,
                                     float alpha, float biasValue, GemmFloat32Epilogue store, float[] y, int yBase) {
        Phases phases = Phases.of(spec);
        int outWidth = spec.outWidth();
        int kernelWidth = spec.kernelWidth();
        int[] tapOffsets = phases.tapOffsets(kernelWidth, spec.dilationWidth());
        float[] rows = scratch(0, phases.planeSize(spec.inHeight()));
        float[] out = scratch(1, outWidth + LANES);
        for (int ih = 0; ih < spec.inHeight(); ih++) {
            phases.split(x, xBase + ih * spec.inWidth(), rows, ih);
        }
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            int firstKh = firstValidKernelRow(spec, oh);
            int lastKh = lastValidKernelRow(spec, oh);
            for (int ow = 0; ow < outWidth; ow += LANES) {
                FloatVector acc = FloatVector.zero(FLOATS);
                for (int kh = firstKh; kh < lastKh; kh++) {
                    int row = phases.rowStart(inputRow(spec, oh, kh)) + ow;
                    int weights = wBase + kh * kernelWidth;
                    for (int kw = 0; kw < kernelWidth; kw++) {
                        acc = FloatVector.fromArray(FLOATS, rows, row + tapOffsets[kw])
                                .fma(FloatVector.broadcast(FLOATS, w[weights + kw]), acc);
                    }
                }
                acc.fma(alpha, biasValue).intoArray(out, ow);
            }
            store.store(out, 0, 1, outWidth, y, yBase + oh * outWidth, outWidth, 0, true, true);
        }
    }

    /** The first kernel row whose input row for output row oh lies inside the input. */
    private static int firstValidKernelRow(Conv2dSpec spec, int oh) {
        int kh = 0;
        while (kh < spec.kernelHeight() && inputRow(spec, oh, kh) < 0) {
            kh++;
        }
        return kh;
    }

    /** One past the last kernel row whose input row for output row oh lies inside the input. */
    private static int lastValidKernelRow(Conv2dSpec spec, int oh) {
        int kh = spec.kernelHeight();
        while (kh > 0 && inputRow(spec, oh, kh - 1) >= spec.inHeight()) {
            kh--;
        }
        return kh;
    }

    private static void forwardPlane(Conv2dSpec spec, double[] x, int xBase, double[] w, int wBase,
                                     Epilogue epilogue, double biasValue, double[] y, int yBase) {
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            for (int ow = 0; ow < spec.outWidth(); ow++) {
                double acc = 0;
                for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                    int ih = inputRow(spec, oh, kh);
                    for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                        int iw = ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
                        if (ih >= 0 && ih < spec.inHeight() && iw >= 0 && iw < spec.inWidth()) {
                            acc += x[xBase + ih * spec.inWidth() + iw] * w[wBase + kh * spec.kernelWidth() + kw];
                        }
                    }
                }
                int at = yBase + oh * spec.outWidth() + ow;
                double value = epilogue.alpha() * acc + biasValue;
                if (epilogue.beta() != 0) {
                    value += epilogue.beta() * y[at];
                }
                y[at] = epilogue.activate(value);
            }
        }
    }

    // ---- backward input ----

    static void backwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx, WorkerPool pool) {
        int channels = spec.inChannels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        int taps = spec.kernelHeight() * spec.kernelWidth();
        if (gx.dtype() == DType.FLOAT32) {
            float[] gys = CpuBuffer.floats(gy);
            float[] ws = CpuBuffer.floats(w);
            float[] gxs = CpuBuffer.floats(gx);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    backwardInputPlane(spec, gys, gy.offset() + plane * outPlane,
                            ws, w.offset() + (plane % channels) * taps, gxs, gx.offset() + plane * inPlane);
                }
            });
        } else if (gx.dtype() == DType.FLOAT64) {
            double[] gys = CpuBuffer.doubles(gy);
            double[] ws = CpuBuffer.doubles(w);
            double[] gxs = CpuBuffer.doubles(gx);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    backwardInputPlane(spec, gys, gy.offset() + plane * outPlane,
                            ws, w.offset() + (plane % channels) * taps, gxs, gx.offset() + plane * inPlane);
                }
            });
        } else {
            throw unsupported("depthwiseConv2dBackwardInput", gx);
        }
    }

    private static void backwardInputPlane(Conv2dSpec spec, float[] gy, int gyBase, float[] w, int wBase,
                                           float[] gx, int gxBase) {
        Phases phases = Phases.of(spec);
        int outWidth = spec.outWidth();
        int vectorWidth = FLOATS.loopBound(outWidth);
        VectorMask<Float> tailMask = FLOATS.indexInRange(vectorWidth, outWidth);
        int kernelWidth = spec.kernelWidth();
        int[] tapOffsets = phases.tapOffsets(kernelWidth, spec.dilationWidth());
        float[] rows = scratch(0, phases.planeSize(spec.inHeight()));
        Arrays.fill(rows, 0, phases.planeSize(spec.inHeight()), 0f);
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            int gyRow = gyBase + oh * outWidth;
            for (int kh = firstValidKernelRow(spec, oh); kh < lastValidKernelRow(spec, oh); kh++) {
                int row = phases.rowStart(inputRow(spec, oh, kh));
                for (int kw = 0; kw < kernelWidth; kw++) {
                    FloatVector weight = FloatVector.broadcast(FLOATS, w[wBase + kh * kernelWidth + kw]);
                    int start = row + tapOffsets[kw];
                    for (int ow = 0; ow < vectorWidth; ow += LANES) {
                        FloatVector.fromArray(FLOATS, gy, gyRow + ow)
                                .fma(weight, FloatVector.fromArray(FLOATS, rows, start + ow))
                                .intoArray(rows, start + ow);
                    }
                    if (vectorWidth < outWidth) {
                        FloatVector.fromArray(FLOATS, gy, gyRow + vectorWidth, tailMask)
                                .fma(weight, FloatVector.fromArray(FLOATS, rows, start + vectorWidth, tailMask))
                                .intoArray(rows, start + vectorWidth, tailMask);
                    }
                }
            }
        }
        for (int ih = 0; ih < spec.inHeight(); ih++) {
            phases.merge(rows, ih, gx, gxBase + ih * spec.inWidth());
        }
    }

    private static void backwardInputPlane(Conv2dSpec spec, double[] gy, int gyBase, double[] w, int wBase,
                                           double[] gx, int gxBase) {
        Arrays.fill(gx, gxBase, gxBase + spec.inHeight() * spec.inWidth(), 0d);
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                int ih = inputRow(spec, oh, kh);
                if (ih < 0 || ih >= spec.inHeight()) {
                    continue;
                }
                for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                    double weight = w[wBase + kh * spec.kernelWidth() + kw];
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        int iw = ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
                        if (iw >= 0 && iw < spec.inWidth()) {
                            gx[gxBase + ih * spec.inWidth() + iw] += weight * gy[gyBase + oh * spec.outWidth() + ow];
                        }
                    }
                }
            }
        }
    }

    // ---- backward weight ----

    static void backwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, WorkerPool pool) {
        int channels = spec.inChannels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        int taps = spec.kernelHeight() * spec.kernelWidth();
        if (gw.dtype() == DType.FLOAT32) {
            float[] xs = CpuBuffer.floats(x);
            float[] gys = CpuBuffer.floats(gy);
            float[] gws = CpuBuffer.floats(gw);
            forRanges(channels, elements(spec), pool, (first, last) -> {
                for (int c = first; c < last; c++) {
                    int gwBase = gw.offset() + c * taps;
                    Arrays.fill(gws, gwBase, gwBase + taps, 0f);
                    for (int n = 0; n < spec.batch(); n++) {
                        int plane = n * channels + c;
                        backwardWeightPlane(spec, xs, x.offset() + plane * inPlane, gys, gy.offset() + plane * outPlane, gws, gwBase);
                    }
                }
            });
        } else if (gw.dtype() == DType.FLOAT64) {
            double[] xs = CpuBuffer.doubles(x);
            double[] gys = CpuBuffer.doubles(gy);
            double[] gws = CpuBuffer.doubles(gw);
            forRanges(channels, elements(spec), pool, (first, last) -> {
                for (int c = first; c < last; c++) {
                    int gwBase = gw.offset() + c * taps;
                    Arrays.fill(gws, gwBase, gwBase + taps, 0d);
                    for (int n = 0; n < spec.batch(); n++) {
                        int plane = n * channels + c;
                        backwardWeightPlane(spec, xs, x.offset() + plane * inPlane, gys, gy.offset() + plane * outPlane, gws, gwBase);
                    }
                }
            });
        } else {
            throw unsupported("depthwiseConv2dBackwardWeight", gw);
        }
    }

    /** Adds one image's {@code Σ_{oh, ow} x[ih, iw] · gy[oh, ow]} to each tap of gw. */
    private static void backwardWeightPlane(Conv2dSpec spec, float[] x, int xBase, float[] gy, int gyBase,
                                            float[] gw, int gwBase) {
        Phases phases = Phases.of(spec);
        int outWidth = spec.outWidth();
        int vectorWidth = FLOATS.loopBound(outWidth);
        VectorMask<Float> tailMask = FLOATS.indexInRange(vectorWidth, outWidth);
        int kernelWidth = spec.kernelWidth();
        int[] tapOffsets = phases.tapOffsets(kernelWidth, spec.dilationWidth());
        float[] rows = scratch(0, phases.planeSize(spec.inHeight()));
        for (int ih = 0; ih < spec.inHeight(); ih++) {
            phases.split(x, xBase + ih * spec.inWidth(), rows, ih);
        }
        for (int kh = 0; kh < spec.kernelHeight(); kh++) {
            for (int kw = 0; kw < kernelWidth; kw++) {
                FloatVector acc = FloatVector.zero(FLOATS);
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    int ih = inputRow(spec, oh, kh);
                    if (ih < 0 || ih >= spec.inHeight()) {
                        continue;
                    }
                    int start = phases.rowStart(ih) + tapOffsets[kw];
                    int gyRow = gyBase + oh * outWidth;
                    for (int ow = 0; ow < vectorWidth; ow += LANES) {
                        acc = FloatVector.fromArray(FLOATS, rows, start + ow)
                                .fma(FloatVector.fromArray(FLOATS, gy, gyRow + ow), acc);
                    }
                    if (vectorWidth < outWidth) {
                        acc = FloatVector.fromArray(FLOATS, rows, start + vectorWidth, tailMask)
                                .fma(FloatVector.fromArray(FLOATS, gy, gyRow + vectorWidth, tailMask), acc);
                    }
                }
                gw[gwBase + kh * kernelWidth + kw] += acc.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    private static void backwardWeightPlane(Conv2dSpec spec, double[] x, int xBase, double[] gy, int gyBase,
                                            double[] gw, int gwBase) {
        for (int kh = 0; kh < spec.kernelHeight(); kh++) {
            for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                double acc = 0;
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    int ih = inputRow(spec, oh, kh);
                    if (ih < 0 || ih >= spec.inHeight()) {
                        continue;
                    }
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        int iw = ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
                        if (iw >= 0 && iw < spec.inWidth()) {
                            acc += x[xBase + ih * spec.inWidth() + iw] * gy[gyBase + oh * spec.outWidth() + ow];
                        }
                    }
                }
                gw[gwBase + kh * spec.kernelWidth() + kw] += acc;
            }
        }
    }

    private static UnsupportedOperationException unsupported(String kernel, Operand operand) {
        return new UnsupportedOperationException(kernel + " on the cpu backend takes FLOAT32 or FLOAT64, not " + operand.dtype());
    }
}
