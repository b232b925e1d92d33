package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap bytes a kernel call allocates on the calling thread once the JIT has compiled it, for the
 * allocation tests: {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes} around
 * rounds of many calls. Until C2 has compiled a kernel its vectors are boxed on the heap, and on a
 * loaded machine compilation can lag behind a fixed warm-up, so the probe runs rounds until one
 * stays under the bound (or a time limit passes) and reports the smallest per-call figure seen: a
 * kernel that boxes for good allocates in every round and still fails.
 *
 * <p>A failure names where the bytes go: one more round under a Java Flight Recorder recording of
 * allocation samples, summed by the first Gasok frame of each sample's stack and the class
 * allocated (a boxed {@code Float128Vector} at {@code VectorMath.exp} line 217, say). Boxing
 * depends on how and when C2 compiled a loop, so a failure may not come back on another machine or
 * run; the sites in CI's log are what is left of it.
 *
 * <p>The bean and JFR are reached by reflection: tests compile inside the {@code io.gasok.cpu}
 * module, which reads neither {@code jdk.management} nor {@code jdk.jfr} (they run on the class
 * path, where reflection reaches both).
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

    /**
     * Fails, naming {@code what}, the bytes per call and the allocation sites, unless
     * {@link #bytesPerCall} of {@code call} comes under {@code bound}.
     */
    static void assertAllocatesLessThan(double bound, String what, Runnable call, int warmUp, int callsPerRound) {
        double perCall = bytesPerCall(call, warmUp, callsPerRound, bound);
        if (perCall >= bound) {
            fail(what + ": " + perCall + " bytes allocated per call (bound " + bound + "); where, by JFR's samples of"
                    + " one more round: " + sites(call, callsPerRound));
        }
    }

    /** The smallest mean allocation per call over rounds of {@code callsPerRound} calls, after {@code warmUp} calls. */
    private static double bytesPerCall(Runnable call, int warmUp, int callsPerRound, double bound) {
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

    /**
     * The allocation sites of {@code calls} calls: JFR's {@code jdk.ObjectAllocationSample} events
     * (sampled, each weighted by the bytes it stands for), on this thread, summed by class and first
     * frame in {@code io.gasok}, the five heaviest with their share; or why there are none.
     */
    private static String sites(Runnable call, int calls) {
        Path file = null;
        try {
            Class<?> recordingClass = Class.forName("jdk.jfr.Recording");
            Class<?> settingsClass = Class.forName("jdk.jfr.EventSettings");
            Object recording = recordingClass.getConstructor().newInstance();
            Object settings = recordingClass.getMethod("enable", String.class).invoke(recording, "jdk.ObjectAllocationSample");
            settingsClass.getMethod("with", String.class, String.class).invoke(settings, "throttle", "100000/s");
            settingsClass.getMethod("withStackTrace").invoke(settings);
            recordingClass.getMethod("start").invoke(recording);
            // Half a second at least: JFR throttles its samples per time window.
            long end = System.nanoTime() + 500_000_000L;
            for (int i = 0; i < calls || System.nanoTime() < end; i++) {
                call.run();
            }
            recordingClass.getMethod("stop").invoke(recording);
            file = Files.createTempFile("gasok-allocation", ".jfr");
            recordingClass.getMethod("dump", Path.class).invoke(recording, file);
            recordingClass.getMethod("close").invoke(recording);
            List<?> events = (List<?>) Class.forName("jdk.jfr.consumer.RecordingFile")
                    .getMethod("readAllEvents", Path.class).invoke(null, file);
            Method getLong = Class.forName("jdk.jfr.consumer.RecordedObject").getMethod("getLong", String.class);
            Method getClass = Class.forName("jdk.jfr.consumer.RecordedObject").getMethod("getClass", String.class);
            Method className = Class.forName("jdk.jfr.consumer.RecordedClass").getMethod("getName");
            Method stackTrace = Class.forName("jdk.jfr.consumer.RecordedEvent").getMethod("getStackTrace");
            Method frames = Class.forName("jdk.jfr.consumer.RecordedStackTrace").getMethod("getFrames");
            Method method = Class.forName("jdk.jfr.consumer.RecordedFrame").getMethod("getMethod");
            Method line = Class.forName("jdk.jfr.consumer.RecordedFrame").getMethod("getLineNumber");
            Method methodName = Class.forName("jdk.jfr.consumer.RecordedMethod").getMethod("getName");
            Method type = Class.forName("jdk.jfr.consumer.RecordedMethod").getMethod("getType");
            Method thread = Class.forName("jdk.jfr.consumer.RecordedEvent").getMethod("getThread");
            Method threadId = Class.forName("jdk.jfr.consumer.RecordedThread").getMethod("getJavaThreadId");
            long self = Thread.currentThread().threadId();
            Map<String, Long> bytes = new HashMap<>();
            long total = 0;
            for (Object event : events) {
                Object eventThread = thread.invoke(event);
                if (eventThread == null || (long) threadId.invoke(eventThread) != self) {
                    continue;
                }
                long weight = (long) getLong.invoke(event, "weight");
                String site = "?";
                Object trace = stackTrace.invoke(event);
                for (Object frame : trace == null ? List.of() : (List<?>) frames.invoke(trace)) {
                    Object m = method.invoke(frame);
                    String holder = (String) className.invoke(type.invoke(m));
                    if (holder.startsWith("io.gasok.") && !holder.startsWith("io.gasok.cpu.AllocationProbe")) {
                        site = holder.substring(holder.lastIndexOf('.') + 1) + "." + methodName.invoke(m) + " line "
                                + line.invoke(frame);
                        break;
                    }
                }
                String allocated = (String) className.invoke(getClass.invoke(event, "objectClass"));
                bytes.merge(simpleName(allocated) + " at " + site, weight, Long::sum);
                total += weight;
            }
            if (total == 0) {
                return events.size() + " samples, none of them on this thread";
            }
            long all = total;
            return bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                    .map(e -> e.getKey() + " (" + Math.round(100.0 * e.getValue() / all) + "%)")
                    .reduce((a, b) -> a + ", " + b).orElseThrow();
        } catch (ReflectiveOperationException | java.io.IOException | RuntimeException e) {
            return "not found (" + e + ")";
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (java.io.IOException ignored) {
                    // A temporary file left behind.
                }
            }
        }
    }

    /** {@code float[]} for JFR's {@code [F}, {@code Float128Vector} for its full name. */
    private static String simpleName(String jvmName) {
        try {
            return Class.forName(jvmName, false, AllocationProbe.class.getClassLoader()).getSimpleName();
        } catch (ClassNotFoundException | LinkageError e) {
            return jvmName.substring(jvmName.lastIndexOf('.') + 1);
        }
    }

    private static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
