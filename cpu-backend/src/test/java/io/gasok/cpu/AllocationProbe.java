package io.gasok.cpu;

import java.lang.reflect.Method;

/**
 * Heap bytes a kernel call allocates on the calling thread once the JIT has compiled it, for the
 * allocation tests: {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes} around
 * rounds of many calls. Until C2 has compiled a kernel its vectors are boxed on the heap, and on a
 * loaded machine compilation can lag behind a fixed warm-up, so the probe runs rounds until one
 * stays under the bound (or a time limit passes) and reports the smallest per-call figure seen: a
 * kernel that boxes for good allocates in every round and still fails.
 *
 * <p>The bean is reached by reflection: tests compile inside the {@code io.gasok.cpu} module, which
 * does not read {@code jdk.management} (they run on the class path, where reflection reaches it).
 */
final class AllocationProbe {

    private static final Object THREADS;
    private static final Method ALLOCATED_BYTES;

    static {
        try {
            THREADS = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED_BYTES = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /**
     * How long rounds may run before the probe gives up: 20 s. With 8 s a full local run on a busy
     * machine once saw the depthwise forward still boxing (31 KB a call) at the deadline, and the
     * same test pass alone and in the next full runs: C2's queue, not the kernel.
     */
    private static final long TIME_LIMIT_NANOS = 20_000_000_000L;

    private AllocationProbe() {
    }

    /** The smallest mean allocation per call over rounds of {@code callsPerRound} calls, after {@code warmUp} calls. */
    static double bytesPerCall(Runnable call, int warmUp, int callsPerRound, double bound) {
        for (int i = 0; i < warmUp; i++) {
            call.run();
        }
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + TIME_LIMIT_NANOS;
        do {
            long before = allocatedBytes();
            for (int i = 0; i < callsPerRound; i++) {
                call.run();
            }
            long after = allocatedBytes();
            best = Math.min(best, (after - before) / (double) callsPerRound);
        } while (best >= bound && System.nanoTime() < deadline);
        return best;
    }

    private static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
