package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import io.gasok.spi.Operand;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Convolution, pooling and upsampling of NCHW images.
 *
 * <p>conv2d: stride, symmetric ({h, w}) and asymmetric ({top, left, bottom, right}) padding,
 * dilation, groups including depthwise (groups = in = out channels), with and without bias.
 * maxPool2d/avgPool2d: kernel, stride, padding up to half the kernel, ceilMode, countIncludePad.
 * upsampleNearest and upsampleBilinear (alignCorners both ways) to random output sizes.
 *
 * <p>How: each result is compared with the reference and with naive host loops written from
 * PyTorch's definitions (cross-correlation; padded positions never win a max; the average
 * divisor counts padding only with countIncludePad, PyTorch's window clipping; the source
 * coordinates of {@link io.gasok.spi.Upsample2dSpec}). Convolution and averaging are bounded by
 * {@link Tolerance#accumulated} over the magnitudes; max pooling and nearest sampling are exact.
 * Inputs come as views too; the result must equal the one of the contiguous copy exactly.
 * conv2d's gradients (input, weight and bias, through autograd) are compared with the reference
 * backend's, bounded by the same sums over magnitudes (the reference's gradients of |x|, |w| and |gy|).
 */
public interface ConvolutionContract extends DeviceUnderTest {

    /** A conv2d problem. */
    record ConvCase(Sample x, Sample w, Sample bias, int[] stride, int[] padding, int[] dilation, int groups) {
        @Override
        public String toString() {
            return "x=" + x + ", w=" + w + ", bias=" + bias + ", stride=" + Arrays.toString(stride) + ", padding="
                    + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", groups=" + groups;
        }
    }

    /** Geometry of a conv problem before values are drawn. */
    record ConvGeometry(int batch, int groups, int inPerGroup, int outPerGroup, int kh, int kw, int[] stride,
                        int[] padding, int[] dilation, int height, int width, boolean bias) {
        int[] pads() {
            return padding.length == 2 ? new int[] {padding[0], padding[1], padding[0], padding[1]} : padding;
        }

        boolean fits() {
            int[] p = pads();
            return height + p[0] + p[2] >= dilation[0] * (kh - 1) + 1 && width + p[1] + p[3] >= dilation[1] * (kw - 1) + 1;
        }
    }

    private static Arbitrary<int[]> pair(int low, int high) {
        return Arbitraries.integers().between(low, high).list().ofSize(2).map(Shapes::toArray);
    }

    private static Arbitrary<int[]> padding(int high) {
        return Arbitraries.oneOf(Arbitraries.integers().between(0, high).list().ofSize(2).map(Shapes::toArray),
                Arbitraries.integers().between(0, high).list().ofSize(4).map(Shapes::toArray));
    }

    @Provide
    default Arbitrary<ConvCase> convCases() {
        Arbitrary<ConvGeometry> geometry = Combinators.combine(
                Arbitraries.integers().between(1, 2), Arbitraries.of(1, 1, 2, 3), Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(1, 2), Arbitraries.of(false, false, true), pair(1, 3),
                Combinators.combine(pair(1, 2), padding(2), pair(1, 2)).as((s, p, d) -> new int[][] {s, p, d}),
                Combinators.combine(pair(1, 6), Arbitraries.of(true, false)).as((hw, b) -> new Object[] {hw, b}))
                .as((batch, groups, in, out, depthwise, kernel, spd, hwb) -> new ConvGeometry(batch, groups,
                        depthwise ? 1 : in, depthwise ? 1 : out, kernel[0], kernel[1], spd[0], spd[1], spd[2],
                        ((int[]) hwb[0])[0], ((int[]) hwb[0])[1], (Boolean) hwb[1]))
                .filter(ConvGeometry::fits);
        return Combinators.combine(Tensors.floating(), geometry).flatAs((dtype, g) -> {
            int in = g.groups() * g.inPerGroup();
            int out = g.groups() * g.outPerGroup();
            return Combinators.combine(
                    Tensors.sample(dtype, new int[] {g.batch(), in, g.height(), g.width()}, Values.ANY, false),
                    Tensors.sample(dtype, new int[] {out, g.inPerGroup(), g.kh(), g.kw()}, Values.ANY, false),
                    Tensors.sample(dtype, new int[] {out}, Values.ANY))
                    .as((x, w, b) -> new ConvCase(x, w, g.bias() ? b : null, g.stride(), g.padding(), g.dilation(),
                            g.groups()));
        });
    }

