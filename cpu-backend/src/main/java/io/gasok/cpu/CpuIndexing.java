package io.gasok.cpu;

import io.gasok.spi.Operand;

/**
 * Gather, index-select and scatter-add of the CPU backend; {@code ReferenceIndexing} is the
 * definition. Every index is checked against the extent it selects along: an index outside
 * [0, extent) throws {@link IndexOutOfBoundsException} naming the kernel, the axis, the index and
 * the extent, and nothing is read or written outside a buffer.
 *
 * <p>The index-shaped side is walked together with the other operand <em>pinned</em> to index 0
 * of the axis (stride 0 there), in blocks of {@value #BLOCK} elements whose buffer offsets
 * {@link StridedWalk} computes; a typed loop then moves the elements. Index-select is a gather
 * whose index is the 1-D index broadcast along every other axis; when in and out are contiguous
 * it copies whole inner slices with {@code System.arraycopy} instead.
 *
 * <p>Threads: gather and index-select take ranges [p·E/P, (p+1)·E/P) of the E output elements (or
 * of the (outer, index) slice pairs). Scatter-add splits the outermost axis other than the
 * scatter axis: two source elements that differ there write different target elements, so the
 * parts never collide and each target element still receives its additions in source row-major
 * order, exactly as serially.
 */
final class CpuIndexing {
    private CpuIndexing() {}

    private static final int BLOCK = 1024;

    /** {@code out[i...] = in[i... with i_axis replaced by index[i...]]} over out's shape. */
    static void gather(Operand in, int axis, Operand index, Operand out, WorkerPool pool) {
        gatherBy("gather", in, axis, index, out, pool);
    }

    /** {@code out[..., k, ...] = in[..., index[k], ...]} along axis, for a 1-D INT64 index. */
    static void indexSelect(Operand in, int axis, Operand index, Operand out, WorkerPool pool) {
        if (out.size() == 0) {
            return;
        }
        if (in.isContiguous() && out.isContiguous()) {
            copySlices(in, axis, index, out, pool);
            return;
        }
        int[] spread = new int[out.rank()];
        spread[axis] = index.stride(0);
        Operand broadcastIndex = new Operand(index.buffer(), index.dtype(), index.offset(), out.shape(), spread);
        gatherBy("indexSelect", in, axis, broadcastIndex, out, pool);
    }

    /** Contiguous index-select as [outer, index length, inner] slices copied whole. */
    private static void copySlices(Operand in, int axis, Operand index, Operand out, WorkerPool pool) {
        long[] indices = CpuBuffer.longs(index);
        int length = index.dim(0);
        int extent = in.dim(axis);
        int inner = 1;
        for (int d = axis + 1; d < in.rank(); d++) {
            inner *= in.dim(d);
        }
        int outer = out.size() / Math.max(1, length * inner);
        int[] picked = new int[length];
        for (int k = 0; k < length; k++) {
            picked[k] = checkedIndex("indexSelect", axis, indices[index.offset() + k * index.stride(0)], extent);
        }
        Object source = CpuBuffer.array(in);
        Object target = CpuBuffer.array(out);
        int sliceSize = inner;
        CpuReductions.forRanges(outer * length, out.size(), pool, (from, to) -> {
            for (int slice = from; slice < to; slice++) {
                int o = slice / length;
                int k = slice % length;
                System.arraycopy(source, in.offset() + (o * extent + picked[k]) * sliceSize,
                        target, out.offset() + slice * sliceSize, sliceSize);
            }
        });
    }

    private static void gatherBy(String kernel, Operand in, int axis, Operand index, Operand out, WorkerPool pool) {
        if (out.size() == 0) {
            return;
        }
        int[][] strides = {out.strides(), index.strides(), pinned(in, axis)};
        int[] bases = {out.offset(), index.offset(), in.offset()};
        long[] indices = CpuBuffer.longs(index);
        Object source = CpuBuffer.array(in);
        Object target = CpuBuffer.array(out);
        int extent = in.dim(axis);
        int axisStride = in.stride(axis);
        int total = out.size();
        CpuReductions.forRanges(Math.ceilDiv(total, BLOCK), total, pool, (fromBlock, toBlock) -> {
            int[][] offsets = new int[3][BLOCK];
            for (int block = fromBlock; block < toBlock; block++) {
                int start = block * BLOCK;
                int count = Math.min(BLOCK, total - start);
                StridedWalk.fill(out.shape(), strides, bases, start, count, offsets);
                for (int i = 0; i < count; i++) {
                    offsets[2][i] += checkedIndex(kernel, axis, indices[offsets[1][i]], extent) * axisStride;
                }
                copyElements(source, offsets[2], target, offsets[0], count);
            }
        });
    }

