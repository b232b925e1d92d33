package io.gasok.spi;

import io.gasok.DType;
import java.util.Arrays;

/**
 * What a kernel sees of a tensor: a buffer, the element offset of the first element, a shape and
 * strides in elements. A view (transpose, slice, expand, broadcast) is never copied to launch a
 * kernel: a stride of 0 repeats an element, and a device buffer without pointer arithmetic (an
 * OpenCL {@code cl_mem}) takes {@link #offset()} as a kernel argument.
 *
 * <p>The arrays are owned by the operand; kernels must not modify them.
 */
public record Operand(Buffer buffer, DType dtype, int offset, int[] shape, int[] strides) {

    public Operand {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException(
                    "operand shape " + Arrays.toString(shape) + " and strides " + Arrays.toString(strides)
                            + " differ in rank");
        }
    }

    /** A contiguous row-major operand over the whole of {@code buffer}'s first elements. */
    public static Operand contiguous(Buffer buffer, int offset, int... shape) {
        return new Operand(buffer, buffer.dtype(), offset, shape, rowMajorStrides(shape));
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements (1 for a scalar, 0 when any dimension is 0). */
    public int size() {
        return sizeOf(shape);
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int stride(int axis) {
        return strides[axis];
    }

    /** True when the elements lie row-major and dense from {@link #offset()} on. */
    public boolean isContiguous() {
        if (size() == 0) {
            return true;
        }
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** The buffer index of the element at a row-major linear index of this operand. */
    public int indexOf(int linear) {
        int index = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            int extent = shape[d];
            index += (linear % extent) * strides[d];
            linear /= extent;
        }
        return index;
    }

    /** Row-major strides of a dense array of this shape. */
    public static int[] rowMajorStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return strides;
    }

    public static int sizeOf(int[] shape) {
        int size = 1;
        for (int extent : shape) {
            size = Math.multiplyExact(size, extent);
        }
        return size;
    }

    @Override
    public String toString() {
        return dtype.shortName() + Arrays.toString(shape) + " strides " + Arrays.toString(strides)
                + " offset " + offset;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Operand o && o.buffer == buffer && o.offset == offset
                && o.dtype == dtype && Arrays.equals(o.shape, shape) && Arrays.equals(o.strides, strides);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(buffer) * 31 + offset * 17 + Arrays.hashCode(shape);
    }
}
