package io.gasok;

import io.gasok.examples.bench.Workload;
import java.util.Arrays;
import java.util.Locale;

/**
 * One conv layer's row of {@code gasok bench --peers gemm}, in one JVM: the bench's own contenders
 * (the layer through the public API, and its GEMMs on operands already laid out), timed in
 * alternating batches of five calls, 30 batches a round, and each round's medians and their ratio
 * printed. The bench alternates whole runs of a contender (with a re-warm-up before each), so a
 * neighbour's busy second lands on one side of a cell; here both sides share it, which tells a cell
 * that is the neighbour's from one that is the kernel's. Build and run (JAVA_HOME a JDK 25, after
 * ./mvnw -q install -DskipTests):
 * <pre>
 *   cp=examples/target/gasok-examples-0.1.0-SNAPSHOT.jar:$(ls examples/target/lib/*.jar | tr '\n' :)
 *   $JAVA_HOME/bin/javac -cp $cp -d target/perf/layer tools/perf/src/io/gasok/LayerVsGemm.java
 *   $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -Dgasok.cpu.threads=2 \
 *       -cp target/perf/layer:$cp io.gasok.LayerVsGemm 128 40 256 3 2 bwd 4
 * </pre>
 * Arguments: channels, height (= width), output channels, kernel, stride (padding kernel / 2, batch
 * 1), {@code fwd} or {@code bwd}, rounds (after 3 s of warm-up). With {@code -Dpre=C,H,OC,K,S;...} those
 * layers' forward and backward (and their GEMMs) run 2 s each first, as in a bench of a list of layers.
 */
public final class LayerVsGemm {
    private static final int BATCHES = 30;
    private static final int CALLS = 5;

    private LayerVsGemm() {
    }

    public static void main(String[] args) throws Exception {
        int c = Integer.parseInt(args[0]);
        int h = Integer.parseInt(args[1]);
        int oc = Integer.parseInt(args[2]);
        int k = Integer.parseInt(args[3]);
        int stride = Integer.parseInt(args[4]);
        boolean backward = args[5].equals("bwd");
        int rounds = Integer.parseInt(args[6]);
        Workload.ConvLayer layer = new Workload.ConvLayer(1, c, h, h, oc, k, stride, k / 2);
        Workload.Conv2d workload = new Workload.Conv2d(layer, backward);
        Device device = Device.of("cpu");
        // -Dpre=C,H,OC,K,S;...: those layers' forward and backward first, as the bench runs a list.
        String pre = System.getProperty("pre");
        if (pre != null) {
            for (String text : pre.split(";")) {
                String[] f = text.split(",");
                int pk = Integer.parseInt(f[3]);
                Workload.ConvLayer before = new Workload.ConvLayer(1, Integer.parseInt(f[0]), Integer.parseInt(f[1]),
                        Integer.parseInt(f[1]), Integer.parseInt(f[2]), pk, Integer.parseInt(f[4]), pk / 2);
                for (boolean b : new boolean[] {false, true}) {
                    Workload.Conv2d w = new Workload.Conv2d(before, b);
                    try (Workload.Contender conv = w.gasok(device); Workload.Contender gemm = w.gemmEquivalent(device)) {
                        long end = System.nanoTime() + 2_000_000_000L;
                        while (System.nanoTime() < end) {
                            conv.time(CALLS);
                            gemm.time(CALLS);
                        }
                    }
                }
            }
        }
        try (Workload.Contender conv = workload.gasok(device); Workload.Contender gemm = workload.gemmEquivalent(device)) {
            int out = (h + 2 * (k / 2) - k) / stride + 1;
            double flops = (backward ? 2 : 1) * 2.0 * oc * c * k * k * out * out;
            long warmEnd = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                conv.time(CALLS);
                gemm.time(CALLS);
            }
            for (int round = 0; round < rounds; round++) {
                double[] layerSeconds = new double[BATCHES];
                double[] gemmSeconds = new double[BATCHES];
                for (int b = 0; b < BATCHES; b++) {
                    layerSeconds[b] = conv.time(CALLS) / CALLS;
                    gemmSeconds[b] = gemm.time(CALLS) / CALLS;
                }
                Arrays.sort(layerSeconds);
                Arrays.sort(gemmSeconds);
                double layerMedian = layerSeconds[BATCHES / 2];
                double gemmMedian = gemmSeconds[BATCHES / 2];
                System.out.printf(Locale.ROOT, "%s: layer %.1f GFLOP/s, its GEMMs %.1f, ratio %.3f%n",
                        workload.gemmShapes(), flops / layerMedian / 1e9, flops / gemmMedian / 1e9,
                        gemmMedian / layerMedian);
            }
        }
    }
}
