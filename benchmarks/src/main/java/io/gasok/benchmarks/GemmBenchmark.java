package io.gasok.benchmarks;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
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
 * Square fp32 GEMM, {@code C = A·B} with A, B and C of {@code size×size}: Gasok's
 * {@link Tensor#matmul} on a device, and EJML's {@code FMatrixRMaj} multiplication as the peer
 * (single-threaded {@code CommonOps_FDRM.mult} at 1 thread, {@code CommonOps_MT_FDRM.mult} with the
 * same thread count otherwise). Throughput: 2·size³ floating-point operations per call.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar GemmBenchmark -p size=1024 -p threads=1,2</pre>
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    @Param({"256", "512", "1024", "2048"})
    public int size;

    /** reference, cpu, opencl, cuda:0. */
    @Param({"cpu"})
    public String device;

    /** The CPU backend's pool size and EJML's; 0: the cores. */
    @Param({"0"})
    public int threads;

    private Device target;
    private Tensor a;
    private Tensor b;
    private FMatrixRMaj ejmlA;
    private FMatrixRMaj ejmlB;
    private FMatrixRMaj ejmlC;
    private int ejmlThreads;

    @Setup(Level.Trial)
    public void setUp() {
        target = BenchmarkSupport.open(device, threads);
        float[] left = BenchmarkSupport.randomFloats(size * size, 1);
        float[] right = BenchmarkSupport.randomFloats(size * size, 2);
        a = Tensor.of(target, left, size, size);
        b = Tensor.of(target, right, size, size);
        ejmlA = new FMatrixRMaj(size, size, true, left);
        ejmlB = new FMatrixRMaj(size, size, true, right);
        ejmlC = new FMatrixRMaj(size, size);
        ejmlThreads = BenchmarkSupport.ejmlThreads(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
    }

    /** Gasok: one matmul, waited for, its output freed. */
    @Benchmark
    public int gasok() {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor c = a.matmul(b);
            target.synchronize();
            int length = c.numel();
            c.close();
            return length;
        }
    }

    /** EJML, the same product into a preallocated matrix. */
    @Benchmark
    public FMatrixRMaj ejml() {
        if (ejmlThreads == 1) {
            CommonOps_FDRM.mult(ejmlA, ejmlB, ejmlC);
        } else {
            CommonOps_MT_FDRM.mult(ejmlA, ejmlB, ejmlC);
        }
        return ejmlC;
    }
}