    @Property
    @Label("conv2d matches the reference and naive loops for stride, padding, dilation, groups and bias")
    default void conv2dMatchesReferenceAndNaiveLoops(@ForAll("convCases") ConvCase c) {
        DType dtype = c.x().dtype();
        Tensor x = c.x().on(device());
        Tensor w = c.w().on(device());
        Tensor b = c.bias() == null ? null : c.bias().on(device());
        Tensor got = x.conv2d(w, b, c.stride(), c.padding(), c.dilation(), c.groups());
        HostTensor expected = hostConv(c.x().value(), c.w().value(), c.bias() == null ? null : c.bias().value(), c,
                false).map(dtype, v -> Oracle.round(dtype, v));
        HostTensor magnitude = hostConv(c.x().value(), c.w().value(), c.bias() == null ? null : c.bias().value(), c,
                true);
        int[] ws = c.w().shape();
        Tolerance.Bound bound = Tolerance.accumulated(dtype, ws[1] * ws[2] * ws[3] + 1, magnitude);
        String inputs = c.toString();
        Check.close("conv2d", inputs, got, expected, bound);
        Tensor onReference = c.x().on(reference()).conv2d(c.w().on(reference()),
                c.bias() == null ? null : c.bias().on(reference()), c.stride(), c.padding(), c.dilation(), c.groups());
        Check.close("conv2d vs reference", inputs, got, HostTensor.of(onReference), bound);
        Check.identical("conv2d", inputs, got, x.contiguous().conv2d(w.contiguous(), b == null ? null : b.contiguous(),
                c.stride(), c.padding(), c.dilation(), c.groups()));
    }

    @Property
    @Label("conv2d's gradients of input, weight and bias match the reference backend's")
    default void conv2dGradientsMatchReference(@ForAll("convCases") ConvCase c) {
        DType dtype = c.x().dtype();
        boolean withBias = c.bias() != null;
        HostTensor bias = withBias ? c.bias().value() : null;
        Tensor[] got = convGradients(device(), c.x().value(), c.w().value(), bias, c);
        Tensor[] expected = convGradients(reference(), c.x().value(), c.w().value(), bias, c);
        // Magnitudes: the same sums of |x|, |w| and |gy| (the bias's own value adds nothing to them).
        Tensor[] magnitude = convGradients(reference(), c.x().value().abs(), c.w().value().abs(),
                withBias ? bias.abs() : null, c, true);
        int[] ws = c.w().shape();
        int[] ys = expected[3].shape();
        int pixels = ys[0] * ys[2] * ys[3];
        int[] terms = {ws[0] / c.groups() * ws[2] * ws[3], pixels, pixels};
        String[] names = {"conv2d input gradient", "conv2d weight gradient", "conv2d bias gradient"};
        for (int i = 0; i < (withBias ? 3 : 2); i++) {
            Tolerance.Bound bound = Tolerance.accumulated(dtype, terms[i], HostTensor.of(magnitude[i]));
            Check.close(names[i] + " vs reference", c.toString(), got[i], HostTensor.of(expected[i]), bound);
        }
    }

    /** {@code [gx, gw, gb (null without bias), y]} of x.conv2d(w, bias) on device, with gy from {@link #outputGradient}. */
    private static Tensor[] convGradients(Device device, HostTensor x, HostTensor w, HostTensor bias,
                                          ConvCase c) {
        return convGradients(device, x, w, bias, c, false);
    }

    private static Tensor[] convGradients(Device device, HostTensor x, HostTensor w, HostTensor bias,
                                          ConvCase c, boolean absoluteGradient) {
        Tensor xt = x.toTensor(device).requiresGrad(true);
        Tensor wt = w.toTensor(device).requiresGrad(true);
        Tensor bt = bias == null ? null : bias.toTensor(device).requiresGrad(true);
        Tensor y = xt.conv2d(wt, bt, c.stride(), c.padding(), c.dilation(), c.groups());
        HostTensor gy = outputGradient(x.dtype(), y.shape());
        y.backward((absoluteGradient ? gy.abs() : gy).toTensor(device));
        return new Tensor[] {xt.grad(), wt.grad(), bt == null ? null : bt.grad(), y};
    }

