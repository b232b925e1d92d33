package io.gasok.nn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A seed and an advancing offset into the counter-based generator behind
 * {@link io.gasok.Tensor#random}: each draw of n numbers takes counters {@code offset ..
 * offset + n - 1} and moves the offset past them, so a run seeded the same way draws the same
 * numbers on every backend (as PyTorch's Philox seed and offset do).
 *
 * <p>Layers built without a generator draw from {@link #global()}, which {@link #manualSeed}
 * resets (like {@code torch.manual_seed}); two models built in the same order after the same
 * seed are identical. Thread-safe: concurrent draws get disjoint counters.
 */
public final class Generator {
    private static volatile Generator global = new Generator(0);

    private final long seed;
    private final AtomicLong offset;

    public Generator(long seed) {
        this(seed, 0);
    }

    public Generator(long seed, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Generator: offset must be >= 0, got " + offset);
        }
        this.seed = seed;
        this.offset = new AtomicLong(offset);
    }

    /** The generator layers use when none is given. */
    public static Generator global() {
        return global;
    }

    /** Replaces the global generator by a fresh one with {@code seed} and offset 0. */
    public static void manualSeed(long seed) {
        global = new Generator(seed);
    }

    public long seed() {
        return seed;
    }

    /** The counter the next draw starts at. */
    public long offset() {
        return offset.get();
    }

    /** Reserves {@code count} counters and returns the first. */
    public long advance(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("Generator.advance: count must be >= 0, got " + count);
        }
        return offset.getAndAdd(count);
    }
}
