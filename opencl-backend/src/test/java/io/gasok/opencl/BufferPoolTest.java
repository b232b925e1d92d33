package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The device memory pool: reuse by size class, a bounded pool, and exact live counts. */
class BufferPoolTest {

    @Test
    void tenThousandAllocateFreeCyclesLeaveNothingLiveAndThePoolBounded() {
        OpenClBackend backend = OpenClTestBackend.backend();
        long liveBefore = backend.liveBuffers();
        Random random = new Random(31);
        ArrayDeque<Buffer> held = new ArrayDeque<>();
        for (int cycle = 0; cycle < 10_000; cycle++) {
            DType dtype = DType.values()[random.nextInt(DType.values().length)];
            held.push(backend.allocate(dtype, random.nextInt(5000)));
            if (held.size() > 8 || random.nextBoolean()) {
                backend.free(held.removeLast());
            }
        }
        while (!held.isEmpty()) {
            backend.free(held.pop());
        }
        assertEquals(liveBefore, backend.liveBuffers(), "every allocated buffer is freed");
        int sizeClasses = Long.numberOfTrailingZeros(BufferPool.sizeClass(5000L * 8)) - 7;
        assertTrue(backend.pooledBuffers() <= (long) sizeClasses * 9 + 16,
                "the pool keeps at most the live peak per size class, holds " + backend.pooledBuffers());
    }

    @Test
    void sizeClassesArePowersOfTwoFromTheSmallestClass() {
        assertEquals(256, BufferPool.sizeClass(0));
        assertEquals(256, BufferPool.sizeClass(256));
        assertEquals(512, BufferPool.sizeClass(257));
        assertEquals(1L << 31, BufferPool.sizeClass((1L << 30) + 1));
    }

    @Test
    void aBufferFreedTwiceIsAnError() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Buffer buffer = backend.allocate(DType.FLOAT32, 10);
        backend.free(buffer);
        assertThrows(IllegalStateException.class, () -> backend.free(buffer));
    }
}
