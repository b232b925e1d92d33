package io.gasok.tck;

import io.gasok.DType;
import java.util.Arrays;

/**
 * Naive host loops for reductions: every input element is routed to the output element that
 * agrees with it on the kept axes. Independent of any backend's window walk.
 */
public final class Reductions {
    private Reductions() {}

    /** Normalised, sorted axes; null or empty means all. */
    public static int[] normalise(int[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            Arrays.setAll(all, i -> i);
            return all;
        }
        return Arrays.stream(axes).map(a -> a < 0 ? a + rank : a).sorted().toArray();
    }

    /** The output shape of a reduction over {@code axes} (normalised). */
    public static int[] outShape(int[] shape, int[] axes, boolean keepDim) {
        int[] kept = shape.clone();
        for (int axis : axes) {
            kept[axis] = 1;
        }
        if (keepDim) {
            return kept;
        }
        return java.util.stream.IntStream.range(0, shape.length)
                .filter(d -> Arrays.binarySearch(axes, d) < 0).map(d -> shape[d]).toArray();
    }

    /** Number of elements each output element reduces. */
    public static int count(int[] shape, int[] axes) {
        int count = 1;
        for (int axis : axes) {
            count *= shape[axis];
        }
        return count;
    }

    /** A fold over the reduced axes, starting from {@code identity}. */
    public interface Fold {
        double apply(double accumulator, double value);
    }

    /**
     * Folds {@code x} over {@code axes} into {@code resultType}; {@code first} true starts each
     * output from its first element instead of {@code identity} (max, min).
     */
    public static HostTensor fold(HostTensor x, int[] axes, boolean keepDim, DType resultType, double identity,
                                  boolean first, Fold fold) {
        int[] kept = outShape(x.shape(), axes, true);
        double[] out = new double[io.gasok.spi.Operand.sizeOf(kept)];
        boolean[] started = new boolean[out.length];
        Arrays.fill(out, identity);
        for (int flat = 0; flat < x.size(); flat++) {
            int[] index = HostTensor.multiIndex(x.shape(), flat);
            for (int axis : axes) {
                index[axis] = 0;
            }
            int target = HostTensor.flatIndex(kept, index);
            double value = x.get(flat);
            out[target] = first && !started[target] ? value : fold.apply(out[target], value);
            started[target] = true;
        }
        for (int i = 0; i < out.length; i++) {
            out[i] = Oracle.round(resultType, out[i]);
        }
        return new HostTensor(resultType, outShape(x.shape(), axes, keepDim), out);
    }

    public static HostTensor sum(HostTensor x, int[] axes, boolean keepDim, DType resultType) {
        return fold(x, axes, keepDim, resultType, 0, false, Double::sum);
    }

    /** The index along {@code axis} of the first maximum (or minimum), NaN winning; INT64. */
    public static HostTensor argExtreme(HostTensor x, int axis, boolean keepDim, boolean max) {
        int[] axes = {axis};
        int[] kept = outShape(x.shape(), axes, true);
        double[] best = new double[io.gasok.spi.Operand.sizeOf(kept)];
        double[] where = new double[best.length];
        boolean[] started = new boolean[best.length];
        for (int flat = 0; flat < x.size(); flat++) {
            int[] index = HostTensor.multiIndex(x.shape(), flat);
            int position = index[axis];
            index[axis] = 0;
            int target = HostTensor.flatIndex(kept, index);
            double value = x.get(flat);
            boolean wins = !started[target] || (!Double.isNaN(best[target])
                    && (Double.isNaN(value) || (max ? value > best[target] : value < best[target])));
            if (wins) {
                best[target] = value;
                where[target] = position;
            }
            started[target] = true;
        }
        return new HostTensor(DType.INT64, outShape(x.shape(), axes, keepDim), where);
    }
}
