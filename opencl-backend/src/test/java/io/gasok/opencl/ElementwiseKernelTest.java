package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Generated elementwise kernels against the reference backend: every unary and binary op on each
 * dtype it takes, fused trees with constants, broadcast (stride 0) and strided operands with
 * offsets, the output aliasing an input, and conversions at the edges (NaN, ±inf, overflow).
 */
class ElementwiseKernelTest {
    /** Transcendental float32 forms may differ from the reference's double by a few ulps. */
    private static final double FLOAT32_RTOL = 1e-4;
    private static final double FLOAT64_RTOL = 1e-9;
    /**
     * Ops whose C form differs from the reference at NaN or infinite operands, reported to core
     * (the op records own the forms): PoCL's float {@code tanh(-inf)} is not exactly -1, so
     * {@code gelu_tanh(-inf)} is -inf, not NaN. Checked on finite values only until the record
     * handles that edge.
     */
    private static final java.util.Set<String> FINITE_ONLY = java.util.Set.of("gelu_tanh");

    @Test
    void everyUnaryOpMatchesTheReferenceOnEveryDtypeItTakes() {
        for (UnaryOp op : UnaryOp.values()) {
            for (DType dtype : DType.values()) {
                if (op == UnaryOp.NOT && dtype != DType.BOOL) {
                    continue;
                }
                check(op.opName() + " " + dtype, dtype, (x, y) -> Expr.unary(op, x, 0.125), 1, 3, !FINITE_ONLY.contains(op.opName()));
            }
        }
    }

    @Test
    void everyBinaryOpMatchesTheReferenceOnEveryDtype() {
        for (BinaryOp op : BinaryOp.values()) {
            for (DType dtype : DType.values()) {
                check(op.opName() + " " + dtype, dtype, (x, y) -> Expr.binary(op, x, y), 2, 3, !FINITE_ONLY.contains(op.opName()));
            }
        }
    }

