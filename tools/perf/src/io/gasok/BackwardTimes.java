package io.gasok;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A conv layer's backward as {@code gasok bench} times it ({@code y.backward(gy)} through the public
 * API, the forward before it untimed), with each kernel's own time from the dispatch hook the
 * profiler uses, and the time outside them: where the time between the kernels goes, and what the bench's rows hold beyond
 * the kernels' (in package io.gasok to reach that hook). Median of 150 calls after 200 warm-up calls,
 * in microseconds. Build and run (JAVA_HOME a JDK 25, after ./mvnw -q install -DskipTests):
 * <pre>
 *   cp=core/target/gasok-core-0.1.0-SNAPSHOT.jar:cpu-backend/target/gasok-cpu-0.1.0-SNAPSHOT.jar
 *   $JAVA_HOME/bin/javac -cp $cp -d target/perf/backward tools/perf/src/io/gasok/BackwardTimes.java
 *   $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -Dgasok.cpu.threads=2 \
 *       -cp target/perf/backward:$cp io.gasok.BackwardTimes 256 20 256 3 1
 * </pre>
 * Arguments: channels, height (= width), output channels, kernel, stride (padding kernel / 2, batch 1).
 */
public final class BackwardTimes {
    private BackwardTimes() {
    }

    private static float[] normal(int n, int seed) {
        Random random = new Random(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    public static void main(String[] args) {
        int c = Integer.parseInt(args[0]);
        int h = Integer.parseInt(args[1]);
        int oc = Integer.parseInt(args[2]);
        int k = Integer.parseInt(args[3]);
        int s = Integer.parseInt(args[4]);
        int p = k / 2;
        int oh = (h + 2 * p - k) / s + 1;
        Device device = Device.of("cpu");
        Tensor x = Tensor.of(device, normal(c * h * h, 1), 1, c, h, h);
        Tensor w = Tensor.of(device, normal(oc * c * k * k, 2), oc, c, k, k);
        Tensor b = Tensor.of(device, normal(oc, 3), oc);
        Tensor gy = Tensor.of(device, normal(oc * oh * oh, 4), 1, oc, oh, oh);
        x.requiresGrad(true);
        w.requiresGrad(true);
        b.requiresGrad(true);
        int rounds = 150;
        TreeMap<String, long[]> kernels = new TreeMap<>();
        int[] round = {-1};
        // Each round's kernels' [start, end), in launch order, for the time outside them.
        List<long[]> spans = new ArrayList<>();
        long[] outside = new long[rounds];
        Dispatch.listen((launch, start, end) -> {
            if (round[0] >= 0) {
                spans.add(new long[] {start, end});
                kernels.computeIfAbsent(launch.kernel(), name -> new long[rounds])[round[0]] += end - start;
            }
        });
        long[] total = new long[rounds];
        for (int r = -200; r < rounds; r++) {
            Scope scope = Scope.open();
            Tensor y = x.conv2d(w, b, s, p);
            device.synchronize();
            round[0] = r;
            long t0 = System.nanoTime();
            y.backward(gy);
            device.synchronize();
            long t1 = System.nanoTime();
            if (r >= 0) {
                total[r] = t1 - t0;
                long inside = 0;
                for (long[] span : spans) {
                    inside += span[1] - span[0];
                }
                outside[r] = total[r] - inside;
            }
            spans.clear();
            round[0] = -1;
            scope.close();
            x.zeroGrad();
            w.zeroGrad();
            b.zeroGrad();
        }
        StringBuilder line = new StringBuilder();
        Arrays.sort(total);
        line.append(String.format("backward %.0f us:", total[rounds / 2] / 1e3));
        kernels.forEach((name, times) -> {
            Arrays.sort(times);
            line.append(String.format(" %s %.0f", name, times[rounds / 2] / 1e3));
        });
        Arrays.sort(outside);
        line.append(String.format(", outside the kernels %.0f", outside[rounds / 2] / 1e3));
        System.out.println(line);
    }
}
