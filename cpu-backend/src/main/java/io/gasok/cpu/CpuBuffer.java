package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;

/**
 * A CPU-backend buffer: one heap array of the dtype's host type ({@code float[]}, {@code double[]},
 * {@code int[]}, {@code long[]}, {@code byte[]} of 0/1 for BOOL). The Vector API is fastest on heap
 * arrays, and they move to and from the other backends without conversion.
 */
final class CpuBuffer implements Buffer {
    private final DType dtype;
    private final Object array;
    private final int length;
    private volatile boolean freed;

    CpuBuffer(DType dtype, int length) {
        this.dtype = dtype;
        this.array = dtype.newArray(length);
        this.length = length;
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

    boolean markFreed() {
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
