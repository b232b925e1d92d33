package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Distribution;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Expr;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.UnaryOp;
import io.gasok.spi.Upsample2dSpec;
import java.util.Random;

/**
 * Every implemented kernel once on small shapes, for {@link OclgrindTest} to run under oclgrind's
 * data-race and uninitialised-value checks: tree reductions with windows shorter and longer than a
 * work-group (idle items, several strides per item), strided views and broadcast operands.
 */
final class OclgrindWorkload {
    private OclgrindWorkload() {}

    public static void main(String[] args) {
        OpenClBackend backend = (OpenClBackend) new OpenClBackendProvider().open(0);
        Random random = new Random(41);
        try (TwinBuffers buffers = new TwinBuffers(backend)) {
            int[] shape = {3, 70};
            TwinBuffers.Twin x = buffers.contiguous(DType.FLOAT32, TwinBuffers.values(random, DType.FLOAT32, 210, true), shape);
            TwinBuffers.Twin bias = buffers.upload(DType.FLOAT32, TwinBuffers.values(random, DType.FLOAT32, 70, false), 0,
                    shape, new int[] {0, 1});
            TwinBuffers.Twin out = buffers.contiguous(DType.FLOAT32, new double[210], shape);
            TwinBuffers.Twin transposed = buffers.upload(DType.FLOAT32, new double[210], 0, shape, new int[] {1, 3});
            TwinBuffers.Twin sums = buffers.contiguous(DType.FLOAT32, new double[3], 3, 1);
            TwinBuffers.Twin indices = buffers.contiguous(DType.INT64, new double[70], 1, 70);
            TwinBuffers.Twin ints = buffers.contiguous(DType.INT32, TwinBuffers.values(random, DType.INT32, 210, false), shape);

            backend.fill(out.device(), 0.5);
            backend.copy(x.device(), transposed.device());
            Expr expr = Expr.unary(UnaryOp.RELU, Expr.add(Expr.mul(Expr.input(0, DType.FLOAT32),
                    Expr.constant(2, DType.FLOAT32)), Expr.input(1, DType.FLOAT32)));
            backend.elementwise(expr, new Operand[] {x.device(), bias.device()}, out.device());
            backend.elementwise(Expr.binary(BinaryOp.REMAINDER, Expr.input(0, DType.INT32), Expr.constant(3, DType.INT32)),
                    new Operand[] {ints.device()}, ints.device());
            backend.reduce(ReduceOp.SUM, x.device(), new int[] {1}, sums.device());
            backend.reduce(ReduceOp.MAX, transposed.device(), new int[] {1}, sums.device());
            backend.reduce(ReduceOp.ARGMAX, x.device(), new int[] {0}, indices.device());
            backend.softmax(x.device(), 1, false, out.device());
            backend.softmax(transposed.device(), 0, true, out.device());
            backend.random(Distribution.NORMAL, 7, 3, transposed.device());
            imageAndIndexKernels(backend, buffers, random);
            gemmAndConvolutionKernels(backend, buffers, random);
            backend.synchronize();
            backend.read(out.device().buffer(), 0, new float[210], 0, 210);
        }
    }

