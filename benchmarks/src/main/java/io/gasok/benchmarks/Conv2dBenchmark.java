package io.gasok.benchmarks;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A YOLO-shaped 3×3 convolution with bias, forward and backward. The layer is
 * {@code NxCxHxW_OCkKsSpP} (input N×C×H×W, OC output channels, K×K kernel, stride S, padding P;
 * JMH splits parameters at commas); the default, {@code 1x64x80x80_64k3s1p1}, is a bottleneck
 * convolution of a YOLOv5/v8 "s" model at the 80×80 (stride 8) level for a 640×640 image, and
 * {@code 1x32x160x160_64k3s2p1} is its downsampling convolution one level up.
 *
 * <p>Forward: 2·N·OC·OH·OW·C·K² floating-point operations. Backward (the gradients of input, weight
 * and bias from the output's gradient; the forward that records the graph is outside the timing,
 * in a per-invocation setup): twice that.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar Conv2dBenchmark -p layer=1x32x160x160_64k3s2p1</pre>
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Conv2dBenchmark {

    /** NxCxHxW_OCkKsSpP. */
    @Param({"1x64x80x80_64k3s1p1"})
    public String layer;

    @Param({"cpu"})
    public String device;

    /** The CPU backend's pool size; 0: the cores. */
    @Param({"0"})
    public int threads;

    private static final Pattern LAYER = Pattern.compile("(\\d+)x(\\d+)x(\\d+)x(\\d+)_(\\d+)k(\\d+)s(\\d+)p(\\d+)");

    Device target;
    Tensor input;
    Tensor weight;
    Tensor bias;
    Tensor gradOutput;
    int stride;
    int padding;

    @Setup(Level.Trial)
    public void setUp() {
        Matcher m = LAYER.matcher(layer);
        if (!m.matches()) {
            throw new IllegalArgumentException("layer must be NxCxHxW_OCkKsSpP, e.g. 1x64x80x80_64k3s1p1, not " + layer);
        }
        int[] l = new int[8];
        for (int i = 0; i < l.length; i++) {
            l[i] = Integer.parseInt(m.group(i + 1));
        }
        stride = l[6];
        padding = l[7];
        target = BenchmarkSupport.open(device, threads);
        input = BenchmarkSupport.randomTensor(target, 1, l[0], l[1], l[2], l[3]).requiresGrad(true);
        float[] weights = BenchmarkSupport.randomFloats(l[4] * l[1] * l[5] * l[5], 2);
        float scale = (float) Math.sqrt(1.0 / (l[1] * l[5] * l[5]));
        for (int i = 0; i < weights.length; i++) {
            weights[i] *= scale;
        }
        weight = Tensor.of(target, weights, l[4], l[1], l[5], l[5]).requiresGrad(true);
        bias = BenchmarkSupport.randomTensor(target, 3, l[4]).requiresGrad(true);
        int outHeight = (l[2] + 2 * padding - l[5]) / stride + 1;
        int outWidth = (l[3] + 2 * padding - l[5]) / stride + 1;
        gradOutput = BenchmarkSupport.randomTensor(target, 4, l[0], l[4], outHeight, outWidth);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        input.close();
        weight.close();
        bias.close();
        gradOutput.close();
    }

    /** Forward only, without recording a graph. */
    @Benchmark
    public int forward() {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor y = input.conv2d(weight, bias, stride, padding);
            target.synchronize();
            int length = y.numel();
            y.close();
            return length;
        }
    }

    /** The gradients of input, weight and bias from the output's gradient. */
    @Benchmark
    public void backward(Recorded recorded) {
        recorded.output.backward(gradOutput);
        target.synchronize();
    }

    /**
     * The forward graph that {@link #backward} runs back through, recorded before each call and
     * dropped after it (with the gradients), outside the timing.
     */
    @State(org.openjdk.jmh.annotations.Scope.Thread)
    public static class Recorded {
        Tensor output;

        @Setup(Level.Invocation)
        public void recordForward(Conv2dBenchmark bench) {
            output = bench.input.conv2d(bench.weight, bench.bias, bench.stride, bench.padding);
            bench.target.synchronize();
        }

        @TearDown(Level.Invocation)
        public void dropGraphAndGradients(Conv2dBenchmark bench) {
            output.close();
            output = null;
            bench.input.zeroGrad();
            bench.weight.zeroGrad();
            bench.bias.zeroGrad();
        }
    }
}
