package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Distribution;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.UnaryOp;
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
            backend.synchronize();
            backend.read(out.device().buffer(), 0, new float[210], 0, 210);
        }
    }
}