    /**
     * pad, concat, pooling and upsampling (forward and backward, overlapping windows, padding,
     * ceil mode) and the index kernels, including an out-of-range index that every item of a line
     * flags at once.
     */
    private static void imageAndIndexKernels(OpenClBackend backend, TwinBuffers buffers, Random random) {
        int[] image = {1, 2, 5, 6};
        TwinBuffers.Twin x = buffers.contiguous(DType.FLOAT32, TwinBuffers.values(random, DType.FLOAT32, 60, true), image);
        TwinBuffers.Twin padded = buffers.contiguous(DType.FLOAT32, new double[112], 1, 2, 7, 8);
        backend.pad(x.device(), padded.device(), new int[] {0, 0, 1, 2}, -1);
        TwinBuffers.Twin joined = buffers.contiguous(DType.FLOAT32, new double[120], 1, 4, 5, 6);
        backend.concat(new Operand[] {x.device(), x.device()}, 1, joined.device());

        for (Pool2dSpec.Kind kind : Pool2dSpec.Kind.values()) {
            Pool2dSpec spec = new Pool2dSpec(kind, 1, 2, 5, 6, 3, 2, 2, 1, 1, 0, 1, 1, true, true);
            int[] pooledShape = {1, 2, spec.outHeight(), spec.outWidth()};
            int pooledSize = Operand.sizeOf(pooledShape);
            TwinBuffers.Twin pooled = buffers.contiguous(DType.FLOAT32, new double[pooledSize], pooledShape);
            TwinBuffers.Twin gx = buffers.contiguous(DType.FLOAT32, new double[60], image);
            backend.pool2d(spec, x.device(), pooled.device());
            backend.pool2dBackward(spec, x.device(), pooled.device(), gx.device());
        }
        for (Upsample2dSpec.Mode mode : Upsample2dSpec.Mode.values()) {
            Upsample2dSpec spec = new Upsample2dSpec(mode, 1, 2, 5, 6, 9, 13, false);
            TwinBuffers.Twin resized = buffers.contiguous(DType.FLOAT64, new double[234], 1, 2, 9, 13);
            TwinBuffers.Twin doubles = buffers.contiguous(DType.FLOAT64, TwinBuffers.values(random, DType.FLOAT64, 60, false), image);
            TwinBuffers.Twin gx = buffers.contiguous(DType.FLOAT64, new double[60], image);
            backend.upsample2d(spec, doubles.device(), resized.device());
            backend.upsample2dBackward(spec, resized.device(), gx.device());
        }

        TwinBuffers.Twin rows = buffers.contiguous(DType.INT64, new double[] {4, 0, 4, 2, 1, 1, 3, 0}, 1, 1, 8, 1);
        TwinBuffers.Twin picked = buffers.contiguous(DType.FLOAT32, new double[8], 1, 1, 8, 1);
        backend.gather(x.device(), 2, rows.device(), picked.device());
        TwinBuffers.Twin slices = buffers.contiguous(DType.INT64, new double[] {3, 3, 0}, 3);
        TwinBuffers.Twin selected = buffers.contiguous(DType.INT32, new double[36], 1, 2, 3, 6);
        TwinBuffers.Twin ints = buffers.contiguous(DType.INT32, TwinBuffers.values(random, DType.INT32, 60, false), image);
        backend.indexSelect(ints.device(), 2, slices.device(), selected.device());
        backend.scatterAdd(x.device(), 2, rows.device(), picked.device());
        TwinBuffers.Twin badRows = buffers.contiguous(DType.INT64, new double[] {0, 9, 9, 9, 9, 9, 9, 9}, 1, 1, 8, 1);
        try {
            backend.scatterAdd(x.device(), 2, badRows.device(), picked.device());
            throw new AssertionError("scatterAdd took an out-of-range index");
        } catch (IndexOutOfBoundsException expected) {
            // expected: the items of the line raised the flag together
        }
    }