    /** The output's gradient: small integers and halves, exact in every floating dtype, of both signs. */
    private static HostTensor outputGradient(DType dtype, int[] shape) {
        double[] values = new double[Operand.sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = ((i * 7 + 3) % 11 - 5) / 2.0;
        }
        return new HostTensor(dtype, shape, values);
    }

    /** Cross-correlation by definition, in double; {@code magnitude} sums |x|·|w| + |bias| instead. */
    private static HostTensor hostConv(HostTensor x, HostTensor w, HostTensor bias, ConvCase c, boolean magnitude) {
        int[] xs = x.shape();
        int[] ws = w.shape();
        int n = xs[0];
        int h = xs[2];
        int wd = xs[3];
        int outC = ws[0];
        int inPerGroup = ws[1];
        int outPerGroup = outC / c.groups();
        int[] p = c.padding().length == 2
                ? new int[] {c.padding()[0], c.padding()[1], c.padding()[0], c.padding()[1]} : c.padding();
        int oh = (h + p[0] + p[2] - c.dilation()[0] * (ws[2] - 1) - 1) / c.stride()[0] + 1;
        int ow = (wd + p[1] + p[3] - c.dilation()[1] * (ws[3] - 1) - 1) / c.stride()[1] + 1;
        int[] shape = {n, outC, oh, ow};
        double[] out = new double[n * outC * oh * ow];
        for (int flat = 0; flat < out.length; flat++) {
            int[] i = HostTensor.multiIndex(shape, flat);
            int group = i[1] / outPerGroup;
            double sum = bias == null ? 0 : magnitude ? Math.abs(bias.get(i[1])) : bias.get(i[1]);
            for (int ci = 0; ci < inPerGroup; ci++) {
                for (int ky = 0; ky < ws[2]; ky++) {
                    for (int kx = 0; kx < ws[3]; kx++) {
                        int y = i[2] * c.stride()[0] - p[0] + ky * c.dilation()[0];
                        int xx = i[3] * c.stride()[1] - p[1] + kx * c.dilation()[1];
                        if (y < 0 || y >= h || xx < 0 || xx >= wd) {
                            continue;
                        }
                        double a = x.at(i[0], group * inPerGroup + ci, y, xx);
                        double b = w.at(i[1], ci, ky, kx);
                        sum += magnitude ? Math.abs(a) * Math.abs(b) : a * b;
                    }
                }
            }
            out[flat] = sum;
        }
        return new HostTensor(DType.FLOAT64, shape, out);
    }

    /** A pooling problem. */
    record PoolCase(Sample x, boolean max, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                    boolean countIncludePad) {
        @Override
        public String toString() {
            return (max ? "maxPool2d" : "avgPool2d") + " x=" + x + ", kernel=" + Arrays.toString(kernel) + ", stride="
                    + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ", ceilMode=" + ceilMode
                    + ", countIncludePad=" + countIncludePad;
        }

        int[] pads() {
            return padding.length == 2 ? new int[] {padding[0], padding[1], padding[0], padding[1]} : padding;
        }
    }

