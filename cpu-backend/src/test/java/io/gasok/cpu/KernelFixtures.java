package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.spi.Backend;
import io.gasok.spi.Operand;
import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.Random;

/**
 * Operands with the same contents on the CPU backend and on the reference backend, in random
 * layouts (offsets, permuted axes, padded rows, broadcast axes), and comparisons of whole buffers,
 * so a kernel that writes outside its view fails too. Used by the reduction, pooling,
 * upsampling and indexing tests, and (patterned operands) by the allocation tests.
 */
final class KernelFixtures {
    private KernelFixtures() {}

    static final Backend REFERENCE = Device.reference().backend();
    static final WorkerPool ONE_THREAD = new WorkerPool(1);
    static final WorkerPool TWO_THREADS = new WorkerPool(2);
    static final WorkerPool THREE_THREADS = new WorkerPool(3);

    /** Where a view's elements lie in a buffer of {@code length} elements. */
    record Layout(int offset, int[] shape, int[] strides, int length) {
        static Layout contiguous(int... shape) {
            return new Layout(0, shape, Operand.rowMajorStrides(shape), Math.max(1, Operand.sizeOf(shape)));
        }

        /** Contiguous, offset, axes permuted, rows padded, or (when {@code broadcast}) an axis of stride 0. */
        static Layout random(int[] shape, Random random, boolean broadcast) {
            int rank = shape.length;
            int offset = random.nextInt(3) == 0 ? 0 : random.nextInt(5);
            int[] order = new int[rank];
            for (int d = 0; d < rank; d++) {
                order[d] = d;
            }
            if (random.nextBoolean()) {
                for (int d = rank - 1; d > 0; d--) {
                    int other = random.nextInt(d + 1);
                    int swap = order[d];
                    order[d] = order[other];
                    order[other] = swap;
                }
            }
            int[] strides = new int[rank];
            int stride = 1;
            for (int k = rank - 1; k >= 0; k--) {
                int d = order[k];
                strides[d] = stride;
                stride *= Math.max(1, shape[d]) + (random.nextInt(4) == 0 ? random.nextInt(3) : 0);
            }
            if (broadcast && rank > 0 && random.nextInt(3) == 0) {
                strides[random.nextInt(rank)] = 0;
            }
            int last = offset;
            for (int d = 0; d < rank; d++) {
                last += Math.max(0, shape[d] - 1) * strides[d];
            }
            return new Layout(offset, shape, strides, last + 1 + random.nextInt(3));
        }
    }

    /** Random contents: floats in [-1, 1) (or small integers for ties), integers in [-50, 50], BOOL 0/1. */
    static Object values(DType dtype, int length, Random random, boolean ties) {
        Object array = dtype.newArray(length);
        for (int i = 0; i < length; i++) {
            int small = random.nextInt(7) - 3;
            switch (array) {
                case float[] a -> a[i] = ties ? small : random.nextFloat() * 2 - 1;
                case double[] a -> a[i] = ties ? small : random.nextDouble() * 2 - 1;
                case int[] a -> a[i] = random.nextInt(101) - 50;
                case long[] a -> a[i] = random.nextInt(101) - 50;
                case byte[] a -> a[i] = (byte) random.nextInt(2);
                default -> throw new IllegalStateException();
            }
        }
        return array;
    }

    /** Sets about one element in {@code oneIn} of a floating array to NaN (also ±inf when asked). */
    static void sprinkleNaN(Object array, Random random, int oneIn, boolean infinities) {
        int length = Array.getLength(array);
        for (int i = 0; i < length; i++) {
            if (random.nextInt(oneIn) == 0) {
                double value = infinities && random.nextBoolean()
                        ? (random.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : Double.NaN;
                switch (array) {
                    case float[] a -> a[i] = (float) value;
                    case double[] a -> a[i] = value;
                    default -> { }
                }
            }
        }
    }

    static Operand onCpu(DType dtype, Object values, Layout layout) {
        CpuBuffer buffer = new CpuBuffer(dtype, layout.length());
        System.arraycopy(values, 0, buffer.array(), 0, layout.length());
        return new Operand(buffer, dtype, layout.offset(), layout.shape(), layout.strides());
    }

    /**
     * A contiguous FP32 operand on the CPU backend holding a fixed pattern in [-0.5, 0.5), for
     * tests that need values but no reference (the allocation tests).
     */
    static Operand patterned(int... shape) {
        float[] values = new float[Operand.sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i * 37 % 101) / 101f - 0.5f;
        }
        return onCpu(DType.FLOAT32, values, Layout.contiguous(shape));
    }

    static Operand onReference(DType dtype, Object values, Layout layout) {
        var buffer = REFERENCE.allocate(dtype, layout.length());
        REFERENCE.write(values, 0, buffer, 0, layout.length());
        return new Operand(buffer, dtype, layout.offset(), layout.shape(), layout.strides());
    }

    /** A copy of the whole buffer behind an operand of either backend. */
    static Object contents(Operand operand) {
        int length = operand.buffer().length();
        Object array = operand.dtype().newArray(length);
        if (operand.buffer() instanceof CpuBuffer cpu) {
            System.arraycopy(cpu.array(), 0, array, 0, length);
        } else {
            REFERENCE.read(operand.buffer(), 0, array, 0, length);
            REFERENCE.free(operand.buffer());
        }
        return array;
    }

    /** Elementwise {@code |actual - expected| <= tolerance[i]}, NaN only where expected is NaN. */
    static void assertClose(Object expected, Object actual, double[] tolerance, String what) {
        int length = Array.getLength(expected);
        for (int i = 0; i < length; i++) {
            double e = ((Number) Array.get(expected, i)).doubleValue();
            double a = ((Number) Array.get(actual, i)).doubleValue();
            boolean same = Double.isNaN(e) ? Double.isNaN(a) : (e == a || Math.abs(a - e) <= tolerance[i]);
            if (!same) {
                fail(what + ": element " + i + " is " + a + ", reference " + e + " (tolerance " + tolerance[i] + ")");
            }
        }
    }

    /** Tolerance atol + rtol·|expected| per element. */
    static double[] relative(Object expected, double atol, double rtol) {
        double[] tolerance = new double[Array.getLength(expected)];
        for (int i = 0; i < tolerance.length; i++) {
            double e = ((Number) Array.get(expected, i)).doubleValue();
            tolerance[i] = atol + rtol * (Double.isFinite(e) ? Math.abs(e) : 0);
        }
        return tolerance;
    }

    static double epsilon(DType dtype) {
        return dtype == DType.FLOAT32 ? Math.ulp(1f) : dtype == DType.FLOAT64 ? Math.ulp(1.0) : 0;
    }

    static String describe(String kernel, Object... parts) {
        return kernel + " " + Arrays.deepToString(parts);
    }
}
