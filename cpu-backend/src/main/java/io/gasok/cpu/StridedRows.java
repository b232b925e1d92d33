package io.gasok.cpu;

import io.gasok.spi.Operand;

/**
 * Several operands of one shape walked together in row-major order, one run along the inner axis
 * at a time: the walk the elementwise, copy, fill and random kernels share.
 *
 * <p>The shape is coalesced first: axes of extent 1 are dropped, and an axis is merged into the
 * next inner one wherever every operand's strides allow it ({@code stride[d] == stride[d+1] ·
 * shape[d+1]}), so contiguous operands become one long row and a broadcast bias over a contiguous
 * matrix keeps rows as long as the matrix's. Row-major order is unchanged by coalescing, so the
 * linear index of an element (what the random fill draws by) is the same as in the full shape.
 */
final class StridedRows {

    /** What is done with one run: {@code positions[k]} is operand k's buffer index of the run's first element. */
    @FunctionalInterface
    interface RunAction {
        void run(int[] positions, int length);
    }

    private final int operandCount;
    private final int[] outerShape;
    /** {@code outerStrides[k][d]}: operand k's stride along coalesced outer axis d. */
    private final int[][] outerStrides;
    private final int inner;
    private final int[] innerStrides;
    private final int[] offsets;
    private final int size;

    private StridedRows(int[] shape, Operand[] operands) {
        operandCount = operands.length;
        int rank = shape.length;
        int[] extents = new int[rank];
        int[][] strides = new int[operandCount][rank];
        int kept = 0;
        for (int d = 0; d < rank; d++) {
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = kept > 0;
            for (int k = 0; k < operandCount && merge; k++) {
                merge = strides[k][kept - 1] == (long) operands[k].stride(d) * shape[d];
            }
            if (merge) {
                extents[kept - 1] *= shape[d];
                for (int k = 0; k < operandCount; k++) {
                    strides[k][kept - 1] = operands[k].stride(d);
                }
            } else {
                extents[kept] = shape[d];
                for (int k = 0; k < operandCount; k++) {
                    strides[k][kept] = operands[k].stride(d);
                }
                kept++;
            }
        }
        int outerRank = Math.max(kept - 1, 0);
        outerShape = java.util.Arrays.copyOf(extents, outerRank);
        outerStrides = new int[operandCount][];
        innerStrides = new int[operandCount];
        offsets = new int[operandCount];
        for (int k = 0; k < operandCount; k++) {
            outerStrides[k] = java.util.Arrays.copyOf(strides[k], outerRank);
            innerStrides[k] = kept == 0 ? 0 : strides[k][kept - 1];
            offsets[k] = operands[k].offset();
        }
        inner = kept == 0 ? 1 : extents[kept - 1];
        size = Operand.sizeOf(shape);
    }

    /** The walk of {@code operands} (each walked with {@code shape}'s extents and its own strides). */
    static StridedRows of(int[] shape, Operand... operands) {
        return new StridedRows(shape, operands);
    }

    int size() {
        return size;
    }

    /** Extent of the coalesced inner axis. */
    int inner() {
        return inner;
    }

    /** Operand k's stride along the coalesced inner axis (1: contiguous rows, 0: broadcast along them). */
    int innerStride(int operand) {
        return innerStrides[operand];
    }

    /** Operand k's buffer index of the element of row-major index {@code linear}. */
    int positionOf(int operand, int linear) {
        int row = linear / inner;
        int position = offsets[operand] + linear % inner * innerStrides[operand];
        for (int d = outerShape.length - 1; d >= 0; d--) {
            position += row % outerShape[d] * outerStrides[operand][d];
            row /= outerShape[d];
        }
        return position;
    }

    /**
     * Calls {@code action} for the elements of linear indices [start, end), in order, in runs
     * that never cross a row and are at most {@code maxRun} long. The positions array is reused
     * between calls and must not be modified by the action.
     */
    void forEachRun(int start, int end, int maxRun, RunAction action) {
        if (start >= end) {
            return;
        }
        int outerRank = outerShape.length;
        int[] coordinates = new int[outerRank];
        int[] positions = offsets.clone();
        int row = start / inner;
        int column = start % inner;
        for (int d = outerRank - 1; d >= 0; d--) {
            coordinates[d] = row % outerShape[d];
            row /= outerShape[d];
            for (int k = 0; k < operandCount; k++) {
                positions[k] += coordinates[d] * outerStrides[k][d];
            }
        }
        for (int k = 0; k < operandCount; k++) {
            positions[k] += column * innerStrides[k];
        }
        int remaining = end - start;
        while (remaining > 0) {
            int length = Math.min(Math.min(inner - column, remaining), maxRun);
            action.run(positions, length);
            remaining -= length;
            column += length;
            for (int k = 0; k < operandCount; k++) {
                positions[k] += length * innerStrides[k];
            }
            if (column == inner && remaining > 0) {
                column = 0;
                for (int k = 0; k < operandCount; k++) {
                    positions[k] -= inner * innerStrides[k];
                }
                nextRow(coordinates, positions);
            }
        }
    }

    private void nextRow(int[] coordinates, int[] positions) {
        for (int d = outerShape.length - 1; d >= 0; d--) {
            coordinates[d]++;
            for (int k = 0; k < operandCount; k++) {
                positions[k] += outerStrides[k][d];
            }
            if (coordinates[d] < outerShape[d]) {
                return;
            }
            for (int k = 0; k < operandCount; k++) {
                positions[k] -= outerStrides[k][d] * outerShape[d];
            }
            coordinates[d] = 0;
        }
    }

    /**
     * Runs {@code range.accept(start, end)} over [0, size) split into one contiguous range per
     * thread when the size reaches {@code threshold}, else as one range on the calling thread.
     * Part p covers [p·size/parts, (p+1)·size/parts).
     */
    static void splitAcrossThreads(int size, int threshold, WorkerPool pool, RangeAction range) {
        int parts = size >= threshold ? Math.min(pool.threads(), Math.max(1, size / (threshold / 2))) : 1;
        if (parts == 1) {
            range.accept(0, size);
            return;
        }
        pool.parallelFor(parts, p -> range.accept((int) ((long) size * p / parts),
                (int) ((long) size * (p + 1) / parts)));
    }

    @FunctionalInterface
    interface RangeAction {
        void accept(int start, int end);
    }
}
