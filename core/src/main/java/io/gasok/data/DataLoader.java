package io.gasok.data;

import io.gasok.Device;
import io.gasok.Tensor;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Mini-batches of a {@link Dataset} as tensors, epoch by epoch: with {@code shuffle}, epoch
 * {@code e} visits the rows in a permutation drawn from {@code (seed, e)} alone, so a run can be
 * repeated, resumed at any epoch, and gives the same batches on every device. The last batch of an
 * epoch is smaller when the batch size does not divide the rows (Keras' and PyTorch's default).
 *
 * <p>Each batch is gathered on the host (into staging arrays reused from batch to batch) and copied
 * to the device in one write per tensor; the
 * tensors belong to the caller's {@link io.gasok.Scope}, so a training step that opens a scope per
 * batch frees them with the step.
 */
public final class DataLoader {
    private static final long EPOCH_STRIDE = 0x9E3779B97F4A7C15L;

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;

    /** One batch: features {@code [size, width]} (FLOAT32) and labels {@code [size]} (INT64). */
    public record Batch(Tensor features, Tensor labels, int size) {}

    public DataLoader(Dataset data, int batchSize, boolean shuffle, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch. */
    public int batchCount() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /** The order epoch {@code epoch} visits the rows in: a seeded permutation, or 0, 1, ... without shuffling. */
    public int[] order(long epoch) {
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            shuffle(order, new SplittableRandom(seed + EPOCH_STRIDE * (epoch + 1)));
        }
        return order;
    }

    /** The batches of epoch {@code epoch} on {@code device}, made one by one as the iteration reaches them. */
    public Iterable<Batch> epoch(long epoch, Device device) {
        int[] order = order(epoch);
        int width = data.width();
        return () -> new Iterator<>() {
            private int next;
            // Host staging for full batches, reused: the tensors copy them.
            private final float[] fullFeatures = new float[Math.min(batchSize, order.length) * width];
            private final long[] fullLabels = new long[Math.min(batchSize, order.length)];

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the epoch has no more batches");
                }
                int end = Math.min(order.length, next + batchSize);
                int size = end - next;
                boolean full = size == fullLabels.length;
                float[] features = full ? fullFeatures : new float[size * width];
                long[] labels = full ? fullLabels : new long[size];
                data.gather(order, next, end, features, labels);
                next = end;
                return new Batch(Tensor.of(device, features, size, width), Tensor.of(device, labels, size), size);
            }
        };
    }

    /** Fisher-Yates in place. */
    static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
