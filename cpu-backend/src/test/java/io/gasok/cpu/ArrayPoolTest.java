package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The CPU device's memory pool: which arrays it reuses, how much it keeps, and that no two live buffers share one. */
class ArrayPoolTest {
    /** Floats in a buffer just big enough to be pooled. */
    private static final int POOLED_FLOATS = ArrayPool.SMALLEST_POOLED_BYTES / Float.BYTES;

    private final CpuBackend backend = new CpuBackend(new WorkerPool(1));

    private static Object array(Buffer buffer) {
        return ((CpuBuffer) buffer).array();
    }

    @Test
    void aFreedBufferGivesItsArrayToTheNextBufferOfTheSameDtypeAndLength() {
        Buffer first = backend.allocate(DType.FLOAT32, POOLED_FLOATS);
        Object array = array(first);
        backend.free(first);
        Buffer otherLength = backend.allocate(DType.FLOAT32, POOLED_FLOATS + 1);
        Buffer otherDtype = backend.allocate(DType.INT32, POOLED_FLOATS);
        Buffer same = backend.allocate(DType.FLOAT32, POOLED_FLOATS);
        assertNotSame(array, array(otherLength));
        assertNotSame(array, array(otherDtype));
        assertSame(array, array(same));
        assertEquals(POOLED_FLOATS, same.length());
        backend.free(same);
        backend.free(otherDtype);
        backend.free(otherLength);
    }

    @Test
    void buffersSmallerThanThePooledSizeAreNotKept() {
        Buffer small = backend.allocate(DType.FLOAT32, POOLED_FLOATS - 1);
        Object array = array(small);
        backend.free(small);
        assertEquals(0, backend.pooledBytes());
        Buffer next = backend.allocate(DType.FLOAT32, POOLED_FLOATS - 1);
        assertNotSame(array, array(next));
        backend.free(next);
    }

    @Test
    void thePoolKeepsNoMoreThanItsCapacity() {
        long arrayBytes = (long) POOLED_FLOATS * Float.BYTES;
        ArrayPool pool = new ArrayPool(3 * arrayBytes);
        List<Object> arrays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            arrays.add(pool.take(DType.FLOAT32, POOLED_FLOATS));
        }
        for (Object array : arrays) {
            pool.give(DType.FLOAT32, array, POOLED_FLOATS);
        }
        assertEquals(3 * arrayBytes, pool.pooledBytes());
        Set<Object> reused = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < 5; i++) {
            reused.add(pool.take(DType.FLOAT32, POOLED_FLOATS));
        }
        assertEquals(3, pool.reused(), "the three kept arrays are handed out again, then new ones");
        assertEquals(5, reused.size());
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void arraysTheCollectorTookNoLongerCountAgainstTheCapacity() {
        long arrayBytes = (long) POOLED_FLOATS * Float.BYTES;
        ArrayPool pool = new ArrayPool(2 * arrayBytes);
        pool.give(DType.FLOAT32, new float[POOLED_FLOATS], POOLED_FLOATS);
        pool.give(DType.FLOAT32, new float[POOLED_FLOATS], POOLED_FLOATS);
        assertEquals(2 * arrayBytes, pool.pooledBytes());
        pool.pooledReferences().forEach(java.lang.ref.Reference::enqueue);   // as the collector clears them
        float[] kept = new float[POOLED_FLOATS];
        pool.give(DType.FLOAT32, kept, POOLED_FLOATS);
        assertEquals(arrayBytes, pool.pooledBytes(), "the cleared references left the pool, the new array is kept");
        assertSame(kept, pool.take(DType.FLOAT32, POOLED_FLOATS));
        assertEquals(0, pool.pooledBytes());
    }

    @Test
    void aBufferFreedTwiceIsAnErrorAndItsArrayIsKeptOnce() {
        Buffer buffer = backend.allocate(DType.FLOAT64, POOLED_FLOATS);
        backend.free(buffer);
        assertThrows(IllegalStateException.class, () -> backend.free(buffer));
        Buffer a = backend.allocate(DType.FLOAT64, POOLED_FLOATS);
        Buffer b = backend.allocate(DType.FLOAT64, POOLED_FLOATS);
        assertNotSame(array(a), array(b));
        backend.free(a);
        backend.free(b);
    }

    @Test
    void newAndRecycledBuffersArePoisonedInTheTests() {
        assertTrue(Boolean.getBoolean(ArrayPool.POISON_PROPERTY),
                "the build runs the tests with -D" + ArrayPool.POISON_PROPERTY + "=true (pom.xml)");
        Buffer buffer = backend.allocate(DType.FLOAT32, POOLED_FLOATS);
        float[] values = (float[]) array(buffer);
        values[0] = 1;
        backend.free(buffer);
        Buffer recycled = backend.allocate(DType.FLOAT32, POOLED_FLOATS);
        assertSame(values, array(recycled));
        assertTrue(Float.isNaN(values[0]) && Float.isNaN(values[POOLED_FLOATS - 1]));
        backend.free(recycled);
    }

    @Test
    void threadsAllocatingAndFreeingAtOnceNeverShareAnArray() throws Exception {
        Set<Object> live = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        long liveBefore = backend.liveBuffers();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t + 1;
                done.add(threads.submit(() -> {
                    for (int cycle = 0; cycle < 2000; cycle++) {
                        Buffer buffer = backend.allocate(DType.INT32, POOLED_FLOATS + cycle % 3);
                        int[] values = (int[]) array(buffer);
                        assertTrue(live.add(values), "an array handed to two live buffers");
                        values[0] = id;
                        values[values.length - 1] = id;
                        Thread.yield();
                        assertEquals(id, values[0]);
                        assertEquals(id, values[values.length - 1]);
                        live.remove(values);
                        backend.free(buffer);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(liveBefore, backend.liveBuffers());
    }
}
