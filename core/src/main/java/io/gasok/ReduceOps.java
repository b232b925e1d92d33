package io.gasok;

import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;
import java.util.Arrays;

/**
 * Reductions over any set of axes, with or without keeping them as size-1 axes. Sums of BOOL and
 * integer tensors give INT64 (as in PyTorch); {@code mean} and {@code var} are composed from
 * {@code sum}, so their gradients come from the rules below.
 */
final class ReduceOps {
    private ReduceOps() {}

    static Tensor sum(Tensor x, int[] axes, boolean keepDim) {
        int[] reduced = axes(x, "sum", axes);
        int[] kept = keptShape(x, reduced);
        return sumInto(x, reduced, kept, keepDim ? kept : dropAxes(kept, reduced));
    }

    /**
     * The sum over {@code reduced} as a tensor of {@code resultShape}, which holds the kept shape's
     * elements in the same order (the kept shape itself, or it without some size-1 axes): the
     * kernel writes the result tensor's own storage, so no view is made to drop the axes.
     */
    private static Tensor sumInto(Tensor x, int[] reduced, int[] kept, int[] resultShape) {
        DType outType = x.dtype().isFloating() ? x.dtype() : DType.INT64;
        Tensor y = launch(ReduceOp.SUM, "sum", x, reduced, kept, outType, resultShape);
        if (Autograd.needsGrad(x)) {
            int[] xShape = x.shapeRef();
            Autograd.record("sum", y, gy -> new Tensor[] {gy.reshape(kept).expand(xShape)}, x);
        }
        return y;
    }

    static Tensor mean(Tensor x, int[] axes, boolean keepDim) {
        Tensor input = x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
        int[] reduced = axes(input, "mean", axes);
        int count = count(input, reduced);
        if (count == 0) {
            throw Checks.error("mean", "mean over an empty axis has no value", x);
        }
        return sum(input, reduced, keepDim).div(count);
    }

    /** MAX or MIN; the gradient is shared evenly among the elements equal to the extreme. */
    static Tensor extreme(ReduceOp op, Tensor x, int[] axes, boolean keepDim) {
        String name = op.opName();
        int[] reduced = axes(x, name, axes);
        if (count(x, reduced) == 0) {
            throw Checks.error(name, "reduction over an empty axis has no identity", x);
        }
        int[] kept = keptShape(x, reduced);
        Tensor y = launch(op, name, x, reduced, kept, x.dtype(), keepDim ? kept : dropAxes(kept, reduced));
        if (Autograd.needsGrad(x)) {
            Autograd.Saved savedX = Autograd.save(x);
            Autograd.Saved savedY = Autograd.save(y);
            Autograd.record(name, y, gy -> {
                Tensor mask = savedX.get().eq(savedY.get().reshape(kept));
                Tensor share = gy.reshape(kept).div(mask.sum(reduced, true));
                return new Tensor[] {Tensor.where(mask, share, Tensor.zeros(gy.device(), gy.dtype()))};
            }, x);
        }
        return y;
    }

    /** ARGMAX or ARGMIN along one axis: the first index on ties, INT64; not differentiable. */
    static Tensor arg(ReduceOp op, Tensor x, int axis, boolean keepDim) {
        String name = op.opName();
        int[] reduced = {Checks.axis(name, axis, x.rank())};
        if (x.rank() == 0) {
            return Tensor.zeros(x.device(), DType.INT64);
        }
        if (x.shapeRef()[reduced[0]] == 0) {
            throw Checks.error(name, "reduction over an empty axis has no index", x);
        }
        int[] kept = keptShape(x, reduced);
        return launch(op, name, x, reduced, kept, DType.INT64, keepDim ? kept : dropAxes(kept, reduced));
    }

    /** {@code Σ(x - mean)² / (n - correction)} over the axes. */
    static Tensor var(Tensor x, int[] axes, int correction, boolean keepDim) {
        Tensor input = x.dtype().isFloating() ? x : x.to(DType.FLOAT32);
        int[] reduced = axes(input, "var", axes);
        int count = count(input, reduced);
        if (count - correction <= 0) {
            throw Checks.error("var", "correction " + correction + " leaves no degrees of freedom over " + count
                    + " element(s)", x);
        }
        Tensor centred = input.sub(input.mean(reduced, true));
        return centred.mul(centred).sum(reduced, keepDim).div(count - correction);
    }

    /** Sums a gradient of a broadcast result down to an operand's {@code shape}. */
    static Tensor sumTo(Tensor grad, int[] shape) {
        int[] gradShape = grad.shapeRef();
        if (Arrays.equals(gradShape, shape)) {
            return grad;
        }
        int lead = gradShape.length - shape.length;
        int[] axes = new int[gradShape.length];
        int count = 0;
        for (int d = 0; d < gradShape.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gradShape[d] != 1)) {
                axes[count++] = d;
            }
        }
        if (count == 0) {
            return grad.reshape(shape);
        }
        int[] reduced = Arrays.copyOf(axes, count);
        return sumInto(grad, reduced, keptShape(grad, reduced), shape.clone());
    }

    /**
     * Launches {@code op} over {@code axes} into a new tensor of {@code resultShape}; the kernel
     * sees it with the {@code kept} shape (x's, with the reduced axes of extent 1), which has the
     * same elements in the same row-major order.
     */
    private static Tensor launch(ReduceOp op, String name, Tensor x, int[] axes, int[] kept, DType outType,
                                 int[] resultShape) {
        Device device = Checks.sameDevice(name, x);
        Tensor y = Tensor.empty(device, outType, resultShape);
        Operand in = x.operand();
        Operand out = new Operand(y.storage.buffer, outType, 0, kept, Operand.rowMajorStrides(kept));
        Dispatch.launch("reduce", name, device, x.numel(), () -> device.backend().reduce(op, in, axes, out), in, out);
        return y;
    }

    /** {@code x}'s shape with the {@code axes} of extent 1. */
    private static int[] keptShape(Tensor x, int[] axes) {
        int[] kept = x.shapeRef().clone();
        for (int axis : axes) {
            kept[axis] = 1;
        }
        return kept;
    }

    /** {@code kept} without the {@code axes} (sorted). */
    private static int[] dropAxes(int[] kept, int[] axes) {
        int[] dropped = new int[kept.length - axes.length];
        int next = 0;
        for (int d = 0; d < kept.length; d++) {
            if (Arrays.binarySearch(axes, d) < 0) {
                dropped[next++] = kept[d];
            }
        }
        return dropped;
    }

    /** The axes to reduce, normalised, sorted and checked; null or empty means all. */
    private static int[] axes(Tensor x, String op, int[] axes) {
        int rank = x.rank();
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] normalised = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            normalised[i] = Checks.axis(op, axes[i], rank);
        }
        Arrays.sort(normalised);
        for (int i = 1; i < normalised.length; i++) {
            if (normalised[i] == normalised[i - 1]) {
                throw Checks.error(op, "axis " + normalised[i] + " given twice in " + Arrays.toString(axes), x);
            }
        }
        return normalised;
    }

    private static int count(Tensor x, int[] axes) {
        int count = 1;
        for (int axis : axes) {
            count *= x.shapeRef()[axis];
        }
        return count;
    }
}