    /**
     * GEMM with every tile shape on a product that leaves partial tiles and several k slices,
     * transposed, shared B (batch stride 0), bias, beta and an activation; the convolution kernels
     * on a grouped, strided, padded spec (also chunked, so the weight gradient accumulates); the
     * depthwise kernels with a weight-gradient window longer than a work-group.
     */
    private static void gemmAndConvolutionKernels(OpenClBackend backend, TwinBuffers buffers, Random random) {
        DType f32 = DType.FLOAT32;
        GemmSpec spec = new GemmSpec(2, 9, 35, 70, true, false, new Epilogue(0.5, 1, UnaryOp.GELU, 0));
        TwinBuffers.Twin a = buffers.contiguous(f32, TwinBuffers.values(random, f32, 2 * 70 * 9, false), 2, 70, 9);
        TwinBuffers.Twin b = buffers.upload(f32, TwinBuffers.values(random, f32, 70 * 36, false), 0,
                new int[] {2, 70, 35}, new int[] {0, 36, 1});
        TwinBuffers.Twin c = buffers.contiguous(f32, TwinBuffers.values(random, f32, 2 * 9 * 35, false), 2, 9, 35);
        TwinBuffers.Twin bias = buffers.contiguous(f32, TwinBuffers.values(random, f32, 35, false), 35);
        backend.gemm(spec, a.device(), b.device(), c.device(), bias.device());
        GemmSpec small = new GemmSpec(1, 9, 18, 20, false, true, new Epilogue(1, 0, null, 0));
        Operand smallA = new Operand(a.device().buffer(), f32, 0, new int[] {1, 9, 20}, new int[] {0, 20, 1});
        Operand smallB = new Operand(b.device().buffer(), f32, 0, new int[] {1, 18, 20}, new int[] {0, 20, 1});
        Operand smallC = new Operand(c.device().buffer(), f32, 0, new int[] {1, 9, 18}, new int[] {0, 18, 1});
        for (OpenClGemm.TileShape shape : OpenClGemm.ALL_SHAPES) {
            backend.gemmKernels().withTileShape(shape).gemm(small, smallA, smallB, smallC, null);
        }

        Conv2dSpec conv = new Conv2dSpec(2, 4, 7, 6, 6, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2, 2, new Epilogue(1, 0, UnaryOp.RELU, 0));
        int[] xShape = {2, 4, 7, 6};
        int[] wShape = {6, 2, 3, 2};
        int[] yShape = {2, 6, conv.outHeight(), conv.outWidth()};
        TwinBuffers.Twin x = buffers.contiguous(f32, TwinBuffers.values(random, f32, Operand.sizeOf(xShape), false), xShape);
        TwinBuffers.Twin w = buffers.contiguous(f32, TwinBuffers.values(random, f32, Operand.sizeOf(wShape), false), wShape);
        TwinBuffers.Twin y = buffers.contiguous(f32, new double[Operand.sizeOf(yShape)], yShape);
        TwinBuffers.Twin channelBias = buffers.contiguous(f32, TwinBuffers.values(random, f32, 6, false), 6);
        backend.conv2d(conv, x.device(), w.device(), channelBias.device(), y.device());
        backend.conv2dBackwardInput(conv, y.device(), w.device(), x.device());
        backend.conv2dBackwardWeight(conv, x.device(), y.device(), w.device(), null);
        backend.convolution().withColumnBudget(1).backwardWeight(conv, x.device(), y.device(), w.device());
        for (boolean byLines : new boolean[] {false, true}) {
            backend.convolution().withIm2colByLines(byLines).forward(conv, x.device(), w.device(), channelBias.device(),
                    y.device());
        }

        Conv2dSpec depthwise = new Conv2dSpec(2, 3, 9, 8, 3, 3, 3, 1, 2, 1, 1, 2, 0, 1, 1, 3,
                new Epilogue(1, 0.5, UnaryOp.SILU, 0));
        int[] dxShape = {2, 3, 9, 8};
        int[] dwShape = {3, 1, 3, 3};
        int[] dyShape = {2, 3, depthwise.outHeight(), depthwise.outWidth()};
        TwinBuffers.Twin dx = buffers.contiguous(f32, TwinBuffers.values(random, f32, Operand.sizeOf(dxShape), false), dxShape);
        TwinBuffers.Twin dw = buffers.contiguous(f32, TwinBuffers.values(random, f32, Operand.sizeOf(dwShape), false), dwShape);
        TwinBuffers.Twin dy = buffers.contiguous(f32, TwinBuffers.values(random, f32, Operand.sizeOf(dyShape), false), dyShape);
        backend.depthwiseConv2d(depthwise, dx.device(), dw.device(), channelBias.device(), dy.device());
        backend.depthwiseConv2dBackwardInput(depthwise, dy.device(), dw.device(), dx.device());
        backend.depthwiseConv2dBackwardWeight(depthwise, dx.device(), dy.device(), dw.device(), null);
    }
}
