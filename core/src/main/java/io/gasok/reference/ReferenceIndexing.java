package io.gasok.reference;

import io.gasok.spi.Operand;

/**
 * Gather, index-select and scatter-add of the reference backend. Every index is checked against
 * the extent it selects along; an index outside [0, extent) throws
 * {@link IndexOutOfBoundsException} naming the kernel, the axis, the index and the extent, never
 * reads or writes outside a buffer.
 *
 * <p>A kernel walks the index-shaped side together with the other operand <em>pinned</em> to
 * index 0 of the axis (its stride there set to 0): that gives the start of the line the index
 * selects in, and the index times the axis stride gives the element.
 */
final class ReferenceIndexing {
    private ReferenceIndexing() {}

    /**
     * PyTorch's gather: {@code out[i_0, ..., i_axis, ..., i_r] = in[i_0, ..., index[i_0, ..., i_r], ..., i_r]}
     * for every element of out (index has out's shape).
     */
    static void gather(Operand in, int axis, Operand index, Operand out) {
        HostBuffer source = HostBuffer.of(in);
        HostBuffer indices = HostBuffer.of(index);
        HostBuffer result = HostBuffer.of(out);
        Operand lineStarts = pinned(in, axis);
        for (Odometer walk = new Odometer(out.shape(), out, index, lineStarts); walk.hasElement(); walk.advance()) {
            int picked = checkedIndex("gather", axis, indices.getLong(walk.position(1)), in.dim(axis));
            HostBuffer.copyElement(source, walk.position(2) + picked * in.stride(axis), result, walk.position(0));
        }
    }

    /**
     * Index-select with a 1-D INT64 index: {@code out[..., k, ...] = in[..., index[k], ...]} along
     * {@code axis}, for k in [0, index length); out is in's shape with that axis's extent replaced by
     * the index length.
     */
    static void indexSelect(Operand in, int axis, Operand index, Operand out) {
        HostBuffer source = HostBuffer.of(in);
        HostBuffer indices = HostBuffer.of(index);
        HostBuffer result = HostBuffer.of(out);
        Operand lineStarts = pinned(in, axis);
        for (Odometer walk = new Odometer(out.shape(), out, lineStarts); walk.hasElement(); walk.advance()) {
            long requested = indices.getLong(index.indexOf(walk.coordinate(axis)));
            int picked = checkedIndex("indexSelect", axis, requested, in.dim(axis));
            HostBuffer.copyElement(source, walk.position(1) + picked * in.stride(axis), result, walk.position(0));
        }
    }

    /**
     * PyTorch's scatter_add_, in place:
     * {@code target[i_0, ..., index[i_0, ..., i_r], ..., i_r] += src[i_0, ..., i_r]} for every
     * element of src (index has src's shape), added one by one in src's row-major order, so
     * repeated indices accumulate deterministically.
     */
    static void scatterAdd(Operand target, int axis, Operand index, Operand src) {
        HostBuffer destination = HostBuffer.of(target);
        HostBuffer indices = HostBuffer.of(index);
        HostBuffer source = HostBuffer.of(src);
        Operand lineStarts = pinned(target, axis);
        boolean floating = target.dtype().isFloating();
        for (Odometer walk = new Odometer(src.shape(), src, index, lineStarts); walk.hasElement(); walk.advance()) {
            int picked = checkedIndex("scatterAdd", axis, indices.getLong(walk.position(1)), target.dim(axis));
            int at = walk.position(2) + picked * target.stride(axis);
            if (floating) {
                destination.setDouble(at, destination.getDouble(at) + source.getDouble(walk.position(0)));
            } else {
                destination.setLong(at, destination.getLong(at) + source.getLong(walk.position(0)));
            }
        }
    }

    /** The operand with stride 0 along {@code axis}: walking it stays at index 0 of that axis. */
    private static Operand pinned(Operand operand, int axis) {
        int[] strides = operand.strides().clone();
        strides[axis] = 0;
        return new Operand(operand.buffer(), operand.dtype(), operand.offset(), operand.shape(), strides);
    }

    private static int checkedIndex(String kernel, int axis, long index, int extent) {
        if (index < 0 || index >= extent) {
            throw new IndexOutOfBoundsException(
                    kernel + ": index " + index + " is out of range for axis " + axis + " with extent " + extent);
        }
        return (int) index;
    }
}
