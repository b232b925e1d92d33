package io.gasok;

import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * Shape ops: views that only change the metadata (reshape of a dense tensor, permute, slice,
 * expand, squeeze, unsqueeze), the strided copy that makes a view dense, and moving between
 * devices. Each records its backward, which undoes the view on the gradient.
 */
final class ShapeOps {
    private ShapeOps() {}

    static Tensor reshape(Tensor x, int[] requested, boolean viewOnly) {
        String op = viewOnly ? "view" : "reshape";
        int[] shape = resolveShape(op, x, requested);
        if (Arrays.equals(shape, x.shapeRef())) {
            return x;
        }
        Tensor y;
        if (x.isContiguous()) {
            y = x.view(x.offset, shape, Operand.rowMajorStrides(shape));
        } else if (viewOnly) {
            throw Checks.error(op, "the tensor's strides " + Arrays.toString(x.stridesRef())
                    + " do not allow a view of shape " + Arrays.toString(shape) + "; use reshape (which copies)", x);
        } else {
            Tensor dense = x.contiguous();
            y = dense.view(dense.offset, shape, Operand.rowMajorStrides(shape));
        }
        recordReshapeBack(op, x, y);
        return y;
    }

    private static void recordReshapeBack(String op, Tensor x, Tensor y) {
        if (Autograd.needsGrad(x)) {
            int[] xShape = x.shapeRef();
            Autograd.record(op, y, gy -> new Tensor[] {gy.reshape(xShape)}, x);
        }
    }

