package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A quick convolution throughput measurement without JMH (not a test). For YOLO layer shapes: the
 * FP32 forward (bias + SiLU epilogue) in GFLOP/s next to {@link GemmFloat32} on a GEMM of the same
 * m = outC, n = outH·outW, k = inC·kh·kw (SiLU epilogue, dense operands), and the ratio conv/GEMM; for
 * depthwise shapes, the forward in GB/s of x read plus y written. One and two threads. Each figure is
 * the median of 9 timed runs of at least 20 ms, after two seconds of warm-up per case.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core-classes:cpu-classes:test-classes io.gasok.cpu.ConvThroughputCheck
 * </pre>
 */
public final class ConvThroughputCheck {

    private static final int RUNS = 9;

    private ConvThroughputCheck() {
    }

    public static void main(String[] args) {
        Epilogue silu = Epilogue.activation(UnaryOp.SILU, 0);
        Conv2dSpec[] convolutions = {
            conv(16, 80, 32, 3, 1, 1, 1, silu),
            conv(64, 40, 128, 3, 2, 1, 1, silu),
            conv(128, 20, 256, 1, 1, 0, 1, silu),
            conv(32, 160, 64, 3, 1, 1, 1, silu),
            conv(64, 80, 64, 3, 1, 1, 1, silu),
        };
        Conv2dSpec[] depthwise = {
            conv(96, 40, 96, 3, 1, 1, 96, silu),
            conv(96, 40, 96, 3, 2, 1, 96, silu),
            conv(32, 160, 32, 3, 1, 1, 32, silu),
            conv(32, 160, 32, 3, 2, 1, 32, silu),
        };
        for (int threads : new int[] {1, 2}) {
            WorkerPool pool = new WorkerPool(threads);
            for (Conv2dSpec spec : convolutions) {
                double convRate = spec.flops() / 1e9 / seconds(convolution(spec, pool));
                int k = spec.inChannels() / spec.groups() * spec.kernelHeight() * spec.kernelWidth();
                GemmSpec gemm = new GemmSpec(1, spec.outChannels(), spec.outHeight() * spec.outWidth(), k, false, false, silu);
                double gemmRate = gemm.flops() / 1e9 / seconds(gemm(gemm, pool));
                System.out.printf(Locale.ROOT, "conv %s threads=%d conv_gflops=%.1f gemm(m=%d,n=%d,k=%d)_gflops=%.1f ratio=%.2f%n",
                        describe(spec), threads, convRate, gemm.m(), gemm.n(), gemm.k(), gemmRate, convRate / gemmRate);
            }
            for (Conv2dSpec spec : depthwise) {
                double bytes = 4.0 * spec.batch() * spec.inChannels()
                        * (spec.inHeight() * spec.inWidth() + spec.outHeight() * spec.outWidth());
                double time = seconds(convolution(spec, pool));
                System.out.printf(Locale.ROOT, "depthwise %s threads=%d gbytes_per_s=%.1f gflops=%.1f us=%.1f%n",
                        describe(spec), threads, bytes / 1e9 / time, spec.flops() / 1e9 / time, time * 1e6);
            }
        }
    }

    private static Conv2dSpec conv(int inChannels, int size, int outChannels, int kernel, int stride, int pad,
                                   int groups, Epilogue epilogue) {
        return new Conv2dSpec(1, inChannels, size, size, outChannels, kernel, kernel, stride, stride,
                pad, pad, pad, pad, 1, 1, groups, epilogue);
    }

    private static String describe(Conv2dSpec s) {
        return String.format(Locale.ROOT, "[%d,%d,%d,%d]->%d %dx%d s%d", s.batch(), s.inChannels(), s.inHeight(),
                s.inWidth(), s.outChannels(), s.kernelHeight(), s.kernelWidth(), s.strideHeight());
    }

    private static Operand random(DType dtype, int[] shape, Random random) {
        CpuBuffer buffer = new CpuBuffer(dtype, Operand.sizeOf(shape));
        float[] values = (float[]) buffer.array();
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return Operand.contiguous(buffer, 0, shape);
    }

    private static Runnable convolution(Conv2dSpec spec, WorkerPool pool) {
        Random random = new Random(1);
        Operand x = random(DType.FLOAT32, ConvTestCase.shapeX(spec), random);
        Operand w = random(DType.FLOAT32, ConvTestCase.shapeW(spec), random);
        Operand bias = random(DType.FLOAT32, new int[] {spec.outChannels()}, random);
        Operand y = random(DType.FLOAT32, ConvTestCase.shapeY(spec), random);
        if (spec.isDepthwise()) {
            return () -> CpuDepthwise.forward(spec, x, w, bias, y, pool);
        }
        return () -> CpuConvolution.forward(spec, x, w, bias, y, pool);
    }

    private static Runnable gemm(GemmSpec spec, WorkerPool pool) {
        Random random = new Random(2);
        float[] a = new float[spec.m() * spec.k()];
        float[] b = new float[spec.k() * spec.n()];
        float[] c = new float[spec.m() * spec.n()];
        for (float[] array : new float[][] {a, b}) {
            for (int i = 0; i < array.length; i++) {
                array[i] = random.nextFloat() * 2 - 1;
            }
        }
        GemmLayout aLayout = GemmLayout.rowMajor(0, spec.m(), spec.k());
        GemmLayout bLayout = GemmLayout.rowMajor(0, spec.k(), spec.n());
        GemmLayout cLayout = GemmLayout.rowMajor(0, spec.m(), spec.n());
        return () -> GemmFloat32.gemm(spec, a, aLayout, b, bLayout, c, cLayout, null, 0, pool);
    }

    /** Median seconds per call. */
    private static double seconds(Runnable call) {
        long warmUpEnd = System.nanoTime() + 2_000_000_000L;
        int repeats = 0;
        long start = System.nanoTime();
        while (System.nanoTime() < warmUpEnd) {
            call.run();
            repeats++;
        }
        int perRun = Math.max(1, (int) (repeats * 20_000_000L / (System.nanoTime() - start)));
        double[] times = new double[RUNS];
        for (int run = 0; run < RUNS; run++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRun; i++) {
                call.run();
            }
            times[run] = (System.nanoTime() - t0) / 1e9 / perRun;
        }
        Arrays.sort(times);
        return times[RUNS / 2];
    }
}
