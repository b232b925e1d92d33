import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

/**
 * The "openblas" variant of tools/perf/ab.sh: cblas_sgemm of the OpenBLAS that NumPy bundles
 * ({@code -Dopenblas.lib}, found by ab.sh), called through the FFM API in the same JVM, on the
 * same thread count ({@code openblas_set_num_threads}) and timed the same way as the Gasok
 * variants: n³ or {@code -Dgemm=M,N,K[,transA,transB]}, row-major, alpha 1, beta 0.
 */
public class OpenBlas {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final MethodHandle SGEMM;
    private static final MethodHandle SET_THREADS;
    private static final MethodHandle CORE_NAME;
    /** NumPy's scipy-openblas names its ILP64 symbols with a prefix and suffix; a plain OpenBLAS has neither. */
    private static final boolean ILP64;
    private static int size = -1;
    private static int threadsSet = -1;
    private static MemorySegment a;
    private static MemorySegment b;
    private static MemorySegment c;

    static {
        String path = System.getProperty("openblas.lib", "");
        if (path.isEmpty()) {
            throw new IllegalStateException("no OpenBLAS library: -Dopenblas.lib (ab.sh finds NumPy's)");
        }
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(Path.of(path), Arena.global());
        Optional<MemorySegment> prefixed = lib.find("scipy_cblas_sgemm64_");
        ILP64 = prefixed.isPresent();
        ValueLayout size = ILP64 ? ValueLayout.JAVA_LONG : ValueLayout.JAVA_INT;
        ValueLayout i = ValueLayout.JAVA_INT;
        ValueLayout f = ValueLayout.JAVA_FLOAT;
        ValueLayout p = ValueLayout.ADDRESS;
        SGEMM = linker.downcallHandle(prefixed.orElseGet(() -> lib.find("cblas_sgemm").orElseThrow()),
                FunctionDescriptor.ofVoid(i, i, i, size, size, size, f, p, size, p, size, f, p, size));
        SET_THREADS = linker.downcallHandle(lib.find(ILP64 ? "scipy_openblas_set_num_threads64_" : "openblas_set_num_threads")
                .orElseThrow(), FunctionDescriptor.ofVoid(i));
        CORE_NAME = linker.downcallHandle(lib.find(ILP64 ? "scipy_openblas_get_corename64_" : "openblas_get_corename")
                .orElseThrow(), FunctionDescriptor.of(p));
    }

    public static String core() throws Throwable {
        return ((MemorySegment) CORE_NAME.invokeExact()).reinterpret(64).getString(0) + " kernel, "
                + System.getProperty("openblas.lib");
    }

    /** Nanoseconds (the thread's CPU time on one thread, wall time on more) of {@code inner} calls. */
    public static long time(int threads, int s, int inner) throws Throwable {
        if (threads != threadsSet) {
            SET_THREADS.invokeExact(threads);
            threadsSet = threads;
        }
        long m = s;
        long n = s;
        long k = s;
        boolean transA = false;
        boolean transB = false;
        String gemm = System.getProperty("gemm");
        if (gemm != null) {
            String[] q = gemm.split(",");
            m = Long.parseLong(q[0]);
            n = Long.parseLong(q[1]);
            k = Long.parseLong(q[2]);
            transA = q.length > 3 && q[3].equals("1");
            transB = q.length > 4 && q[4].equals("1");
            s = -2;
        }
        if (s != size) {
            size = s;
            a = Arena.global().allocate(4 * m * k, 64);
            b = Arena.global().allocate(4 * k * n, 64);
            c = Arena.global().allocate(4 * m * n, 64);
            Random random = new Random(1);
            for (long e = 0; e < m * k; e++) {
                a.setAtIndex(ValueLayout.JAVA_FLOAT, e, random.nextFloat() - .5f);
            }
            for (long e = 0; e < k * n; e++) {
                b.setAtIndex(ValueLayout.JAVA_FLOAT, e, random.nextFloat() - .5f);
            }
        }
        int ta = transA ? 112 : 111;
        int tb = transB ? 112 : 111;
        long lda = transA ? m : k;
        long ldb = transB ? k : n;
        long t0 = threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        for (int call = 0; call < inner; call++) {
            if (ILP64) {
                SGEMM.invokeExact(101, ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            } else {
                SGEMM.invokeExact(101, ta, tb, (int) m, (int) n, (int) k, 1f, a, (int) lda, b, (int) ldb, 0f, c, (int) n);
            }
        }
        return (threads == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
    }
}
