package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;
import java.util.Random;

/**
 * The same host data in a reference-backend buffer and a CPU-backend buffer, viewed through the
 * same layout (offset, shape, strides), so a kernel can run on both and the whole buffers be
 * compared afterwards (elements outside the view included: neither backend may touch them).
 *
 * <p>Random data mixes ordinary values with the edge values of the dtype: NaN, ±inf, ±0, ±1, large
 * and tiny magnitudes for floats; int64 values beyond 2⁵³ (exactness) and the int32 limits.
 */
final class TwinOperands {
    static final Backend REFERENCE = Device.reference().backend();

    private static final double[] FLOAT_EDGES = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            0.0, -0.0, 1, -1, 100, -100, 1e-30, -1e-30, 0.5, 2};

    final Operand reference;
    final Operand cpu;

    private TwinOperands(Operand reference, Operand cpu) {
        this.reference = reference;
        this.cpu = cpu;
    }

    /** A buffer of {@code length} random elements viewed as (offset, shape, strides). */
    static TwinOperands random(DType dtype, int length, int offset, int[] shape, int[] strides, Random random) {
        return of(randomArray(dtype, length, random), offset, shape, strides);
    }

    /** A contiguous random operand of {@code shape}. */
    static TwinOperands contiguous(DType dtype, Random random, int... shape) {
        return random(dtype, Operand.sizeOf(shape), 0, shape, Operand.rowMajorStrides(shape), random);
    }

    static TwinOperands of(Object host, int offset, int[] shape, int[] strides) {
        DType dtype = DType.ofArray(host);
        int length = java.lang.reflect.Array.getLength(host);
        Buffer referenceBuffer = REFERENCE.allocate(dtype, length);
        REFERENCE.write(host, 0, referenceBuffer, 0, length);
        CpuBuffer cpuBuffer = new CpuBuffer(dtype, length);
        System.arraycopy(host, 0, cpuBuffer.array(), 0, length);
        return new TwinOperands(new Operand(referenceBuffer, dtype, offset, shape, strides),
                new Operand(cpuBuffer, dtype, offset, shape, strides));
    }

    /** Another view (offset, shape, strides) of the same two buffers. */
    TwinOperands view(int offset, int[] shape, int[] strides) {
        return new TwinOperands(new Operand(reference.buffer(), reference.dtype(), offset, shape, strides),
                new Operand(cpu.buffer(), cpu.dtype(), offset, shape, strides));
    }

    static Object randomArray(DType dtype, int length, Random random) {
        Object array = dtype.newArray(length);
        for (int i = 0; i < length; i++) {
            boolean edge = random.nextInt(8) == 0;
            switch (array) {
                case float[] a -> a[i] = (float) (edge ? FLOAT_EDGES[random.nextInt(FLOAT_EDGES.length)]
                        : random.nextDouble(-3, 3));
                case double[] a -> a[i] = edge ? FLOAT_EDGES[random.nextInt(FLOAT_EDGES.length)] : random.nextDouble(-3, 3);
                case int[] a -> a[i] = edge ? (random.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE + 1)
                        : random.nextInt(-40, 41);
                case long[] a -> a[i] = edge ? random.nextLong(-(1L << 62), 1L << 62) : random.nextLong(-40, 41);
                case byte[] a -> a[i] = (byte) random.nextInt(2);
                default -> throw new AssertionError(array);
            }
        }
        return array;
    }

    /** The whole CPU buffer. */
    Object cpuArray() {
        return CpuBuffer.array(cpu);
    }

    /** The whole reference buffer, read back. */
    Object referenceArray() {
        Buffer buffer = reference.buffer();
        Object host = buffer.dtype().newArray(buffer.length());
        REFERENCE.read(buffer, 0, host, 0, buffer.length());
        return host;
    }

    /**
     * Fails unless the two buffers agree element by element: floats within
     * {@code atol + rtol·|reference|} (NaN only with NaN, infinities exactly), integers exactly.
     */
    void assertBuffersAgree(double atol, double rtol, String what) {
        Object expected = referenceArray();
        Object actual = cpuArray();
        int length = java.lang.reflect.Array.getLength(expected);
        for (int i = 0; i < length; i++) {
            if (expected instanceof float[] || expected instanceof double[]) {
                double e = java.lang.reflect.Array.getDouble(expected, i);
                double a = java.lang.reflect.Array.getDouble(actual, i);
                boolean agree = Double.isNaN(e) ? Double.isNaN(a)
                        : Double.isInfinite(e) ? e == a : Math.abs(a - e) <= atol + rtol * Math.abs(e);
                if (!agree) {
                    fail(what + ": element " + i + " is " + a + ", reference " + e);
                }
            } else {
                long e = java.lang.reflect.Array.getLong(expected, i);
                long a = java.lang.reflect.Array.getLong(actual, i);
                if (e != a) {
                    fail(what + ": element " + i + " is " + a + ", reference " + e);
                }
            }
        }
    }

    /** float32: 1e-6 + 1e-5·|ref|; float64: 1e-13 + 1e-12·|ref|; integers exact. */
    void assertBuffersAgree(String what) {
        if (cpu.dtype() == DType.FLOAT32) {
            assertBuffersAgree(1e-6, 1e-5, what);
        } else {
            assertBuffersAgree(1e-13, 1e-12, what);
        }
    }
}
