package io.gasok.cpu;

import static io.gasok.spi.Expr.add;
import static io.gasok.spi.Expr.binary;
import static io.gasok.spi.Expr.cast;
import static io.gasok.spi.Expr.constant;
import static io.gasok.spi.Expr.div;
import static io.gasok.spi.Expr.input;
import static io.gasok.spi.Expr.mul;
import static io.gasok.spi.Expr.sub;
import static io.gasok.spi.Expr.unary;
import static io.gasok.spi.Expr.where;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CpuElementwiseTest {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    /** Past several vectors and one block, with a tail: every loop part of every op runs. */
    private static final int LENGTH = 2 * CpuElementwise.BLOCK + 37;

    static Stream<Arguments> everyUnaryOpOnEveryDtype() {
        List<Arguments> cases = new ArrayList<>();
        for (UnaryOp op : UnaryOp.values()) {
            for (DType dtype : DType.values()) {
                cases.add(Arguments.of(op, dtype));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> everyBinaryOpOnEveryDtype() {
        List<Arguments> cases = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            for (DType dtype : DType.values()) {
                cases.add(Arguments.of(op, dtype));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("everyUnaryOpOnEveryDtype")
    void everyUnaryOpMatchesTheReferenceIncludingNanInfinityAndSignedZero(UnaryOp op, DType dtype) {
        Random random = new Random(op.ordinal() * 7L + dtype.ordinal());
        Expr expr = unary(op, input(0, dtype), 0.125);
        checkContiguous(expr, random, new DType[] {dtype}, LENGTH);
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("everyBinaryOpOnEveryDtype")
    void everyBinaryOpMatchesTheReferenceIncludingNanInfinityAndSignedZero(BinaryOp op, DType dtype) {
        Random random = new Random(op.ordinal() * 11L + dtype.ordinal());
        Expr expr = binary(op, input(0, dtype), input(1, dtype));
        checkContiguous(expr, random, new DType[] {dtype, dtype}, LENGTH);
    }

    @Test
    void fusedTreesWithWhereCastsConstantsAndMixedDtypesMatchTheReference() {
        Random random = new Random(3);
        Expr x = input(0, DType.FLOAT32);
        Expr g = input(1, DType.FLOAT32);
        Expr labels = input(2, DType.INT64);
        Expr mask = input(3, DType.BOOL);
        DType[] types = {DType.FLOAT32, DType.FLOAT32, DType.INT64, DType.BOOL};
        List<Expr> trees = List.of(
                unary(UnaryOp.RELU, add(mul(x, constant(1.5, DType.FLOAT32)), g)),
                sub(x, mul(constant(0.01, DType.FLOAT32), div(g, add(unary(UnaryOp.SQRT, mul(g, g)),
                        constant(1e-8, DType.FLOAT32))))),
                where(binary(BinaryOp.GT, x, constant(0, DType.FLOAT32)), x, mul(x, constant(0.1, DType.FLOAT32))),
                where(binary(BinaryOp.AND, mask, binary(BinaryOp.LT, x, g)), labels, constant(-7, DType.INT64)),
                add(labels, x),
                cast(mul(x, constant(10, DType.FLOAT32)), DType.INT32),
                cast(add(cast(x, DType.FLOAT64), cast(g, DType.FLOAT64)), DType.FLOAT32),
                mul(cast(mask, DType.FLOAT64), cast(labels, DType.FLOAT64)),
                binary(BinaryOp.OR, unary(UnaryOp.NOT, mask), binary(BinaryOp.EQ, labels, constant(3, DType.INT64))),
                unary(UnaryOp.GELU, unary(UnaryOp.TANH, add(x, g))),
                binary(BinaryOp.REMAINDER, labels, add(cast(mask, DType.INT64), constant(2, DType.INT64))));
        for (Expr tree : trees) {
            checkContiguous(tree, random, types, LENGTH);
        }
    }

    @Test
    void broadcastTransposedOffsetAndStridedOperandsMatchTheReference() {
        Random random = new Random(5);
        for (int trial = 0; trial < 40; trial++) {
            int[] shape = {1 + random.nextInt(5), random.nextBoolean() ? 1 : 1 + random.nextInt(7), 1 + random.nextInt(70)};
            Expr expr = unary(UnaryOp.SIGMOID, add(mul(input(0, DType.FLOAT32), input(1, DType.FLOAT32)),
                    sub(input(2, DType.FLOAT32), input(3, DType.FLOAT32))));
            TwinOperands[] inputs = new TwinOperands[4];
            inputs[0] = stridedView(DType.FLOAT32, shape, random, false);
            inputs[1] = broadcastView(DType.FLOAT32, shape, random);
            inputs[2] = transposedView(DType.FLOAT32, shape, random);
            inputs[3] = TwinOperands.random(DType.FLOAT32, 3, 1, shape, new int[shape.length], random);
            TwinOperands out = stridedView(DType.FLOAT32, shape, random, true);
            run(expr, inputs, out, TWO_THREADS);
            out.assertBuffersAgree("sigmoid over views, shape " + java.util.Arrays.toString(shape));
        }
    }

    @Test
    void integerAndBoolOperandsThroughStridesAndBroadcastMatchTheReference() {
        Random random = new Random(6);
        int[] shape = {4, 3, 50};
        Expr expr = where(input(2, DType.BOOL), binary(BinaryOp.FLOOR_DIV, input(0, DType.INT64), input(1, DType.INT32)),
                unary(UnaryOp.NEG, input(1, DType.INT32)));
        TwinOperands[] inputs = {transposedView(DType.INT64, shape, random), broadcastView(DType.INT32, shape, random),
                stridedView(DType.BOOL, shape, random, false)};
        TwinOperands out = stridedView(DType.INT64, shape, random, true);
        run(expr, inputs, out, ONE_THREAD);
        out.assertBuffersAgree("int64 where over views");
    }

    @Test
    void updatesInPlaceWhenOutIsAnInputWithTheSameStrides() {
        Random random = new Random(7);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (boolean strided : new boolean[] {false, true}) {
                int[] shape = {3, 700};
                TwinOperands parameter = strided ? stridedView(dtype, shape, random, false) : TwinOperands.contiguous(dtype, random, shape);
                TwinOperands gradient = TwinOperands.contiguous(dtype, random, shape);
                Expr p = input(0, dtype);
                Expr update = unary(UnaryOp.GELU, sub(p, mul(constant(0.1, dtype), input(1, dtype))));
                run(update, new TwinOperands[] {parameter, gradient}, parameter, ONE_THREAD);
                parameter.assertBuffersAgree("in-place update, " + dtype.shortName() + (strided ? " strided" : ""));
            }
        }
    }

    @Test
    void scalarAndSizeOneOperandsMatchTheReference() {
        Random random = new Random(8);
        for (int[] shape : new int[][] {{}, {1}, {1, 1, 1}}) {
            Expr expr = unary(UnaryOp.EXP, add(input(0, DType.FLOAT64), input(1, DType.FLOAT64)));
            TwinOperands[] inputs = {TwinOperands.contiguous(DType.FLOAT64, random, shape),
                    TwinOperands.random(DType.FLOAT64, 4, 3, shape, new int[shape.length], random)};
            TwinOperands out = TwinOperands.contiguous(DType.FLOAT64, random, shape);
            run(expr, inputs, out, ONE_THREAD);
            out.assertBuffersAgree("rank " + shape.length);
        }
    }

    @Test
    void anEmptyOutputWritesNothing() {
        Random random = new Random(9);
        int[] shape = {0, 5};
        TwinOperands in = TwinOperands.random(DType.FLOAT32, 4, 0, shape, new int[] {5, 1}, random);
        TwinOperands out = TwinOperands.random(DType.FLOAT32, 4, 0, shape, new int[] {5, 1}, random);
        float[] before = ((float[]) out.cpuArray()).clone();
        CpuElementwise.evaluate(unary(UnaryOp.EXP, input(0, DType.FLOAT32)), new Operand[] {in.cpu}, out.cpu, TWO_THREADS);
        assertArrayEquals(before, (float[]) out.cpuArray());
    }

    /**
     * Arithmetic (exactly rounded in vector and scalar form) is bitwise the same on any split; a
     * transcendental op may differ by an ulp where a split moves an element between the vector loop
     * and the scalar tail, so it is held to the reference's tolerance.
     */
    @Test
    void aLaunchSplitAcrossThreadsMatchesOneThreadAndTheReference() {
        Random random = new Random(10);
        int[] shape = {3, CpuElementwise.PARALLEL_THRESHOLD / 2 + 13};
        Expr arithmetic = unary(UnaryOp.RELU, add(mul(input(0, DType.FLOAT32), input(1, DType.FLOAT32)),
                constant(0.25, DType.FLOAT32)));
        TwinOperands a = TwinOperands.contiguous(DType.FLOAT32, random, shape);
        TwinOperands b = broadcastView(DType.FLOAT32, shape, random);
        TwinOperands serial = TwinOperands.contiguous(DType.FLOAT32, random, shape);
        TwinOperands parallel = TwinOperands.contiguous(DType.FLOAT32, random, shape);
        Operand[] inputs = {a.cpu, b.cpu};
        CpuElementwise.evaluate(arithmetic, inputs, serial.cpu, ONE_THREAD);
        CpuElementwise.evaluate(arithmetic, inputs, parallel.cpu, TWO_THREADS);
        assertArrayEquals((float[]) serial.cpuArray(), (float[]) parallel.cpuArray());
        Expr transcendental = unary(UnaryOp.SILU, arithmetic);
        run(transcendental, new TwinOperands[] {a, b}, parallel, TWO_THREADS);
        parallel.assertBuffersAgree("parallel silu");
    }

    /**
     * A floating comparison that only chooses between two values runs as one compare-and-blend
     * node (as does its cast to 1 and 0): every comparison, both float types, NaN and signed zeros
     * included, over whole vectors and a tail.
     */
    @Test
    void comparisonsThatChooseBetweenValuesMatchTheReference() {
        Random random = new Random(11);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT,
                BinaryOp.GE}) {
                Expr comparison = binary(op, input(0, dtype), input(1, dtype));
                DType[] types = {dtype, dtype, dtype, dtype};
                checkContiguous(where(comparison, input(2, dtype), input(3, dtype)), random, types, LENGTH);
                checkContiguous(mul(cast(comparison, dtype), input(2, dtype)), random, types, LENGTH);
                checkContiguous(where(binary(op, input(0, dtype), constant(0.5, dtype)), constant(1, dtype),
                        input(1, dtype)), random, types, 37);
            }
        }
    }

    /**
     * A comparison in one float type that chooses values of the other (or is cast to it) stays a
     * comparison and a where: the compare-and-blend node reads all four operands as one type (it
     * threw a ClassCastException for these).
     */
    @Test
    void comparisonsInOneFloatTypeChoosingValuesOfTheOtherMatchTheReference() {
        Random random = new Random(13);
        for (DType compared : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            DType chosen = compared == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
            Expr comparison = binary(BinaryOp.GT, input(0, compared), input(1, compared));
            DType[] types = {compared, compared, chosen, chosen};
            checkContiguous(where(comparison, input(2, chosen), input(3, chosen)), random, types, LENGTH);
            checkContiguous(cast(comparison, chosen), random, types, LENGTH);
        }
    }

    /**
     * Rows shorter than {@link CpuElementwise#FLAT_ROW_LIMIT} run flat, in blocks across rows: a
     * one-hot built from a row of classes and a column of labels, a bias over narrow rows, inputs
     * read through strides and an output written through them.
     */
    @Test
    void narrowBroadcastRowsEvaluatedAcrossRowsMatchTheReference() {
        Random random = new Random(12);
        int[][] shapes = {{128, 6}, {700, 3}, {5, 7, 2}, {3, 1, 63}};
        for (int[] shape : shapes) {
            int rows = Operand.sizeOf(shape) / shape[shape.length - 1];
            int[] columnStrides = new int[shape.length];
            columnStrides[shape.length - 2] = 1;
            TwinOperands classes = broadcastView(DType.INT64, shape, random);
            TwinOperands labels = TwinOperands.random(DType.INT64, rows + 1, 1, shape,
                    shape.length == 2 ? new int[] {1, 0} : new int[] {shape[1], 1, 0}, random);
            TwinOperands scores = TwinOperands.contiguous(DType.FLOAT32, random, shape);
            Expr oneHot = where(binary(BinaryOp.EQ, input(0, DType.INT64), input(1, DType.INT64)),
                    constant(1, DType.FLOAT32), constant(0, DType.FLOAT32));
            Expr gradient = sub(unary(UnaryOp.EXP, input(2, DType.FLOAT32)), oneHot);
            TwinOperands out = TwinOperands.contiguous(DType.FLOAT32, random, shape);
            run(gradient, new TwinOperands[] {classes, labels, scores}, out, ONE_THREAD);
            out.assertBuffersAgree("one-hot gradient " + java.util.Arrays.toString(shape));
            TwinOperands bias = broadcastView(DType.FLOAT32, shape, random);
            TwinOperands strided = stridedView(DType.FLOAT32, shape, random, true);
            run(unary(UnaryOp.RELU, add(input(0, DType.FLOAT32), input(1, DType.FLOAT32))),
                    new TwinOperands[] {transposedView(DType.FLOAT32, shape, random), bias}, strided, TWO_THREADS);
            strided.assertBuffersAgree("relu(x + bias) through strides " + java.util.Arrays.toString(shape));
        }
    }

    /**
     * Several expressions in one pass write several outs, each reading the inputs from before the
     * launch, outs aliasing inputs: an Adam step of a parameter and both its moments, in flat and
     * row modes, against the reference backend's default (one launch per expression into
     * temporaries, then copies).
     */
    @Test
    void severalOutsInOnePassAllReadTheInputsFromBeforeIt() {
        Random random = new Random(13);
        for (int[] shape : new int[][] {{20}, {20, 42}, {3, 5}, {2, 1500}}) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                TwinOperands p = TwinOperands.contiguous(dtype, random, shape);
                TwinOperands m = TwinOperands.contiguous(dtype, random, shape);
                TwinOperands v = TwinOperands.contiguous(dtype, random, shape);
                TwinOperands g = TwinOperands.contiguous(dtype, random, shape);
                Expr mNew = add(mul(constant(0.9, dtype), input(1, dtype)), mul(constant(0.1, dtype), input(3, dtype)));
                Expr vNew = add(mul(constant(0.999, dtype), unary(UnaryOp.ABS, input(2, dtype))),
                        mul(constant(0.001, dtype), mul(input(3, dtype), input(3, dtype))));
                Expr pNew = sub(input(0, dtype), div(mul(constant(0.01, dtype), mNew),
                        add(unary(UnaryOp.SQRT, vNew), constant(1e-8, dtype))));
                Expr[] exprs = {pNew, mNew, vNew};
                TwinOperands[] targets = {p, m, v};
                Operand[] referenceInputs = {p.reference, m.reference, v.reference, g.reference};
                Operand[] cpuInputs = {p.cpu, m.cpu, v.cpu, g.cpu};
                TwinOperands.REFERENCE.elementwise(exprs, referenceInputs,
                        new Operand[] {p.reference, m.reference, v.reference});
                CpuElementwise.evaluate(exprs, cpuInputs, new Operand[] {p.cpu, m.cpu, v.cpu}, ONE_THREAD);
                for (int k = 0; k < targets.length; k++) {
                    targets[k].assertBuffersAgree("adam out " + k + ", " + dtype.shortName()
                            + java.util.Arrays.toString(shape));
                }
            }
        }
    }

    /**
     * Plans are shared by expressions of one shape whatever their constants; equal subtrees are
     * computed once. A launch whose constants make two subtrees equal, then one of the same shape
     * whose constants do not, then the first again: each gets its own values.
     */
    @Test
    void aSharedPlanNeverMergesSubtreesThatDifferInTheirConstants() {
        Random random = new Random(15);
        for (double[] scales : new double[][] {{2, 2}, {2, 3}, {2, 2}, {-0.0, 0.0}}) {
            Expr x = input(0, DType.FLOAT64);
            Expr expr = add(mul(x, constant(scales[0], DType.FLOAT64)), unary(UnaryOp.EXP,
                    mul(x, constant(scales[1], DType.FLOAT64))));
            checkContiguous(expr, random, new DType[] {DType.FLOAT64}, 100);
        }
    }

    // ---- helpers ----

    private static void checkContiguous(Expr expr, Random random, DType[] inputTypes, int length) {
        TwinOperands[] inputs = new TwinOperands[inputTypes.length];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = TwinOperands.contiguous(inputTypes[i], random, length);
        }
        TwinOperands out = TwinOperands.contiguous(expr.dtype(), random, length);
        run(expr, inputs, out, ONE_THREAD);
        out.assertBuffersAgree(expr.toString());
    }

    /** Runs expr on both backends: the reference's buffers and the CPU backend's. */
    private static void run(Expr expr, TwinOperands[] inputs, TwinOperands out, WorkerPool pool) {
        Operand[] reference = new Operand[inputs.length];
        Operand[] cpu = new Operand[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            reference[i] = inputs[i].reference;
            cpu[i] = inputs[i].cpu;
        }
        TwinOperands.REFERENCE.elementwise(expr, reference, out.reference);
        CpuElementwise.evaluate(expr, cpu, out.cpu, pool);
    }

    /** A view with an offset and every axis padded: no axis is contiguous with the next. */
    private static TwinOperands stridedView(DType dtype, int[] shape, Random random, boolean innerStrided) {
        int[] strides = new int[shape.length];
        int stride = innerStrided ? 2 : 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d] + 1;
        }
        int offset = 3;
        return TwinOperands.random(dtype, offset + stride + 2, offset, shape, strides, random);
    }

    /** A contiguous buffer of the shape's reverse, viewed transposed (inner stride = outer extent product). */
    private static TwinOperands transposedView(DType dtype, int[] shape, Random random) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = 0; d < shape.length; d++) {
            strides[d] = stride;
            stride *= shape[d];
        }
        return TwinOperands.random(dtype, stride + 1, 1, shape, strides, random);
    }

    /** A row vector along the last axis, broadcast (stride 0) over the others. */
    private static TwinOperands broadcastView(DType dtype, int[] shape, Random random) {
        int[] strides = new int[shape.length];
        strides[shape.length - 1] = 1;
        return TwinOperands.random(dtype, shape[shape.length - 1] + 2, 2, shape, strides, random);
    }
}
