package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * A CPU-backend buffer: one heap array of the dtype's host type ({@code float[]}, {@code double[]},
 * {@code int[]}, {@code long[]}, {@code byte[]} of 0/1 for BOOL). The Vector API is fastest on heap
 * arrays, and they move to and from the other backends without conversion.
 */
final class CpuBuffer implements Buffer {
    private static final boolean POISON = Boolean.getBoolean(ArrayPool.POISON_PROPERTY);

    private final DType dtype;
    private final Object array;
    private final int length;
    private volatile boolean freed;

    CpuBuffer(DType dtype, int length) {
        this(dtype, dtype.newArray(length), length);
    }

    /**
     * A buffer over {@code array}, an array of {@code dtype}'s host type that no other buffer holds
     * (new, or from the {@link ArrayPool}). With {@value ArrayPool#POISON_PROPERTY} set, as in the
     * tests, it is first filled with values no kernel should read before writing.
     */
    CpuBuffer(DType dtype, Object array, int length) {
        this.dtype = dtype;
        this.array = array;
        this.length = length;
        if (POISON) {
            poison(array);
        }
    }

    /** Fills a new buffer with values no kernel should read before writing: NaN, or a marker for integers. */
    private static void poison(Object array) {
        switch (array) {
            case float[] a -> Arrays.fill(a, Float.NaN);
            case double[] a -> Arrays.fill(a, Double.NaN);
            case int[] a -> Arrays.fill(a, 0x5EEDBAD);
            case long[] a -> Arrays.fill(a, 0x5EEDBAD5EEDBADL);
            case byte[] a -> Arrays.fill(a, (byte) 7);
            default -> throw new IllegalStateException("cpu backend: no such buffer array " + array.getClass());
        }
    }

    /** The buffer behind a kernel operand; fails on a foreign or freed buffer. */
    static CpuBuffer of(Operand operand) {
        return of(operand.buffer());
    }

    static CpuBuffer of(Buffer buffer) {
        if (!(buffer instanceof CpuBuffer cpu)) {
            throw new IllegalArgumentException("cpu backend got a buffer of another backend: " + buffer.getClass().getName());
        }
        if (cpu.freed) {
            throw new IllegalStateException("cpu backend got a freed buffer: " + cpu);
        }
        return cpu;
    }

    /** The backing array of an operand's buffer ({@code float[]}, ...). */
    static Object array(Operand operand) {
        return of(operand).array;
    }

    static float[] floats(Operand operand) {
        return (float[]) of(operand).array;
    }

    static double[] doubles(Operand operand) {
        return (double[]) of(operand).array;
    }

    static int[] ints(Operand operand) {
        return (int[]) of(operand).array;
    }

    static long[] longs(Operand operand) {
        return (long[]) of(operand).array;
    }

    static byte[] bools(Operand operand) {
        return (byte[]) of(operand).array;
    }

    Object array() {
        return array;
    }

    /** Marks the buffer freed; false if it already was (atomic: its array goes back to the pool once). */
    synchronized boolean markFreed() {
        if (freed) {
            return false;
        }
        freed = true;
        return true;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        return "CpuBuffer(" + dtype.shortName() + "[" + length + "])";
    }
}
