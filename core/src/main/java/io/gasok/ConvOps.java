package io.gasok;

import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import io.gasok.spi.Upsample2dSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The NCHW image ops: 2-D convolution, max and average pooling, nearest and bilinear resizing.
 * Each checks its arguments against the input's shape (messages name the op and the shapes),
 * builds the kernel's spec, makes its operands contiguous as the kernels require, and records a
 * backward rule that launches the matching backward kernel.
 *
 * <p>Padding is given as {@code {h, w}} (the same on both sides) or {@code {top, left, bottom,
 * right}} (ONNX allows asymmetric padding); convolution pads with zeros, pooling with values that
 * never win a max and, for averages, count in the divisor only when asked.
 */
final class ConvOps {
    private ConvOps() {}

    /**
     * {@code y[n, co] = bias[co] + Σ_{ci in co's group} x[n, ci] ⋆ w[co, ci']}: cross-correlation
     * of {@code x [N, inC, H, W]} with {@code weight [outC, inC / groups, kH, kW]}, into
     * {@code [N, outC, outH, outW]}. With {@code groups == inC == outC} it runs the depthwise kernel.
     * Differentiable in x, weight and bias.
     */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
                         int groups) {
        String op = "conv2d";
        Tensor[] operands = {x, weight, bias};
        Device device = Checks.sameDevice(op, operands);
        if (x.rank() != 4 || weight.rank() != 4) {
            throw Checks.error(op, "needs NCHW input and [outC, inC/groups, kH, kW] weights, both rank 4", operands);
        }
        Checks.floating(op, x);
        if (weight.dtype() != x.dtype() || (bias != null && bias.dtype() != x.dtype())) {
            throw Checks.error(op, "input, weight and bias must have one dtype", operands);
        }
        checkPairs(op, "stride", stride, 1, operands);
        checkPairs(op, "dilation", dilation, 1, operands);
        int[] pads = sides(op, padding, operands);
        int[] xShape = x.shapeRef();
        int[] wShape = weight.shapeRef();
        int inChannels = xShape[1];
        int outChannels = wShape[0];
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0) {
            throw Checks.error(op, "groups " + groups + " must be positive and divide the " + inChannels
                    + " input and " + outChannels + " output channels", operands);
        }
        if (wShape[1] != inChannels / groups) {
            throw Checks.error(op, "weight has " + wShape[1] + " input channels per group, expected "
                    + inChannels + " / " + groups + " = " + inChannels / groups, operands);
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != outChannels)) {
            throw Checks.error(op, "bias must have shape [" + outChannels + "]", operands);
        }
        checkWindowFits(op, "dilated kernel", xShape[2] + pads[0] + pads[2], dilation[0] * (wShape[2] - 1) + 1,
                xShape[3] + pads[1] + pads[3], dilation[1] * (wShape[3] - 1) + 1, operands);
        Conv2dSpec spec = new Conv2dSpec(xShape[0], inChannels, xShape[2], xShape[3],
                outChannels, wShape[2], wShape[3], stride[0], stride[1],
                pads[0], pads[1], pads[2], pads[3], dilation[0], dilation[1], groups, Epilogue.NONE);

        Tensor y = Tensor.empty(device, x.dtype(), spec.batch(), outChannels, spec.outHeight(), spec.outWidth());
        if (y.numel() > 0) {
            try (Dense dense = new Dense()) {
                Operand xOperand = dense.of(x);
                Operand wOperand = dense.of(weight);
                Operand biasOperand = bias == null ? null : dense.of(bias);
                Operand yOperand = y.operand();
                String kernel = spec.isDepthwise() ? "depthwiseConv2d" : "conv2d";
                Dispatch.launch(kernel, op, device, spec.flops(), () -> {
                    if (spec.isDepthwise()) {
                        device.backend().depthwiseConv2d(spec, xOperand, wOperand, biasOperand, yOperand);
                    } else {
                        device.backend().conv2d(spec, xOperand, wOperand, biasOperand, yOperand);
                    }
                }, xOperand, wOperand, biasOperand, yOperand);
            }
        }
        if (!Autograd.needsGrad(operands)) {
            return y;
        }
        Autograd.Saved savedX = Autograd.save(x);
        Autograd.Saved savedWeight = Autograd.save(weight);
        boolean biasGrad = bias != null && bias.requiresGrad();
        return Autograd.record(op, y, gy -> {
            Tensor gx = x.requiresGrad() ? conv2dInputGradient(spec, gy, savedWeight.get(), x.shapeRef()) : null;
            if (!weight.requiresGrad()) {
                return new Tensor[] {gx, null, biasGrad ? gy.sum(new int[] {0, 2, 3}, false) : null};
            }
            Tensor[] gwb = conv2dWeightGradient(spec, savedX.get(), gy, weight.shapeRef(), biasGrad);
            return new Tensor[] {gx, gwb[0], gwb[1]};
        }, operands);
    }

    private static Tensor conv2dInputGradient(Conv2dSpec spec, Tensor gy, Tensor weight, int[] xShape) {
        Device device = gy.device();
        Tensor gx = Tensor.empty(device, gy.dtype(), xShape);
        try (Dense dense = new Dense()) {
            Operand gyOperand = dense.of(gy);
            Operand wOperand = dense.of(weight);
            Operand gxOperand = gx.operand();
            String kernel = spec.isDepthwise() ? "depthwiseConv2dBackwardInput" : "conv2dBackwardInput";
            Dispatch.launch(kernel, "conv2d_backward", device, spec.flops(), () -> {
                if (spec.isDepthwise()) {
                    device.backend().depthwiseConv2dBackwardInput(spec, gyOperand, wOperand, gxOperand);
                } else {
                    device.backend().conv2dBackwardInput(spec, gyOperand, wOperand, gxOperand);
                }
            }, gyOperand, wOperand, gxOperand);
        }
        return gx;
    }

    /** The weight gradient and, with {@code biasGrad}, the bias gradient from the same launch ({@code [gw, gb]}). */
    private static Tensor[] conv2dWeightGradient(Conv2dSpec spec, Tensor x, Tensor gy, int[] weightShape,
                                                 boolean biasGrad) {
        Device device = gy.device();
        Tensor gw = Tensor.empty(device, gy.dtype(), weightShape);
        Tensor gb = biasGrad ? Tensor.empty(device, gy.dtype(), spec.outChannels()) : null;
        try (Dense dense = new Dense()) {
            Operand xOperand = dense.of(x);
            Operand gyOperand = dense.of(gy);
            Operand gwOperand = gw.operand();
            Operand gbOperand = gb == null ? null : gb.operand();
            String kernel = spec.isDepthwise() ? "depthwiseConv2dBackwardWeight" : "conv2dBackwardWeight";
            Dispatch.launch(kernel, "conv2d_backward", device, spec.flops(), () -> {
                if (spec.isDepthwise()) {
                    device.backend().depthwiseConv2dBackwardWeight(spec, xOperand, gyOperand, gwOperand, gbOperand);
                } else {
                    device.backend().conv2dBackwardWeight(spec, xOperand, gyOperand, gwOperand, gbOperand);
                }
            }, xOperand, gyOperand, gwOperand, gbOperand);
        }
        return new Tensor[] {gw, gb};
    }

    /**
     * Max or average pooling of {@code x [N, C, H, W]} with a {@code kH × kW} window. As in
     * PyTorch, padding may be at most half the kernel, and with {@code ceilMode} the last window
     * must still start inside the input or its leading padding. Differentiable in x: max pooling
     * sends each gradient to the first maximum of its window, average pooling spreads it evenly.
     */
    static Tensor pool2d(Tensor x, Pool2dSpec.Kind kind, int[] kernel, int[] stride, int[] padding,
                         boolean ceilMode, boolean countIncludePad) {
        String op = kind == Pool2dSpec.Kind.MAX ? "maxPool2d" : "avgPool2d";
        Device device = Checks.sameDevice(op, x);
        if (x.rank() != 4) {
            throw Checks.error(op, "needs NCHW input of rank 4", x);
        }
        Checks.floating(op, x);
        checkPairs(op, "kernel", kernel, 1, x);
        checkPairs(op, "stride", stride, 1, x);
        int[] pads = sides(op, padding, x);
        for (int side = 0; side < 4; side++) {
            int window = kernel[side % 2];
            if (pads[side] > window / 2) {
                throw Checks.error(op, "padding " + Arrays.toString(padding) + " must be at most half the kernel "
                        + Arrays.toString(kernel), x);
            }
        }
        int[] xShape = x.shapeRef();
        checkWindowFits(op, "kernel", xShape[2] + pads[0] + pads[2], kernel[0],
                xShape[3] + pads[1] + pads[3], kernel[1], x);
        Pool2dSpec spec = new Pool2dSpec(kind, xShape[0], xShape[1], xShape[2], xShape[3],
                kernel[0], kernel[1], stride[0], stride[1], pads[0], pads[1], pads[2], pads[3],
                ceilMode, countIncludePad);

        Tensor y = Tensor.empty(device, x.dtype(), xShape[0], xShape[1], spec.outHeight(), spec.outWidth());
        if (y.numel() > 0) {
            try (Dense dense = new Dense()) {
                Operand xOperand = dense.of(x);
                Operand yOperand = y.operand();
                Dispatch.launch("pool2d", op, device, (long) y.numel() * kernel[0] * kernel[1],
                        () -> device.backend().pool2d(spec, xOperand, yOperand), xOperand, yOperand);
            }
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        Autograd.Saved savedX = Autograd.save(x);
        return Autograd.record(op, y, gy -> {
            Tensor input = savedX.get();
            Tensor gx = Tensor.empty(device, gy.dtype(), input.shapeRef());
            if (gx.numel() > 0) {
                try (Dense dense = new Dense()) {
                    Operand xOperand = dense.of(input);
                    Operand gyOperand = dense.of(gy);
                    Operand gxOperand = gx.operand();
                    Dispatch.launch("pool2dBackward", op + "_backward", device, gy.numel() * (long) kernel[0] * kernel[1],
                            () -> device.backend().pool2dBackward(spec, xOperand, gyOperand, gxOperand),
                            xOperand, gyOperand, gxOperand);
                }
            }
            return new Tensor[] {gx};
        }, x);
    }

    /**
     * Resizes {@code x [N, C, H, W]} to {@code [N, C, outHeight, outWidth]} by nearest or bilinear
     * sampling ({@link Upsample2dSpec} gives the coordinate rules; {@code alignCorners} applies to
     * bilinear only). Differentiable in x: each input pixel receives the gradients of the outputs it
     * fed, weighted as it fed them.
     */
    static Tensor upsample2d(Tensor x, Upsample2dSpec.Mode mode, int outHeight, int outWidth, boolean alignCorners) {
        String op = mode == Upsample2dSpec.Mode.NEAREST ? "upsampleNearest" : "upsampleBilinear";
        Device device = Checks.sameDevice(op, x);
        if (x.rank() != 4) {
            throw Checks.error(op, "needs NCHW input of rank 4", x);
        }
        Checks.floating(op, x);
        int[] xShape = x.shapeRef();
        if (outHeight <= 0 || outWidth <= 0 || xShape[2] == 0 || xShape[3] == 0) {
            throw Checks.error(op, "needs a non-empty input image and a positive output size, got "
                    + outHeight + " x " + outWidth, x);
        }
        if (alignCorners && mode == Upsample2dSpec.Mode.NEAREST) {
            throw Checks.error(op, "alignCorners applies to bilinear sampling only", x);
        }
        Upsample2dSpec spec = new Upsample2dSpec(mode, xShape[0], xShape[1], xShape[2], xShape[3],
                outHeight, outWidth, alignCorners);
        long flopsPerOutput = mode == Upsample2dSpec.Mode.BILINEAR ? 8 : 1;

        Tensor y = Tensor.empty(device, x.dtype(), xShape[0], xShape[1], outHeight, outWidth);
        if (y.numel() > 0) {
            try (Dense dense = new Dense()) {
                Operand xOperand = dense.of(x);
                Operand yOperand = y.operand();
                Dispatch.launch("upsample2d", op, device, y.numel() * flopsPerOutput,
                        () -> device.backend().upsample2d(spec, xOperand, yOperand), xOperand, yOperand);
            }
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        return Autograd.record(op, y, gy -> {
            Tensor gx = Tensor.empty(device, gy.dtype(), xShape);
            if (gx.numel() > 0) {
                try (Dense dense = new Dense()) {
                    Operand gyOperand = dense.of(gy);
                    Operand gxOperand = gx.operand();
                    Dispatch.launch("upsample2dBackward", op + "_backward", device, gy.numel() * flopsPerOutput,
                            () -> device.backend().upsample2dBackward(spec, gyOperand, gxOperand),
                            gyOperand, gxOperand);
                }
            }
            return new Tensor[] {gx};
        }, x);
    }

    /** Checks a {@code {h, w}} argument: two values, each at least {@code minimum}. */
    private static void checkPairs(String op, String name, int[] values, int minimum, Tensor... operands) {
        if (values == null || values.length != 2 || values[0] < minimum || values[1] < minimum) {
            throw Checks.error(op, name + " must be two values {h, w} of at least " + minimum + ", got "
                    + Arrays.toString(values), operands);
        }
    }

    /** Padding as {@code {top, left, bottom, right}}, from {@code {h, w}} or the four sides. */
    private static int[] sides(String op, int[] padding, Tensor... operands) {
        int[] pads;
        if (padding != null && padding.length == 2) {
            pads = new int[] {padding[0], padding[1], padding[0], padding[1]};
        } else if (padding != null && padding.length == 4) {
            pads = padding.clone();
        } else {
            throw Checks.error(op, "padding must be {h, w} or {top, left, bottom, right}, got "
                    + Arrays.toString(padding), operands);
        }
        for (int pad : pads) {
            if (pad < 0) {
                throw Checks.error(op, "padding must not be negative, got " + Arrays.toString(padding), operands);
            }
        }
        return pads;
    }

    /** The window (after dilation) must fit in the padded input along both axes. */
    private static void checkWindowFits(String op, String window, int paddedHeight, int windowHeight,
                                        int paddedWidth, int windowWidth, Tensor... operands) {
        if (windowHeight > paddedHeight || windowWidth > paddedWidth) {
            throw Checks.error(op, "the " + window + " (" + windowHeight + " x " + windowWidth
                    + ") is larger than the padded input (" + paddedHeight + " x " + paddedWidth + ")", operands);
        }
    }

    /**
     * Contiguous operands for one launch: a tensor already dense is used as it is, others are copied
     * (without recording a graph) and the copies closed when the launch is done.
     */
    private static final class Dense implements AutoCloseable {
        private final List<Tensor> copies = new ArrayList<>();

        Operand of(Tensor tensor) {
            if (tensor.isContiguous()) {
                return tensor.operand();
            }
            try (Autograd.GradMode off = Autograd.noGrad()) {
                Tensor copy = tensor.contiguous();
                copies.add(copy);
                return copy.operand();
            }
        }

        @Override
        public void close() {
            copies.forEach(Tensor::close);
        }
    }
}
