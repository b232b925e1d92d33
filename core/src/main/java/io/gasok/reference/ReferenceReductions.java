package io.gasok.reference;

import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;
import java.util.Arrays;

/**
 * Reductions and softmax of the reference backend.
 *
 * <p>Each output element owns a <em>window</em> of the input: the elements that agree with it on
 * every kept axis. The output has extent 1 on the reduced axes, so walking the output's shape with
 * the input's strides visits the first element of every window; a second walk covers the window.
 * Floating sums accumulate in double, integer sums in long.
 */
final class ReferenceReductions {
    private ReferenceReductions() {}

    /**
     * {@code out[j] = op over the window of j} for every output element j. SUM of an empty window
     * is 0; MAX/MIN propagate NaN; ARGMAX/ARGMIN (one axis) give the first index of the extreme,
     * or of the first NaN, as INT64.
     */
    static void reduce(ReduceOp op, Operand in, int[] axes, Operand out) {
        int[] windowShape = new int[in.rank()];
        Arrays.fill(windowShape, 1);
        for (int axis : axes) {
            windowShape[axis] = in.dim(axis);
        }
        HostBuffer result = HostBuffer.of(out);
        for (Odometer walk = new Odometer(out.shape(), out, in); walk.hasElement(); walk.advance()) {
            Operand window = new Operand(in.buffer(), in.dtype(), walk.position(1), windowShape, in.strides());
            int target = walk.position(0);
            switch (op) {
                case SUM -> sum(window, result, target);
                case MAX, MIN -> extreme(op == ReduceOp.MAX, window, result, target);
                case ARGMAX, ARGMIN -> result.setLong(target, argExtreme(op == ReduceOp.ARGMAX, window, axes[0]));
            }
        }
    }

    private static void sum(Operand window, HostBuffer result, int target) {
        HostBuffer data = HostBuffer.of(window);
        if (window.dtype().isFloating()) {
            double sum = 0;
            for (Odometer walk = new Odometer(window.shape(), window); walk.hasElement(); walk.advance()) {
                sum += data.getDouble(walk.position(0));
            }
            result.setDouble(target, sum);
        } else {
            long sum = 0;
            for (Odometer walk = new Odometer(window.shape(), window); walk.hasElement(); walk.advance()) {
                sum += data.getLong(walk.position(0));
            }
            result.setLong(target, sum);
        }
    }

    /** The maximum (or minimum) of a non-empty window; {@link Math#max} makes NaN win. */
    private static void extreme(boolean max, Operand window, HostBuffer result, int target) {
        HostBuffer data = HostBuffer.of(window);
        Odometer walk = new Odometer(window.shape(), window);
        if (window.dtype().isFloating()) {
            double best = data.getDouble(walk.position(0));
            for (walk.advance(); walk.hasElement(); walk.advance()) {
                double value = data.getDouble(walk.position(0));
                best = max ? Math.max(best, value) : Math.min(best, value);
            }
            result.setDouble(target, best);
        } else {
            long best = data.getLong(walk.position(0));
            for (walk.advance(); walk.hasElement(); walk.advance()) {
                long value = data.getLong(walk.position(0));
                best = max ? Math.max(best, value) : Math.min(best, value);
            }
            result.setLong(target, best);
        }
    }

    /**
     * The index along {@code axis} of the window's first maximum (or minimum). A NaN beats every
     * number and the first NaN is final; strict comparisons keep the first index on ties.
     */
    private static long argExtreme(boolean max, Operand window, int axis) {
        HostBuffer data = HostBuffer.of(window);
        Odometer walk = new Odometer(window.shape(), window);
        long bestIndex = 0;
        if (window.dtype().isFloating()) {
            double best = data.getDouble(walk.position(0));
            for (walk.advance(); walk.hasElement() && !Double.isNaN(best); walk.advance()) {
                double value = data.getDouble(walk.position(0));
                if (Double.isNaN(value) || (max ? value > best : value < best)) {
                    best = value;
                    bestIndex = walk.coordinate(axis);
                }
            }
        } else {
            long best = data.getLong(walk.position(0));
            for (walk.advance(); walk.hasElement(); walk.advance()) {
                long value = data.getLong(walk.position(0));
                if (max ? value > best : value < best) {
                    best = value;
                    bestIndex = walk.coordinate(axis);
                }
            }
        }
        return bestIndex;
    }

    /**
     * Softmax along {@code axis}, in double: for each line {@code x} along the axis,
     * {@code out = exp(x - max) / Σ exp(x - max)}, or {@code x - max - log Σ exp(x - max)} for
     * log-softmax. Subtracting the line's maximum keeps every exponent at most 0.
     */
    static void softmax(Operand in, int axis, boolean log, Operand out) {
        int extent = in.dim(axis);
        int[] lineStarts = in.shape().clone();
        lineStarts[axis] = 1;
        HostBuffer x = HostBuffer.of(in);
        HostBuffer y = HostBuffer.of(out);
        for (Odometer walk = new Odometer(lineStarts, in, out); walk.hasElement(); walk.advance()) {
            int inStart = walk.position(0);
            int outStart = walk.position(1);
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < extent; k++) {
                max = Math.max(max, x.getDouble(inStart + k * in.stride(axis)));
            }
            double sum = 0;
            for (int k = 0; k < extent; k++) {
                sum += Math.exp(x.getDouble(inStart + k * in.stride(axis)) - max);
            }
            double logSum = Math.log(sum);
            for (int k = 0; k < extent; k++) {
                double shifted = x.getDouble(inStart + k * in.stride(axis)) - max;
                y.setDouble(outStart + k * out.stride(axis), log ? shifted - logSum : Math.exp(shifted) / sum);
            }
        }
    }
}
