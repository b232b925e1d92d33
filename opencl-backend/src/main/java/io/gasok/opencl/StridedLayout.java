package io.gasok.opencl;

import java.util.Arrays;

/**
 * The host side of the kernels' {@code StridedLayout} argument (gpu-kernels' common.h): an offset
 * and up to {@value #MAX_RANK} extents and strides, packed as {@code 2 + 2·MAX_RANK} int64 values.
 *
 * <p>Before packing, {@link #merge} drops extent-1 axes and merges neighbouring axes that every
 * operand of a launch walks as one (stride[d] = stride[d+1]·extent[d+1]), so a contiguous operand
 * arrives with rank 1 and index arithmetic per element stays short.
 */
final class StridedLayout {
    /** Must equal MAX_RANK in common.h. */
    static final int MAX_RANK = 8;
    static final long BYTES = (2L + 2 * MAX_RANK) * Long.BYTES;

    private StridedLayout() {}

    /**
     * The extents and each operand's strides after dropping extent-1 axes and merging axes
     * walked as one by all operands: {@code result[0]} the extents, {@code result[1 + k]} operand
     * k's strides.
     */
    static long[][] merge(int[] extents, int[]... strides) {
        int rank = extents.length;
        long[][] merged = new long[strides.length + 1][rank];
        int kept = 0;
        for (int axis = 0; axis < rank; axis++) {
            if (extents[axis] == 1) {
                continue;
            }
            boolean mergesWithPrevious = kept > 0;
            for (int k = 0; k < strides.length && mergesWithPrevious; k++) {
                mergesWithPrevious = merged[k + 1][kept - 1] == (long) strides[k][axis] * extents[axis];
            }
            if (mergesWithPrevious) {
                merged[0][kept - 1] *= extents[axis];
                for (int k = 0; k < strides.length; k++) {
                    merged[k + 1][kept - 1] = strides[k][axis];
                }
            } else {
                merged[0][kept] = extents[axis];
                for (int k = 0; k < strides.length; k++) {
                    merged[k + 1][kept] = strides[k][axis];
                }
                kept++;
            }
        }
        for (int k = 0; k < merged.length; k++) {
            merged[k] = Arrays.copyOf(merged[k], kept);
        }
        return merged;
    }

    /** The packed argument for an operand at {@code offset} with these extents and strides. */
    static long[] pack(long offset, long[] extents, long[] strides, String kernel) {
        if (extents.length > MAX_RANK) {
            throw new UnsupportedOperationException("opencl: " + kernel + " takes operands of at most " + MAX_RANK
                    + " dimensions that cannot be merged, got extents " + Arrays.toString(extents)
                    + " with strides " + Arrays.toString(strides));
        }
        long[] packed = new long[2 + 2 * MAX_RANK];
        packed[0] = offset;
        packed[1] = extents.length;
        System.arraycopy(extents, 0, packed, 2, extents.length);
        System.arraycopy(strides, 0, packed, 2 + MAX_RANK, strides.length);
        return packed;
    }

    static long[] toLongs(int[] values) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            longs[i] = values[i];
        }
        return longs;
    }
}
