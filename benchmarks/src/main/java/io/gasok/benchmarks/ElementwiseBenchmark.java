package io.gasok.benchmarks;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
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
 * Memory-bound work on {@code elements} floats (16M by default, 64 MiB per tensor): an elementwise
 * add into a new tensor (12 bytes moved per element: two reads, one write), and a softmax over the
 * last axis of {@code [elements/1024, 1024]} (at least 8 bytes per element: one read, one write).
 * EJML's {@code CommonOps_FDRM.add} is the add's peer; EJML has no softmax.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ElementwiseBenchmark -p threads=1</pre>
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ElementwiseBenchmark {

    /** A multiple of 1024. */
    @Param({"16777216"})
    public int elements;

    @Param({"cpu"})
    public String device;

    /** The CPU backend's pool size; 0: the cores. */
    @Param({"0"})
    public int threads;

    private Device target;
    private Tensor a;
    private Tensor b;
    private Tensor logits;
    private FMatrixRMaj ejmlA;
    private FMatrixRMaj ejmlB;
    private FMatrixRMaj ejmlC;

    @Setup(Level.Trial)
    public void setUp() {
        if (elements % 1024 != 0) {
            throw new IllegalArgumentException("elements must be a multiple of 1024, not " + elements);
        }
        target = BenchmarkSupport.open(device, threads);
        float[] left = BenchmarkSupport.randomFloats(elements, 1);
        float[] right = BenchmarkSupport.randomFloats(elements, 2);
        a = Tensor.of(target, left, elements);
        b = Tensor.of(target, right, elements);
        logits = a.reshape(elements / 1024, 1024);
        ejmlA = new FMatrixRMaj(elements / 1024, 1024, true, left);
        ejmlB = new FMatrixRMaj(elements / 1024, 1024, true, right);
        ejmlC = new FMatrixRMaj(elements / 1024, 1024);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        logits.close();
        a.close();
        b.close();
    }

    /** Gasok: a + b into a new tensor, freed after. */
    @Benchmark
    public int add() {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor c = a.add(b);
            target.synchronize();
            int length = c.numel();
            c.close();
            return length;
        }
    }

    /** Gasok: softmax over rows of 1024. */
    @Benchmark
    public int softmax() {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor p = logits.softmax(1);
            target.synchronize();
            int length = p.numel();
            p.close();
            return length;
        }
    }

    /** EJML: a + b into a preallocated matrix (single-threaded: EJML has no concurrent add). */
    @Benchmark
    public FMatrixRMaj ejmlAdd() {
        CommonOps_FDRM.add(ejmlA, ejmlB, ejmlC);
        return ejmlC;
    }
}