    private static int[] resolveShape(String op, Tensor x, int[] requested) {
        int[] shape = requested.clone();
        int inferred = -1;
        int known = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == -1) {
                if (inferred >= 0) {
                    throw Checks.error(op, "only one extent may be -1 in " + Arrays.toString(requested), x);
                }
                inferred = d;
            } else if (shape[d] < 0) {
                throw Checks.error(op, "negative extent in " + Arrays.toString(requested), x);
            } else {
                known *= shape[d];
            }
        }
        int size = x.numel();
        if (inferred >= 0) {
            if (known == 0 || size % known != 0) {
                throw Checks.error(op, "cannot infer -1 in " + Arrays.toString(requested) + " for " + size
                        + " elements", x);
            }
            shape[inferred] = size / known;
        } else if (known != size) {
            throw Checks.error(op, "shape " + Arrays.toString(requested) + " holds " + known + " elements, the tensor "
                    + size, x);
        }
        return shape;
    }

    static Tensor permute(Tensor x, int[] order) {
        int rank = x.rank();
        if (order.length != rank) {
            throw Checks.error("permute", "order " + Arrays.toString(order) + " does not name every axis once", x);
        }
        int[] normalised = new int[rank];
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            normalised[i] = Checks.axis("permute", order[i], rank);
            if (seen[normalised[i]]) {
                throw Checks.error("permute", "order " + Arrays.toString(order) + " names an axis twice", x);
            }
            seen[normalised[i]] = true;
        }
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = x.shapeRef()[normalised[i]];
            strides[i] = x.stridesRef()[normalised[i]];
            inverse[normalised[i]] = i;
        }
        Tensor y = x.view(x.offset, shape, strides);
        if (Autograd.needsGrad(x)) {
            Autograd.record("permute", y, gy -> new Tensor[] {gy.permute(inverse)}, x);
        }
        return y;
    }

    static Tensor transpose(Tensor x, int axisA, int axisB) {
        int rank = x.rank();
        int a = Checks.axis("transpose", axisA, rank);
        int b = Checks.axis("transpose", axisB, rank);
        int[] order = new int[rank];
        Arrays.setAll(order, i -> i);
        order[a] = b;
        order[b] = a;
        return permute(x, order);
    }

    /** Python-style slice {@code start:end:step} along an axis (positive step). */
    static Tensor slice(Tensor x, int axis, int start, int end, int step) {
        int d = Checks.axis("slice", axis, x.rank());
        if (step <= 0) {
            throw Checks.error("slice", "step must be positive, got " + step, x);
        }
        int extent = x.shapeRef()[d];
        int from = clampIndex(start, extent);
        int to = Math.max(from, clampIndex(end, extent));
        int length = (to - from + step - 1) / step;
        int[] shape = x.shapeRef().clone();
        int[] strides = x.stridesRef().clone();
        shape[d] = length;
        int offset = x.offset + (length == 0 ? 0 : from * strides[d]);
        strides[d] *= step;
        Tensor y = x.view(offset, shape, strides);
        if (Autograd.needsGrad(x)) {
            int[] xShape = x.shapeRef();
            DType dtype = x.dtype();
            Autograd.record("slice", y, gy -> {
                Tensor gx = Tensor.zeros(gy.device(), dtype, xShape);
                Tensor window = gx.detach().sliceView(d, from, length, step);
                copyInto(gy, window, "slice_backward");
                window.close();
                return new Tensor[] {gx};
            }, x);
        }
        return y;
    }

    private static int clampIndex(int index, int extent) {
        int resolved = index < 0 ? index + extent : index;
        return Math.max(0, Math.min(resolved, extent));
    }

    static Tensor select(Tensor x, int axis, int index) {
        int d = Checks.axis("select", axis, x.rank());
        int extent = x.shapeRef()[d];
        if (index < -extent || index >= extent) {
            throw Checks.error("select", "index " + index + " out of range for axis " + d + " of extent " + extent, x);
        }
        int resolved = index < 0 ? index + extent : index;
        return slice(x, d, resolved, resolved + 1, 1).squeeze(d);
    }

    static Tensor expand(Tensor x, int[] requested) {
        int rank = requested.length;
        int[] own = x.shapeRef();
        if (rank < own.length) {
            throw Checks.error("expand", "target " + Arrays.toString(requested) + " has fewer axes than the tensor", x);
        }
        int lead = rank - own.length;
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            int ownExtent = d < lead ? 1 : own[d - lead];
            int target = requested[d] == -1 && d >= lead ? ownExtent : requested[d];
            if (target < 0 || (ownExtent != 1 && ownExtent != target)) {
                throw Checks.error("expand", "cannot expand to " + Arrays.toString(requested) + " (axis " + d + ")", x);
            }
            shape[d] = target;
            strides[d] = d < lead || (ownExtent == 1 && target != 1) ? 0 : x.stridesRef()[d - lead];
        }
        if (Arrays.equals(shape, own)) {
            return x;
        }
        Tensor y = x.view(x.offset, shape, strides);
        if (Autograd.needsGrad(x)) {
            Autograd.record("expand", y, gy -> new Tensor[] {ReduceOps.sumTo(gy, own)}, x);
        }
        return y;
    }

    /** Drops axes of extent 1 (one given axis, or all when {@code axis} is null). */
    static Tensor squeeze(Tensor x, Integer axis) {
        int rank = x.rank();
        int only = axis == null ? -1 : Checks.axis("squeeze", axis, rank);
        int[] shape = x.shapeRef();
        int kept = 0;
        for (int d = 0; d < rank; d++) {
            if (!(shape[d] == 1 && (only < 0 || d == only))) {
                kept++;
            }
        }
        if (kept == rank) {
            return x;
        }
        int[] newShape = new int[kept];
        int[] newStrides = new int[kept];
        int next = 0;
        for (int d = 0; d < rank; d++) {
            if (!(shape[d] == 1 && (only < 0 || d == only))) {
                newShape[next] = shape[d];
                newStrides[next++] = x.stridesRef()[d];
            }
        }
        Tensor y = x.view(x.offset, newShape, newStrides);
        recordReshapeBack("squeeze", x, y);
        return y;
    }

    static Tensor unsqueeze(Tensor x, int axis) {
        int rank = x.rank();
        int d = axis < 0 ? axis + rank + 1 : axis;
        if (d < 0 || d > rank) {
            throw Checks.error("unsqueeze", "axis " + axis + " out of range for rank " + rank, x);
        }
        int[] shape = new int[rank + 1];
        int[] strides = new int[rank + 1];
        for (int i = 0, j = 0; i <= rank; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = j < rank ? x.stridesRef()[j] * x.shapeRef()[j] : 1;
            } else {
                shape[i] = x.shapeRef()[j];
                strides[i] = x.stridesRef()[j++];
            }
        }
        Tensor y = x.view(x.offset, shape, strides);
        recordReshapeBack("unsqueeze", x, y);
        return y;
    }

    static Tensor flatten(Tensor x, int start, int end) {
        int rank = x.rank();
        if (rank == 0) {
            return x.reshape(1);
        }
        int from = Checks.axis("flatten", start, rank);
        int to = Checks.axis("flatten", end, rank);
        if (from > to) {
            throw Checks.error("flatten", "start axis " + start + " is after end axis " + end, x);
        }
        int[] shape = x.shapeRef();
        int[] newShape = new int[rank - (to - from)];
        int next = 0;
        for (int d = 0; d < from; d++) {
            newShape[next++] = shape[d];
        }
        int merged = 1;
        for (int d = from; d <= to; d++) {
            merged *= shape[d];
        }
        newShape[next++] = merged;
        for (int d = to + 1; d < rank; d++) {
            newShape[next++] = shape[d];
        }
        return x.reshape(newShape);
    }

    /** A dense row-major copy with its own storage. */
    static Tensor copy(Tensor x, String op) {
        Device device = Checks.sameDevice(op, x);
        Tensor y = Tensor.empty(device, x.dtype(), x.shapeRef());
        copyInto(x, y, op);
        if (Autograd.needsGrad(x)) {
            Autograd.record(op, y, gy -> new Tensor[] {gy}, x);
        }
        return y;
    }

    /** Strided copy of {@code source} into the view {@code target} (same shape and dtype). */
    static void copyInto(Tensor source, Tensor target, String op) {
        Device device = Checks.sameDevice(op, source, target);
        Operand from = source.operand();
        Operand to = target.operand();
        Dispatch.launch("copy", op, device, 0, () -> device.backend().copy(from, to), from, to);
        target.bumpVersion();
    }

    /** The tensor on {@code device}, moved through host memory; its gradient moves back. */
    static Tensor toDevice(Tensor x, Device device) {
        if (x.device() == device) {
            return x;
        }
        Object host = x.toHostArray();
        Tensor y = Tensor.of(device, host, x.shapeRef());
        if (Autograd.needsGrad(x)) {
            Device source = x.device();
            Autograd.record("to_device", y, gy -> new Tensor[] {gy.to(source)}, x);
        }
        return y;
    }
}
