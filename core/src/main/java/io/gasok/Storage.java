package io.gasok;

import io.gasok.spi.Buffer;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A device buffer shared by a tensor and its views, with a reference count (one per tensor
 * object using it) and a version counter that in-place ops bump, so autograd can tell that a
 * tensor saved for backward was changed.
 *
 * <p>A {@link Cleaner} watches every storage only to report leaks: a storage that becomes
 * unreachable without being released is counted (and logged once). It never frees memory itself.
 */
final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LEAKS = new AtomicLong();
    private static final System.Logger LOG = System.getLogger("io.gasok");

    final Device device;
    final Buffer buffer;
    private final LeakWatch watch;
    private final Cleaner.Cleanable cleanable;
    /** Atomic: views of a model's parameters are made and closed from many threads during inference. */
    private final AtomicInteger references = new AtomicInteger(1);
    private int version;

    Storage(Device device, Buffer buffer) {
        this.device = device;
        this.buffer = buffer;
        this.watch = new LeakWatch(device.name(), buffer.dtype().shortName(), buffer.length());
        this.cleanable = CLEANER.register(this, watch);
    }

    void retain() {
        int current;
        do {
            current = references.get();
            if (current <= 0) {
                throw new IllegalStateException("tensor storage on " + device + " was already freed");
            }
        } while (!references.compareAndSet(current, current + 1));
    }

    void release() {
        int current;
        do {
            current = references.get();
            if (current <= 0) {
                return;
            }
        } while (!references.compareAndSet(current, current - 1));
        if (current == 1) {
            watch.released = true;
            cleanable.clean();
            device.backend().free(buffer);
        }
    }

    /** True when more than one tensor object uses this storage (views of one another). */
    boolean isShared() {
        return references.get() > 1;
    }

    boolean isReleased() {
        return references.get() <= 0;
    }

    int version() {
        return version;
    }

    void bumpVersion() {
        version++;
    }

    /** Storages that became unreachable without being closed, since the JVM started. */
    static long leaks() {
        return LEAKS.get();
    }

    private static final class LeakWatch implements Runnable {
        private final String device;
        private final String dtype;
        private final int length;
        private volatile boolean released;

        LeakWatch(String device, String dtype, int length) {
            this.device = device;
            this.dtype = dtype;
            this.length = length;
        }

        @Override
        public void run() {
            if (!released && LEAKS.getAndIncrement() == 0) {
                LOG.log(System.Logger.Level.WARNING, "a tensor ({0}[{1}] on {2}) was garbage-collected without"
                        + " being closed; open a Scope around temporary work or close tensors (further leaks"
                        + " are only counted)", dtype, length, device);
            }
        }
    }
}