    /** {@code target[to[i]] = source[from[i]]} for i in [0, count), one typed loop per dtype. */
    private static void copyElements(Object source, int[] from, Object target, int[] to, int count) {
        switch (source) {
            case float[] s -> {
                float[] t = (float[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] = s[from[i]];
                }
            }
            case double[] s -> {
                double[] t = (double[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] = s[from[i]];
                }
            }
            case int[] s -> {
                int[] t = (int[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] = s[from[i]];
                }
            }
            case long[] s -> {
                long[] t = (long[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] = s[from[i]];
                }
            }
            case byte[] s -> {
                byte[] t = (byte[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] = s[from[i]];
                }
            }
            default -> throw new IllegalArgumentException("not a buffer array: " + source);
        }
    }

    /**
     * In place: {@code target[i... with i_axis replaced by index[i...]] += src[i...]} over src's
     * shape, in src's row-major order within each part.
     */
    static void scatterAdd(Operand target, int axis, Operand index, Operand src, WorkerPool pool) {
        int total = src.size();
        if (total == 0) {
            return;
        }
        int[] shape = src.shape();
        int split = -1;
        for (int d = 0; d < shape.length && split < 0; d++) {
            if (d != axis && shape[d] > 1) {
                split = d;
            }
        }
        int splitAxis = split;
        int splitExtent = split < 0 ? 1 : shape[split];
        int[][] strides = {src.strides(), index.strides(), pinned(target, axis)};
        int[] bases = {src.offset(), index.offset(), target.offset()};
        CpuReductions.forRanges(splitExtent, total, pool, (from, to) -> {
            int[] partShape = shape.clone();
            int[] partBases = bases.clone();
            if (splitAxis >= 0) {
                partShape[splitAxis] = to - from;
                for (int k = 0; k < 3; k++) {
                    partBases[k] += from * strides[k][splitAxis];
                }
            }
            scatterAddPart(target, axis, index, src, partShape, strides, partBases);
        });
    }

    private static void scatterAddPart(Operand target, int axis, Operand index, Operand src, int[] shape,
                                       int[][] strides, int[] bases) {
        long[] indices = CpuBuffer.longs(index);
        Object from = CpuBuffer.array(src);
        Object into = CpuBuffer.array(target);
        int extent = target.dim(axis);
        int axisStride = target.stride(axis);
        int total = Operand.sizeOf(shape);
        int[][] offsets = new int[3][Math.min(BLOCK, total)];
        for (int start = 0; start < total; start += BLOCK) {
            int count = Math.min(BLOCK, total - start);
            StridedWalk.fill(shape, strides, bases, start, count, offsets);
            for (int i = 0; i < count; i++) {
                offsets[2][i] += checkedIndex("scatterAdd", axis, indices[offsets[1][i]], extent) * axisStride;
            }
            addElements(from, offsets[0], into, offsets[2], count);
        }
    }

    /** {@code target[to[i]] += source[from[i]]} in i order; BOOL adds as the reference (nonzero is 1). */
    private static void addElements(Object source, int[] from, Object target, int[] to, int count) {
        switch (source) {
            case float[] s -> {
                float[] t = (float[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] += s[from[i]];
                }
            }
            case double[] s -> {
                double[] t = (double[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] += s[from[i]];
                }
            }
            case int[] s -> {
                int[] t = (int[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] += s[from[i]];
                }
            }
            case long[] s -> {
                long[] t = (long[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] += s[from[i]];
                }
            }
            case byte[] s -> {
                byte[] t = (byte[]) target;
                for (int i = 0; i < count; i++) {
                    t[to[i]] = (byte) (t[to[i]] + s[from[i]] != 0 ? 1 : 0);
                }
            }
            default -> throw new IllegalArgumentException("not a buffer array: " + source);
        }
    }

    /** The operand's strides with 0 along {@code axis}: walking stays at index 0 of that axis. */
    private static int[] pinned(Operand operand, int axis) {
        int[] strides = operand.strides().clone();
        strides[axis] = 0;
        return strides;
    }

    private static int checkedIndex(String kernel, int axis, long index, int extent) {
        if (index < 0 || index >= extent) {
            throw new IndexOutOfBoundsException(
                    kernel + ": index " + index + " is out of range for axis " + axis + " with extent " + extent);
        }
        return (int) index;
    }
}
