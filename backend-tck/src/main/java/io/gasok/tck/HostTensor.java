package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * A tensor's logical contents on the host, row-major, every dtype held as doubles (integers in the
 * TCK stay far below 2^53, so they are exact; BOOL is 0 or 1). It is the TCK's independent model:
 * the oracles compute on it with plain index arithmetic, never through a backend.
 */
public record HostTensor(DType dtype, int[] shape, double[] values) {

    public HostTensor {
        if (values.length != Operand.sizeOf(shape)) {
            throw new IllegalArgumentException(values.length + " values for shape " + Arrays.toString(shape));
        }
    }

    /** Reads a tensor element by element without any cast kernel (the dtype's own host array). */
    public static HostTensor of(Tensor tensor) {
        double[] values = new double[tensor.numel()];
        switch (tensor.dtype()) {
            case FLOAT32 -> {
                float[] data = tensor.toFloatArray();
                for (int i = 0; i < data.length; i++) {
                    values[i] = data[i];
                }
            }
            case FLOAT64 -> System.arraycopy(tensor.toDoubleArray(), 0, values, 0, values.length);
            case INT32 -> {
                int[] data = tensor.toIntArray();
                for (int i = 0; i < data.length; i++) {
                    values[i] = data[i];
                }
            }
            case INT64 -> {
                long[] data = tensor.toLongArray();
                for (int i = 0; i < data.length; i++) {
                    values[i] = data[i];
                }
            }
            case BOOL -> {
                boolean[] data = tensor.toBooleanArray();
                for (int i = 0; i < data.length; i++) {
                    values[i] = data[i] ? 1 : 0;
                }
            }
        }
        return new HostTensor(tensor.dtype(), tensor.shape(), values);
    }

    /** A tensor of this dtype, shape and contents, zero-filled, the value {@code fill} everywhere. */
    public static HostTensor full(DType dtype, int[] shape, double fill) {
        double[] values = new double[Operand.sizeOf(shape)];
        Arrays.fill(values, fill);
        return new HostTensor(dtype, shape.clone(), values);
    }

    /** The shape (a copy: callers may change it). */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return values.length;
    }

    public int rank() {
        return shape.length;
    }

    public double get(int flat) {
        return values[flat];
    }

    /** The element at a multi-index. */
    public double at(int... index) {
        return values[flatIndex(shape, index)];
    }

    /** A host array of the dtype ({@code float[]}, ..., {@code byte[]} for BOOL) with the values. */
    public Object hostArray() {
        return toHostArray(dtype, values);
    }

    static Object toHostArray(DType dtype, double[] values) {
        Object array = dtype.newArray(values.length);
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            switch (array) {
                case float[] a -> a[i] = (float) v;
                case double[] a -> a[i] = v;
                case int[] a -> a[i] = (int) v;
                case long[] a -> a[i] = (long) v;
                case byte[] a -> a[i] = (byte) (v != 0 ? 1 : 0);
                default -> throw new IllegalStateException();
            }
        }
        return array;
    }

    /** A new dense tensor on {@code device} holding these values (rank 0 included). */
    public Tensor toTensor(Device device) {
        return dense(device, dtype, shape, values);
    }

    static Tensor dense(Device device, DType dtype, int[] shape, double[] values) {
        Object array = toHostArray(dtype, values);
        if (shape.length == 0) {
            return Tensor.of(device, array, 1).reshape();
        }
        return Tensor.of(device, array, shape);
    }

    /** The same values with each passed through {@code f}. */
    public HostTensor map(DType resultType, java.util.function.DoubleUnaryOperator f) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(values[i]);
        }
        return new HostTensor(resultType, shape, out);
    }

    /** Element-wise absolute values (the magnitude operand of an accumulation bound). */
    public HostTensor abs() {
        return map(dtype, Math::abs);
    }

    /** {@code dtype[2, 3]}. */
    public String describe() {
        return dtype.shortName() + Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return describe() + (values.length <= 24 ? " " + Arrays.toString(values) : "");
    }

    // ---------------------------------------------------------------- index arithmetic

    public static int[] rowMajorStrides(int[] shape) {
        return Operand.rowMajorStrides(shape);
    }

    public static int flatIndex(int[] shape, int[] index) {
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    public static int[] multiIndex(int[] shape, int flat) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] == 0) {
                return index;
            }
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /** NumPy's broadcast of two shapes, or null when they do not broadcast. */
    public static int[] broadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The element of this tensor that element {@code outIndex} of a broadcast result reads. */
    public double broadcastAt(int[] outIndex) {
        int lead = outIndex.length - shape.length;
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            int i = shape[d] == 1 ? 0 : outIndex[lead + d];
            flat = flat * shape[d] + i;
        }
        return values[flat];
    }
}
