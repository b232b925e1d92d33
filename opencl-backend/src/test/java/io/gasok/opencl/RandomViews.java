package io.gasok.opencl;

import io.gasok.spi.Operand;
import java.util.Random;

/**
 * Random shapes and strided views for the kernel tests: extents 0..4 (empty included), and views
 * that are contiguous, permuted, offset or padded (strides wider than the extents).
 */
final class RandomViews {
    private RandomViews() {}

    /** A shape of rank 0..maxRank, extents in [minExtent, 4]. */
    static int[] shape(Random random, int maxRank, int minExtent) {
        int[] shape = new int[random.nextInt(maxRank + 1)];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = minExtent + random.nextInt(5 - minExtent);
        }
        return shape;
    }

    /** Strides for a view of {@code shape}: row-major, permuted, or with gaps; see {@link #bufferLength}. */
    static int[] strides(Random random, int[] shape) {
        int rank = shape.length;
        int[] order = new int[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        if (random.nextBoolean()) {
            for (int d = rank - 1; d > 0; d--) {
                int other = random.nextInt(d + 1);
                int swap = order[d];
                order[d] = order[other];
                order[other] = swap;
            }
        }
        int[] strides = new int[rank];
        int stride = 1;
        for (int k = rank - 1; k >= 0; k--) {
            int axis = order[k];
            strides[axis] = stride;
            stride *= Math.max(shape[axis], 1) + (random.nextInt(3) == 0 ? 1 : 0);
        }
        return strides;
    }

    /** Elements a buffer needs for a view at {@code offset} with these strides. */
    static int bufferLength(int offset, int[] shape, int[] strides) {
        int last = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return offset + 1;
            }
            last += (shape[d] - 1) * strides[d];
        }
        return last + 1;
    }

    /** The same shape broadcast from a smaller operand: axes picked at random get stride 0. */
    static int[] broadcastStrides(Random random, int[] shape) {
        int[] strides = Operand.rowMajorStrides(shape);
        for (int d = 0; d < shape.length; d++) {
            if (random.nextInt(3) == 0) {
                strides[d] = 0;
            }
        }
        return strides;
    }
}
