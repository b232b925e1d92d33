package io.gasok.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The CPU backend's one shared pool of persistent worker threads.
 *
 * <p>{@link #parallelFor(int, IntConsumer)} runs {@code parts} independent pieces of a kernel:
 * piece {@code p} always runs on thread {@code p % threads()} (the calling thread is thread 0,
 * the workers are 1 … threads-1), so a kernel that splits its work by part index gets the same
 * split, and the same results, every time for a given thread count.
 *
 * <p>Why not an {@code ExecutorService}: a GEMM call lasts from tens of microseconds to a few
 * milliseconds, and handing a task to a parked pool thread and waiting on a {@code Future} costs
 * tens of microseconds of wake-up latency per call; measured here at 2 threads it often fell back to
 * one core's speed. These workers spin for a short while after each job (a following call usually
 * comes within microseconds) and only then park.
 *
 * <p>Thread safety: any thread may call {@link #parallelFor}; one call uses the workers at a time.
 * A call that finds them busy (another thread's kernel, or a call made from inside a part) runs all
 * its parts on the calling thread, in part order, which gives the same results.
 */
public final class WorkerPool {

    /** System property that sets the shared pool's thread count (default: available processors). */
    public static final String THREADS_PROPERTY = "gasok.cpu.threads";

    /** How long an idle worker or the waiting caller spins before parking. */
    private static final long SPIN_NANOS = 100_000;

    private static volatile WorkerPool shared;

    private final int threads;
    private final Worker[] workers;
    /** Not a reentrant lock: a part that calls parallelFor must not take the workers again. */
    private final AtomicBoolean inUse = new AtomicBoolean();
    private final AtomicInteger pending = new AtomicInteger();

    // The current job; published to the workers by the volatile write of generation.
    private IntConsumer job;
    private int jobParts;
    private volatile long generation;
    private volatile Thread waitingCaller;
    private volatile Throwable failure;

    /** A pool with {@code threads} threads in all, the calling thread included. */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least 1 thread, not " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].thread.start();
        }
    }

    /** The pool every CPU kernel uses, sized by {@value #THREADS_PROPERTY} or to the cores. */
    public static WorkerPool shared() {
        WorkerPool pool = shared;
        if (pool == null) {
            synchronized (WorkerPool.class) {
                pool = shared;
                if (pool == null) {
                    pool = new WorkerPool(configuredThreads());
                    shared = pool;
                }
            }
        }
        return pool;
    }

    static int configuredThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null || value.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(value.trim());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the value that was given
        }
        throw new IllegalArgumentException(
                "system property " + THREADS_PROPERTY + " must be a positive integer, not '" + value + "'");
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code part.accept(p)} for every p in [0, parts), part p on thread {@code p % threads()},
     * and returns when all have finished. A part that throws ends its thread's share: the parts
     * after it on that thread do not run (so which parts ran depends on the thread count), the other
     * threads finish theirs, and then one exception is rethrown here: the calling thread's if it
     * threw, else the first a worker threw. Kernels write disjoint outputs, so a failed call leaves
     * its output partly written, never another's.
     */
    public void parallelFor(int parts, IntConsumer part) {
        if (parts <= 0) {
            return;
        }
        if (parts == 1 || threads == 1 || !inUse.compareAndSet(false, true)) {
            for (int p = 0; p < parts; p++) {
                part.accept(p);
            }
            return;
        }
        try {
            job = part;
            jobParts = parts;
            failure = null;
            pending.set(workers.length);
            generation = generation + 1;
            for (Worker worker : workers) {
                if (worker.parked) {
                    LockSupport.unpark(worker.thread);
                }
            }
            Throwable own = null;
            try {
                runParts(0, part, parts);
            } catch (Throwable t) {
                own = t;
            }
            awaitWorkers();
            job = null;
            Throwable first = own != null ? own : failure;
            if (first instanceof RuntimeException e) {
                throw e;
            }
            if (first instanceof Error e) {
                throw e;
            }
            if (first != null) {
                throw new IllegalStateException(first);
            }
        } finally {
            inUse.set(false);
        }
    }

    private void runParts(int thread, IntConsumer part, int parts) {
        for (int p = thread; p < parts; p += threads) {
            part.accept(p);
        }
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                waitingCaller = Thread.currentThread();
                if (pending.get() != 0) {
                    LockSupport.park(this);
                }
                waitingCaller = null;
            }
        }
    }

    private final class Worker implements Runnable {
        final int index;
        final Thread thread;
        volatile boolean parked;

        Worker(int index) {
            this.index = index;
            this.thread = new Thread(this, "gasok-cpu-" + index);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                seen = awaitJob(seen);
                try {
                    runParts(index, job, jobParts);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                }
                if (pending.decrementAndGet() == 0) {
                    Thread caller = waitingCaller;
                    if (caller != null) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Spins, then parks, until a job newer than {@code seen} is published; returns its number. */
        private long awaitJob(long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                long current = generation;
                if (current != seen) {
                    return current;
                }
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (generation == seen) {
                        LockSupport.park(WorkerPool.this);
                    }
                    parked = false;
                }
            }
        }
    }
}
