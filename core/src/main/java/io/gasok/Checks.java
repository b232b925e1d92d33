package io.gasok;

import java.util.Arrays;

/** The checks ops make before launching, with messages that name the op and its operands. */
final class Checks {
    private Checks() {}

    static IllegalArgumentException error(String op, String problem, Tensor... operands) {
        StringBuilder text = new StringBuilder(op).append(": ").append(problem);
        if (operands.length > 0) {
            text.append(" (operands: ");
            for (int i = 0; i < operands.length; i++) {
                text.append(i == 0 ? "" : ", ").append(operands[i] == null ? "none" : operands[i].describe());
            }
            text.append(')');
        }
        return new IllegalArgumentException(text.toString());
    }

    /** All tensors live on one device; moving is explicit ({@link Tensor#to(Device)}). */
    static Device sameDevice(String op, Tensor... tensors) {
        Device device = null;
        for (Tensor tensor : tensors) {
            if (tensor == null) {
                continue;
            }
            tensor.checkOpen(op);
            if (device == null) {
                device = tensor.device();
            } else if (tensor.device() != device) {
                throw error(op, "operands are on different devices (" + device + " and " + tensor.device()
                        + "); move one with to(device)", tensors);
            }
        }
        return device;
    }

    static void floating(String op, Tensor tensor) {
        if (!tensor.dtype().isFloating()) {
            throw error(op, "needs a floating dtype, got " + tensor.dtype().shortName(), tensor);
        }
    }

    static void rank(String op, Tensor tensor, int rank) {
        if (tensor.rank() != rank) {
            throw error(op, "expects a rank-" + rank + " tensor, got rank " + tensor.rank(), tensor);
        }
    }

    static void dtype(String op, Tensor tensor, io.gasok.DType... allowed) {
        for (io.gasok.DType dtype : allowed) {
            if (tensor.dtype() == dtype) {
                return;
            }
        }
        throw error(op, "expects dtype " + Arrays.toString(allowed) + ", got " + tensor.dtype().shortName(), tensor);
    }

    /** Normalises a possibly negative axis for a tensor of {@code rank} dimensions. */
    static int axis(String op, int axis, int rank) {
        int normalised = axis < 0 ? axis + rank : axis;
        if (normalised < 0 || normalised >= Math.max(rank, 1) || (rank == 0 && normalised != 0)) {
            throw new IllegalArgumentException(op + ": axis " + axis + " out of range for rank " + rank);
        }
        return normalised;
    }

    /** The NumPy broadcast of two shapes, or an error naming the op and both shapes. */
    static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and "
                        + Arrays.toString(b) + " do not broadcast (axis " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }
}
