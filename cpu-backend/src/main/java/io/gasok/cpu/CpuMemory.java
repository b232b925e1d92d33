package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * The memory kernels: strided copy, fill, pad (and crop), and concatenation along an axis, for
 * every dtype (same dtype on both sides; values move as they are, int64 exactly).
 *
 * <p>Copy and fill walk the destination in rows of the coalesced inner axis ({@link StridedRows}):
 * two contiguous operands are one row, moved by {@code System.arraycopy}; rows contiguous on both
 * sides are arraycopies too; a broadcast source (inner stride 0) is an {@code Arrays.fill}; other
 * strides take a scalar strided loop, which the JIT unrolls (a copy does no arithmetic for lanes
 * to share, and {@code System.arraycopy} and {@code Arrays.fill} are vectorised intrinsics). Fill is
 * a copy from a one-element source of stride 0.
 *
 * <p>Pad walks dst's rows (all axes but the last): a row outside src along an outer axis is all
 * {@code value}; otherwise the row is {@code value} over [0, lo), src's row over [lo, hi) and
 * {@code value} over [hi, n), with lo and hi the row's overlap with src shifted by
 * {@code before}. Concat copies each input into its slice of out, a view with the input's shape.
 *
 * <p>Threads: above {@value #PARALLEL_THRESHOLD} elements, copy and fill split dst's linear
 * index range, and pad its rows, into one contiguous range per thread; below, the calling thread
 * does everything.
 */
final class CpuMemory {
    static final int PARALLEL_THRESHOLD = 1 << 16;

    private CpuMemory() {}

    /** {@code dst[e] = src[e]} for every element e, each operand through its own strides. */
    static void copy(Operand src, Operand dst, WorkerPool pool) {
        int size = dst.size();
        if (size == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(dst.shape(), src, dst);
        Object from = CpuBuffer.array(src);
        Object to = CpuBuffer.array(dst);
        int fromStride = rows.innerStride(0);
        int toStride = rows.innerStride(1);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, (start, end) -> rows.forEachRun(start, end,
                Integer.MAX_VALUE, (positions, n) -> copyRun(from, positions[0], fromStride, to, positions[1], toStride, n)));
    }

    /** {@code dst[e] = value} converted to dst's dtype as {@code Expr.castValue} says. */
    static void fill(Operand dst, double value, WorkerPool pool) {
        int size = dst.size();
        if (size == 0) {
            return;
        }
        Object single = singleValue(dst.dtype(), value);
        StridedRows rows = StridedRows.of(dst.shape(), dst);
        Object to = CpuBuffer.array(dst);
        int toStride = rows.innerStride(0);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, (start, end) -> rows.forEachRun(start, end,
                Integer.MAX_VALUE, (positions, n) -> copyRun(single, 0, 0, to, positions[0], toStride, n)));
    }

    /**
     * {@code dst[j] = src[j - before]} where that lies inside src, else {@code value}; a negative
     * {@code before[d]} crops the front of src along d, a short dst its back.
     */
    static void pad(Operand src, Operand dst, int[] before, double value, WorkerPool pool) {
        int size = dst.size();
        if (size == 0) {
            return;
        }
        int rank = dst.rank();
        if (rank == 0) {
            copy(src, dst, pool);
            return;
        }
        int inner = dst.dim(rank - 1);
        int rowCount = size / inner;
        Object from = CpuBuffer.array(src);
        Object to = CpuBuffer.array(dst);
        Object single = singleValue(dst.dtype(), value);
        int shift = before[rank - 1];
        int lo = Math.clamp(shift, 0, inner);
        int hi = Math.max(lo, Math.clamp((long) shift + src.dim(rank - 1), 0, inner));
        int fromStride = src.stride(rank - 1);
        int toStride = dst.stride(rank - 1);
        int rowThreshold = Math.max(1, PARALLEL_THRESHOLD / inner);
        StridedRows.splitAcrossThreads(rowCount, rowThreshold, pool, (firstRow, endRow) -> {
            for (int row = firstRow; row < endRow; row++) {
                int toRow = dst.offset();
                int fromRow = src.offset();
                boolean inside = true;
                int rest = row;
                for (int d = rank - 2; d >= 0; d--) {
                    int coordinate = rest % dst.dim(d);
                    rest /= dst.dim(d);
                    toRow += coordinate * dst.stride(d);
                    int fromCoordinate = coordinate - before[d];
                    inside &= fromCoordinate >= 0 && fromCoordinate < src.dim(d);
                    fromRow += fromCoordinate * src.stride(d);
                }
                if (!inside || lo == hi) {
                    copyRun(single, 0, 0, to, toRow, toStride, inner);
                    continue;
                }
                copyRun(single, 0, 0, to, toRow, toStride, lo);
                copyRun(from, fromRow + (lo - shift) * fromStride, fromStride, to, toRow + lo * toStride, toStride, hi - lo);
                copyRun(single, 0, 0, to, toRow + hi * toStride, toStride, inner - hi);
            }
        });
    }

    /**
     * Input k goes to the slice of out along {@code axis} that starts after inputs 0..k-1: a view
     * of out with the input's shape, filled by {@link #copy}.
     */
    static void concat(Operand[] inputs, int axis, Operand out, WorkerPool pool) {
        int start = 0;
        for (Operand input : inputs) {
            Operand slice = new Operand(out.buffer(), out.dtype(), out.offset() + start * out.stride(axis),
                    input.shape(), out.strides());
            copy(input, slice, pool);
            start += input.dim(axis);
        }
    }

    /** A one-element host array of dtype holding {@code value} converted as {@code Expr.castValue}. */
    private static Object singleValue(DType dtype, double value) {
        return switch (dtype) {
            case FLOAT32 -> new float[] {(float) value};
            case FLOAT64 -> new double[] {value};
            case INT32 -> new int[] {(int) value};
            case INT64 -> new long[] {(long) value};
            case BOOL -> new byte[] {(byte) (value != 0 ? 1 : 0)};
        };
    }

    /** {@code to[at + i·toStride] = from[fromAt + i·fromStride]} for i in [0, n); same array type. */
    static void copyRun(Object from, int fromAt, int fromStride, Object to, int at, int toStride, int n) {
        if (n <= 0) {
            return;
        }
        if (fromStride == 1 && toStride == 1) {
            System.arraycopy(from, fromAt, to, at, n);
            return;
        }
        switch (from) {
            case float[] f -> {
                float[] t = (float[]) to;
                if (fromStride == 0 && toStride == 1) {
                    Arrays.fill(t, at, at + n, f[fromAt]);
                } else {
                    for (int i = 0; i < n; i++) {
                        t[at + i * toStride] = f[fromAt + i * fromStride];
                    }
                }
            }
            case double[] f -> {
                double[] t = (double[]) to;
                if (fromStride == 0 && toStride == 1) {
                    Arrays.fill(t, at, at + n, f[fromAt]);
                } else {
                    for (int i = 0; i < n; i++) {
                        t[at + i * toStride] = f[fromAt + i * fromStride];
                    }
                }
            }
            case int[] f -> {
                int[] t = (int[]) to;
                if (fromStride == 0 && toStride == 1) {
                    Arrays.fill(t, at, at + n, f[fromAt]);
                } else {
                    for (int i = 0; i < n; i++) {
                        t[at + i * toStride] = f[fromAt + i * fromStride];
                    }
                }
            }
            case long[] f -> {
                long[] t = (long[]) to;
                if (fromStride == 0 && toStride == 1) {
                    Arrays.fill(t, at, at + n, f[fromAt]);
                } else {
                    for (int i = 0; i < n; i++) {
                        t[at + i * toStride] = f[fromAt + i * fromStride];
                    }
                }
            }
            case byte[] f -> {
                byte[] t = (byte[]) to;
                if (fromStride == 0 && toStride == 1) {
                    Arrays.fill(t, at, at + n, f[fromAt]);
                } else {
                    for (int i = 0; i < n; i++) {
                        t[at + i * toStride] = f[fromAt + i * fromStride];
                    }
                }
            }
            default -> throw new IllegalArgumentException("not a host array: " + from);
        }
    }
}