    @Provide
    default Arbitrary<PoolCase> poolCases() {
        return Combinators.combine(Tensors.floating(), Arbitraries.of(true, false), pair(1, 3), pair(1, 3), padding(1),
                        Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Combinators.combine(Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 3),
                                pair(1, 6)).as((n, ch, hw) -> new int[] {n, ch, hw[0], hw[1]}))
                .flatAs((dtype, max, kernel, stride, padding, ceil, include, shape) -> {
                    int[] p = padding.length == 2 ? new int[] {padding[0], padding[1], padding[0], padding[1]} : padding;
                    for (int side = 0; side < 4; side++) {
                        p[side] = Math.min(p[side], kernel[side % 2] / 2);
                    }
                    int[] used = padding.length == 2 ? new int[] {p[0], p[1]} : p;
                    shape[2] = Math.max(shape[2], kernel[0] - p[0] - p[2]);
                    shape[3] = Math.max(shape[3], kernel[1] - p[1] - p[3]);
                    return Tensors.sample(dtype, shape, Values.TIES, false)
                            .map(x -> new PoolCase(x, max, kernel, stride, used, ceil, include));
                });
    }

    @Property
    @Label("maxPool2d and avgPool2d match the reference and naive loops, with ceilMode and countIncludePad")
    default void poolingMatchesReferenceAndNaiveLoops(@ForAll("poolCases") PoolCase c) {
        DType dtype = c.x().dtype();
        Tensor x = c.x().on(device());
        Tensor got = pool(x, c);
        HostTensor expected = hostPool(c.x().value(), c, false).map(dtype, v -> Oracle.round(dtype, v));
        int terms = c.kernel()[0] * c.kernel()[1];
        Tolerance.Bound bound = c.max() ? Tolerance.exact()
                : Tolerance.accumulatedPlusRelative(dtype, terms, hostPool(c.x().value().abs(), c, true));
        Check.close(c.max() ? "maxPool2d" : "avgPool2d", c.toString(), got, expected, bound);
        Check.close("pool vs reference", c.toString(), got, HostTensor.of(pool(c.x().on(reference()), c)), bound);
        Check.identical("pool", c.toString(), got, pool(x.contiguous(), c));
    }

    private static Tensor pool(Tensor x, PoolCase c) {
        return c.max() ? x.maxPool2d(c.kernel(), c.stride(), c.padding(), c.ceilMode())
                : x.avgPool2d(c.kernel(), c.stride(), c.padding(), c.ceilMode(), c.countIncludePad());
    }

    /** PyTorch's pooling by definition; {@code sumOnly} gives the window sums over the divisor's count (a magnitude). */
    private static HostTensor hostPool(HostTensor x, PoolCase c, boolean magnitude) {
        int[] xs = x.shape();
        int[] p = c.pads();
        int oh = outSize(xs[2], c.kernel()[0], c.stride()[0], p[0], p[2], c.ceilMode());
        int ow = outSize(xs[3], c.kernel()[1], c.stride()[1], p[1], p[3], c.ceilMode());
        int[] shape = {xs[0], xs[1], oh, ow};
        double[] out = new double[Operand.sizeOf(shape)];
        for (int flat = 0; flat < out.length; flat++) {
            int[] i = HostTensor.multiIndex(shape, flat);
            int y0 = i[2] * c.stride()[0] - p[0];
            int x0 = i[3] * c.stride()[1] - p[1];
            int y1 = Math.min(y0 + c.kernel()[0], xs[2] + p[2]);
            int x1 = Math.min(x0 + c.kernel()[1], xs[3] + p[3]);
            int windowArea = (y1 - y0) * (x1 - x0);
            double best = Double.NEGATIVE_INFINITY;
            double sum = 0;
            int valid = 0;
            for (int y = Math.max(y0, 0); y < Math.min(y1, xs[2]); y++) {
                for (int xx = Math.max(x0, 0); xx < Math.min(x1, xs[3]); xx++) {
                    double v = x.at(i[0], i[1], y, xx);
                    best = Math.max(best, v);
                    sum += v;
                    valid++;
                }
            }
            out[flat] = c.max() && !magnitude ? best : sum / (c.countIncludePad() ? windowArea : valid);
        }
        return new HostTensor(DType.FLOAT64, shape, out);
    }

    private static int outSize(int in, int kernel, int stride, int before, int after, boolean ceil) {
        int span = in + before + after - kernel;
        int out = (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + before) {
            out--;
        }
        return out;
    }

    /** An upsampling problem. */
    record UpsampleCase(Sample x, boolean bilinear, int outHeight, int outWidth, boolean alignCorners) {}

    @Provide
    default Arbitrary<UpsampleCase> upsampleCases() {
        return Combinators.combine(Tensors.floating(), Arbitraries.of(true, false), pair(1, 4), pair(1, 8),
                        Arbitraries.of(true, false), Arbitraries.integers().between(1, 2), Arbitraries.integers().between(1, 3))
                .flatAs((dtype, bilinear, in, out, align, n, ch) -> Tensors.sample(dtype, new int[] {n, ch, in[0], in[1]},
                        Values.ANY, false).map(x -> new UpsampleCase(x, bilinear, out[0], out[1], bilinear && align)));
    }

    @Property
    @Label("upsampleNearest and upsampleBilinear match the reference and the documented source coordinates")
    default void upsamplingMatchesReferenceAndSourceCoordinates(@ForAll("upsampleCases") UpsampleCase c) {
        DType dtype = c.x().dtype();
        Tensor x = c.x().on(device());
        Tensor got = upsample(x, c);
        HostTensor expected = hostUpsample(c.x().value(), c).map(dtype, v -> Oracle.round(dtype, v));
        double largest = Arrays.stream(c.x().value().values()).map(Math::abs).max().orElse(0);
        Tolerance.Bound bound = c.bilinear()
                ? Tolerance.accumulatedPlusRelative(dtype, 4, HostTensor.full(DType.FLOAT64, expected.shape(), largest))
                : Tolerance.exact();
        String inputs = c.toString();
        Check.close(c.bilinear() ? "upsampleBilinear" : "upsampleNearest", inputs, got, expected, bound);
        Check.close("upsample vs reference", inputs, got, HostTensor.of(upsample(c.x().on(reference()), c)), bound);
        Check.identical("upsample", inputs, got, upsample(x.contiguous(), c));
        if (!c.bilinear() && c.outHeight() % c.x().shape()[2] == 0 && c.outHeight() / c.x().shape()[2]
                == c.outWidth() / c.x().shape()[3] && c.outWidth() % c.x().shape()[3] == 0) {
            Check.identical("upsampleNearest(scale)", inputs, got, x.upsampleNearest(c.outHeight() / c.x().shape()[2]));
        }
    }

    private static Tensor upsample(Tensor x, UpsampleCase c) {
        return c.bilinear() ? x.upsampleBilinear(c.outHeight(), c.outWidth(), c.alignCorners())
                : x.upsampleNearest(c.outHeight(), c.outWidth());
    }

    private static HostTensor hostUpsample(HostTensor x, UpsampleCase c) {
        int[] xs = x.shape();
        int[] shape = {xs[0], xs[1], c.outHeight(), c.outWidth()};
        double[] out = new double[Operand.sizeOf(shape)];
        for (int flat = 0; flat < out.length; flat++) {
            int[] i = HostTensor.multiIndex(shape, flat);
            if (!c.bilinear()) {
                int y = Math.min((int) Math.floor((double) i[2] * xs[2] / c.outHeight()), xs[2] - 1);
                int xx = Math.min((int) Math.floor((double) i[3] * xs[3] / c.outWidth()), xs[3] - 1);
                out[flat] = x.at(i[0], i[1], y, xx);
                continue;
            }
            double sy = source(i[2], xs[2], c.outHeight(), c.alignCorners());
            double sx = source(i[3], xs[3], c.outWidth(), c.alignCorners());
            int y0 = Math.min((int) Math.floor(sy), xs[2] - 1);
            int x0 = Math.min((int) Math.floor(sx), xs[3] - 1);
            int y1 = Math.min(y0 + 1, xs[2] - 1);
            int x1 = Math.min(x0 + 1, xs[3] - 1);
            double ly = sy - y0;
            double lx = sx - x0;
            out[flat] = (1 - ly) * ((1 - lx) * x.at(i[0], i[1], y0, x0) + lx * x.at(i[0], i[1], y0, x1))
                    + ly * ((1 - lx) * x.at(i[0], i[1], y1, x0) + lx * x.at(i[0], i[1], y1, x1));
        }
        return new HostTensor(DType.FLOAT64, shape, out);
    }

    private static double source(int dst, int in, int out, boolean alignCorners) {
        if (alignCorners) {
            return out > 1 ? (double) dst * (in - 1) / (out - 1) : 0;
        }
        return Math.max(0, (dst + 0.5) * in / out - 0.5);
    }
}
