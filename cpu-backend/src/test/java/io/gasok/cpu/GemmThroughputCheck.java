package io.gasok.cpu;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * A quick FP32 GEMM throughput measurement without JMH (not a test): square C = A·B, row-major,
 * for each size and thread count, the median and best GFLOP/s of several timed runs after a warm-up that
 * takes every branch the timed runs take (k within one k-block and k over several, beta 0 and 1),
 * so no deoptimisation lands inside the timing.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp core-classes:cpu-classes:test-classes \
 *     io.gasok.cpu.GemmThroughputCheck [threads=1,2] [sizes=512,1024,2048] [runs=7]
 * </pre>
 * Prints one line per (size, threads): {@code gasok-fp32 n=1024 threads=2 gflops=123.4 best=130.2}
 * (gflops is the median).
 */
public final class GemmThroughputCheck {

    private GemmThroughputCheck() {
    }

    public static void main(String[] args) {
        int[] threadCounts = {1, 2};
        int[] sizes = {512, 1024, 2048};
        int runs = 9;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "threads" -> threadCounts = parseList(kv[1]);
                case "sizes" -> sizes = parseList(kv[1]);
                case "runs" -> runs = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            }
        }
        WorkerPool[] pools = Arrays.stream(threadCounts).mapToObj(WorkerPool::new).toArray(WorkerPool[]::new);
        for (WorkerPool pool : pools) {
            warmUp(pool);
        }
        for (int size : sizes) {
            for (WorkerPool pool : pools) {
                double[] gflops = gflops(size, runs, pool);
                System.out.printf(Locale.ROOT, "gasok-fp32 n=%d threads=%d gflops=%.1f best=%.1f%n",
                        size, pool.threads(), gflops[runs / 2], gflops[runs - 1]);
            }
        }
    }

    private static int[] parseList(String list) {
        return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Two seconds of products, so C2 has compiled everything before the timing starts. */
    private static void warmUp(WorkerPool pool) {
        long end = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < end) {
            gflops(640, 3, pool);
            gflops(300, 3, pool);
            float[] a = random(640 * 640, 1);
            float[] c = new float[640 * 640];
            GemmLayout layout = GemmLayout.rowMajor(0, 640, 640);
            GemmFloat32.gemm(new GemmSpec(1, 640, 640, 640, false, false, new Epilogue(1, 1, null, 0)),
                    a, layout, a, layout, c, layout, null, 0, pool);
        }
    }

    /** GFLOP/s of {@code runs} timed products, sorted (the median is in the middle, the best last). */
    private static double[] gflops(int n, int runs, WorkerPool pool) {
        float[] a = random(n * n, 1);
        float[] b = random(n * n, 2);
        float[] c = new float[n * n];
        GemmSpec spec = new GemmSpec(1, n, n, n, false, false, Epilogue.NONE);
        GemmLayout layout = GemmLayout.rowMajor(0, n, n);
        double[] gflops = new double[runs];
        for (int run = 0; run < runs; run++) {
            long start = System.nanoTime();
            GemmFloat32.gemm(spec, a, layout, b, layout, c, layout, null, 0, pool);
            gflops[run] = spec.flops() / (double) (System.nanoTime() - start);
        }
        Arrays.sort(gflops);
        return gflops;
    }

    private static float[] random(int size, long seed) {
        Random random = new Random(seed);
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextFloat() * 2 - 1;
        }
        return values;
    }
}
