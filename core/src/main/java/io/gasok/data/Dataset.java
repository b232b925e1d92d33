package io.gasok.data;

import io.gasok.Device;
import io.gasok.Tensor;
import java.util.Arrays;

/**
 * A labelled table held on the host: {@code size} rows of {@code width} float features and one
 * integer class per row, the shape of most small classification data (keypoints, tabular data).
 * It is immutable: {@link #subset} copies the rows it picks, and the accessors return copies.
 * Tensors are made from it only when asked ({@link #features(Device)}, or batch by batch by a
 * {@link DataLoader}), so a dataset costs no device memory.
 */
public final class Dataset {
    private final float[] features;
    private final int[] labels;
    private final int width;

    /**
     * A dataset of {@code labels.length} rows; {@code features} holds them row-major, {@code width}
     * values each. Both arrays are copied. Labels must be {@code >= 0}.
     */
    public Dataset(float[] features, int[] labels, int width) {
        this(features.clone(), labels.clone(), width, true);
    }

    private Dataset(float[] features, int[] labels, int width, boolean check) {
        if (width < 1) {
            throw new IllegalArgumentException("Dataset: width must be >= 1, got " + width);
        }
        if ((long) labels.length * width != features.length) {
            throw new IllegalArgumentException("Dataset: " + features.length + " feature values are not "
                    + labels.length + " rows of " + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("Dataset: row " + i + " has negative label " + labels[i]);
            }
        }
        this.features = features;
        this.labels = labels;
        this.width = width;
    }

    /** A dataset of the given rows (each {@code width} long, all alike) and labels. */
    public static Dataset of(float[][] rows, int[] labels) {
        if (rows.length != labels.length) {
            throw new IllegalArgumentException("Dataset.of: " + rows.length + " rows but " + labels.length + " labels");
        }
        if (rows.length == 0) {
            throw new IllegalArgumentException("Dataset.of: no rows (the width is unknown)");
        }
        int width = rows[0].length;
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != width) {
                throw new IllegalArgumentException("Dataset.of: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + width);
            }
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return new Dataset(flat, labels.clone(), width, true);
    }

    public int size() {
        return labels.length;
    }

    /** Features per row. */
    public int width() {
        return width;
    }

    /** One more than the largest label (0 for an empty dataset). */
    public int classCount() {
        int max = -1;
        for (int label : labels) {
            max = Math.max(max, label);
        }
        return max + 1;
    }

    /** How many rows each class {@code 0 .. classCount() - 1} has. */
    public int[] classCounts() {
        int[] counts = new int[classCount()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Row {@code index} (a copy). */
    public float[] row(int index) {
        Checks.index(index, size(), "row");
        return Arrays.copyOfRange(features, index * width, (index + 1) * width);
    }

    public int label(int index) {
        Checks.index(index, size(), "label");
        return labels[index];
    }

    /** Every row, row-major (a copy). */
    public float[] features() {
        return features.clone();
    }

    /** Every label (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** The rows at {@code indices}, in that order (repeats allowed), as a new dataset. */
    public Dataset subset(int[] indices) {
        float[] picked = new float[indices.length * width];
        int[] pickedLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int row = indices[i];
            Checks.index(row, size(), "subset");
            System.arraycopy(features, row * width, picked, i * width, width);
            pickedLabels[i] = labels[row];
        }
        return new Dataset(picked, pickedLabels, width, false);
    }

    /** The features as a FLOAT32 tensor {@code [size, width]} on {@code device}, in the caller's scope. */
    public Tensor features(Device device) {
        return Tensor.of(device, features, size(), width);
    }

    /** The labels as an INT64 tensor {@code [size]} on {@code device}, in the caller's scope. */
    public Tensor labels(Device device) {
        long[] wide = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            wide[i] = labels[i];
        }
        return Tensor.of(device, wide, labels.length);
    }

    /** Rows {@code indices[from .. to)} gathered into {@code into} (row-major); for the loader. */
    void gather(int[] indices, int from, int to, float[] into, long[] labelsInto) {
        for (int i = from; i < to; i++) {
            System.arraycopy(features, indices[i] * width, into, (i - from) * width, width);
            labelsInto[i - from] = labels[indices[i]];
        }
    }

    @Override
    public String toString() {
        return "Dataset(" + size() + " rows of " + width + " features, " + classCount() + " classes)";
    }

    /** Argument checks shared by the package. */
    static final class Checks {
        private Checks() {}

        static void index(int index, int size, String what) {
            if (index < 0 || index >= size) {
                throw new IndexOutOfBoundsException(what + ": index " + index + " outside a dataset of " + size + " rows");
            }
        }

        static void fraction(double value, String name) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
            }
        }
    }
}