    /** C's pow gives 1 for pow(1, NaN) and pow(±1, ±inf); the record's form gives Java's NaN. */
    @Test
    void powAtNanAndInfiniteExponentsIsJavasNotCs() {
        OpenClBackend backend = OpenClTestBackend.backend();
        double[] bases = {1, 1, -1, -1, 1, 2, Double.NaN, -8};
        double[] exponents = {Double.NaN, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                              Double.NEGATIVE_INFINITY, 0, Double.NaN, 0, 1.0 / 3};
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                int[] shape = {bases.length};
                int[] strides = {1};
                TwinBuffers.Twin a = buffers.upload(dtype, bases, 0, shape, strides);
                TwinBuffers.Twin b = buffers.upload(dtype, exponents, 0, shape, strides);
                TwinBuffers.Twin out = buffers.upload(dtype, new double[bases.length], 0, shape, strides);
                Expr pow = Expr.binary(BinaryOp.POW, Expr.input(0, dtype), Expr.input(1, dtype));
                buffers.device.elementwise(pow, new Operand[] {a.device(), b.device()}, out.device());
                buffers.reference.elementwise(pow, new Operand[] {a.reference(), b.reference()}, out.reference());
                TwinBuffers.assertClose("pow " + dtype, out, 0, 0);
            }
        }
    }

    @Test
    void fusedTreesWithConstantsMatchTheReference() {
        List<BiFunction<Expr, Expr, Expr>> trees = List.of(
                (x, y) -> Expr.unary(UnaryOp.RELU, Expr.add(Expr.mul(x, Expr.constant(-1.5, x.dtype())), y)),
                (x, y) -> Expr.where(Expr.binary(BinaryOp.GT, x, Expr.constant(0, x.dtype())), x,
                        Expr.mul(y, Expr.constant(0.5, y.dtype()))),
                (x, y) -> Expr.cast(Expr.binary(BinaryOp.FLOOR_DIV, Expr.cast(x, DType.INT64),
                        Expr.constant(2, DType.INT64)), x.dtype()),
                (x, y) -> Expr.cast(x, DType.INT32),
                (x, y) -> Expr.cast(Expr.mul(x, Expr.constant(1e10, DType.FLOAT64)), DType.INT64),
                (x, y) -> Expr.binary(BinaryOp.AND, Expr.binary(BinaryOp.LT, x, y), Expr.unary(UnaryOp.NOT,
                        Expr.binary(BinaryOp.EQ, x, Expr.constant(0, x.dtype())))));
        for (int t = 0; t < trees.size(); t++) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64}) {
                check("tree " + t + " " + dtype, dtype, trees.get(t), 2, 12, true);
            }
        }
    }

    @Test
    void anExpressionWithNewConstantsReusesItsBuiltKernel() {
        OpenClBackend backend = OpenClTestBackend.backend();
        check("x * 2", DType.FLOAT32, (x, y) -> Expr.mul(x, Expr.constant(2, DType.FLOAT32)), 1, 2, true);
        int built = backend.builtPrograms();
        check("x * 3", DType.FLOAT32, (x, y) -> Expr.mul(x, Expr.constant(3, DType.FLOAT32)), 1, 2, true);
        assertEquals(built, backend.builtPrograms(), "a new constant must not build a new program");
    }

    /**
     * Runs {@code tree} over random views on both backends, {@code trials} shapes (the first one
     * empty): inputs broadcast or strided with offsets, out strided, or out written in place over
     * input 0. Each merged rank builds its own kernel, so sweeps over every op keep to few shapes.
     */
    private static void check(String what, DType dtype, BiFunction<Expr, Expr, Expr> tree, int inputs, int trials,
                              boolean specials) {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(what.hashCode());
        Expr expr = tree.apply(Expr.input(0, dtype), Expr.input(1, dtype));
        for (int trial = 0; trial < trials; trial++) {
            int[] shape = RandomViews.shape(random, trials > 3 ? 4 : 2, trial == 0 ? 0 : 1);
            boolean inPlace = trial % 4 == 2 && expr.dtype() == dtype;
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin[] operands = new TwinBuffers.Twin[inputs];
                for (int i = 0; i < inputs; i++) {
                    boolean broadcast = i == 1 && random.nextBoolean();
                    int[] strides = broadcast ? RandomViews.broadcastStrides(random, shape)
                            : inPlace && i == 0 ? Operand.rowMajorStrides(shape) : RandomViews.strides(random, shape);
                    int offset = random.nextInt(3);
                    int length = Math.max(RandomViews.bufferLength(offset, shape, strides), offset + Operand.sizeOf(shape));
                    operands[i] = buffers.upload(dtype, TwinBuffers.values(random, dtype, length, specials), offset, shape, strides);
                }
                TwinBuffers.Twin out;
                if (inPlace) {
                    out = operands[0];
                } else {
                    int[] strides = RandomViews.strides(random, shape);
                    out = buffers.upload(expr.dtype(), TwinBuffers.values(random, expr.dtype(),
                            RandomViews.bufferLength(0, shape, strides), false), 0, shape, strides);
                }
                Operand[] deviceInputs = new Operand[inputs];
                Operand[] referenceInputs = new Operand[inputs];
                for (int i = 0; i < inputs; i++) {
                    deviceInputs[i] = operands[i].device();
                    referenceInputs[i] = operands[i].reference();
                }
                buffers.device.elementwise(expr, deviceInputs, out.device());
                buffers.reference.elementwise(expr, referenceInputs, out.reference());
                boolean floating = expr.dtype().isFloating();
                double rtol = !floating ? 0 : expr.dtype() == DType.FLOAT32 ? FLOAT32_RTOL : FLOAT64_RTOL;
                double atol = !floating ? 0 : expr.dtype() == DType.FLOAT32 ? 1e-6 : 1e-12;
                TwinBuffers.assertClose(what + " over " + out.device() + (inPlace ? " in place" : ""), out, atol, rtol);
            }
        }
    }
}
