package io.gasok.cpu;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Where in a {@code float[]} a 64-byte cache line starts, so that packed GEMM panels can start on
 * one and every vector load of them stays within a line.
 *
 * <p>Why: the JVM places an array's elements 16 bytes past an 8-byte aligned object start, so a
 * packing buffer's element 0 lies anywhere in a line, the same buffer moves when the collector
 * copies it, and a 512-bit load that is not line aligned touches two lines. On the AVX-512 Xeon
 * host of the lent GPU machine (2026-11-26, objects forced to 64-byte alignment so that the offset
 * alone decided, {@code -XX:ObjectAlignmentInBytes=64}) the 6 × 4 micro-kernel streaming a 128 KiB B
 * micro-panel from L2 ran at 173 GFLOP/s from a line start and 154 from each of the 15 other
 * offsets; whole one-thread GEMMs 512³-2048³ were 1.08-1.10x faster with the packed B block at a
 * line start. From L1 (a 32 KiB panel) the offset made no difference. This also spread repeated
 * measurements: each JVM's buffers landed at another offset.
 *
 * <p>How: Java has no API for an array's address, but a critical downcall may take a heap segment
 * (the array pinned for the call's length) and hands the native function the address of its
 * elements; {@code memmove(p, p, 0)} returns it and touches nothing. That needs native access for
 * this module ({@code --enable-native-access=ALL-UNNAMED} on the class path, as {@code ./gasok} and
 * the build run, or {@code =io.gasok.cpu} on the module path). Without it, or where there is no
 * native linker or no memmove, {@link #lineStart} answers 0 and the panels start where the array does, as they
 * did before; {@link #describe} says which. The answer holds until the collector next moves the
 * array, so callers ask again for each block they pack: a wrong guess costs speed, never a result.
 */
final class CacheLines {

    /** Bytes in a cache line. */
    static final int LINE_BYTES = 64;
    /** Floats in a cache line: the slack a buffer needs to start its contents on one. */
    static final int LINE_FLOATS = LINE_BYTES / Float.BYTES;

    /** {@code memmove(dst, src, n)} returning dst, heap segments allowed; null without native access. */
    private static final MethodHandle ADDRESS_OF = addressOf();

    private CacheLines() {
    }

    private static MethodHandle addressOf() {
        if (!CacheLines.class.getModule().isNativeAccessEnabled()) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("memmove")
                    .map(memmove -> linker.downcallHandle(memmove,
                            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG), Linker.Option.critical(true)))
                    .orElse(null);
        } catch (UnsupportedOperationException e) {
            // A platform without a native linker: the panels start where the arrays do.
            return null;
        }
    }

    /** Whether {@link #lineStart} knows where arrays lie. */
    static boolean known() {
        return ADDRESS_OF != null;
    }

    /**
     * The first index in [0, {@value #LINE_FLOATS}) at which {@code array}'s element starts a cache
     * line now, or 0 when that is not known. A caller that starts its contents there needs
     * {@value #LINE_FLOATS} floats of slack past them.
     */
    static int lineStart(float[] array) {
        if (ADDRESS_OF == null) {
            return 0;
        }
        MemorySegment elements = MemorySegment.ofArray(array);
        long address;
        try {
            address = ((MemorySegment) ADDRESS_OF.invokeExact(elements, elements, 0L)).address();
        } catch (Throwable e) {
            throw new IllegalStateException("memmove through a critical downcall failed", e);
        }
        return (int) (-address & (LINE_BYTES - 1)) / Float.BYTES;
    }

    /** For the device description: whether packed panels start on cache lines. */
    static String describe() {
        return known() ? "packed panels on 64-byte lines"
                : "packed panels not line-aligned (needs --enable-native-access for this module)";
    }
}
