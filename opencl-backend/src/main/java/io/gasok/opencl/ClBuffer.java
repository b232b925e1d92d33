package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jocl.cl_mem;

/**
 * A buffer of the OpenCL backend: a pooled {@code cl_mem} of {@link #capacityBytes()} (a size
 * class) holding {@link #length()} elements. A {@code cl_mem} has no pointer arithmetic, so views
 * reach their elements through offsets passed to the kernels.
 */
final class ClBuffer implements Buffer {
    private final BufferPool owner;
    private final DType dtype;
    private final int length;
    private final cl_mem memory;
    private final long capacityBytes;
    private final AtomicBoolean freed = new AtomicBoolean();

    ClBuffer(BufferPool owner, DType dtype, int length, cl_mem memory, long capacityBytes) {
        this.owner = owner;
        this.dtype = dtype;
        this.length = length;
        this.memory = memory;
        this.capacityBytes = capacityBytes;
    }

    /** The OpenCL buffer behind a kernel operand; fails on a foreign or freed buffer. */
    static ClBuffer of(Operand operand, BufferPool pool) {
        return of(operand.buffer(), pool);
    }

    static ClBuffer of(Buffer buffer, BufferPool pool) {
        if (!(buffer instanceof ClBuffer cl) || cl.owner != pool) {
            throw new IllegalArgumentException("opencl backend got a buffer of another backend or device: " + buffer);
        }
        if (cl.freed.get()) {
            throw new IllegalStateException("opencl backend got a freed buffer: " + buffer);
        }
        return cl;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public int length() {
        return length;
    }

    cl_mem memory() {
        return memory;
    }

    long capacityBytes() {
        return capacityBytes;
    }

    /** Marks the buffer freed; false when it already was. */
    boolean markFreed() {
        return freed.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "ClBuffer(" + dtype.shortName() + "[" + length + "])";
    }
}
