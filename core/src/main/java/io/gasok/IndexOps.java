package io.gasok;

import io.gasok.spi.Operand;
import java.util.Arrays;
import java.util.List;

/**
 * Padding, concatenation and the indexing ops (gather, index-select, scatter-add), PyTorch's
 * semantics. Index tensors are INT64 or INT32 (INT32 is widened to INT64 for the kernels); core
 * checks their shapes, and the kernels report an out-of-range index value, which core cannot see
 * without reading device memory back.
 *
 * <p>The backward rules pair the ops up: pad's is a pad by the negated amounts, concat's slices
 * the gradient, gather's and index-select's are scatter-adds into zeros, scatter-add's is a gather.
 */
final class IndexOps {
    private IndexOps() {}

    /**
     * Constant padding in PyTorch's {@code F.pad} order: {@code padding} holds (before, after) pairs
     * for the last axis, then the one before it, and so on; a negative amount crops. Any dtype;
     * differentiable (the gradient is the padding undone).
     */
    static Tensor pad(Tensor x, int[] padding, double value) {
        String op = "pad";
        Device device = Checks.sameDevice(op, x);
        int rank = x.rank();
        if (padding.length % 2 != 0 || padding.length > 2 * rank) {
            throw Checks.error(op, "padding " + Arrays.toString(padding) + " must hold (before, after) pairs for at most "
                    + rank + " axes", x);
        }
        int[] before = new int[rank];
        int[] outShape = x.shape();
        for (int pair = 0; pair < padding.length / 2; pair++) {
            int axis = rank - 1 - pair;
            before[axis] = padding[2 * pair];
            outShape[axis] += padding[2 * pair] + padding[2 * pair + 1];
            if (outShape[axis] < 0) {
                throw Checks.error(op, "padding " + Arrays.toString(padding) + " crops axis " + axis
                        + " below zero length", x);
            }
        }
        Tensor y = Tensor.empty(device, x.dtype(), outShape);
        if (y.numel() > 0) {
            Operand in = x.operand();
            Operand out = y.operand();
            Dispatch.launch("pad", op, device, 0, () -> device.backend().pad(in, out, before, value), in, out);
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        int[] undo = new int[padding.length];
        Arrays.setAll(undo, i -> -padding[i]);
        return Autograd.record(op, y, gy -> new Tensor[] {pad(gy, undo, 0)}, x);
    }

    /**
     * Joins tensors of one dtype, device and rank along {@code axis}; every other extent must agree.
     * Differentiable: each input's gradient is its slice of the output's.
     */
    static Tensor concat(List<Tensor> tensors, int axis) {
        String op = "concat";
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException(op + ": needs at least one tensor");
        }
        Tensor[] inputs = tensors.toArray(new Tensor[0]);
        for (Tensor input : inputs) {
            if (input == null) {
                throw new IllegalArgumentException(op + ": the list of tensors holds a null");
            }
        }
        Device device = Checks.sameDevice(op, inputs);
        Tensor first = inputs[0];
        int rank = first.rank();
        if (rank == 0) {
            throw Checks.error(op, "cannot join scalars (rank 0); unsqueeze them first", inputs);
        }
        int joined = Checks.axis(op, axis, rank);
        int[] outShape = first.shape();
        outShape[joined] = 0;
        for (Tensor input : inputs) {
            if (input.dtype() != first.dtype()) {
                throw Checks.error(op, "tensors must have one dtype", inputs);
            }
            if (input.rank() != rank) {
                throw Checks.error(op, "tensors must have one rank", inputs);
            }
            for (int d = 0; d < rank; d++) {
                if (d != joined && input.shapeRef()[d] != first.shapeRef()[d]) {
                    throw Checks.error(op, "extents differ on axis " + d + " (joining along axis " + joined + ")",
                            inputs);
                }
            }
            outShape[joined] += input.shapeRef()[joined];
        }
        Tensor y = Tensor.empty(device, first.dtype(), outShape);
        if (y.numel() > 0) {
            Operand[] parts = Arrays.stream(inputs).filter(t -> t.numel() > 0).map(Tensor::operand)
                    .toArray(Operand[]::new);
            Operand out = y.operand();
            Operand[] launched = Arrays.copyOf(parts, parts.length + 1);
            launched[parts.length] = out;
            Dispatch.launch("concat", op, device, 0, () -> device.backend().concat(parts, joined, out), launched);
        }
        if (!Autograd.needsGrad(inputs)) {
            return y;
        }
        int[] starts = new int[inputs.length];
        int[] lengths = new int[inputs.length];
        for (int i = 0, start = 0; i < inputs.length; i++) {
            starts[i] = start;
            lengths[i] = inputs[i].shapeRef()[joined];
            start += lengths[i];
        }
        return Autograd.record(op, y, gy -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].requiresGrad()) {
                    grads[i] = gy.slice(joined, starts[i], starts[i] + lengths[i]);
                }
            }
            return grads;
        }, inputs);
    }

    /**
     * PyTorch's gather: {@code out[i₀, …, i_axis, …] = x[i₀, …, index[i₀, …, i_axis, …], …]}. The
     * index has x's rank and at most x's extent on every other axis; the result has the index's
     * shape. Differentiable in x (the gradient is scatter-added back).
     */
    static Tensor gather(Tensor x, int axis, Tensor index) {
        String op = "gather";
        Device device = Checks.sameDevice(op, x, index);
        checkIndexType(op, index, x, index);
        int along = indexedAxis(op, x, axis, x, index);
        if (index.rank() != x.rank()) {
            throw Checks.error(op, "index must have the input's rank", x, index);
        }
        checkExtentsAtMost(op, index, x, along, "the input's", x, index);
        Tensor y = Tensor.empty(device, x.dtype(), index.shapeRef());
        if (y.numel() > 0) {
            try (Autograd.GradMode off = Autograd.noGrad(); Tensor wide = widened(index)) {
                Operand in = x.operand();
                Operand indices = wide.operand();
                Operand out = y.operand();
                Dispatch.launch("gather", op, device, 0, () -> device.backend().gather(in, along, indices, out),
                        in, indices, out);
            }
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        int[] xShape = x.shapeRef();
        Autograd.Saved savedIndex = Autograd.save(index);
        return Autograd.record(op, y, gy -> new Tensor[] {
            scatterAddInto(Tensor.zeros(device, gy.dtype(), xShape), along, savedIndex.get(), gy, "gather_backward")
        }, x);
    }

    /**
     * Whole slices of x along {@code axis}, picked by a 1-D index (ONNX's Gather, PyTorch's
     * index_select): the result has x's shape with that axis's extent replaced by the index's
     * length. Differentiable in x (slices picked twice receive both gradients).
     */
    static Tensor indexSelect(Tensor x, int axis, Tensor index) {
        String op = "indexSelect";
        Device device = Checks.sameDevice(op, x, index);
        checkIndexType(op, index, x, index);
        int along = indexedAxis(op, x, axis, x, index);
        if (index.rank() != 1) {
            throw Checks.error(op, "index must be 1-D", x, index);
        }
        int[] outShape = x.shape();
        outShape[along] = index.dim(0);
        Tensor y = Tensor.empty(device, x.dtype(), outShape);
        if (y.numel() > 0) {
            try (Autograd.GradMode off = Autograd.noGrad(); Tensor wide = widened(index)) {
                Operand in = x.operand();
                Operand indices = wide.operand();
                Operand out = y.operand();
                Dispatch.launch("indexSelect", op, device, 0,
                        () -> device.backend().indexSelect(in, along, indices, out), in, indices, out);
            }
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        int[] xShape = x.shapeRef();
        Autograd.Saved savedIndex = Autograd.save(index);
        return Autograd.record(op, y, gy -> {
            int[] alongAxis = new int[gy.rank()];
            Arrays.fill(alongAxis, 1);
            alongAxis[along] = gy.shapeRef()[along];
            Tensor spread = savedIndex.get().reshape(alongAxis).expand(gy.shapeRef());
            Tensor gx = Tensor.zeros(device, gy.dtype(), xShape);
            return new Tensor[] {scatterAddInto(gx, along, spread, gy, "indexSelect_backward")};
        }, x);
    }

    /**
     * A copy of x with {@code src} added at the index along {@code axis} (PyTorch's scatter_add):
     * {@code out[…, index[…, i, …], …] += src[…, i, …]}. The index has x's rank, at most src's
     * extent on every axis and at most x's on the others; only the part of src the index covers is
     * added. Differentiable in x (gradient passed through) and in src (the gradient gathered).
     */
    static Tensor scatterAdd(Tensor x, int axis, Tensor index, Tensor src) {
        String op = "scatterAdd";
        Tensor[] operands = {x, index, src};
        Device device = Checks.sameDevice(op, operands);
        checkIndexType(op, index, operands);
        int along = indexedAxis(op, x, axis, operands);
        if (src.dtype() != x.dtype()) {
            throw Checks.error(op, "src must have the input's dtype", operands);
        }
        if (index.rank() != x.rank() || src.rank() != x.rank()) {
            throw Checks.error(op, "index and src must have the input's rank", operands);
        }
        checkExtentsAtMost(op, index, src, -1, "src's", operands);
        checkExtentsAtMost(op, index, x, along, "the input's", operands);
        Tensor covered = coveredPart(src, index.shapeRef());
        Tensor y;
        try (Autograd.GradMode off = Autograd.noGrad()) {
            y = x.copy();
            scatterAddInto(y, along, index, covered, op);
        } finally {
            if (covered != src) {
                covered.close();
            }
        }
        if (!Autograd.needsGrad(x, src)) {
            return y;
        }
        int[] srcShape = src.shapeRef();
        Autograd.Saved savedIndex = Autograd.save(index);
        return Autograd.record(op, y, gy -> {
            Tensor gsrc = null;
            if (src.requiresGrad()) {
                Tensor gathered = gy.gather(along, savedIndex.get());
                gsrc = Arrays.equals(gathered.shapeRef(), srcShape) ? gathered : pad(gathered, tailPadding(
                        gathered.shapeRef(), srcShape), 0);
            }
            return new Tensor[] {x.requiresGrad() ? gy : null, null, gsrc};
        }, operands);
    }

    /**
     * Adds {@code src} into {@code target} in place at {@code index} along {@code axis}; index
     * (INT32 or INT64) has src's shape. Returns target.
     */
    private static Tensor scatterAddInto(Tensor target, int axis, Tensor index, Tensor src, String op) {
        if (src.numel() == 0) {
            return target;
        }
        Device device = target.device();
        try (Autograd.GradMode off = Autograd.noGrad(); Tensor wide = widened(index)) {
            Operand out = target.operand();
            Operand indices = wide.operand();
            Operand in = src.operand();
            Dispatch.launch("scatterAdd", op, device, src.numel(),
                    () -> device.backend().scatterAdd(out, axis, indices, in), out, indices, in);
        }
        target.bumpVersion();
        return target;
    }

    /** The index as INT64: a new view of the same storage when it already is (so closing it is safe). */
    private static Tensor widened(Tensor index) {
        return index.dtype() == DType.INT64 ? index.detach() : index.to(DType.INT64);
    }

    /** The leading part of src that an index of {@code indexShape} covers (src itself when all of it). */
    private static Tensor coveredPart(Tensor src, int[] indexShape) {
        if (Arrays.equals(src.shapeRef(), indexShape)) {
            return src;
        }
        return src.view(src.offset, indexShape.clone(), src.stridesRef().clone());
    }

    /** Pads a smaller shape with zeros after its elements, up to {@code shape}, in pad's order. */
    private static int[] tailPadding(int[] smaller, int[] shape) {
        int[] padding = new int[2 * shape.length];
        for (int pair = 0; pair < shape.length; pair++) {
            int axis = shape.length - 1 - pair;
            padding[2 * pair + 1] = shape[axis] - smaller[axis];
        }
        return padding;
    }

    private static void checkIndexType(String op, Tensor index, Tensor... operands) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw Checks.error(op, "index must be int64 or int32, got " + index.dtype().shortName(), operands);
        }
    }

    private static int indexedAxis(String op, Tensor x, int axis, Tensor... operands) {
        if (x.rank() == 0) {
            throw Checks.error(op, "needs an input of rank 1 or more", operands);
        }
        return Checks.axis(op, axis, x.rank());
    }

    /**
     * Every extent of {@code index} is at most {@code bound}'s on the same axis, except on
     * {@code exceptAxis} (-1 for none).
     */
    private static void checkExtentsAtMost(String op, Tensor index, Tensor bound, int exceptAxis, String boundName,
                                           Tensor... operands) {
        for (int d = 0; d < index.rank(); d++) {
            if (d != exceptAxis && index.shapeRef()[d] > bound.shapeRef()[d]) {
                throw Checks.error(op, "index extent " + index.shapeRef()[d] + " on axis " + d + " exceeds "
                        + boundName + " " + bound.shapeRef()[d], operands);
            }
        }
    }
}
