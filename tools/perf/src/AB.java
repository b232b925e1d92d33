import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

/**
 * The driver of tools/perf/ab.sh: {@code AB threads sizes rounds variant...}. Each variant is a
 * folder with {@code classes} (a revision's cpu-backend) and {@code probe} ({@link io.gasok.cpu}'s
 * Bench compiled against them), loaded by a class loader of its own, or {@code openblas}. Per size:
 * one call of each variant, then 1.5 s of warm-up per variant in six turns, then {@code rounds}
 * rounds in which every variant is timed once in turn, round r starting at variant r mod the
 * variants (on more than one thread after 150 ms of calls, so the pool's workers are awake), each
 * timing enough calls for about 0.6 GFLOP. Prints each variant's median GFLOP/s and the median of
 * its per-round ratio to the first variant.
 */
public class AB {
    public static void main(String[] args) throws Throwable {
        int threads = Integer.parseInt(args[0]);
        int[] sizes = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = Integer.parseInt(args[2]);
        int v = args.length - 3;
        Method[] time = new Method[v];
        Method flopsOf = null;
        String[] names = new String[v];
        for (int i = 0; i < v; i++) {
            String[] variant = args[3 + i].split("@", 2);
            String d = variant[0];
            names[i] = Path.of(d).getFileName().toString() + (variant.length > 1 ? "@" + variant[1] : "");
            if (d.equals("openblas")) {
                time[i] = OpenBlas.class.getMethod("time", int.class, int.class, int.class);
                System.out.println("openblas: " + OpenBlas.core());
                continue;
            }
            URLClassLoader loader = new URLClassLoader(new URL[] {Path.of(d, "probe").toUri().toURL(),
                Path.of(d, "classes").toUri().toURL()}, AB.class.getClassLoader());
            Class<?> bench = Class.forName("io.gasok.cpu.Bench", true, loader);
            time[i] = bench.getMethod("time", int.class, int.class, int.class);
            // This variant's block sizes and tile: its GEMM classes read them once, when blocking()
            // first loads them, so the properties are set around that call and then put back.
            Properties saved = (Properties) System.getProperties().clone();
            for (String setting : variant.length > 1 ? variant[1].split(",") : new String[0]) {
                String[] pair = setting.split("=", 2);
                System.setProperty(pair[0].contains(".") ? pair[0] : "gasok.cpu.gemm." + pair[0], pair[1]);
            }
            try {
                System.out.println(names[i] + ": " + bench.getMethod("blocking").invoke(null));
            } finally {
                System.setProperties(saved);
            }
            flopsOf = bench.getMethod("flops", int.class);
        }
        for (int s : sizes) {
            double flops = flopsOf != null ? (double) flopsOf.invoke(null, s) : 2.0 * s * s * s;
            int inner = (int) Math.max(1, 0.6e9 / flops);
            // Every variant's classes loaded and run once before any of them is warmed, then the
            // warm-up in turns, 0.25 s each: warmed one after the other, the first variant compiled
            // before the others' classes existed and ran 1-20% slower than copies of itself.
            for (int i = 0; i < v; i++) {
                time[i].invoke(null, threads, s, 1);
            }
            for (int turn = 0; turn < 6; turn++) {
                for (int i = 0; i < v; i++) {
                    long end = System.nanoTime() + 250_000_000L;
                    while (System.nanoTime() < end) {
                        time[i].invoke(null, threads, s, inner);
                    }
                }
            }
            double[][] gflops = new double[v][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int turn = 0; turn < v; turn++) {
                    int i = (r + turn) % v; // each round starts at the next variant
                    if (threads > 1) {
                        long end = System.nanoTime() + 150_000_000L;
                        while (System.nanoTime() < end) {
                            time[i].invoke(null, threads, s, inner);
                        }
                    }
                    gflops[i][r] = flops * inner / (long) time[i].invoke(null, threads, s, inner);
                }
            }
            StringBuilder line = new StringBuilder(String.format("%5d t%d", s, threads));
            for (int i = 0; i < v; i++) {
                double[] sorted = gflops[i].clone();
                Arrays.sort(sorted);
                double[] ratio = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratio[r] = gflops[i][r] / gflops[0][r];
                }
                Arrays.sort(ratio);
                line.append(String.format("  | %s %6.1f GF/s (ratio med %.3f)", names[i], sorted[rounds / 2], ratio[rounds / 2]));
            }
            System.out.println(line);
        }
    }
}
