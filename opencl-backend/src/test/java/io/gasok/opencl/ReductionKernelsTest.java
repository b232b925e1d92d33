package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.ReduceOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * reduce (SUM, MAX, MIN, ARGMAX, ARGMIN over any axes of strided inputs, NaN and ties included)
 * and softmax / log-softmax on the OpenCL device against the reference backend. Sums are held to
 * the accumulation bound {@code c·eps·√K·Σ|x|}; extremes and indices must be exact.
 */
class ReductionKernelsTest {
    private static final double ACCUMULATION_FACTOR = 4;

    @Test
    void reductionsOverAnyAxesMatchTheReference() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(21);
        DType[] dtypes = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64};
        for (int trial = 0; trial < 150; trial++) {
            ReduceOp op = ReduceOp.values()[trial % ReduceOp.values().length];
            DType dtype = dtypes[(trial / 5) % dtypes.length];
            int[] shape = RandomViews.shape(random, 4, op == ReduceOp.SUM ? 0 : 1);
            if (shape.length == 0) {
                shape = new int[] {1 + random.nextInt(3)};
            }
            if (trial % 25 == 0) {
                shape[shape.length - 1] = 150 + random.nextInt(100);
            }
            int[] axes = axes(random, shape.length, op.isArg());
            runReduce(backend, random, op, dtype, shape, axes);
        }
    }

    @Test
    void sumsOfBooleansCountTheTrueElements() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(22);
        for (int trial = 0; trial < 10; trial++) {
            int[] shape = {1 + random.nextInt(4), 1 + random.nextInt(90)};
            runReduce(backend, random, ReduceOp.SUM, DType.BOOL, shape, new int[] {1});
        }
    }

    @Test
    void softmaxAndLogSoftmaxAlongAnyAxisMatchTheReference() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(23);
        for (int trial = 0; trial < 60; trial++) {
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            boolean log = trial % 4 >= 2;
            int[] shape = RandomViews.shape(random, 3, trial < 4 ? 0 : 1);
            if (shape.length == 0) {
                shape = new int[] {3};
            }
            int axis = random.nextInt(shape.length);
            if (trial % 10 == 5) {
                shape[axis] = 200;
            }
            int[] inStrides = RandomViews.strides(random, shape);
            int[] outStrides = RandomViews.strides(random, shape);
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin in = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(1, shape, inStrides), trial % 6 == 1), 1, shape, inStrides);
                TwinBuffers.Twin out = buffers.upload(dtype, new double[RandomViews.bufferLength(0, shape, outStrides)],
                        0, shape, outStrides);
                buffers.device.softmax(in.device(), axis, log, out.device());
                buffers.reference.softmax(in.reference(), axis, log, out.reference());
                double eps = dtype == DType.FLOAT32 ? Math.ulp(1.0f) : Math.ulp(1.0);
                double bound = ACCUMULATION_FACTOR * eps * Math.sqrt(Math.max(shape[axis], 1)) * 40;
                TwinBuffers.assertClose((log ? "log-softmax" : "softmax") + " along " + axis + " of " + in.device(),
                        out, bound, bound);
            }
        }
    }

    private static void runReduce(OpenClBackend backend, Random random, ReduceOp op, DType dtype, int[] shape, int[] axes) {
        int[] outShape = shape.clone();
        int terms = 1;
        for (int axis : axes) {
            outShape[axis] = 1;
            terms *= shape[axis];
        }
        DType outDtype = op.isArg() ? DType.INT64 : op == ReduceOp.SUM && dtype == DType.BOOL ? DType.INT64 : dtype;
        int[] inStrides = RandomViews.strides(random, shape);
        int[] outStrides = RandomViews.strides(random, outShape);
        try (TwinBuffers buffers = new TwinBuffers(backend)) {
            double[] values = TwinBuffers.values(random, dtype, RandomViews.bufferLength(2, shape, inStrides), op != ReduceOp.SUM);
            TwinBuffers.Twin in = buffers.upload(dtype, values, 2, shape, inStrides);
            TwinBuffers.Twin out = buffers.upload(outDtype, new double[RandomViews.bufferLength(0, outShape, outStrides)],
                    0, outShape, outStrides);
            buffers.device.reduce(op, in.device(), axes, out.device());
            buffers.reference.reduce(op, in.reference(), axes, out.reference());
            String what = op + " over " + java.util.Arrays.toString(axes) + " of " + in.device();
            if (op == ReduceOp.SUM && dtype.isFloating()) {
                double eps = dtype == DType.FLOAT32 ? Math.ulp(1.0f) : Math.ulp(1.0);
                double largest = maxMagnitude(values) * terms;
                TwinBuffers.assertClose(what, out, ACCUMULATION_FACTOR * eps * Math.sqrt(Math.max(terms, 1)) * largest, 0);
            } else {
                TwinBuffers.assertExact(what, out);
            }
        }
    }

    /** A random non-empty set of axes, ascending; exactly one for argmax/argmin. */
    private static int[] axes(Random random, int rank, boolean single) {
        if (single) {
            return new int[] {random.nextInt(rank)};
        }
        List<Integer> axes = new ArrayList<>();
        for (int axis = 0; axis < rank; axis++) {
            if (random.nextBoolean()) {
                axes.add(axis);
            }
        }
        if (axes.isEmpty()) {
            axes.add(random.nextInt(rank));
        }
        return axes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static double maxMagnitude(double[] values) {
        double max = 0;
        for (double value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }

}
