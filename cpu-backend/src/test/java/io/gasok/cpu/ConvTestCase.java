package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;
import java.util.Random;

/**
 * One convolution kernel call checked against the reference backend: the CPU kernel
 * ({@link CpuConvolution} or, for a depthwise spec, {@link CpuDepthwise}) and the reference kernel run
 * on the same random values (floats in [-1, 1), so FP32 and FP64 see the same inputs).
 *
 * <p>Every operand lies at offset {@value #OFFSET} of its buffer with {@value #OFFSET} NaN sentinels
 * on each side: a read outside an operand turns results into NaN, a write outside the result is caught.
 * A result that the kernel overwrites starts as NaN too (so does y when beta is 0: it must not be
 * read). The tolerance of element i is {@code 8·eps·(√K + 4)·(|alpha|·S_i + |beta·old_i| + |bias|)},
 * DESIGN §6's bound, with {@code S = Σ|a|·|b|} computed by running the reference kernel on |a| and
 * |b|; after an activation it is scaled by the activation's slope (at most 1.1 for the ones used)
 * plus a few ulps of the result.
 */
final class ConvTestCase {

    enum Kernel { FORWARD, BACKWARD_INPUT, BACKWARD_WEIGHT }

    static final int OFFSET = 3;

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);

    static final UnaryOp[] ACTIVATIONS = {null, UnaryOp.RELU, UnaryOp.SILU, UnaryOp.LEAKY_RELU, UnaryOp.SIGMOID, UnaryOp.TANH};

    private ConvTestCase() {
    }

    /** A random epilogue: alpha, beta (0 half the time) and an activation from {@link #ACTIVATIONS}. */
    static Epilogue randomEpilogue(Random random) {
        double[] alphas = {1, 1, 0.5, -2};
        double alpha = alphas[random.nextInt(alphas.length)];
        double beta = random.nextBoolean() ? 0 : 0.75;
        UnaryOp activation = ACTIVATIONS[random.nextInt(ACTIVATIONS.length)];
        return new Epilogue(alpha, beta, activation, activation == UnaryOp.LEAKY_RELU ? 0.1 : 0);
    }

    /**
     * Runs {@code kernel} of {@code spec} on both backends and fails on any element out of
     * tolerance; {@code withBias} adds a bias to the forward, and has the weight gradient compute
     * the bias gradient too ({@link #checkBiasGradient}).
     */
    static void check(Conv2dSpec spec, boolean withBias, DType dtype, Kernel kernel, long seed, WorkerPool pool) {
        Random random = new Random(seed);
        int[] xShape = {spec.batch(), spec.inChannels(), spec.inHeight(), spec.inWidth()};
        int[] wShape = {spec.outChannels(), spec.inChannels() / spec.groups(), spec.kernelHeight(), spec.kernelWidth()};
        int[] yShape = {spec.batch(), spec.outChannels(), spec.outHeight(), spec.outWidth()};
        int[] aShape = kernel == Kernel.BACKWARD_INPUT ? yShape : xShape;
        int[] bShape = kernel == Kernel.BACKWARD_WEIGHT ? yShape : wShape;
        int[] outShape = switch (kernel) {
            case FORWARD -> yShape;
            case BACKWARD_INPUT -> xShape;
            case BACKWARD_WEIGHT -> wShape;
        };
        Epilogue epilogue = kernel == Kernel.FORWARD ? spec.epilogue() : Epilogue.NONE;
        double[] a = values(aShape, random);
        double[] b = values(bShape, random);
        double[] bias = withBias && kernel == Kernel.FORWARD ? values(new int[] {spec.outChannels()}, random) : null;
        double[] old = epilogue.beta() != 0 ? values(outShape, random) : sentinels(outShape);

        double[] expected = runReference(spec, kernel, dtype, a, b, bias, old, outShape);
        Conv2dSpec magnitudeSpec = withEpilogue(spec, Epilogue.NONE);
        double[] magnitude = runReference(magnitudeSpec, kernel, DType.FLOAT64, abs(a), abs(b), null, sentinels(outShape), outShape);
        double[] actual = runCpu(spec, kernel, dtype, a, b, bias, old, outShape, pool);
        if (kernel == Kernel.BACKWARD_WEIGHT && withBias) {
            checkBiasGradient(spec, dtype, a, b, pool);
        }

        double eps = dtype == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1d);
        double sqrtK = Math.sqrt(switch (kernel) {
            case FORWARD -> wShape[1] * spec.kernelHeight() * spec.kernelWidth();
            case BACKWARD_INPUT -> (spec.outChannels() / Math.max(1, spec.groups())) * spec.kernelHeight() * spec.kernelWidth();
            case BACKWARD_WEIGHT -> spec.batch() * spec.outHeight() * spec.outWidth();
        });
        int size = Operand.sizeOf(outShape);
        int perChannel = outShape[2] * outShape[3];
        for (int i = 0; i < actual.length; i++) {
            int at = i - OFFSET;
            if (at < 0 || at >= size) {
                if (!Double.isNaN(actual[i])) {
                    fail(describe(spec, kernel, dtype, withBias) + ": wrote " + actual[i] + " at " + i + ", outside the result");
                }
                continue;
            }
            double scale = Math.abs(epilogue.alpha()) * magnitude[i];
            if (epilogue.beta() != 0) {
                scale += Math.abs(epilogue.beta() * old[i]);
            }
            if (bias != null) {
                scale += Math.abs(bias[OFFSET + (at / perChannel) % spec.outChannels()]);
            }
            double tolerance = 8 * eps * (sqrtK + 4) * scale;
            if (epilogue.activation() != null) {
                tolerance = 1.1 * tolerance + 4 * eps * Math.abs(expected[i]) + Float.MIN_NORMAL;
            }
            double error = Math.abs(actual[i] - expected[i]);
            if (!(error <= tolerance)) {
                fail(describe(spec, kernel, dtype, withBias) + ": element " + at + " = " + actual[i]
                        + ", expected " + expected[i] + " ± " + tolerance);
            }
        }
    }

    /**
     * The bias gradient of the backend's weight-gradient launch ({@link CpuBackend#conv2dBackwardWeight}
     * or its depthwise twin, gb over NaN sentinels) on {@code pool} against each output channel's sum
     * of gy in double, within {@code 8·eps·(√(N·P) + 4)·Σ|gy|}; with nothing written outside it, the
     * same gw as the kernel alone, and the same bits on one thread.
     */
    static void checkBiasGradient(Conv2dSpec spec, DType dtype, double[] x, double[] gy, WorkerPool pool) {
        int channels = spec.outChannels();
        int pixels = spec.outHeight() * spec.outWidth();
        double[] expected = new double[channels];
        double[] magnitude = new double[channels];
        for (int n = 0; n < spec.batch(); n++) {
            for (int co = 0; co < channels; co++) {
                for (int p = 0; p < pixels; p++) {
                    double value = gy[OFFSET + (n * channels + co) * pixels + p];
                    expected[co] += value;
                    magnitude[co] += Math.abs(value);
                }
            }
        }
        double eps = dtype == DType.FLOAT32 ? Math.ulp(1f) : Math.ulp(1d);
        double sqrtK = Math.sqrt(spec.batch() * pixels);
        double[] gwAlone = runCpu(spec, Kernel.BACKWARD_WEIGHT, dtype, x, gy, null, sentinels(shapeW(spec)),
                shapeW(spec), pool);
        double[] first = null;
        for (WorkerPool on : new WorkerPool[] {pool, ONE_THREAD}) {
            CpuBuffer gwBuffer = cpuBuffer(dtype, sentinels(shapeW(spec)));
            CpuBuffer gbBuffer = cpuBuffer(dtype, sentinels(new int[] {channels}));
            Operand xOperand = operand(cpuBuffer(dtype, x), shapeX(spec));
            Operand gyOperand = operand(cpuBuffer(dtype, gy), shapeY(spec));
            Operand gwOperand = operand(gwBuffer, shapeW(spec));
            Operand gbOperand = operand(gbBuffer, new int[] {channels});
            CpuBackend backend = new CpuBackend(on);
            if (spec.isDepthwise()) {
                backend.depthwiseConv2dBackwardWeight(spec, xOperand, gyOperand, gwOperand, gbOperand);
            } else {
                backend.conv2dBackwardWeight(spec, xOperand, gyOperand, gwOperand, gbOperand);
            }
            String what = describe(spec, Kernel.BACKWARD_WEIGHT, dtype, true) + " on " + on.threads() + " threads";
            if (!Arrays.equals(gwAlone, toDoubles(gwBuffer.array()))) {
                fail(what + ": the weight gradient differs with the bias gradient");
            }
            double[] got = toDoubles(gbBuffer.array());
            for (int i = 0; i < got.length; i++) {
                int co = i - OFFSET;
                if (co < 0 || co >= channels) {
                    if (!Double.isNaN(got[i])) {
                        fail(what + ": wrote " + got[i] + " at " + i + ", outside the bias gradient");
                    }
                    continue;
                }
                double tolerance = 8 * eps * (sqrtK + 4) * magnitude[co];
                if (!(Math.abs(got[i] - expected[co]) <= tolerance)) {
                    fail(what + ": bias gradient " + co + " = " + got[i] + ", expected " + expected[co] + " ± " + tolerance);
                }
            }
            if (first != null && !Arrays.equals(first, got)) {
                fail(what + ": the bias gradient's bits differ from those on " + pool.threads() + " threads");
            }
            first = got;
        }
    }

    /** Runs the CPU kernel and returns the whole result buffer, sentinels included. */
    static double[] runCpu(Conv2dSpec spec, Kernel kernel, DType dtype, double[] a, double[] b, double[] bias,
                           double[] old, int[] outShape, WorkerPool pool) {
        CpuBuffer aBuffer = cpuBuffer(dtype, a);
        CpuBuffer bBuffer = cpuBuffer(dtype, b);
        CpuBuffer outBuffer = cpuBuffer(dtype, old);
        Operand aOperand = operand(aBuffer, kernel == Kernel.BACKWARD_INPUT ? shapeY(spec) : shapeX(spec));
        Operand bOperand = operand(bBuffer, kernel == Kernel.BACKWARD_WEIGHT ? shapeY(spec) : shapeW(spec));
        Operand out = operand(outBuffer, outShape);
        Operand biasOperand = bias == null ? null : operand(cpuBuffer(dtype, bias), new int[] {spec.outChannels()});
        boolean depthwise = spec.isDepthwise();
        switch (kernel) {
            case FORWARD -> {
                if (depthwise) {
                    CpuDepthwise.forward(spec, aOperand, bOperand, biasOperand, out, pool);
                } else {
                    CpuConvolution.forward(spec, aOperand, bOperand, biasOperand, out, pool);
                }
            }
            case BACKWARD_INPUT -> {
                if (depthwise) {
                    CpuDepthwise.backwardInput(spec, aOperand, bOperand, out, pool);
                } else {
                    CpuConvolution.backwardInput(spec, aOperand, bOperand, out, pool);
                }
            }
            case BACKWARD_WEIGHT -> {
                if (depthwise) {
                    CpuDepthwise.backwardWeight(spec, aOperand, bOperand, out, pool);
                } else {
                    CpuConvolution.backwardWeight(spec, aOperand, bOperand, out, null, pool);
                }
            }
        }
        return toDoubles(outBuffer.array());
    }

    private static double[] runReference(Conv2dSpec spec, Kernel kernel, DType dtype, double[] a, double[] b,
                                         double[] bias, double[] old, int[] outShape) {
        Backend reference = Device.reference().backend();
        Operand aOperand = operand(referenceBuffer(reference, dtype, a),
                kernel == Kernel.BACKWARD_INPUT ? shapeY(spec) : shapeX(spec));
        Operand bOperand = operand(referenceBuffer(reference, dtype, b),
                kernel == Kernel.BACKWARD_WEIGHT ? shapeY(spec) : shapeW(spec));
        Buffer outBuffer = referenceBuffer(reference, dtype, old);
        Operand out = operand(outBuffer, outShape);
        Operand biasOperand = bias == null ? null
                : operand(referenceBuffer(reference, dtype, bias), new int[] {spec.outChannels()});
        boolean depthwise = spec.isDepthwise();
        switch (kernel) {
            case FORWARD -> {
                if (depthwise) {
                    reference.depthwiseConv2d(spec, aOperand, bOperand, biasOperand, out);
                } else {
                    reference.conv2d(spec, aOperand, bOperand, biasOperand, out);
                }
            }
            case BACKWARD_INPUT -> {
                if (depthwise) {
                    reference.depthwiseConv2dBackwardInput(spec, aOperand, bOperand, out);
                } else {
                    reference.conv2dBackwardInput(spec, aOperand, bOperand, out);
                }
            }
            case BACKWARD_WEIGHT -> {
                if (depthwise) {
                    reference.depthwiseConv2dBackwardWeight(spec, aOperand, bOperand, out, null);
                } else {
                    reference.conv2dBackwardWeight(spec, aOperand, bOperand, out, null);
                }
            }
        }
        Object host = dtype.newArray(old.length);
        reference.read(outBuffer, 0, host, 0, old.length);
        return toDoubles(host);
    }

    static Conv2dSpec withEpilogue(Conv2dSpec s, Epilogue epilogue) {
        return new Conv2dSpec(s.batch(), s.inChannels(), s.inHeight(), s.inWidth(), s.outChannels(),
                s.kernelHeight(), s.kernelWidth(), s.strideHeight(), s.strideWidth(),
                s.padTop(), s.padLeft(), s.padBottom(), s.padRight(),
                s.dilationHeight(), s.dilationWidth(), s.groups(), epilogue);
    }

    static String describe(Conv2dSpec spec, Kernel kernel, DType dtype, boolean withBias) {
        return kernel + " " + dtype + " " + spec + (withBias ? " with bias" : "");
    }

    static int[] shapeX(Conv2dSpec s) {
        return new int[] {s.batch(), s.inChannels(), s.inHeight(), s.inWidth()};
    }

    static int[] shapeW(Conv2dSpec s) {
        return new int[] {s.outChannels(), s.inChannels() / s.groups(), s.kernelHeight(), s.kernelWidth()};
    }

    static int[] shapeY(Conv2dSpec s) {
        return new int[] {s.batch(), s.outChannels(), s.outHeight(), s.outWidth()};
    }

    /** Random floats in [-1, 1) at [OFFSET, OFFSET + size), NaN around them. */
    static double[] values(int[] shape, Random random) {
        double[] values = sentinels(shape);
        for (int i = 0; i < Operand.sizeOf(shape); i++) {
            values[OFFSET + i] = (float) (random.nextDouble() * 2 - 1);
        }
        return values;
    }

    static double[] sentinels(int[] shape) {
        double[] values = new double[Operand.sizeOf(shape) + 2 * OFFSET];
        Arrays.fill(values, Double.NaN);
        return values;
    }

    private static double[] abs(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.abs(values[i]);
        }
        return out;
    }

    static Operand operand(Buffer buffer, int[] shape) {
        return Operand.contiguous(buffer, OFFSET, shape);
    }

    static CpuBuffer cpuBuffer(DType dtype, double[] values) {
        CpuBuffer buffer = new CpuBuffer(dtype, values.length);
        Object array = buffer.array();
        for (int i = 0; i < values.length; i++) {
            if (array instanceof float[] floats) {
                floats[i] = (float) values[i];
            } else {
                ((double[]) array)[i] = values[i];
            }
        }
        return buffer;
    }

    private static Buffer referenceBuffer(Backend reference, DType dtype, double[] values) {
        Buffer buffer = reference.allocate(dtype, values.length);
        Object host = dtype.newArray(values.length);
        for (int i = 0; i < values.length; i++) {
            if (host instanceof float[] floats) {
                floats[i] = (float) values[i];
            } else {
                ((double[]) host)[i] = values[i];
            }
        }
        reference.write(host, 0, buffer, 0, values.length);
        return buffer;
    }

    static double[] toDoubles(Object array) {
        if (array instanceof float[] floats) {
            double[] out = new double[floats.length];
            for (int i = 0; i < floats.length; i++) {
                out[i] = floats[i];
            }
            return out;
        }
        return ((double[]) array).clone();
    }
}
