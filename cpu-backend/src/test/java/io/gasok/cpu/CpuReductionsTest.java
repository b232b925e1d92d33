package io.gasok.cpu;

import static io.gasok.cpu.KernelFixtures.REFERENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.DType;
import io.gasok.cpu.KernelFixtures.Layout;
import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;
import java.lang.reflect.Array;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CpuReductionsTest {

    private static final int[] EXTENTS = {0, 1, 1, 2, 3, 5, 8, 17, 33};
    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64,
        DType.BOOL};

    @Test
    void matchesTheReferenceOnRandomShapesAxesAndLayoutsForEveryOpAndDtype() {
        Random random = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            int rank = random.nextInt(5);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = EXTENTS[random.nextInt(EXTENTS.length)];
            }
            DType dtype = DTYPES[random.nextInt(DTYPES.length)];
            ReduceOp op = ReduceOp.values()[random.nextInt(ReduceOp.values().length)];
            int[] axes = op.isArg() ? (rank == 0 ? null : new int[] {random.nextInt(rank)}) : randomAxes(rank, random);
            if (axes == null || (op != ReduceOp.SUM && windowSize(shape, axes) == 0)) {
                continue;
            }
            Layout layout = Layout.random(shape, random, true);
            Object values = KernelFixtures.values(dtype, layout.length(), random, random.nextBoolean());
            checkReduce(op, dtype, layout, axes, values, random.nextInt(4) == 0);
        }
    }

    @Test
    void takesTheParallelVectorPathsOnLargeTensors() {
        Random random = new Random(12);
        int[][] shapes = {{3, 70_000}, {1 << 20}, {4096, 37}, {70_000, 24}, {2, 64, 40, 40}, {300, 517}, {512, 1000}};
        int[][] axes = {{1}, {0}, {1}, {0}, {0, 2, 3}, {0}, {0}};
        for (int i = 0; i < shapes.length; i++) {
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.ARGMIN}) {
                int[] reduced = op.isArg() ? new int[] {axes[i][0]} : axes[i];
                Layout layout = i == 5 ? Layout.random(shapes[i], new Random(5), false) : Layout.contiguous(shapes[i]);
                Object values = KernelFixtures.values(DType.FLOAT32, layout.length(), random, false);
                checkReduce(op, DType.FLOAT32, layout, reduced, values, false);
            }
        }
    }

    @Test
    void argmaxTakesTheFirstIndexOnTiesAndTheFirstNaN() {
        float nan = Float.NaN;
        float[][] rows = {{1, 3, 3, 2}, {nan, 5, nan, 1}, {0, 1, nan, 9}, {-0f, 0f, 0f, -1},
            {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, nan}};
        for (float[] row : rows) {
            for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN, ReduceOp.MAX, ReduceOp.MIN}) {
                checkReduce(op, DType.FLOAT32, Layout.contiguous(1, row.length), new int[] {1}, row, false);
            }
        }
        float[] stacked = new float[16];
        for (int r = 0; r < 4; r++) {
            System.arraycopy(rows[r], 0, stacked, 4 * r, 4);
        }
        Random random = new Random(17);
        Object scores = KernelFixtures.values(DType.FLOAT32, 128 * 6, random, false);
        KernelFixtures.sprinkleNaN(scores, random, 9, true);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.ARGMAX, ReduceOp.ARGMIN}) {
            checkReduce(op, DType.FLOAT32, Layout.contiguous(4, 4), new int[] {1}, stacked, false);
            checkReduce(op, DType.FLOAT32, Layout.contiguous(128, 6), new int[] {1}, scores, false);
        }
    }

    @Test
    void floatSumsStayWithinTheRoundingBoundOverMillionsOfElements() {
        Random random = new Random(13);
        float[] values = new float[3_000_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() + 0.5f;
        }
        checkReduce(ReduceOp.SUM, DType.FLOAT32, Layout.contiguous(values.length), new int[] {0}, values, false);
        checkReduce(ReduceOp.SUM, DType.FLOAT32, Layout.contiguous(1_000_000, 3), new int[] {0}, values, false);
    }

    @Test
    void softmaxMatchesTheReferenceAlongEveryAxisAndLayout() {
        Random random = new Random(14);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + random.nextInt(4);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + random.nextInt(random.nextBoolean() ? 4 : 40);
            }
            int axis = random.nextInt(rank);
            DType dtype = random.nextInt(4) == 0 ? DType.FLOAT64 : DType.FLOAT32;
            Layout in = random.nextBoolean() ? Layout.contiguous(shape) : Layout.random(shape, random, true);
            Layout out = random.nextInt(3) == 0 ? Layout.random(shape, random, false) : Layout.contiguous(shape);
            Object values = KernelFixtures.values(dtype, in.length(), random, false);
            scale(values, 1 + random.nextInt(30));
            if (random.nextInt(5) == 0) {
                KernelFixtures.sprinkleNaN(values, random, 40, true);
            }
            checkSoftmax(dtype, in, out, axis, random.nextBoolean(), values);
        }
    }

    @Test
    void softmaxOfDenseLinesShorterThanAVectorMatchesTheReference() {
        Random random = new Random(16);
        int[][] shapes = {{128, 6}, {13, 7}, {9, 2}, {3, 4, 5}, {2, 3, 16, 3}};
        for (int[] shape : shapes) {
            Layout layout = Layout.contiguous(shape);
            Object values = KernelFixtures.values(DType.FLOAT32, layout.length(), random, false);
            scale(values, 10);
            KernelFixtures.sprinkleNaN(values, random, 11, true);
            for (boolean log : new boolean[] {false, true}) {
                checkSoftmax(DType.FLOAT32, layout, layout, shape.length - 1, log, values);
            }
        }
    }

    @Test
    void softmaxTakesTheParallelPathsOnLargeTensors() {
        Random random = new Random(15);
        int[][] shapes = {{1024, 1000}, {2, 19, 40, 40}, {3, 5000}};
        int[] axes = {1, 1, 0};
        for (int i = 0; i < shapes.length; i++) {
            Layout layout = Layout.contiguous(shapes[i]);
            Object values = KernelFixtures.values(DType.FLOAT32, layout.length(), random, false);
            scale(values, 8);
            for (boolean log : new boolean[] {false, true}) {
                checkSoftmax(DType.FLOAT32, layout, layout, axes[i], log, values);
            }
        }
    }

    private static void checkReduce(ReduceOp op, DType dtype, Layout layout, int[] axes, Object values, boolean nans) {
        if (nans) {
            KernelFixtures.sprinkleNaN(values, new Random(Array.getLength(values)), 7, true);
        }
        int[] outShape = layout.shape().clone();
        for (int axis : axes) {
            outShape[axis] = 1;
        }
        DType outType = op.isArg() || (op == ReduceOp.SUM && !dtype.isFloating()) ? DType.INT64 : dtype;
        Layout outLayout = Layout.contiguous(outShape);
        Object outValues = KernelFixtures.values(outType, outLayout.length(), new Random(1), false);

        Operand refIn = KernelFixtures.onReference(dtype, values, layout);
        Operand refOut = KernelFixtures.onReference(outType, outValues, outLayout);
        REFERENCE.reduce(op, refIn, axes, refOut);
        Object expected = KernelFixtures.contents(refOut);
        double[] tolerance = sumTolerance(op, dtype, layout, axes, values, outLayout, expected);
        KernelFixtures.contents(refIn);

        Operand in = KernelFixtures.onCpu(dtype, values, layout);
        String what = KernelFixtures.describe("reduce " + op + " " + dtype, layout.shape(), layout.strides(), axes);
        double[] first = null;
        for (WorkerPool pool : new WorkerPool[] {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS,
            KernelFixtures.THREE_THREADS, KernelFixtures.TWO_THREADS}) {
            Operand out = KernelFixtures.onCpu(outType, outValues, outLayout);
            CpuReductions.reduce(op, in, axes, out, pool);
            Object actual = KernelFixtures.contents(out);
            KernelFixtures.assertClose(expected, actual, tolerance, what + " on " + pool.threads() + " threads");
            if (pool == KernelFixtures.TWO_THREADS && first == null) {
                first = asDoubles(actual);
            } else if (pool == KernelFixtures.TWO_THREADS) {
                assertArrayEquals(first, asDoubles(actual), what + " is deterministic");
            }
        }
    }

    /** 0 except for floating SUM: 4·eps·√K·Σ|x| per output (Σ|x| by the reference on |x|). */
    private static double[] sumTolerance(ReduceOp op, DType dtype, Layout layout, int[] axes, Object values,
                                         Layout outLayout, Object expected) {
        double[] tolerance = new double[Array.getLength(expected)];
        if (op != ReduceOp.SUM || !dtype.isFloating()) {
            return tolerance;
        }
        Object magnitudes = dtype.newArray(Array.getLength(values));
        for (int i = 0; i < tolerance.length || i < Array.getLength(values); i++) {
            if (i < Array.getLength(values)) {
                Array.set(magnitudes, i, dtype == DType.FLOAT32
                        ? (Object) Math.abs(Array.getFloat(values, i)) : (Object) Math.abs(Array.getDouble(values, i)));
            }
        }
        Operand in = KernelFixtures.onReference(dtype, magnitudes, layout);
        Operand out = KernelFixtures.onReference(dtype, dtype.newArray(outLayout.length()), outLayout);
        REFERENCE.reduce(ReduceOp.SUM, in, axes, out);
        Object sums = KernelFixtures.contents(out);
        KernelFixtures.contents(in);
        double window = Math.max(1, windowSize(layout.shape(), axes));
        for (int i = 0; i < tolerance.length; i++) {
            tolerance[i] = 4 * KernelFixtures.epsilon(dtype) * Math.sqrt(window) * Array.getDouble(sums, i) + 1e-30;
        }
        return tolerance;
    }

    private static void checkSoftmax(DType dtype, Layout inLayout, Layout outLayout, int axis, boolean log,
                                     Object values) {
        Object outValues = dtype.newArray(outLayout.length());
        Operand refIn = KernelFixtures.onReference(dtype, values, inLayout);
        Operand refOut = KernelFixtures.onReference(dtype, outValues, outLayout);
        REFERENCE.softmax(refIn, axis, log, refOut);
        Object expected = KernelFixtures.contents(refOut);
        KernelFixtures.contents(refIn);
        double eps = KernelFixtures.epsilon(dtype);
        double[] tolerance = KernelFixtures.relative(expected, 8 * eps, 32 * eps);
        for (WorkerPool pool : new WorkerPool[] {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS}) {
            Operand in = KernelFixtures.onCpu(dtype, values, inLayout);
            Operand out = KernelFixtures.onCpu(dtype, outValues, outLayout);
            CpuReductions.softmax(in, axis, log, out, pool);
            KernelFixtures.assertClose(expected, KernelFixtures.contents(out), tolerance,
                    KernelFixtures.describe((log ? "logSoftmax " : "softmax ") + dtype, inLayout.shape(),
                            inLayout.strides(), outLayout.strides(), axis, pool.threads()));
        }
    }

    private static int[] randomAxes(int rank, Random random) {
        int[] axes = new int[rank];
        int count = 0;
        for (int d = 0; d < rank; d++) {
            if (random.nextBoolean()) {
                axes[count++] = d;
            }
        }
        return java.util.Arrays.copyOf(axes, count);
    }

    private static long windowSize(int[] shape, int[] axes) {
        long size = 1;
        for (int axis : axes) {
            size *= shape[axis];
        }
        return size;
    }

    private static void scale(Object values, double factor) {
        for (int i = 0; i < Array.getLength(values); i++) {
            switch (values) {
                case float[] a -> a[i] *= (float) factor;
                case double[] a -> a[i] *= factor;
                default -> throw new IllegalArgumentException();
            }
        }
    }

    private static double[] asDoubles(Object array) {
        double[] result = new double[Array.getLength(array)];
        for (int i = 0; i < result.length; i++) {
            result[i] = ((Number) Array.get(array, i)).doubleValue();
        }
        return result;
    }
}
