package io.gasok.opencl;

import static org.jocl.CL.CL_MEM_OBJECT_ALLOCATION_FAILURE;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_OUT_OF_RESOURCES;
import static org.jocl.CL.CL_SUCCESS;

import io.gasok.DType;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.jocl.CL;
import org.jocl.cl_context;
import org.jocl.cl_mem;

/**
 * Device memory of one context, pooled: a request is rounded up to a size class (a power of two
 * bytes, at least {@value #SMALLEST_CLASS_BYTES}) and served from that class's free list, or by
 * {@code clCreateBuffer} when the list is empty; freeing returns the {@code cl_mem} to its list.
 * The pool so holds at most as many buffers of a class as were live at once; when the device runs
 * out of memory, the free lists are released and the allocation retried once.
 *
 * <p>Thread safe: one lock guards the free lists.
 */
final class BufferPool {
    static final long SMALLEST_CLASS_BYTES = 256;

    private final cl_context context;
    private final Map<Long, ArrayDeque<cl_mem>> freeLists = new HashMap<>();
    private long liveBuffers;
    private long pooledBuffers;

    BufferPool(cl_context context) {
        this.context = context;
    }

    /** A buffer of {@code length} elements of {@code dtype}; its contents are undefined. */
    synchronized ClBuffer allocate(DType dtype, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("cannot allocate a buffer of " + length + " elements");
        }
        long sizeClass = sizeClass((long) length * dtype.byteSize());
        ArrayDeque<cl_mem> free = freeLists.get(sizeClass);
        cl_mem memory;
        if (free != null && !free.isEmpty()) {
            memory = free.pop();
            pooledBuffers--;
        } else {
            memory = create(sizeClass);
        }
        liveBuffers++;
        return new ClBuffer(this, dtype, length, memory, sizeClass);
    }

    /** Returns the buffer's memory to its free list; a second free is an error. */
    synchronized void free(ClBuffer buffer) {
        if (!buffer.markFreed()) {
            throw new IllegalStateException("opencl: buffer freed twice: " + buffer);
        }
        freeLists.computeIfAbsent(buffer.capacityBytes(), size -> new ArrayDeque<>()).push(buffer.memory());
        pooledBuffers++;
        liveBuffers--;
    }

    /** Buffers handed out and not yet freed. */
    synchronized long liveBuffers() {
        return liveBuffers;
    }

    /** Buffers kept in the free lists for reuse. */
    synchronized long pooledBuffers() {
        return pooledBuffers;
    }

    /** The size class of a request: the next power of two, at least the smallest class. */
    static long sizeClass(long bytes) {
        if (bytes <= SMALLEST_CLASS_BYTES) {
            return SMALLEST_CLASS_BYTES;
        }
        return Long.highestOneBit(bytes - 1) << 1;
    }

    private cl_mem create(long bytes) {
        int[] error = new int[1];
        cl_mem memory = CL.clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, error);
        if (error[0] == CL_MEM_OBJECT_ALLOCATION_FAILURE || error[0] == CL_OUT_OF_RESOURCES) {
            releasePooled();
            memory = CL.clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, error);
        }
        if (error[0] != CL_SUCCESS) {
            throw OpenClException.failure(error[0], "allocate " + bytes + " bytes", "clCreateBuffer");
        }
        return memory;
    }

    private void releasePooled() {
        for (ArrayDeque<cl_mem> free : freeLists.values()) {
            for (cl_mem memory : free) {
                CL.clReleaseMemObject(memory);
            }
            free.clear();
        }
        pooledBuffers = 0;
    }
}
