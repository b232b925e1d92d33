package io.gasok.reference;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A reference-backend buffer: one heap array of the dtype's host type ({@code float[]},
 * {@code double[]}, {@code int[]}, {@code long[]}, {@code byte[]} of 0/1 for BOOL).
 *
 * <p>Kernels read elements as {@code double} (floating dtypes) or {@code long} (integer and BOOL
 * dtypes) and write them back through {@link #setDouble} and {@link #setLong}, which convert as
 * {@link io.gasok.spi.Expr#castValue} describes: rounding to float, truncation toward zero for
 * integers, 0/1 for BOOL.
 */
final class HostBuffer implements Buffer {
    private final ReferenceBackend owner;
    private final DType dtype;
    private final Object array;
    private final int length;
    private final AtomicBoolean freed = new AtomicBoolean();

    HostBuffer(ReferenceBackend owner, DType dtype, int length) {
        this.owner = owner;
        this.dtype = dtype;
        this.array = dtype.newArray(length);
        this.length = length;
    }

    /** The host buffer behind a kernel operand; fails on a foreign or freed buffer. */
    static HostBuffer of(Operand operand) {
        return of(operand.buffer());
    }

    /** The buffer as a host buffer; fails on a foreign or freed buffer. */
    static HostBuffer of(Buffer buffer) {
        if (!(buffer instanceof HostBuffer host)) {
            throw new IllegalArgumentException(
                    "reference backend got a buffer of another backend: " + buffer.getClass().getName());
        }
        if (host.isFreed()) {
            throw new IllegalStateException("reference backend got a freed buffer: " + host);
        }
        return host;
    }

    /**
     * Copies one element between buffers of the same dtype: through long for integer and BOOL
     * dtypes, so large int64 values stay exact.
     */
    static void copyElement(HostBuffer from, int fromIndex, HostBuffer to, int toIndex) {
        if (from.dtype.isFloating()) {
            to.setDouble(toIndex, from.getDouble(fromIndex));
        } else {
            to.setLong(toIndex, from.getLong(fromIndex));
        }
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
        return "HostBuffer(" + dtype.shortName() + "[" + length + "])";
    }

    ReferenceBackend owner() {
        return owner;
    }

    /** The backing array, for {@code System.arraycopy} in reads and writes. */
    Object array() {
        return array;
    }

    boolean isFreed() {
        return freed.get();
    }

    /** Marks the buffer freed; false when it already was. */
    boolean markFreed() {
        return freed.compareAndSet(false, true);
    }

    double getDouble(int index) {
        return switch (dtype) {
            case FLOAT32 -> ((float[]) array)[index];
            case FLOAT64 -> ((double[]) array)[index];
            case INT32 -> ((int[]) array)[index];
            case INT64 -> ((long[]) array)[index];
            case BOOL -> ((byte[]) array)[index];
        };
    }

    long getLong(int index) {
        return switch (dtype) {
            case FLOAT32 -> (long) ((float[]) array)[index];
            case FLOAT64 -> (long) ((double[]) array)[index];
            case INT32 -> ((int[]) array)[index];
            case INT64 -> ((long[]) array)[index];
            case BOOL -> ((byte[]) array)[index];
        };
    }

    void setDouble(int index, double value) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) array)[index] = (float) value;
            case FLOAT64 -> ((double[]) array)[index] = value;
            case INT32 -> ((int[]) array)[index] = (int) value;
            case INT64 -> ((long[]) array)[index] = (long) value;
            case BOOL -> ((byte[]) array)[index] = (byte) (value != 0 ? 1 : 0);
        }
    }

    void setLong(int index, long value) {
        switch (dtype) {
            case FLOAT32 -> ((float[]) array)[index] = (float) value;
            case FLOAT64 -> ((double[]) array)[index] = (double) value;
            case INT32 -> ((int[]) array)[index] = (int) value;
            case INT64 -> ((long[]) array)[index] = value;
            case BOOL -> ((byte[]) array)[index] = (byte) (value != 0 ? 1 : 0);
        }
    }
}
