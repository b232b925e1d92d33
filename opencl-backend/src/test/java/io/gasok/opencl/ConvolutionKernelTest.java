package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.Backend;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * conv2d and its two backward kernels (im2col + GEMM + col2im), and the depthwise kernels, on the
 * OpenCL device against the reference backend: random small specs with groups, stride, dilation,
 * asymmetric padding, bias and epilogue (beta != 0 reads the old output, beta = 0 must ignore a
 * NaN-filled one), 1×1 kernels (no im2col), chunked batches (a tiny column budget), and both
 * im2col kernels (by element for GPUs, by line for CPU devices).
 * Results are held to {@link ProductTolerance}'s bound, computed by the reference on |values|.
 */
class ConvolutionKernelTest {
    @Test
    void convolutionAndItsGradientsMatchTheReference() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(61);
        for (int trial = 0; trial < 40; trial++) {
            DType dtype = trial % 4 == 3 ? DType.FLOAT64 : DType.FLOAT32;
            Conv2dSpec spec = randomSpec(random, trial, false);
            OpenClConvolution kernels = (trial % 5 == 4 ? backend.convolution().withColumnBudget(1)
                    : backend.convolution()).withIm2colByLines(trial % 2 == 0);
            runAll(backend, kernels, random, dtype, spec, false);
        }
    }

    @Test
    void depthwiseConvolutionAndItsGradientsMatchTheReference() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(62);
        for (int trial = 0; trial < 30; trial++) {
            DType dtype = trial % 4 == 3 ? DType.FLOAT64 : DType.FLOAT32;
            runAll(backend, backend.convolution(), random, dtype, randomSpec(random, trial, true), true);
        }
    }

    /** A spec with extents up to 9, kernels up to 3, strides and dilations up to 2, pads up to 2 per side. */
    private static Conv2dSpec randomSpec(Random random, int trial, boolean depthwise) {
        while (true) {
            int groups = depthwise ? 1 + random.nextInt(4) : 1 + random.nextInt(3);
            int inChannels = depthwise ? groups : groups * (1 + random.nextInt(3));
            int outChannels = depthwise ? groups : groups * (1 + random.nextInt(3));
            boolean pointwise = trial % 6 == 1;
            int kernelHeight = pointwise ? 1 : 1 + random.nextInt(3);
            int kernelWidth = pointwise ? 1 : 1 + random.nextInt(3);
            int stride = pointwise ? 1 : 1 + random.nextInt(2);
            int dilation = 1 + random.nextInt(2);
            int[] pads = new int[4];
            for (int side = 0; side < 4 && !pointwise; side++) {
                pads[side] = random.nextInt(3);
            }
            UnaryOp activation = new UnaryOp[] {null, null, UnaryOp.RELU, UnaryOp.SILU}[random.nextInt(4)];
            Epilogue epilogue = new Epilogue(random.nextBoolean() ? 1 : 0.5, random.nextInt(3) == 0 ? 0.5 : 0, activation, 0);
            Conv2dSpec spec = new Conv2dSpec(1 + random.nextInt(3), inChannels, 1 + random.nextInt(9), 1 + random.nextInt(9),
                    outChannels, kernelHeight, kernelWidth, stride, pointwise ? 1 : 1 + random.nextInt(2),
                    pads[0], pads[1], pads[2], pads[3], dilation, 1 + random.nextInt(2), groups, epilogue);
            int padded = spec.inHeight() + pads[0] + pads[2] - dilation * (kernelHeight - 1) - 1;
            int paddedWidth = spec.inWidth() + pads[1] + pads[3] - spec.dilationWidth() * (kernelWidth - 1) - 1;
            if (padded >= 0 && paddedWidth >= 0) {
                return spec;
            }
        }
    }

    private static void runAll(OpenClBackend backend, OpenClConvolution kernels, Random random, DType dtype, Conv2dSpec spec,
                               boolean depthwise) {
        int[] xShape = {spec.batch(), spec.inChannels(), spec.inHeight(), spec.inWidth()};
        int[] wShape = {spec.outChannels(), spec.inChannels() / spec.groups(), spec.kernelHeight(), spec.kernelWidth()};
        int[] yShape = {spec.batch(), spec.outChannels(), spec.outHeight(), spec.outWidth()};
        try (TwinBuffers buffers = new TwinBuffers(backend)) {
            TwinBuffers.Twin x = random(buffers, random, dtype, xShape);
            TwinBuffers.Twin w = random(buffers, random, dtype, wShape);
            TwinBuffers.Twin gy = random(buffers, random, dtype, yShape);
            TwinBuffers.Twin bias = random.nextBoolean() ? null : biasVector(buffers, random, dtype, spec.outChannels());
            double beta = spec.epilogue().beta();
            double[] yValues = beta == 0 ? nans(Operand.sizeOf(yShape)) : TwinBuffers.values(random, dtype, Operand.sizeOf(yShape), false);
            TwinBuffers.Twin y = buffers.contiguous(dtype, yValues, yShape);
            TwinBuffers.Twin gx = buffers.contiguous(dtype, nans(Operand.sizeOf(xShape)), xShape);
            TwinBuffers.Twin gw = buffers.contiguous(dtype, nans(Operand.sizeOf(wShape)), wShape);
            Backend reference = buffers.reference;
            String what = spec + " " + dtype.shortName();
            int taps = spec.kernelHeight() * spec.kernelWidth();

            Operand deviceBias = bias == null ? null : bias.device();
            Operand referenceBias = bias == null ? null : bias.reference();
            TwinBuffers.Twin yMagnitude = ProductTolerance.absolute(buffers, y, yValues);
            Conv2dSpec absoluteSpec = withEpilogue(spec, new Epilogue(Math.abs(spec.epilogue().alpha()), Math.abs(beta), null, 0));
            if (depthwise) {
                kernels.depthwiseForward(spec, x.device(), w.device(), deviceBias, y.device());
                reference.depthwiseConv2d(spec, x.reference(), w.reference(), referenceBias, y.reference());
                reference.depthwiseConv2d(absoluteSpec, abs(buffers, x), abs(buffers, w), absOrNull(buffers, bias),
                        yMagnitude.reference());
                kernels.depthwiseBackwardInput(spec, gy.device(), w.device(), gx.device());
                reference.depthwiseConv2dBackwardInput(spec, gy.reference(), w.reference(), gx.reference());
                kernels.depthwiseBackwardWeight(spec, x.device(), gy.device(), gw.device());
                reference.depthwiseConv2dBackwardWeight(spec, x.reference(), gy.reference(), gw.reference(), null);
            } else {
                kernels.forward(spec, x.device(), w.device(), deviceBias, y.device());
                reference.conv2d(spec, x.reference(), w.reference(), referenceBias, y.reference());
                reference.conv2d(absoluteSpec, abs(buffers, x), abs(buffers, w), absOrNull(buffers, bias),
                        yMagnitude.reference());
                kernels.backwardInput(spec, gy.device(), w.device(), gx.device());
                reference.conv2dBackwardInput(spec, gy.reference(), w.reference(), gx.reference());
                kernels.backwardWeight(spec, x.device(), gy.device(), gw.device());
                reference.conv2dBackwardWeight(spec, x.reference(), gy.reference(), gw.reference(), null);
            }
            ProductTolerance.assertWithin((depthwise ? "depthwise " : "") + "forward " + what, y,
                    ProductTolerance.bound(dtype, (long) wShape[1] * taps, yMagnitude));

            TwinBuffers.Twin gxMagnitude = buffers.contiguous(dtype, new double[Operand.sizeOf(xShape)], xShape);
            TwinBuffers.Twin gwMagnitude = buffers.contiguous(dtype, new double[Operand.sizeOf(wShape)], wShape);
            if (depthwise) {
                reference.depthwiseConv2dBackwardInput(spec, abs(buffers, gy), abs(buffers, w), gxMagnitude.reference());
                reference.depthwiseConv2dBackwardWeight(spec, abs(buffers, x), abs(buffers, gy), gwMagnitude.reference(), null);
            } else {
                reference.conv2dBackwardInput(spec, abs(buffers, gy), abs(buffers, w), gxMagnitude.reference());
                reference.conv2dBackwardWeight(spec, abs(buffers, x), abs(buffers, gy), gwMagnitude.reference(), null);
            }
            ProductTolerance.assertWithin("backward input " + what, gx,
                    ProductTolerance.bound(dtype, (long) spec.outChannels() / spec.groups() * taps, gxMagnitude));
            ProductTolerance.assertWithin("backward weight " + what, gw,
                    ProductTolerance.bound(dtype, (long) spec.batch() * spec.outHeight() * spec.outWidth(), gwMagnitude));
        }
    }

    private static TwinBuffers.Twin random(TwinBuffers buffers, Random random, DType dtype, int[] shape) {
        return buffers.contiguous(dtype, TwinBuffers.values(random, dtype, Operand.sizeOf(shape), false), shape);
    }

    /** A bias of {@code length} elements, every other one of a wider buffer now and then. */
    private static TwinBuffers.Twin biasVector(TwinBuffers buffers, Random random, DType dtype, int length) {
        int stride = 1 + random.nextInt(2);
        int offset = random.nextInt(2);
        return buffers.upload(dtype, TwinBuffers.values(random, dtype, offset + length * stride, false), offset,
                new int[] {length}, new int[] {stride});
    }

    private static Operand abs(TwinBuffers buffers, TwinBuffers.Twin twin) {
        return ProductTolerance.absolute(buffers, twin).reference();
    }

    private static Operand absOrNull(TwinBuffers buffers, TwinBuffers.Twin twin) {
        return twin == null ? null : abs(buffers, twin);
    }

    private static double[] nans(int length) {
        double[] values = new double[length];
        java.util.Arrays.fill(values, Double.NaN);
        return values;
    }

    private static Conv2dSpec withEpilogue(Conv2dSpec s, Epilogue epilogue) {
        return new Conv2dSpec(s.batch(), s.inChannels(), s.inHeight(), s.inWidth(), s.outChannels(), s.kernelHeight(),
                s.kernelWidth(), s.strideHeight(), s.strideWidth(), s.padTop(), s.padLeft(), s.padBottom(), s.padRight(),
                s.dilationHeight(), s.dilationWidth(), s.groups(), epilogue);
    }
}
