package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * The probe tools/perf/ab.sh compiles against each revision's cpu-backend (in its package, to reach
 * the kernels): {@link #time} runs one kernel {@code inner} times on a {@link WorkerPool} of the
 * given size, on operands made once. GEMM: n³ ({@code s}), or {@code -Dgemm=M,N,K[,transA,transB]};
 * conv: {@code -Dconv=C,H,STRIDE,MODE[,K,OC]} (batch 1, C channels H × H, a K × K kernel, default 3,
 * padding K/2, OC output channels, default C; MODE fwd with a bias, bwdi, bwdw, or dw: a depthwise
 * forward).
 */
public final class Bench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static WorkerPool pool;
    private static int size = -1;
    private static float[] a;
    private static float[] b;
    private static float[] c;
    private static Conv2dSpec spec;
    private static Operand x;
    private static Operand w;
    private static Operand bias;
    private static Operand y;
    private static Operand gy;
    private static Operand gw;
    private static Operand gx;

    private Bench() {
    }

    /** This revision's GEMM blocking ({@code GemmFloat32.blocking()}), for the driver's header. */
    public static String blocking() {
        return GemmFloat32.blocking();
    }

    private static Operand operand(int... shape) {
        CpuBuffer buffer = new CpuBuffer(DType.FLOAT32, Operand.sizeOf(shape));
        Operand operand = new Operand(buffer, DType.FLOAT32, 0, shape, Operand.rowMajorStrides(shape));
        float[] values = CpuBuffer.floats(operand);
        Random random = new Random(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() - .5f;
        }
        return operand;
    }

    private static Conv2dSpec convSpec(String[] p) {
        int channels = Integer.parseInt(p[0]);
        int height = Integer.parseInt(p[1]);
        int stride = Integer.parseInt(p[2]);
        int kernel = p.length > 4 ? Integer.parseInt(p[4]) : 3;
        int pad = kernel / 2;
        int out = p.length > 5 ? Integer.parseInt(p[5]) : channels;
        boolean depthwise = p[3].equals("dw");
        return new Conv2dSpec(1, channels, height, height, depthwise ? channels : out, kernel, kernel, stride, stride,
                pad, pad, pad, pad, 1, 1, depthwise ? channels : 1, Epilogue.NONE);
    }

    /** Flops of one call (a depthwise conv: 4 per element of x and y, its bytes moved). */
    public static double flops(int s) {
        String conv = System.getProperty("conv");
        String gemm = System.getProperty("gemm");
        if (conv != null) {
            String[] p = conv.split(",");
            Conv2dSpec sp = convSpec(p);
            return p[3].equals("dw")
                    ? 4.0 * sp.inChannels() * (sp.inHeight() * sp.inWidth() + sp.outHeight() * sp.outWidth())
                    : sp.flops();
        }
        if (gemm != null) {
            String[] q = gemm.split(",");
            return 2.0 * Integer.parseInt(q[0]) * Integer.parseInt(q[1]) * Integer.parseInt(q[2]);
        }
        return 2.0 * s * s * s;
    }

    /** Nanoseconds (the thread's CPU time on one thread, wall time on more) of {@code inner} calls. */
    public static long time(int threads, int s, int inner) {
        if (pool == null || pool.threads() != threads) {
            pool = new WorkerPool(threads);
        }
        String conv = System.getProperty("conv");
        if (conv != null) {
            String[] p = conv.split(",");
            String mode = p[3];
            if (spec == null) {
                spec = convSpec(p);
                int k = spec.kernelHeight();
                x = operand(1, spec.inChannels(), spec.inHeight(), spec.inWidth());
                w = mode.equals("dw") ? operand(spec.inChannels(), 1, k, k) : operand(spec.outChannels(), spec.inChannels(), k, k);
                bias = operand(spec.outChannels());
                y = operand(1, spec.outChannels(), spec.outHeight(), spec.outWidth());
                gy = operand(1, spec.outChannels(), spec.outHeight(), spec.outWidth());
                gw = operand(spec.outChannels(), spec.inChannels() / spec.groups(), k, k);
                gx = operand(1, spec.inChannels(), spec.inHeight(), spec.inWidth());
            }
            long t0 = threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
            for (int i = 0; i < inner; i++) {
                switch (mode) {
                    case "fwd" -> CpuConvolution.forward(spec, x, w, bias, y, pool);
                    case "bwdw" -> CpuConvolution.backwardWeight(spec, x, gy, gw, null, pool);
                    case "bwdi" -> CpuConvolution.backwardInput(spec, gy, w, gx, pool);
                    case "dw" -> CpuDepthwise.forward(spec, x, w, bias, y, pool);
                    default -> throw new IllegalArgumentException("conv mode fwd, bwdi, bwdw or dw, not " + mode);
                }
            }
            return (threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
        }
        int m = s;
        int n = s;
        int k = s;
        boolean transA = false;
        boolean transB = false;
        String gemm = System.getProperty("gemm");
        if (gemm != null) {
            String[] q = gemm.split(",");
            m = Integer.parseInt(q[0]);
            n = Integer.parseInt(q[1]);
            k = Integer.parseInt(q[2]);
            transA = q.length > 3 && q[3].equals("1");
            transB = q.length > 4 && q[4].equals("1");
            s = -2;
        }
        if (s != size) {
            size = s;
            a = new float[m * k];
            b = new float[k * n];
            c = new float[m * n];
            Random random = new Random(1);
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextFloat() - .5f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = random.nextFloat() - .5f;
            }
        }
        GemmLayout aLayout = transA ? GemmLayout.rowMajor(0, k, m) : GemmLayout.rowMajor(0, m, k);
        GemmLayout bLayout = transB ? GemmLayout.rowMajor(0, n, k) : GemmLayout.rowMajor(0, k, n);
        GemmLayout cLayout = GemmLayout.rowMajor(0, m, n);
        GemmSpec product = new GemmSpec(1, m, n, k, transA, transB, Epilogue.NONE);
        long t0 = threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        for (int i = 0; i < inner; i++) {
            GemmFloat32.gemm(product, a, aLayout, b, bLayout, c, cLayout, null, 0, pool);
        }
        return (threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
    }
}
