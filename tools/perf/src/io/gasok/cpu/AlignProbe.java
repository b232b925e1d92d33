package io.gasok.cpu;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The GEMM micro-kernel alone with its B micro-panel at float offsets 0..15 of one array:
 * {@code AlignProbe KC PANELS ROUNDS} (PANELS micro-panels of KC depth steps used in turn, so KC ×
 * NR × PANELS floats of B; the median GFLOP/s of ROUNDS rounds per offset, one thread). With
 * {@code -XX:ObjectAlignmentInBytes=64} every array's element 0 lies at the same place in a 64-byte
 * line, so the offset alone decides whether the vector loads of B split across lines (the
 * measurement behind {@code CacheLines}; results/xeon-avx512-h100/ab-align.txt). Build it against a
 * revision's classes that tools/perf/ab.sh compiled, e.g.
 * {@code javac --add-modules jdk.incubator.vector -cp target/perf/worktree/classes -d /tmp/probe
 * tools/perf/src/io/gasok/cpu/AlignProbe.java}, then {@code java --add-modules jdk.incubator.vector
 * -XX:ObjectAlignmentInBytes=64 -cp target/perf/worktree/classes:/tmp/probe io.gasok.cpu.AlignProbe 512 1 9}.
 */
public class AlignProbe {
    public static void main(String[] args) {
        int kc = Integer.parseInt(args[0]);
        int panels = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int mr = GemmFloat32MicroKernels.MR, nr = GemmFloat32MicroKernels.NR;
        float[] a = new float[mr * kc * 8];
        float[] b = new float[kc * nr * panels + 64];
        float[] c = new float[mr * nr * 4];
        for (int i = 0; i < a.length; i++) a[i] = (i % 7) * 0.01f;
        for (int i = 0; i < b.length; i++) b[i] = (i % 5) * 0.01f;
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        int offsets = 16;
        double[][] gf = new double[offsets][rounds];
        long flopsPerCall = 2L * mr * nr * kc;
        int calls = (int) Math.max(1, 1e9 / flopsPerCall);
        for (int warm = 0; warm < 3; warm++) {
            for (int off = 0; off < offsets; off++) run(kc, panels, a, b, off, c, calls);
        }
        for (int r = 0; r < rounds; r++) {
            for (int off = 0; off < offsets; off++) {
                long t0 = t.getCurrentThreadCpuTime();
                run(kc, panels, a, b, off, c, calls);
                long t1 = t.getCurrentThreadCpuTime();
                gf[off][r] = (double) flopsPerCall * calls / (t1 - t0);
            }
        }
        System.out.printf("tile %dx%d kc %d panels %d (B %d KiB)%n", mr, nr, kc, panels, kc * nr * panels * 4 / 1024);
        for (int off = 0; off < offsets; off++) {
            double[] g = gf[off].clone();
            java.util.Arrays.sort(g);
            System.out.printf("offset %2d floats: %6.1f GF/s%n", off, g[rounds / 2]);
        }
    }

    static void run(int kc, int panels, float[] a, float[] b, int off, float[] c, int calls) {
        int nr = GemmFloat32MicroKernels.NR;
        int mr = GemmFloat32MicroKernels.MR;
        for (int i = 0; i < calls; i++) {
            int panel = i % panels;
            GemmFloat32MicroKernels.multiply(kc, a, (i & 7) * mr * kc, b, off + panel * kc * nr, c, 0, nr, false);
        }
    }
}
