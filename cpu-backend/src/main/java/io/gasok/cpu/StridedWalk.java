package io.gasok.cpu;

/**
 * Buffer offsets of a run of elements of a shape, for several strided operands walked together:
 * the general (any strides, stride 0 broadcast, offsets) path of the reduction and indexing
 * kernels. Elements are numbered row-major over {@code shape}; {@link #fill} writes the offsets of
 * elements [from, from + count) of each operand, so a kernel can walk a big shape in blocks, and
 * each part of a parallel split can start where its range begins.
 */
final class StridedWalk {
    private StridedWalk() {}

    /**
     * {@code offsets[k][i] = bases[k] + Σ_d coordinate_d(from + i) · strides[k][d]} for i in
     * [0, count): one rank-length decomposition of {@code from}, then an odometer step per element.
     */
    static void fill(int[] shape, int[][] strides, int[] bases, long from, int count, int[][] offsets) {
        int rank = shape.length;
        int streams = strides.length;
        int[] coordinates = new int[rank];
        int[] positions = bases.clone();
        long rest = from;
        for (int d = rank - 1; d >= 0; d--) {
            coordinates[d] = (int) (rest % shape[d]);
            rest /= shape[d];
            for (int k = 0; k < streams; k++) {
                positions[k] += coordinates[d] * strides[k][d];
            }
        }
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < streams; k++) {
                offsets[k][i] = positions[k];
            }
            for (int d = rank - 1; d >= 0; d--) {
                coordinates[d]++;
                for (int k = 0; k < streams; k++) {
                    positions[k] += strides[k][d];
                }
                if (coordinates[d] < shape[d]) {
                    break;
                }
                for (int k = 0; k < streams; k++) {
                    positions[k] -= strides[k][d] * shape[d];
                }
                coordinates[d] = 0;
            }
        }
    }

    /** The offset of row-major element {@code linear} of {@code shape} with {@code strides}. */
    static int offsetOf(int[] shape, int[] strides, int base, long linear) {
        int position = base;
        long rest = linear;
        for (int d = shape.length - 1; d >= 0; d--) {
            position += (int) (rest % shape[d]) * strides[d];
            rest /= shape[d];
        }
        return position;
    }

    /** Splits [0, total) into {@code parts} contiguous ranges; part p starts at the returned value. */
    static long partStart(long total, int parts, int part) {
        return total * part / parts;
    }
}
