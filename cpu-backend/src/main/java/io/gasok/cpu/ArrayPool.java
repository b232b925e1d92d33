package io.gasok.cpu;

import io.gasok.DType;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU device's memory pool: the heap arrays of freed buffers, kept for the next buffer of the
 * same dtype and length (DESIGN §5: device memory is pooled per device). A new Java array is
 * zeroed by the JVM, one pass over its memory that every kernel then writes again: a 96×40×40
 * depthwise convolution spent a third of its time in that memset on one thread, and an add of 16M
 * floats writes 64 MiB twice. A recycled array is handed out as it was left; the SPI's
 * {@code allocate} promises nothing about a new buffer's contents, and every kernel writes its
 * whole output before reading it (the tests fill every new buffer with NaN to hold them to that,
 * {@link #POISON_PROPERTY}).
 *
 * <p>What is kept, and for how long:
 * <ul>
 *   <li>Only arrays of at least {@value #SMALLEST_POOLED_BYTES} bytes: a smaller one comes from the
 *       allocating thread's TLAB for less than a lookup here costs (the gesture MLP's tensors are a
 *       few hundred floats).
 *   <li>Lengths match exactly (no size classes, unlike the OpenCL pool): an array is exactly as
 *       long as its buffer, as when it was new, and the loops that reuse buffers (training steps,
 *       frames of a video) repeat the same shapes.
 *   <li>At most {@code capacityBytes} in all (a quarter of the maximum heap by default); a freed
 *       array beyond that is left to the garbage collector.
 *   <li>Held through {@link SoftReference}s: the collector may take pooled arrays whenever the heap
 *       needs the room, so the pool never causes an {@link OutOfMemoryError} that would not
 *       otherwise happen; the references it clears leave the free lists (and the byte count) at
 *       the next take or give.
 * </ul>
 *
 * <p>Thread safe: one lock guards the free lists (a device may be used from many threads).
 */
final class ArrayPool {
    /** Smallest array, in bytes, that the pool keeps. */
    static final int SMALLEST_POOLED_BYTES = 1 << 16;
    /** System property: when {@code true}, every new buffer is filled with NaN (or a marker for integers). */
    static final String POISON_PROPERTY = "gasok.cpu.poisonBuffers";

    private record Key(DType dtype, int length) {
        long bytes() {
            return ArrayPool.bytes(dtype, length);
        }
    }

    /** A pooled array, softly held; the collector queues it on {@link #collected} when it takes the array. */
    private static final class Pooled extends SoftReference<Object> {
        final Key key;

        Pooled(Object array, Key key, ReferenceQueue<Object> queue) {
            super(array, queue);
            this.key = key;
        }
    }

    private final long capacityBytes;
    private final Map<Key, ArrayDeque<Pooled>> freeLists = new HashMap<>();
    private final ReferenceQueue<Object> collected = new ReferenceQueue<>();
    /** Bytes of the arrays in the free lists (those the collector took leave at the next take or give). */
    private long pooledBytes;
    private long reused;

    ArrayPool(long capacityBytes) {
        this.capacityBytes = capacityBytes;
    }

    /** A pool of at most a quarter of the heap the JVM may grow to. */
    static ArrayPool forHeap() {
        return new ArrayPool(Runtime.getRuntime().maxMemory() / 4);
    }

    /** An array for a buffer of {@code length} elements of {@code dtype}: a pooled one, or a new one. */
    Object take(DType dtype, int length) {
        if (pooled(dtype, length)) {
            synchronized (this) {
                dropCollected();
                Key key = new Key(dtype, length);
                ArrayDeque<Pooled> free = freeLists.get(key);
                while (free != null && !free.isEmpty()) {
                    Object array = free.pop().get();
                    pooledBytes -= key.bytes();
                    if (array != null) {
                        reused++;
                        return array;
                    }
                }
            }
        }
        return dtype.newArray(length);
    }

    /** Keeps the array of a freed buffer for reuse, if it is big enough and the pool has room. */
    void give(DType dtype, Object array, int length) {
        if (!pooled(dtype, length)) {
            return;
        }
        Key key = new Key(dtype, length);
        synchronized (this) {
            dropCollected();
            if (pooledBytes + key.bytes() > capacityBytes) {
                return;
            }
            freeLists.computeIfAbsent(key, k -> new ArrayDeque<>()).push(new Pooled(array, key, collected));
            pooledBytes += key.bytes();
        }
    }

    /**
     * Takes the references whose arrays the collector took out of their free lists, so that their
     * bytes no longer count against the capacity (a pool full of cleared references would keep
     * nothing). A reference already popped by {@link #take} is no longer in its list.
     */
    private void dropCollected() {
        for (Reference<?> reference; (reference = collected.poll()) != null; ) {
            Pooled pooled = (Pooled) reference;
            ArrayDeque<Pooled> free = freeLists.get(pooled.key);
            if (free != null && free.remove(pooled)) {
                pooledBytes -= pooled.key.bytes();
            }
        }
    }

    /** The references in the free lists, for a test standing in for the collector ({@code Reference.enqueue}). */
    synchronized List<Reference<Object>> pooledReferences() {
        List<Reference<Object>> all = new ArrayList<>();
        freeLists.values().forEach(all::addAll);
        return all;
    }

    /** Bytes held in the free lists (an upper bound: the collector may have taken some). */
    synchronized long pooledBytes() {
        return pooledBytes;
    }

    /** How many allocations were served from the pool. */
    synchronized long reused() {
        return reused;
    }

    private static boolean pooled(DType dtype, int length) {
        return bytes(dtype, length) >= SMALLEST_POOLED_BYTES;
    }

    private static long bytes(DType dtype, int length) {
        return (long) length * dtype.byteSize();
    }
}
