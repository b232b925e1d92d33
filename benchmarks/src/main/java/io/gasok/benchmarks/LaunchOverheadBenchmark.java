package io.gasok.benchmarks;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.concurrent.TimeUnit;
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
 * Host overhead per launch on small tensors, in ns per op: the design's target is at most 2 µs
 * (§7), since a gesture-MLP training step is about 100 launches of a few hundred elements each, so
 * dispatch, not arithmetic, decides its speed.
 *
 * <ul>
 *   <li>{@link #add256}: {@code a.add(b)} of two 256-float tensors, output allocated and freed;
 *   <li>{@link #addInPlace256}: {@code a.addInPlace(b)}, no allocation (the optimizer's case);
 *   <li>{@link #matmul128x42x20}: {@code [128,42]·[42,20]}, the gesture MLP's first layer.
 * </ul>
 *
 * Each is measured with grad recording on and the inputs not requiring grad (what an op costs when
 * no graph is recorded) and without waiting for the device: on a GPU this is the host's side only.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar LaunchOverheadBenchmark -p threads=1</pre>
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class LaunchOverheadBenchmark {

    @Param({"cpu"})
    public String device;

    /** The CPU backend's pool size; 0: the cores. */
    @Param({"0"})
    public int threads;

    private Device target;
    private Tensor a;
    private Tensor b;
    private Tensor accumulator;
    private Tensor x;
    private Tensor w;

    @Setup(Level.Trial)
    public void setUp() {
        target = BenchmarkSupport.open(device, threads);
        a = BenchmarkSupport.randomTensor(target, 1, 256);
        b = BenchmarkSupport.randomTensor(target, 2, 256);
        accumulator = BenchmarkSupport.randomTensor(target, 3, 256);
        x = BenchmarkSupport.randomTensor(target, 4, 128, 42);
        w = BenchmarkSupport.randomTensor(target, 5, 42, 20);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        target.synchronize();
        a.close();
        b.close();
        accumulator.close();
        x.close();
        w.close();
    }

    @Benchmark
    public int add256() {
        Tensor c = a.add(b);
        int length = c.numel();
        c.close();
        return length;
    }

    @Benchmark
    public Tensor addInPlace256() {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            return accumulator.addInPlace(b);
        }
    }

    @Benchmark
    public int matmul128x42x20() {
        Tensor y = x.matmul(w);
        int length = y.numel();
        y.close();
        return length;
    }
}
