package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    private static final WorkerPool THREE_THREADS = new WorkerPool(3);

    @Test
    void runsEveryPartOnceOnTheThreadItsIndexNames() {
        for (int parts : new int[] {1, 2, 3, 7, 50}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(parts);
            String[] threadNames = new String[parts];
            String caller = Thread.currentThread().getName();
            THREE_THREADS.parallelFor(parts, part -> {
                runs.incrementAndGet(part);
                threadNames[part] = Thread.currentThread().getName();
            });
            for (int part = 0; part < parts; part++) {
                assertEquals(1, runs.get(part), "runs of part " + part);
                String expected = parts == 1 || part % 3 == 0 ? caller : "gasok-cpu-" + (part % 3);
                assertEquals(expected, threadNames[part], "thread of part " + part + " of " + parts);
            }
        }
    }

    @Test
    void survivesManyShortJobsInARow() {
        WorkerPool pool = new WorkerPool(2);
        long[] sums = new long[2];
        for (int round = 0; round < 2_000; round++) {
            int value = round;
            pool.parallelFor(2, part -> sums[part] += value);
        }
        long expected = 2_000L * 1_999 / 2;
        assertArrayEquals(new long[] {expected, expected}, sums);
    }

    @Test
    void rethrowsWhatAPartThrowsAndStaysUsable() {
        IllegalStateException thrown = new IllegalStateException("part 2 failed");
        IllegalStateException caught = assertThrows(IllegalStateException.class,
                () -> THREE_THREADS.parallelFor(3, part -> {
                    if (part == 2) {
                        throw thrown;
                    }
                }));
        assertSame(thrown, caught);
        AtomicIntegerArray runs = new AtomicIntegerArray(3);
        THREE_THREADS.parallelFor(3, runs::incrementAndGet);
        assertEquals(3, runs.get(0) + runs.get(1) + runs.get(2));
    }

    @Test
    void runsANestedCallOnTheCallingThread() {
        AtomicIntegerArray runs = new AtomicIntegerArray(6);
        THREE_THREADS.parallelFor(2, outer -> {
            String thread = Thread.currentThread().getName();
            THREE_THREADS.parallelFor(3, inner -> {
                if (Thread.currentThread().getName().equals(thread)) {
                    runs.incrementAndGet(outer * 3 + inner);
                }
            });
        });
        for (int i = 0; i < 6; i++) {
            assertEquals(1, runs.get(i), "nested part " + i);
        }
    }

    @Test
    void takesItsThreadCountFromTheSystemProperty() {
        String previous = System.getProperty(WorkerPool.THREADS_PROPERTY);
        try {
            System.setProperty(WorkerPool.THREADS_PROPERTY, "3");
            assertEquals(3, WorkerPool.configuredThreads());
            System.clearProperty(WorkerPool.THREADS_PROPERTY);
            assertEquals(Runtime.getRuntime().availableProcessors(), WorkerPool.configuredThreads());
            System.setProperty(WorkerPool.THREADS_PROPERTY, "zero");
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    WorkerPool::configuredThreads);
            assertEquals("system property gasok.cpu.threads must be a positive integer, not 'zero'",
                    error.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(WorkerPool.THREADS_PROPERTY);
            } else {
                System.setProperty(WorkerPool.THREADS_PROPERTY, previous);
            }
        }
    }
}
