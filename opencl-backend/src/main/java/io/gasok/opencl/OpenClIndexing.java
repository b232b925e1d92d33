package io.gasok.opencl;

import static org.jocl.CL.CL_TRUE;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.spi.Operand;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;

/**
 * Gather, index-select and scatter-add (kernel indexing.c in gpu-kernels). Index-select is a
 * gather whose index is the 1-D index broadcast over out's shape (stride 0 off the axis), so both
 * run one program per element width. Scatter-add runs one work item per target element that src
 * reaches, scanning its line of the index in order: deterministic, no atomics, the reference's
 * order of additions.
 *
 * <p>Out-of-range indices: a kernel cannot throw, so it raises a flag in a small device buffer
 * (zeroed before the launch) and never follows the index. The flag is read back after the launch,
 * which waits for the kernel (one sync per index kernel); when it is raised, the index is read
 * back and its first bad element, in the reference's order, is reported as the reference reports
 * it: an {@link IndexOutOfBoundsException} naming the kernel, the axis, the index and the extent.
 */
final class OpenClIndexing {
    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;
    private final cl_command_queue queue;

    OpenClIndexing(ProgramCache programs, KernelLauncher launcher, BufferPool memory, cl_command_queue queue) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
        this.queue = queue;
    }

    /** PyTorch's gather: {@code out[e] = in[e with its coordinate along axis replaced by index[e]]}. */
    void gather(Operand in, int axis, Operand index, Operand out) {
        gather("gather", in, axis, index, index.strides(), out);
    }

    /** Index-select by a 1-D index: out's slice k along axis is in's slice index[k]. */
    void indexSelect(Operand in, int axis, Operand index, Operand out) {
        int[] spread = new int[out.rank()];
        spread[axis] = index.stride(0);
        gather("indexSelect", in, axis, index, spread, out);
    }

    private void gather(String kernel, Operand in, int axis, Operand index, int[] indexStrides, Operand out) {
        long count = out.size();
        if (count == 0) {
            return;
        }
        long[][] merged = StridedLayout.merge(out.shape(), pinned(in, axis), indexStrides, out.strides());
        ClBuffer outOfRange = clearedFlag();
        try {
            launcher.kernel(programs.family("indexing", "-DT=" + DialectTypes.bitsType(out.dtype())), "gather")
                    .buffer(ClBuffer.of(in, memory)).layout(StridedLayout.pack(in.offset(), merged[0], merged[1], kernel))
                    .int64(in.stride(axis)).int64(in.dim(axis))
                    .buffer(ClBuffer.of(index, memory)).layout(StridedLayout.pack(index.offset(), merged[0], merged[2], kernel))
                    .buffer(ClBuffer.of(out, memory)).layout(StridedLayout.pack(out.offset(), merged[0], merged[3], kernel))
                    .int64(count).buffer(outOfRange)
                    .run(count);
            if (isRaised(outOfRange, kernel)) {
                throw firstOutOfRange(kernel, axis, index, in.dim(axis));
            }
        } finally {
            memory.free(outOfRange);
        }
    }

    /** PyTorch's scatter_add_, in place: {@code target[..., index[j], ...] += src[..., j, ...]} along axis. */
    void scatterAdd(Operand target, int axis, Operand index, Operand src) {
        if (src.size() == 0) {
            return;
        }
        int slots = target.dim(axis);
        if (slots == 0) {
            throw firstOutOfRange("scatterAdd", axis, index, 0);
        }
        int rank = src.rank();
        int[] lineShape = new int[rank - 1];
        int[][] lineStrides = new int[3][rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != axis) {
                lineShape[k] = src.dim(d);
                lineStrides[0][k] = target.stride(d);
                lineStrides[1][k] = index.stride(d);
                lineStrides[2][k++] = src.stride(d);
            }
        }
        long[][] merged = StridedLayout.merge(lineShape, lineStrides);
        long count = (long) src.size() / src.dim(axis) * slots;
        DType dtype = target.dtype();
        String defines = "-DT=" + DialectTypes.elementType(dtype)
                + " -DACC=" + (dtype.isFloating() ? DialectTypes.elementType(dtype) : "uint64")
                + " -DT_IS_BOOL=" + (dtype == DType.BOOL ? 1 : 0);
        ClBuffer outOfRange = clearedFlag();
        try {
            launcher.kernel(programs.family("indexing", defines), "scatter_add")
                    .buffer(ClBuffer.of(target, memory))
                    .layout(StridedLayout.pack(target.offset(), merged[0], merged[1], "scatterAdd"))
                    .int64(target.stride(axis)).int64(slots)
                    .buffer(ClBuffer.of(index, memory))
                    .layout(StridedLayout.pack(index.offset(), merged[0], merged[2], "scatterAdd"))
                    .int64(index.stride(axis))
                    .buffer(ClBuffer.of(src, memory))
                    .layout(StridedLayout.pack(src.offset(), merged[0], merged[3], "scatterAdd"))
                    .int64(src.stride(axis)).int64(src.dim(axis))
                    .int64(count).buffer(outOfRange)
                    .run(count);
            if (isRaised(outOfRange, "scatterAdd")) {
                throw firstOutOfRange("scatterAdd", axis, index, slots);
            }
        } finally {
            memory.free(outOfRange);
        }
    }

    /** The operand's strides with 0 along {@code axis}: walking them stays at the start of each line. */
    private static int[] pinned(Operand operand, int axis) {
        int[] strides = operand.strides().clone();
        strides[axis] = 0;
        return strides;
    }

    /** A fresh out-of-range flag on the device, its zero queued before the kernel that may raise it. */
    private ClBuffer clearedFlag() {
        ClBuffer flag = memory.allocate(DType.INT32, 1);
        int code = CL.clEnqueueFillBuffer(queue, flag.memory(), Pointer.to(new int[] {0}), Sizeof.cl_int, 0,
                Sizeof.cl_int, 0, null, null);
        if (code != CL.CL_SUCCESS) {
            memory.free(flag);
            throw OpenClException.failure(code, "zero the out-of-range flag", "clEnqueueFillBuffer");
        }
        return flag;
    }

    /** Waits for the kernel and reads its flag. */
    private boolean isRaised(ClBuffer flag, String kernel) {
        int[] value = new int[1];
        OpenClException.check(CL.clEnqueueReadBuffer(queue, flag.memory(), CL_TRUE, 0, Sizeof.cl_int, Pointer.to(value),
                0, null, null), kernel + " (out-of-range flag)", "clEnqueueReadBuffer");
        return value[0] != 0;
    }

    /**
     * The reference's error for the first out-of-range element of {@code index} in row-major order
     * (the order in which the reference meets them: gather and scatter-add walk the index's shape,
     * index-select walks out, whose slices follow the 1-D index in order).
     */
    private IndexOutOfBoundsException firstOutOfRange(String kernel, int axis, Operand index, int extent) {
        long[] values = readIndex(index, kernel);
        long low = lowestPosition(index);
        for (int e = 0; e < index.size(); e++) {
            long value = values[(int) (index.indexOf(e) - low)];
            if (value < 0 || value >= extent) {
                return new IndexOutOfBoundsException(
                        kernel + ": index " + value + " is out of range for axis " + axis + " with extent " + extent);
            }
        }
        return new IndexOutOfBoundsException(kernel + ": an index is out of range for axis " + axis + " with extent "
                + extent + ", but none was found when the index was read back");
    }

    /** The buffer elements an index view spans, from its lowest position to its highest. */
    private long[] readIndex(Operand index, String kernel) {
        long low = lowestPosition(index);
        long high = index.offset();
        for (int d = 0; d < index.rank(); d++) {
            high += Math.max(0L, (long) (index.dim(d) - 1) * index.stride(d));
        }
        long[] values = new long[(int) (high - low + 1)];
        OpenClException.check(CL.clEnqueueReadBuffer(queue, ClBuffer.of(index, memory).memory(), CL_TRUE,
                low * Long.BYTES, values.length * (long) Long.BYTES, Pointer.to(values), 0, null, null),
                kernel + " (read the index back)", "clEnqueueReadBuffer");
        return values;
    }

    private static long lowestPosition(Operand index) {
        long low = index.offset();
        for (int d = 0; d < index.rank(); d++) {
            low += Math.min(0L, (long) (index.dim(d) - 1) * index.stride(d));
        }
        return low;
    }
}
