package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;
import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Reductions (SUM, MAX, MIN over any axes; ARGMAX, ARGMIN over one) and fused softmax /
 * log-softmax of the CPU backend. {@code ReferenceReductions} is the definition.
 *
 * <p><b>Reduce.</b> Output element j owns the <em>window</em> of inputs that agree with it on
 * every kept axis. The axes are first split into kept and reduced ones, extent-1 axes dropped and
 * neighbours that are one dense run merged ({@link Plan}). Then one of three paths runs:
 * <ul>
 *   <li><em>inner lines</em> (FLOAT32, a reduced axis has stride 1: row sums, global sums, the
 *       per-channel sums of batch norm): the window is a set of contiguous lines; each line is
 *       read with four vector accumulators of V = {@code SPECIES.length()} lanes, one
 *       an in-order lane sum per block of {@value #SUM_BLOCK} elements, and the block sums are
 *       added in double, so no float chain is longer than {@value #SUM_BLOCK}/4V. Threads take
 *       ranges of outputs [p·O/P, (p+1)·O/P); with fewer outputs than threads, each output's
 *       window [0, K) is split into P ranges whose partials are combined in part order.
 *   <li><em>columns</em> (FLOAT32, a kept axis has stride 1 in input and output: the bias
 *       gradient, batch sums): chunks of up to 128V neighbouring outputs are reduced
 *       a block of {@value #COLUMN_BLOCK} window rows at a time, strip of 2V columns by strip,
 *       two rows per step into four vector accumulators; block results are added into float
 *       totals. Leftover columns narrower than a strip are reduced scalar. Threads take ranges of
 *       (outer output, chunk) units.
 *   <li><em>general</em> (any dtype and layout, ARGMAX/ARGMIN except FLOAT32 over a stride-1
 *       axis): a scalar walk of each window by buffer offsets, in double for floating types and in
 *       long (exact) for integer and BOOL ones; threads take ranges of outputs.
 * </ul>
 * ARGMAX/ARGMIN over a stride-1 FLOAT32 axis find the extreme with vectors and then the first
 * lane equal to it (or the first NaN), which is the reference's first index on ties.
 *
 * <p>The two FLOAT32 vector paths add in float within a block (as NumPy's float32 sums do), so a
 * partial sum of values near the float range can overflow to ±inf (and inf - inf to NaN) where the
 * reference, adding everything in double, gets a finite total: {@code [3e38, 3e38, -3e38, -3e38]}
 * sums to inf here and to 0 there. Results depend on the thread count only through where a window
 * split between threads falls (the same count gives the same bits).
 *
 * <p><b>Softmax.</b> Per line along the axis: max, Σ exp(x - max), normalise (or subtract the log
 * of the sum). FLOAT32 lines with stride 1 are vectorised along the line, except dense lines
 * shorter than V, which are transposed V at a time into scratch and vectorised across lines;
 * FLOAT32 with another stride-1 axis is vectorised across V neighbouring lines; anything else runs
 * a scalar strided path in double. Threads take ranges of lines.
 *
 * <p>Below {@value #PARALLEL_THRESHOLD} input elements everything runs on the calling thread.
 */
final class CpuReductions {
    private CpuReductions() {}

    private static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    private static final int LANES = SPECIES.length();
    /** Work (input elements) below which a kernel runs serially. */
    static final int PARALLEL_THRESHOLD = 1 << 15;
    /** Elements per float block sum in the inner-line path; block sums are added in double. */
    private static final int SUM_BLOCK = 4096;
    /** Per-thread room for one vector of lane sums (softmaxLine's, from VectorMath's loop). */
    private static final ThreadLocal<float[]> LANE_SUMS = ThreadLocal.withInitial(() -> new float[LANES]);
    /** Window rows per float block sum in the column path. */
    private static final int COLUMN_BLOCK = 64;
    /** Neighbouring outputs the column path accumulates together: two vectors. */
    private static final int STRIP_WIDTH = 2 * LANES;
    /** Outputs per unit of work in the column path (a unit's block of rows stays in L2). */
    private static final int CHUNK_WIDTH = 64 * STRIP_WIDTH;
    /** Per-thread totals of one chunk of columns (each chunk fills the part it uses first). */
    private static final ThreadLocal<float[]> COLUMN_TOTALS = ThreadLocal.withInitial(() -> new float[CHUNK_WIDTH]);
    /** Window offsets computed at once in the general path (and kept for all outputs when K fits). */
    private static final int OFFSET_BLOCK = 4096;

    /**
     * The reduction's loop nest after dropping extent-1 axes and merging dense neighbours: kept
     * axes (output order) with their input and output strides, reduced axes with their input
     * strides. The stride-1 axis, if any, is moved last within its group.
     */
    private record Plan(int[] keptExtents, int[] keptIn, int[] keptOut,
                        int[] reducedExtents, int[] reducedIn, int outputs, long window) {

        static Plan of(Operand in, int[] axes, Operand out) {
            boolean[] reduced = new boolean[in.rank()];
            for (int axis : axes) {
                reduced[axis] = true;
            }
            List<int[]> kept = new ArrayList<>();
            List<int[]> summed = new ArrayList<>();
            for (int d = 0; d < in.rank(); d++) {
                if (in.dim(d) == 1) {
                    continue;
                }
                if (reduced[d]) {
                    mergeOrAdd(summed, new int[] {in.dim(d), in.stride(d)});
                } else {
                    mergeOrAdd(kept, new int[] {in.dim(d), in.stride(d), out.stride(d)});
                }
            }
            moveUnitStrideLast(kept);
            moveUnitStrideLast(summed);
            int outputs = 1;
            for (int[] dim : kept) {
                outputs *= dim[0];
            }
            long window = 1;
            for (int[] dim : summed) {
                window *= dim[0];
            }
            return new Plan(column(kept, 0), column(kept, 1), column(kept, 2),
                    column(summed, 0), column(summed, 1), outputs, window);
        }

        /** Appends {extent, strides...}, or merges it into the previous axis when they form one run. */
        private static void mergeOrAdd(List<int[]> dims, int[] dim) {
            if (!dims.isEmpty()) {
                int[] previous = dims.getLast();
                boolean dense = true;
                for (int k = 1; k < dim.length; k++) {
                    dense &= previous[k] == dim[k] * dim[0];
                }
                if (dense) {
                    dims.set(dims.size() - 1, mergedInto(dim, previous[0]));
                    return;
                }
            }
            dims.add(dim);
        }

        private static int[] mergedInto(int[] inner, int outerExtent) {
            int[] merged = inner.clone();
            merged[0] = Math.multiplyExact(outerExtent, inner[0]);
            return merged;
        }

        private static void moveUnitStrideLast(List<int[]> dims) {
            for (int i = 0; i < dims.size(); i++) {
                if (dims.get(i)[1] == 1 && (dims.get(i).length < 3 || dims.get(i)[2] == 1)) {
                    dims.add(dims.remove(i));
                    return;
                }
            }
        }

        private static int[] column(List<int[]> dims, int k) {
            int[] values = new int[dims.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = dims.get(i)[k];
            }
            return values;
        }

        /** True when the innermost reduced axis is contiguous in the input. */
        boolean reducesContiguousLines() {
            return reducedIn.length > 0 && reducedIn[reducedIn.length - 1] == 1;
        }

        /** True when the innermost kept axis is contiguous in both input and output. */
        boolean keepsContiguousColumns() {
            int last = keptIn.length - 1;
            return last >= 0 && keptIn[last] == 1 && keptOut[last] == 1 && reducedIn.length > 0;
        }

        int lineLength() {
            return reducedExtents[reducedExtents.length - 1];
        }

        int[] outerReducedExtents() {
            return java.util.Arrays.copyOf(reducedExtents, reducedExtents.length - 1);
        }

        int[] outerReducedStrides() {
            return java.util.Arrays.copyOf(reducedIn, reducedIn.length - 1);
        }
    }

    /** Axes 0, 2 and 3 of an NCHW operand: all but the channel. */
    private static final int[] ALL_BUT_CHANNEL = {0, 2, 3};

    /**
     * Per-channel sums of an NCHW operand into {@code out} ({@code [C]}, contiguous): a convolution's bias
     * gradient, which its weight-gradient launch computes too ({@code Backend.conv2dBackwardWeight}).
     * The SUM reduction over axes 0, 2 and 3 into a [1, C, 1, 1] view of out.
     */
    static void channelSums(Operand nchw, Operand out, WorkerPool pool) {
        reduce(ReduceOp.SUM, nchw, ALL_BUT_CHANNEL, Operand.contiguous(out.buffer(), out.offset(), 1, out.size(), 1, 1),
                pool);
    }

    /**
     * {@code out[j] = op over the window of j}: SUM (0 for an empty window), MAX/MIN (NaN
     * propagates), ARGMAX/ARGMIN over one axis (first index of the extreme or of the first NaN, INT64).
     */
    static void reduce(ReduceOp op, Operand in, int[] axes, Operand out, WorkerPool pool) {
        if (out.size() == 0) {
            return;
        }
        Plan plan = Plan.of(in, axes, out);
        if (plan.window() == 0 && op != ReduceOp.SUM) {
            throw new IllegalArgumentException("reduce: " + op.opName() + " over an empty window of " + in);
        }
        boolean float32 = in.dtype() == DType.FLOAT32 && plan.window() > 0;
        if (float32 && op.isArg() && plan.reducesContiguousLines()) {
            argContiguous(op == ReduceOp.ARGMAX, CpuBuffer.floats(in), plan, CpuBuffer.longs(out),
                    in.offset(), out.offset(), pool);
        } else if (float32 && !op.isArg() && plan.reducesContiguousLines()) {
            reduceInnerLines(op, CpuBuffer.floats(in), plan, CpuBuffer.floats(out), in.offset(), out.offset(), pool);
        } else if (float32 && !op.isArg() && plan.keepsContiguousColumns()) {
            reduceColumns(op, CpuBuffer.floats(in), plan, CpuBuffer.floats(out), in.offset(), out.offset(), pool);
        } else {
            reduceGeneral(op, in, plan, out, pool);
        }
    }

    /** Runs {@code range.accept(from, to)} over [0, count), split into ranges when work is large. */
    static void forRanges(int count, long work, WorkerPool pool, RangeTask range) {
        int parts = work >= PARALLEL_THRESHOLD ? Math.min(count, pool.threads()) : 1;
        if (parts <= 1) {
            range.run(0, count);
            return;
        }
        pool.parallelFor(parts, p -> range.run((int) StridedWalk.partStart(count, parts, p),
                (int) StridedWalk.partStart(count, parts, p + 1)));
    }

    @FunctionalInterface
    interface RangeTask {
        void run(int from, int to);
    }

    // ---- FLOAT32, contiguous lines ----

    private static void reduceInnerLines(ReduceOp op, float[] x, Plan plan, float[] y, int inOffset, int outOffset,
                                         WorkerPool pool) {
        long work = plan.outputs() * plan.window();
        int threads = pool.threads();
        if (plan.outputs() < threads && work >= PARALLEL_THRESHOLD) {
            double[] partials = new double[threads];
            for (int j = 0; j < plan.outputs(); j++) {
                int base = StridedWalk.offsetOf(plan.keptExtents(), plan.keptIn(), inOffset, j);
                pool.parallelFor(threads, p -> partials[p] = windowRange(op, x, base, plan,
                        StridedWalk.partStart(plan.window(), threads, p),
                        StridedWalk.partStart(plan.window(), threads, p + 1)));
                double result = partials[0];
                for (int p = 1; p < threads; p++) {
                    result = combine(op, result, partials[p]);
                }
                y[StridedWalk.offsetOf(plan.keptExtents(), plan.keptOut(), outOffset, j)] = (float) result;
            }
            return;
        }
        forRanges(plan.outputs(), work, pool, (from, to) -> {
            for (int j = from; j < to; j++) {
                int base = StridedWalk.offsetOf(plan.keptExtents(), plan.keptIn(), inOffset, j);
                y[StridedWalk.offsetOf(plan.keptExtents(), plan.keptOut(), outOffset, j)] =
                        (float) windowRange(op, x, base, plan, 0, plan.window());
            }
        });
    }

    /** The reduction of window positions [from, to) (row-major over the reduced axes). */
    private static double windowRange(ReduceOp op, float[] x, int base, Plan plan, long from, long to) {
        int length = plan.lineLength();
        int[] outerExtents = plan.outerReducedExtents();
        int[] outerStrides = plan.outerReducedStrides();
        double result = identity(op);
        long position = from;
        while (position < to) {
            long line = position / length;
            int start = (int) (position % length);
            int count = (int) Math.min(length - start, to - position);
            int at = StridedWalk.offsetOf(outerExtents, outerStrides, base, line) + start;
            double part = op == ReduceOp.SUM ? sumLine(x, at, count) : extremeLine(op == ReduceOp.MAX, x, at, count);
            result = combine(op, result, part);
            position += count;
        }
        return result;
    }

    private static double identity(ReduceOp op) {
        return switch (op) {
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
            default -> 0;
        };
    }

    private static double combine(ReduceOp op, double a, double b) {
        return switch (op) {
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            default -> a + b;
        };
    }

    /** Σ x[at, at + count): float vector blocks of {@value #SUM_BLOCK}, block sums added in double. */
    static double sumLine(float[] x, int at, int count) {
        double total = 0;
        for (int blockStart = 0; blockStart < count; blockStart += SUM_BLOCK) {
            int offset = at + blockStart;
            int length = Math.min(SUM_BLOCK, count - blockStart);
            FloatVector acc0 = FloatVector.zero(SPECIES);
            FloatVector acc1 = FloatVector.zero(SPECIES);
            FloatVector acc2 = FloatVector.zero(SPECIES);
            FloatVector acc3 = FloatVector.zero(SPECIES);
            int i = 0;
            for (int bound = length - length % (4 * LANES); i < bound; i += 4 * LANES) {
                acc0 = acc0.add(FloatVector.fromArray(SPECIES, x, offset + i));
                acc1 = acc1.add(FloatVector.fromArray(SPECIES, x, offset + i + LANES));
                acc2 = acc2.add(FloatVector.fromArray(SPECIES, x, offset + i + 2 * LANES));
                acc3 = acc3.add(FloatVector.fromArray(SPECIES, x, offset + i + 3 * LANES));
            }
            for (int bound = SPECIES.loopBound(length); i < bound; i += LANES) {
                acc0 = acc0.add(FloatVector.fromArray(SPECIES, x, offset + i));
            }
            float sum = sumLanesInOrder(acc0.add(acc1).add(acc2.add(acc3)));
            for (; i < length; i++) {
                sum += x[offset + i];
            }
            total += sum;
        }
        return total;
    }

    /**
     * max (or min) of x[at, at + count), count ≥ 1; NaN propagates as in {@link Math#max}. MIN is
     * computed as -max(-x) (exact, ±0 and NaN included), so one vector loop with a constant
     * operator serves both: the Vector API compiles a lanewise call to one instruction only when
     * its operator is a constant, and vectors merged from two branches get boxed. The accumulators
     * call {@code max}, a final method, and not {@code lanewise(MAX, ·)}, which is virtual: a vector
     * carried round a loop has only its declared type when C2 parses the loop, so a virtual call on
     * it is inlined only through this call site's type profile, and a compile made before there was
     * one called it out of line and boxed every vector for good (the softmax allocation test, about
     * one JVM in six). {@code max} reaches the same instruction through the JDK's own profile.
     */
    static float extremeLine(boolean max, float[] x, int at, int count) {
        float sign = max ? 1 : -1;
        FloatVector signs = FloatVector.broadcast(SPECIES, sign);
        FloatVector acc0 = FloatVector.broadcast(SPECIES, sign * x[at]);
        FloatVector acc1 = acc0;
        int i = 0;
        for (int bound = count - count % (2 * LANES); i < bound; i += 2 * LANES) {
            acc0 = acc0.max(FloatVector.fromArray(SPECIES, x, at + i).mul(signs));
            acc1 = acc1.max(FloatVector.fromArray(SPECIES, x, at + i + LANES).mul(signs));
        }
        float result = acc0.max(acc1).reduceLanes(VectorOperators.MAX);
        for (; i < count; i++) {
            result = Math.max(result, sign * x[at + i]);
        }
        return sign * result;
    }

    // ---- FLOAT32, contiguous columns of outputs ----

    private static void reduceColumns(ReduceOp op, float[] x, Plan plan, float[] y, int inOffset, int outOffset,
                                      WorkerPool pool) {
        int keptRank = plan.keptExtents().length;
        int width = plan.keptExtents()[keptRank - 1];
        int[] outerExtents = java.util.Arrays.copyOf(plan.keptExtents(), keptRank - 1);
        int[] outerIn = java.util.Arrays.copyOf(plan.keptIn(), keptRank - 1);
        int[] outerOut = java.util.Arrays.copyOf(plan.keptOut(), keptRank - 1);
        int chunks = Math.ceilDiv(width, CHUNK_WIDTH);
        int units = plan.outputs() / width * chunks;
        forRanges(units, plan.outputs() * plan.window(), pool, (from, to) -> {
            float[] totals = COLUMN_TOTALS.get();
            for (int unit = from; unit < to; unit++) {
                int outer = unit / chunks;
                int column = unit % chunks * CHUNK_WIDTH;
                int inBase = StridedWalk.offsetOf(outerExtents, outerIn, inOffset, outer) + column;
                int outBase = StridedWalk.offsetOf(outerExtents, outerOut, outOffset, outer) + column;
                int chunkWidth = Math.min(CHUNK_WIDTH, width - column);
                int vectorWidth = chunkWidth - chunkWidth % STRIP_WIDTH;
                columnChunk(op, x, inBase, plan, totals, vectorWidth);
                System.arraycopy(totals, 0, y, outBase, vectorWidth);
                for (int k = vectorWidth; k < chunkWidth; k++) {
                    y[outBase + k] = (float) columnScalar(op, x, inBase + k, plan);
                }
            }
        });
    }

    /**
     * Reduces columns [0, width) from {@code inBase} (width a multiple of 2V) over every window row
     * into totals[0, width): window rows in blocks of {@value #COLUMN_BLOCK}, and within a block
     * strips of 2V columns (one cache line of floats with AVX2), two rows per step into four vector
     * accumulators. Walking a block of rows across the whole chunk keeps the pages it touches few
     * (a column-at-a-time walk down a tall matrix misses the TLB on every row). MAX and MIN share
     * one loop as max(sign·x) (see {@link #extremeLine}); SUM has its own, so that each loop's
     * vector operations are constants.
     */
    private static void columnChunk(ReduceOp op, float[] x, int inBase, Plan plan, float[] totals, int width) {
        boolean sum = op == ReduceOp.SUM;
        float sign = op == ReduceOp.MIN ? -1 : 1;
        int rows = plan.lineLength();
        long groups = plan.window() / rows;
        java.util.Arrays.fill(totals, 0, width, sum ? 0 : Float.NEGATIVE_INFINITY);
        for (long group = 0; group < groups; group++) {
            int groupBase = StridedWalk.offsetOf(plan.outerReducedExtents(), plan.outerReducedStrides(), inBase, group);
            for (int blockStart = 0; blockStart < rows; blockStart += COLUMN_BLOCK) {
                int blockEnd = Math.min(rows, blockStart + COLUMN_BLOCK);
                for (int column = 0; column < width; column += STRIP_WIDTH) {
                    if (sum) {
                        sumStrip(x, groupBase + column, plan, blockStart, blockEnd, totals, column);
                    } else {
                        maxStrip(x, groupBase + column, plan, blockStart, blockEnd, sign, totals, column);
                    }
                }
            }
        }
        if (!sum) {
            for (int k = 0; k < width; k++) {
                totals[k] *= sign;
            }
        }
    }

    /** totals[column, column + 2V) += Σ of window rows [from, to) of the strip at {@code at}. */
    private static void sumStrip(float[] x, int at, Plan plan, int from, int to, float[] totals, int column) {
        int rowStride = plan.reducedIn()[plan.reducedIn().length - 1];
        FloatVector even0 = FloatVector.zero(SPECIES);
        FloatVector even1 = FloatVector.zero(SPECIES);
        FloatVector odd0 = FloatVector.zero(SPECIES);
        FloatVector odd1 = FloatVector.zero(SPECIES);
        int row = from;
        for (; row + 1 < to; row += 2) {
            int rowAt = at + row * rowStride;
            even0 = even0.add(FloatVector.fromArray(SPECIES, x, rowAt));
            even1 = even1.add(FloatVector.fromArray(SPECIES, x, rowAt + LANES));
            odd0 = odd0.add(FloatVector.fromArray(SPECIES, x, rowAt + rowStride));
            odd1 = odd1.add(FloatVector.fromArray(SPECIES, x, rowAt + rowStride + LANES));
        }
        if (row < to) {
            int rowAt = at + row * rowStride;
            even0 = even0.add(FloatVector.fromArray(SPECIES, x, rowAt));
            even1 = even1.add(FloatVector.fromArray(SPECIES, x, rowAt + LANES));
        }
        FloatVector.fromArray(SPECIES, totals, column).add(even0.add(odd0)).intoArray(totals, column);
        FloatVector.fromArray(SPECIES, totals, column + LANES).add(even1.add(odd1)).intoArray(totals, column + LANES);
    }

    /** totals[column, column + 2V) = max(totals, sign·x) over window rows [from, to) of the strip. */
    private static void maxStrip(float[] x, int at, Plan plan, int from, int to, float sign, float[] totals,
                                 int column) {
        int rowStride = plan.reducedIn()[plan.reducedIn().length - 1];
        FloatVector signs = FloatVector.broadcast(SPECIES, sign);
        FloatVector best0 = FloatVector.fromArray(SPECIES, totals, column);
        FloatVector best1 = FloatVector.fromArray(SPECIES, totals, column + LANES);
        for (int row = from; row < to; row++) {
            int rowAt = at + row * rowStride;
            best0 = best0.max(FloatVector.fromArray(SPECIES, x, rowAt).mul(signs));
            best1 = best1.max(FloatVector.fromArray(SPECIES, x, rowAt + LANES).mul(signs));
        }
        best0.intoArray(totals, column);
        best1.intoArray(totals, column + LANES);
    }

    /** One column (a strip's leftover) over every window row, in double like the reference. */
    private static double columnScalar(ReduceOp op, float[] x, int inBase, Plan plan) {
        int[] outerExtents = plan.outerReducedExtents();
        int[] outerStrides = plan.outerReducedStrides();
        int rows = plan.lineLength();
        int rowStride = plan.reducedIn()[plan.reducedIn().length - 1];
        long groups = plan.window() / rows;
        double result = identity(op);
        for (long group = 0; group < groups; group++) {
            int groupBase = StridedWalk.offsetOf(outerExtents, outerStrides, inBase, group);
            for (int row = 0; row < rows; row++) {
                result = combine(op, result, x[groupBase + row * rowStride]);
            }
        }
        return result;
    }

    // ---- ARGMAX / ARGMIN, FLOAT32 over a contiguous axis ----

    private static void argContiguous(boolean max, float[] x, Plan plan, long[] y, int inOffset, int outOffset,
                                      WorkerPool pool) {
        int length = plan.lineLength();
        boolean backToBack = plan.keptExtents().length == 1 && plan.keptIn()[0] == length && plan.keptOut()[0] == 1;
        if (backToBack && length < 2 * LANES) {
            // Short lines one after another (a classifier's scores, [128, 6]): one scalar pass per
            // line, without the vector loops' setup or an offset computation per line.
            forRanges(plan.outputs(), plan.outputs() * plan.window(), pool, (from, to) -> {
                for (int j = from; j < to; j++) {
                    y[outOffset + j] = firstExtremeIndex(max, x, inOffset + j * length, length);
                }
            });
            return;
        }
        forRanges(plan.outputs(), plan.outputs() * plan.window(), pool, (from, to) -> {
            for (int j = from; j < to; j++) {
                int at = StridedWalk.offsetOf(plan.keptExtents(), plan.keptIn(), inOffset, j);
                y[StridedWalk.offsetOf(plan.keptExtents(), plan.keptOut(), outOffset, j)] =
                        firstIndexOf(x, at, length, extremeLine(max, x, at, length));
            }
        });
    }

    /**
     * The index of the first maximum (or minimum) of x[at, at + count), or of the first NaN: what
     * {@link #extremeLine} and {@link #firstIndexOf} give, in one scalar pass (a later element wins
     * only when strictly greater, so ±0 and other ties keep the first).
     */
    private static int firstExtremeIndex(boolean max, float[] x, int at, int count) {
        float best = x[at];
        if (Float.isNaN(best)) {
            return 0;
        }
        int index = 0;
        for (int i = 1; i < count; i++) {
            float value = x[at + i];
            if (Float.isNaN(value)) {
                return i;
            }
            if (max ? value > best : value < best) {
                best = value;
                index = i;
            }
        }
        return index;
    }

    /** The first i in [0, count) with x[at + i] == value, or the first NaN when value is NaN. */
    private static int firstIndexOf(float[] x, int at, int count, float value) {
        boolean nan = Float.isNaN(value);
        FloatVector target = FloatVector.broadcast(SPECIES, value);
        int i = 0;
        for (int bound = SPECIES.loopBound(count); i < bound; i += LANES) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, at + i);
            int hit = nan ? v.test(VectorOperators.IS_NAN).firstTrue() : v.compare(VectorOperators.EQ, target).firstTrue();
            if (hit < LANES) {
                return i + hit;
            }
        }
        for (; i < count; i++) {
            if (nan ? Float.isNaN(x[at + i]) : x[at + i] == value) {
                return i;
            }
        }
        throw new IllegalStateException("reduce: the extreme " + value + " vanished from its line");
    }

    // ---- general: any dtype, any layout ----

    private static void reduceGeneral(ReduceOp op, Operand in, Plan plan, Operand out, WorkerPool pool) {
        int window = Math.toIntExact(plan.window());
        int[] sharedOffsets = window > 0 && window <= OFFSET_BLOCK ? windowOffsets(plan, 0, window) : null;
        Object x = CpuBuffer.array(in);
        Object y = CpuBuffer.array(out);
        forRanges(plan.outputs(), (long) plan.outputs() * window, pool, (from, to) -> {
            for (int j = from; j < to; j++) {
                int base = StridedWalk.offsetOf(plan.keptExtents(), plan.keptIn(), in.offset(), j);
                int target = StridedWalk.offsetOf(plan.keptExtents(), plan.keptOut(), out.offset(), j);
                WindowScan scan = new WindowScan(op, in.dtype().isFloating());
                for (int start = 0; start < window; start += OFFSET_BLOCK) {
                    int count = Math.min(OFFSET_BLOCK, window - start);
                    int[] offsets = sharedOffsets != null ? sharedOffsets : windowOffsets(plan, start, count);
                    scan.accept(x, base, offsets, count, start);
                }
                scan.writeTo(y, target);
            }
        });
    }

    private static int[] windowOffsets(Plan plan, long from, int count) {
        int[][] offsets = {new int[count]};
        StridedWalk.fill(plan.reducedExtents(), new int[][] {plan.reducedIn()}, new int[] {0}, from, count, offsets);
        return offsets[0];
    }

    /**
     * One output's scalar reduction, fed its window block by block: in double for floating input,
     * in long for integer and BOOL input. For ARG ops the window is one axis, so the window
     * position is the index along it.
     */
    private static final class WindowScan {
        private final ReduceOp op;
        private final boolean floating;
        private double bestDouble;
        private long bestLong;
        private long bestIndex = -1;

        WindowScan(ReduceOp op, boolean floating) {
            this.op = op;
            this.floating = floating;
            this.bestDouble = identity(op);
            this.bestLong = switch (op) {
                case MAX -> Long.MIN_VALUE;
                case MIN -> Long.MAX_VALUE;
                default -> 0;
            };
        }

        void accept(Object x, int base, int[] offsets, int count, long firstPosition) {
            for (int i = 0; i < count; i++) {
                int at = base + offsets[i];
                long position = firstPosition + i;
                if (floating) {
                    acceptDouble(readDouble(x, at), position);
                } else {
                    acceptLong(readLong(x, at), position);
                }
            }
        }

        private void acceptDouble(double value, long position) {
            switch (op) {
                case SUM -> bestDouble += value;
                case MAX -> bestDouble = Math.max(bestDouble, value);
                case MIN -> bestDouble = Math.min(bestDouble, value);
                case ARGMAX, ARGMIN -> {
                    boolean better = op == ReduceOp.ARGMAX ? value > bestDouble : value < bestDouble;
                    if (bestIndex < 0 || (!Double.isNaN(bestDouble) && (better || Double.isNaN(value)))) {
                        bestDouble = value;
                        bestIndex = position;
                    }
                }
            }
        }

        private void acceptLong(long value, long position) {
            switch (op) {
                case SUM -> bestLong += value;
                case MAX -> bestLong = Math.max(bestLong, value);
                case MIN -> bestLong = Math.min(bestLong, value);
                case ARGMAX, ARGMIN -> {
                    if (bestIndex < 0 || (op == ReduceOp.ARGMAX ? value > bestLong : value < bestLong)) {
                        bestLong = value;
                        bestIndex = position;
                    }
                }
            }
        }

        void writeTo(Object y, int target) {
            if (op.isArg()) {
                ((long[]) y)[target] = Math.max(bestIndex, 0);
            } else if (floating) {
                writeDouble(y, target, bestDouble);
            } else {
                writeLong(y, target, bestLong);
            }
        }
    }

    // Element access by instanceof chains rather than pattern switches: a type switch compiles to
    // an invokedynamic bootstrap that the JIT does not reduce to a type check in a hot loop.

    static double readDouble(Object array, int index) {
        if (array instanceof float[] a) {
            return a[index];
        } else if (array instanceof double[] a) {
            return a[index];
        }
        return readLong(array, index);
    }

    static long readLong(Object array, int index) {
        if (array instanceof long[] a) {
            return a[index];
        } else if (array instanceof int[] a) {
            return a[index];
        } else if (array instanceof byte[] a) {
            return a[index];
        } else if (array instanceof float[] a) {
            return (long) a[index];
        } else if (array instanceof double[] a) {
            return (long) a[index];
        }
        throw new IllegalArgumentException("not a buffer array: " + array);
    }

    /** Stores a double as the array's element type converts it (as the reference's HostBuffer). */
    static void writeDouble(Object array, int index, double value) {
        if (array instanceof float[] a) {
            a[index] = (float) value;
        } else if (array instanceof double[] a) {
            a[index] = value;
        } else if (array instanceof long[] a) {
            a[index] = (long) value;
        } else if (array instanceof int[] a) {
            a[index] = (int) value;
        } else if (array instanceof byte[] a) {
            a[index] = (byte) (value != 0 ? 1 : 0);
        } else {
            throw new IllegalArgumentException("not a buffer array: " + array);
        }
    }

    static void writeLong(Object array, int index, long value) {
        if (array instanceof long[] a) {
            a[index] = value;
        } else if (array instanceof int[] a) {
            a[index] = (int) value;
        } else if (array instanceof byte[] a) {
            a[index] = (byte) (value != 0 ? 1 : 0);
        } else if (array instanceof float[] a) {
            a[index] = value;
        } else if (array instanceof double[] a) {
            a[index] = value;
        } else {
            throw new IllegalArgumentException("not a buffer array: " + array);
        }
    }

    // ---- softmax ----

    /**
     * Softmax (or log-softmax) along {@code axis}: for each line x along it,
     * {@code exp(x - max) / Σ exp(x - max)} or {@code x - max - log Σ exp(x - max)}.
     */
    static void softmax(Operand in, int axis, boolean log, Operand out, WorkerPool pool) {
        if (in.size() == 0) {
            return;
        }
        int extent = in.dim(axis);
        int[] lineShape = in.shape().clone();
        lineShape[axis] = 1;
        int lines = Operand.sizeOf(lineShape);
        int columnAxis = in.rank() - 1;
        boolean float32 = in.dtype() == DType.FLOAT32;
        if (float32 && axis == columnAxis && extent > 1 && extent < LANES && lines >= LANES && in.isContiguous()
                && out.isContiguous()) {
            softmaxShortLines(CpuBuffer.floats(in), in.offset(), CpuBuffer.floats(out), out.offset(), lines, extent,
                    log, pool);
        } else if (float32 && (extent == 1 || (in.stride(axis) == 1 && out.stride(axis) == 1))) {
            float[] x = CpuBuffer.floats(in);
            float[] y = CpuBuffer.floats(out);
            forLines(lineShape, in, out, lines, in.size(), pool,
                    (inAt, outAt) -> softmaxLine(x, inAt, y, outAt, extent, log));
        } else if (float32 && columnAxis != axis && in.stride(columnAxis) == 1 && out.stride(columnAxis) == 1
                && in.dim(columnAxis) >= LANES) {
            softmaxColumns(in, axis, log, out, pool);
        } else {
            Object x = CpuBuffer.array(in);
            Object y = CpuBuffer.array(out);
            int inStride = in.stride(axis);
            int outStride = out.stride(axis);
            forLines(lineShape, in, out, lines, in.size(), pool,
                    (inAt, outAt) -> softmaxStrided(x, inAt, inStride, y, outAt, outStride, extent, log));
        }
    }

    @FunctionalInterface
    private interface LineTask {
        void run(int inAt, int outAt);
    }

    /** Runs {@code task} on the start offsets of every line of {@code lineShape}, in ranges of lines. */
    private static void forLines(int[] lineShape, Operand in, Operand out, int lines, long work, WorkerPool pool,
                                 LineTask task) {
        int[][] strides = {in.strides(), out.strides()};
        int[] bases = {in.offset(), out.offset()};
        forRanges(lines, work, pool, (from, to) -> {
            int[][] offsets = new int[2][Math.min(OFFSET_BLOCK, to - from)];
            for (int start = from; start < to; start += OFFSET_BLOCK) {
                int count = Math.min(OFFSET_BLOCK, to - start);
                StridedWalk.fill(lineShape, strides, bases, start, count, offsets);
                for (int i = 0; i < count; i++) {
                    task.run(offsets[0][i], offsets[1][i]);
                }
            }
        });
    }

    /** Softmax of one contiguous FLOAT32 line, vectorised along it. */
    private static void softmaxLine(float[] x, int inAt, float[] y, int outAt, int count, boolean log) {
        float[] sums = LANE_SUMS.get();
        float max = extremeLine(true, x, inAt, count);
        FloatVector maxVector = FloatVector.broadcast(SPECIES, max);
        int bound = SPECIES.loopBound(count);
        double sum = 0;
        for (int blockStart = 0; blockStart < count; blockStart += SUM_BLOCK) {
            int blockEnd = Math.min(count, blockStart + SUM_BLOCK);
            int blockBound = Math.min(bound, blockEnd);
            // The exponentials go into y (log-softmax overwrites them below), their lane-wise sum
            // into sums (VectorMath's loops take arrays), in one pass.
            VectorMath.expShiftedSum(x, inAt + blockStart, max, y, outAt + blockStart, blockBound - blockStart, sums, 0);
            float blockSum = sumLanesInOrder(FloatVector.fromArray(SPECIES, sums, 0));
            int i = blockBound;
            for (; i < blockEnd; i++) {
                float e = VectorMath.exp(x[inAt + i] - max);
                if (!log) {
                    y[outAt + i] = e;
                }
                blockSum += e;
            }
            sum += blockSum;
        }
        if (log) {
            float logSum = (float) Math.log(sum);
            FloatVector logSumVector = FloatVector.broadcast(SPECIES, logSum);
            int i = 0;
            for (; i < bound; i += LANES) {
                FloatVector.fromArray(SPECIES, x, inAt + i).sub(maxVector).sub(logSumVector).intoArray(y, outAt + i);
            }
            for (; i < count; i++) {
                y[outAt + i] = x[inAt + i] - max - logSum;
            }
        } else {
            float scale = (float) (1 / sum);
            int i = 0;
            for (; i < bound; i += LANES) {
                FloatVector.fromArray(SPECIES, y, outAt + i).mul(scale).intoArray(y, outAt + i);
            }
            for (; i < count; i++) {
                y[outAt + i] *= scale;
            }
        }
    }

    /**
     * FLOAT32 softmax of dense lines shorter than a vector (a small classifier's scores,
     * {@code [128, 6]}), where the line path would be all scalar tail: V lines at a time are
     * transposed into scratch, one line per lane, so the max, the exponentials, the sum and the
     * normalisation run across lines with vectors, in the line path's order along each line
     * (sum over j in order; the log of the sum subtracted, or the exponentials scaled by 1/sum).
     * Padding lanes of the last group hold zeros and are not written back. Threads take ranges of
     * line groups.
     */
    private static void softmaxShortLines(float[] x, int inBase, float[] y, int outBase, int lines, int extent,
                                          boolean log, WorkerPool pool) {
        int groups = Math.ceilDiv(lines, LANES);
        forRanges(groups, (long) lines * extent, pool, (from, to) -> {
            // The lines, their exponentials and a scratch vector (softmaxAcrossLanes).
            float[] block = new float[(2 * extent + 1) * LANES];
            for (int group = from; group < to; group++) {
                int first = group * LANES;
                int count = Math.min(LANES, lines - first);
                for (int lane = 0; lane < LANES; lane++) {
                    int line = inBase + (first + lane) * extent;
                    for (int j = 0; j < extent; j++) {
                        block[j * LANES + lane] = lane < count ? x[line + j] : 0f;
                    }
                }
                softmaxAcrossLanes(block, extent, log);
                for (int lane = 0; lane < count; lane++) {
                    int line = outBase + (first + lane) * extent;
                    for (int j = 0; j < extent; j++) {
                        y[line + j] = block[j * LANES + lane];
                    }
                }
            }
        });
    }

    /**
     * Softmax, in place, of the V lines held one per lane in the first {@code extent} vectors of
     * {@code block}, which has room for {@code 2·extent + 1}: x - max, its exponentials (in place;
     * for log-softmax into the next {@code extent} vectors, as x - max is needed again) in one call
     * of {@link VectorMath}'s loop, their sum, and for log-softmax the log of the sums through the
     * last vector.
     */
    private static void softmaxAcrossLanes(float[] block, int extent, boolean log) {
        // The running max and sum are carried through the last vector, not in a vector variable:
        // inlined into the caller's loop over line groups, a loop carrying a vector there boxed it
        // in some JVMs (5 KB a call for [64, 6]; the package's rules). Same operations, same order.
        int scratch = 2 * extent * LANES;
        FloatVector.fromArray(SPECIES, block, 0).intoArray(block, scratch);
        for (int j = 1; j < extent; j++) {
            FloatVector.fromArray(SPECIES, block, scratch).max(FloatVector.fromArray(SPECIES, block, j * LANES))
                    .intoArray(block, scratch);
        }
        FloatVector max = FloatVector.fromArray(SPECIES, block, scratch);
        for (int j = 0; j < extent; j++) {
            FloatVector.fromArray(SPECIES, block, j * LANES).sub(max).intoArray(block, j * LANES);
        }
        int exps = log ? extent * LANES : 0;
        VectorMath.exp(VectorMath.Exp.EXP, block, 0, block, exps, extent * LANES);
        FloatVector.zero(SPECIES).intoArray(block, scratch);
        for (int j = 0; j < extent; j++) {
            FloatVector.fromArray(SPECIES, block, scratch).add(FloatVector.fromArray(SPECIES, block, exps + j * LANES))
                    .intoArray(block, scratch);
        }
        if (log) {
            // The log of the sums through the last vector: VectorMath's loops take arrays (and a
            // helper taking the vector would box it wherever C2 did not inline it).
            VectorMath.log(block, scratch, block, scratch, LANES);
            FloatVector logSum = FloatVector.fromArray(SPECIES, block, scratch);
            for (int j = 0; j < extent; j++) {
                FloatVector.fromArray(SPECIES, block, j * LANES).sub(logSum).intoArray(block, j * LANES);
            }
        } else {
            FloatVector scale = FloatVector.broadcast(SPECIES, 1f).div(FloatVector.fromArray(SPECIES, block, scratch));
            for (int j = 0; j < extent; j++) {
                FloatVector.fromArray(SPECIES, block, j * LANES).mul(scale).intoArray(block, j * LANES);
            }
        }
    }

    /**
     * FLOAT32 softmax along a strided axis, V neighbouring lines at a time along the contiguous
     * last axis (e.g. over the channels of NCHW); threads take ranges of (line group, strip) units.
     */
    private static void softmaxColumns(Operand in, int axis, boolean log, Operand out, WorkerPool pool) {
        float[] x = CpuBuffer.floats(in);
        float[] y = CpuBuffer.floats(out);
        int last = in.rank() - 1;
        int width = in.dim(last);
        int extent = in.dim(axis);
        int[] groupShape = in.shape().clone();
        groupShape[axis] = 1;
        groupShape[last] = 1;
        int groups = Operand.sizeOf(groupShape);
        int strips = Math.ceilDiv(width, LANES);
        int inStride = in.stride(axis);
        int outStride = out.stride(axis);
        forRanges(groups * strips, in.size(), pool, (from, to) -> {
            float[] block = new float[(2 * extent + 1) * LANES];
            for (int unit = from; unit < to; unit++) {
                int column = unit % strips * LANES;
                int inAt = StridedWalk.offsetOf(groupShape, in.strides(), in.offset(), unit / strips) + column;
                int outAt = StridedWalk.offsetOf(groupShape, out.strides(), out.offset(), unit / strips) + column;
                // The strip's lines, one per lane, into block (lanes past the width zero, and not
                // written back), through softmaxAcrossLanes.
                VectorMask<Float> mask = SPECIES.indexInRange(column, width);
                for (int k = 0; k < extent; k++) {
                    FloatVector.fromArray(SPECIES, x, inAt + k * inStride, mask).intoArray(block, k * LANES);
                }
                softmaxAcrossLanes(block, extent, log);
                for (int k = 0; k < extent; k++) {
                    FloatVector.fromArray(SPECIES, block, k * LANES).intoArray(y, outAt + k * outStride, mask);
                }
            }
        });
    }

    /** Softmax of one strided line, any floating dtype, in double like the reference. */
    private static void softmaxStrided(Object x, int inAt, int inStride, Object y, int outAt, int outStride,
                                       int count, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < count; k++) {
            max = Math.max(max, readDouble(x, inAt + k * inStride));
        }
        double sum = 0;
        for (int k = 0; k < count; k++) {
            sum += Math.exp(readDouble(x, inAt + k * inStride) - max);
        }
        double logSum = Math.log(sum);
        for (int k = 0; k < count; k++) {
            double shifted = readDouble(x, inAt + k * inStride) - max;
            writeDouble(y, outAt + k * outStride, log ? shifted - logSum : Math.exp(shifted) / sum);
        }
    }

    /**
     * The lanes' sum, lane 0 first. {@code reduceLanes(ADD)} may add floats in any order, and the
     * JIT's intrinsic and the interpreter's fallback do differ, so a result would change when the
     * kernel gets compiled; this order is the same in every tier.
     */
    private static float sumLanesInOrder(FloatVector v) {
        float sum = 0;
        for (int lane = 0; lane < LANES; lane++) {
            sum += v.lane(lane);
        }
        return sum;
    }
}
