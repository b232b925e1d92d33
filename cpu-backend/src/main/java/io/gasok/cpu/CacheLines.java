package io.gasok.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Where in a {@code float[]} a 64-byte cache line starts, so that packed GEMM panels can start on
 * one and every vector load of them stays within a line.
 *
 * <p>Why: the JVM places an array's elements 16 bytes past an 8-byte aligned object start (12 with
 * compact object headers), so a packing buffer's element 0 lies anywhere in a line, and the same
 * buffer moves when the collector copies it; a 512-bit load that does not start a line touches two.
 * On the AVX-512 Xeon host of the lent GPU machine (2026-11-26, objects forced to 64-byte alignment so
 * that the offset alone decided, {@code -XX:ObjectAlignmentInBytes=64}) the 6 × 4 micro-kernel
 * streaming a 128 KiB B micro-panel from L2 ran at 173 GFLOP/s from a line start and 154 from each of
 * the 15 other offsets; whole one-thread GEMMs 512³-2048³ were 1.08-1.10x faster with the packed B
 * block at a line start. From L1 (a 32 KiB panel) the offset made no difference. It also spread
 * repeated measurements: each JVM's buffers landed at another offset.
 *
 * <p>How: Java has no API for an array's address, but a critical downcall may take a heap segment
 * (the array pinned for the call's length) and hands the native function the address of its
 * elements; {@code memmove(p, p, 0)} returns it and touches nothing. That needs native access for
 * this module ({@code --enable-native-access=ALL-UNNAMED} on the class path, as {@code ./gasok} and
 * the build run, or {@code =io.gasok.cpu} on the module path), as this class finds it when it first
 * loads: on the class path without the flag, the JDK also grants it once other code in the unnamed
 * module has made a restricted call (with its warning). Without it, or where there is no native
 * linker, no memmove or no 64-bit {@code size_t}, {@link #lineStart} answers 0 and the panels start
 * where the array does, as they did before; {@link #describe} says which. The answer holds until
 * the collector next moves the array, so callers ask again for each block they pack: a wrong guess
 * costs speed, never a result.
 */
final class CacheLines {

    /** Bytes in a cache line. */
    static final int LINE_BYTES = 64;
    /** Floats in a cache line: the slack a buffer needs to start its contents on one. */
    static final int LINE_FLOATS = LINE_BYTES / Float.BYTES;
    /**
     * System property for tests: every {@link #lineStart} answers this index (0 to 15) instead, so
     * that the packing and the kernels run from a start the JVM would not give (an odd one).
     */
    static final String FORCED_START_PROPERTY = "gasok.cpu.lineStart";

    /** {@code memmove(dst, src, n)} returning dst, heap segments allowed; null without native access. */
    private static final MethodHandle ADDRESS_OF = addressOf();
    private static final int FORCED_START = forcedStart(System.getProperty(FORCED_START_PROPERTY));

    private CacheLines() {
    }

    private static MethodHandle addressOf() {
        if (!CacheLines.class.getModule().isNativeAccessEnabled()) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            MemoryLayout sizeT = linker.canonicalLayouts().get("size_t");
            if (sizeT == null || sizeT.byteSize() != Long.BYTES) {
                return null;
            }
            return linker.defaultLookup().find("memmove")
                    .map(memmove -> linker.downcallHandle(memmove,
                            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true)))
                    .orElse(null);
        } catch (UnsupportedOperationException e) {
            // A platform without a native linker: the panels start where the arrays do.
            return null;
        }
    }

    /**
     * The index {@code value} ({@value #FORCED_START_PROPERTY}) forces, or -1 when it is unset.
     *
     * @throws IllegalArgumentException naming the property for anything but an index from 0 to 15
     */
    static int forcedStart(String value) {
        if (value == null || value.isBlank()) {
            return -1;
        }
        int start;
        try {
            start = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            start = -1;
        }
        if (start < 0 || start >= LINE_FLOATS) {
            throw new IllegalArgumentException("system property " + FORCED_START_PROPERTY + " must be an index from 0 to "
                    + (LINE_FLOATS - 1) + ", not '" + value + "'");
        }
        return start;
    }

    /** Whether {@link #lineStart} knows where arrays lie. */
    static boolean known() {
        return ADDRESS_OF != null;
    }

    /**
     * The first index in [0, {@value #LINE_FLOATS}) at which {@code array}'s element starts a cache
     * line now, or 0 when that is not known (or the index {@value #FORCED_START_PROPERTY} forces). A
     * caller that starts its contents there needs {@value #LINE_FLOATS} floats of slack past them.
     */
    static int lineStart(float[] array) {
        if (FORCED_START >= 0) {
            return FORCED_START;
        }
        if (ADDRESS_OF == null) {
            return 0;
        }
        return (int) (-address(array, 0) & (LINE_BYTES - 1)) / Float.BYTES;
    }

    /**
     * Where {@code array[index]} lies in memory now ({@code index} may be the length).
     *
     * @throws IllegalStateException when native access is not known ({@link #known})
     */
    static long address(float[] array, int index) {
        if (ADDRESS_OF == null) {
            throw new IllegalStateException("the address of an array needs native access: " + describe());
        }
        MemorySegment elements = MemorySegment.ofArray(array).asSlice((long) index * Float.BYTES);
        try {
            return ((MemorySegment) ADDRESS_OF.invokeExact(elements, elements, 0L)).address();
        } catch (Throwable e) {
            throw new IllegalStateException("memmove through a critical downcall failed", e);
        }
    }

    /** For the device description: whether packed panels start on cache lines. */
    static String describe() {
        if (FORCED_START >= 0) {
            return "packed panels from index " + FORCED_START + " (" + FORCED_START_PROPERTY + ")";
        }
        return known() ? "packed panels on 64-byte lines"
                : "packed panels not line-aligned (needs --enable-native-access for this module)";
    }
}
