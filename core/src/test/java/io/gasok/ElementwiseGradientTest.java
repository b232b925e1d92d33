package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checks of every differentiable elementwise op against central differences in float64
 * (DESIGN §6), with inputs kept away from kinks and ties, and with broadcast operands so that the
 * sum-to-shape path of the backward is exercised. ({@link GradCheck} weights each output element
 * differently, so a gradient landing on the wrong element is caught.)
 */
@ExtendWith(NoLeaks.class)
class ElementwiseGradientTest {

    /** Values uniform in [lo, hi), float64. */
    static Tensor uniform(Random random, double lo, double hi, int... shape) {
        double[] values = new double[Math.max(1, sizeOf(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = lo + (hi - lo) * random.nextDouble();
        }
        return shape.length == 0 ? Tensor.scalar(values[0], DType.FLOAT64) : Tensor.of(values, shape);
    }

    /** Values with magnitude in [lo, hi) and a random sign: away from zero. */
    static Tensor awayFromZero(Random random, double lo, double hi, int... shape) {
        double[] values = new double[sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            double magnitude = lo + (hi - lo) * random.nextDouble();
            values[i] = random.nextBoolean() ? magnitude : -magnitude;
        }
        return Tensor.of(values, shape);
    }

    /** Fixed distinct weights 0.5, 0.2, 1.1, -0.4, ... in {@code shape}, float64. */
    static Tensor weights(int... shape) {
        double[] values = new double[Math.max(1, sizeOf(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.5 + 0.3 * i * (i % 2 == 0 ? 1 : -1);
        }
        return shape.length == 0 ? Tensor.scalar(values[0], DType.FLOAT64) : Tensor.of(values, shape);
    }

    static int sizeOf(int... shape) {
        int size = 1;
        for (int extent : shape) {
            size *= extent;
        }
        return size;
    }

    // ------------------------------------------------------------------ unary ops

    static Stream<Arguments> unaryOps() {
        // name, op, smallest magnitude, largest magnitude, both signs
        return Stream.of(
                Arguments.of("neg", (UnaryOperator<Tensor>) Tensor::neg, 0.0, 2.0, true),
                Arguments.of("abs", (UnaryOperator<Tensor>) Tensor::abs, 0.1, 2.0, true),
                Arguments.of("exp", (UnaryOperator<Tensor>) Tensor::exp, 0.0, 2.0, true),
                Arguments.of("log", (UnaryOperator<Tensor>) Tensor::log, 0.2, 3.0, false),
                Arguments.of("sqrt", (UnaryOperator<Tensor>) Tensor::sqrt, 0.2, 3.0, false),
                Arguments.of("tanh", (UnaryOperator<Tensor>) Tensor::tanh, 0.0, 2.0, true),
                Arguments.of("erf", (UnaryOperator<Tensor>) Tensor::erf, 0.0, 2.0, true),
                Arguments.of("sigmoid", (UnaryOperator<Tensor>) Tensor::sigmoid, 0.0, 3.0, true),
                Arguments.of("relu", (UnaryOperator<Tensor>) Tensor::relu, 0.1, 2.0, true),
                Arguments.of("leakyRelu", (UnaryOperator<Tensor>) x -> x.leakyRelu(0.2), 0.1, 2.0, true),
                Arguments.of("silu", (UnaryOperator<Tensor>) Tensor::silu, 0.0, 3.0, true),
                Arguments.of("gelu", (UnaryOperator<Tensor>) Tensor::gelu, 0.0, 3.0, true),
                Arguments.of("geluTanh", (UnaryOperator<Tensor>) Tensor::geluTanh, 0.0, 3.0, true),
                // inside and outside [-0.5, 0.7], at least 0.1 away from either bound
                Arguments.of("clamp", (UnaryOperator<Tensor>) x -> x.clamp(-0.5, 0.7), 0.0, 0.4, true),
                Arguments.of("clampOutside", (UnaryOperator<Tensor>) x -> x.clamp(-0.5, 0.7), 0.8, 2.0, true),
                Arguments.of("addScalar", (UnaryOperator<Tensor>) x -> x.add(1.5), 0.0, 2.0, true),
                Arguments.of("subScalar", (UnaryOperator<Tensor>) x -> x.sub(1.5), 0.0, 2.0, true),
                Arguments.of("rsub", (UnaryOperator<Tensor>) x -> x.rsub(2.5), 0.0, 2.0, true),
                Arguments.of("mulScalar", (UnaryOperator<Tensor>) x -> x.mul(-1.75), 0.0, 2.0, true),
                Arguments.of("divScalar", (UnaryOperator<Tensor>) x -> x.div(-2.5), 0.0, 2.0, true),
                Arguments.of("rdiv", (UnaryOperator<Tensor>) x -> x.rdiv(2.0), 0.3, 2.0, true),
                Arguments.of("powSquare", (UnaryOperator<Tensor>) x -> x.pow(2), 0.0, 2.0, true),
                Arguments.of("powCube", (UnaryOperator<Tensor>) x -> x.pow(3.0), 0.0, 2.0, true),
                Arguments.of("powHalf", (UnaryOperator<Tensor>) x -> x.pow(0.5), 0.2, 3.0, false),
                Arguments.of("powNegativeFraction", (UnaryOperator<Tensor>) x -> x.pow(-1.5), 0.3, 3.0, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryOps")
    void unaryOpGradientMatchesCentralDifferences(String name, UnaryOperator<Tensor> op, double lo, double hi,
                                                  boolean bothSigns) {
        try (Scope s = Scope.open()) {
            Random random = new Random(name.hashCode());
            Tensor x = bothSigns ? awayFromZero(random, lo, hi, 2, 3) : uniform(random, lo, hi, 2, 3);
            GradCheck.check(in -> op.apply(in[0]), x);
        }
    }

    @Test
    void unaryOpGradientOnANonContiguousView() {
        try (Scope s = Scope.open()) {
            Tensor x = uniform(new Random(3), -2, 2, 3, 2);
            GradCheck.check(in -> in[0].t().tanh(), x);
            GradCheck.check(in -> in[0].t().gelu(), x);
        }
    }

    @Test
    void unaryOpGradientOfARankZeroTensor() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.scalar(0.7, DType.FLOAT64);
            GradCheck.check(in -> in[0].sigmoid().mul(in[0].exp()), x);
        }
    }

    // ------------------------------------------------------------------ binary ops

    /** Shape pairs: equal, trailing broadcast, size-1 broadcast, both sides broadcast, rank 0. */
    static Stream<Arguments> shapePairs() {
        return Stream.of(
                Arguments.of(new int[] {2, 3}, new int[] {2, 3}, new int[] {2, 3}),
                Arguments.of(new int[] {2, 3}, new int[] {3}, new int[] {2, 3}),
                Arguments.of(new int[] {2, 3}, new int[] {2, 1}, new int[] {2, 3}),
                Arguments.of(new int[] {3}, new int[] {2, 3}, new int[] {2, 3}),
                Arguments.of(new int[] {2, 1}, new int[] {1, 3}, new int[] {2, 3}),
                Arguments.of(new int[] {2, 1, 3}, new int[] {4, 1}, new int[] {2, 4, 3}),
                Arguments.of(new int[] {}, new int[] {2, 3}, new int[] {2, 3}));
    }

    private static void checkBinary(int[] outShape, java.util.function.BinaryOperator<Tensor> op, Tensor a, Tensor b) {
        try (Scope probe = Scope.open()) {
            assertArrayEquals(outShape, op.apply(a, b).shape(), "broadcast shape");
        }
        GradCheck.check(in -> op.apply(in[0], in[1]), a, b);
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void addGradientSumsOverBroadcastAxes(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Random random = new Random(11);
            checkBinary(out, Tensor::add,
                    uniform(random, -2, 2, shapeA), uniform(random, -2, 2, shapeB));
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void subGradientSumsOverBroadcastAxes(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Random random = new Random(12);
            checkBinary(out, Tensor::sub,
                    uniform(random, -2, 2, shapeA), uniform(random, -2, 2, shapeB));
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void mulGradientSumsOverBroadcastAxes(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Random random = new Random(13);
            checkBinary(out, Tensor::mul,
                    uniform(random, -2, 2, shapeA), uniform(random, -2, 2, shapeB));
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void divGradientSumsOverBroadcastAxes(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Random random = new Random(14);
            Tensor b = shapeB.length == 0 ? Tensor.scalar(-0.8, DType.FLOAT64) : awayFromZero(random, 0.5, 2, shapeB);
            checkBinary(out, Tensor::div, uniform(random, -2, 2, shapeA), b);
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void powGradientWithTensorExponentAndPositiveBase(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Random random = new Random(15);
            checkBinary(out, Tensor::pow,
                    uniform(random, 0.5, 2, shapeA), uniform(random, -2, 2, shapeB));
        }
    }

    /**
     * {@code x^0} is the constant 1, so its gradient is 0 everywhere, at x = 0 too ({@code 0·0^-1}
     * was NaN there); the exponent's gradient at a zero base stays 0 ({@code 0^b·log 0}).
     */
    @Test
    void powToTheZeroHasAZeroGradientAtAZeroBase() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0, 1, -2}).requiresGrad(true);
            x.pow(0).sum().backward();
            assertArrayEquals(new double[] {0, 0, 0}, x.grad().toDoubleArray());
            Tensor a = Tensor.of(new double[] {0, 0, 3}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {0, 2, 0}).requiresGrad(true);
            a.pow(b).sum().backward();
            assertArrayEquals(new double[] {0, 0, 0}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {0, 0, Math.log(3)}, b.grad().toDoubleArray(), 1e-15);
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void maximumGradientAwayFromTies(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            // a takes odd tenths plus a little, b even tenths: no pair is closer than 0.05
            Tensor a = tieFree(new Random(16), 1, shapeA);
            Tensor b = tieFree(new Random(17), 0, shapeB);
            checkBinary(out, Tensor::maximum, a, b);
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void minimumGradientAwayFromTies(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Tensor a = tieFree(new Random(18), 1, shapeA);
            Tensor b = tieFree(new Random(19), 0, shapeB);
            checkBinary(out, Tensor::minimum, a, b);
        }
    }

    /** Values k/10 + 0.02 with k of the given parity in [-20, 20]: two such sets never tie. */
    private static Tensor tieFree(Random random, int parity, int... shape) {
        double[] values = new double[Math.max(1, sizeOf(shape))];
        for (int i = 0; i < values.length; i++) {
            int k = 2 * (random.nextInt(21) - 10) + parity;
            values[i] = k / 10.0 + (parity == 1 ? 0.02 : 0);
        }
        return shape.length == 0 ? Tensor.scalar(values[0], DType.FLOAT64) : Tensor.of(values, shape);
    }

    @Test
    void maximumAndMinimumSplitTheGradientInHalfOnTies() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new double[] {1, 2, 3, -1}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {1, 0, 3, 5}).requiresGrad(true);
            a.maximum(b).sum().backward();
            assertArrayEquals(new double[] {0.5, 1, 0.5, 0}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {0.5, 0, 0.5, 1}, b.grad().toDoubleArray());
            a.zeroGrad();
            b.zeroGrad();
            a.minimum(b).sum().backward();
            assertArrayEquals(new double[] {0.5, 0, 0.5, 1}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {0.5, 1, 0.5, 0}, b.grad().toDoubleArray());
        }
    }

    @Test
    void maximumOfATensorWithItselfHasGradientOne() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {-1, 0.5, 2}).requiresGrad(true);
            x.maximum(x).sum().backward();
            assertArrayEquals(new double[] {1, 1, 1}, x.grad().toDoubleArray());
        }
    }

    @ParameterizedTest
    @MethodSource("shapePairs")
    void whereGradientFlowsToTheChosenOperandOnly(int[] shapeA, int[] shapeB, int[] out) {
        try (Scope s = Scope.open()) {
            Random random = new Random(20);
            boolean[] mask = new boolean[sizeOf(out)];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = i % 3 != 1;
            }
            Tensor condition = Tensor.of(mask, out);
            checkBinary(out, (a, b) -> Tensor.where(condition, a, b),
                    uniform(random, -2, 2, shapeA), uniform(random, -2, 2, shapeB));
        }
    }

    @Test
    void whereWithABroadcastConditionGivesExactGradients() {
        try (Scope s = Scope.open()) {
            Tensor condition = Tensor.of(new boolean[] {true, false}, 2, 1);
            Tensor a = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {4, 5, 6, 7, 8, 9}, 2, 3).requiresGrad(true);
            Tensor.where(condition, a, b).mul(weights(2, 3)).sum().backward();
            // row 0 takes a, row 1 takes b; each element's gradient is its weight
            double[] w = weights(2, 3).toDoubleArray();
            assertArrayEquals(new double[] {w[0], w[1], w[2]}, a.grad().toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {0, 0, 0, w[3], w[4], w[5]}, b.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void binaryOpGradientWithANonContiguousOperand() {
        try (Scope s = Scope.open()) {
            Random random = new Random(21);
            Tensor a = uniform(random, -2, 2, 3, 2);
            Tensor b = awayFromZero(random, 0.5, 2, 3);
            GradCheck.check(in -> in[0].t().div(in[1]), a, b);
            GradCheck.check(in -> in[0].t().mul(in[0].t()).sub(in[1]), a, b);
        }
    }

    @Test
    void chainOfOpsGradient() {
        try (Scope s = Scope.open()) {
            Random random = new Random(22);
            Tensor x = uniform(random, -1, 1, 2, 3);
            Tensor y = uniform(random, 0.5, 1.5, 3);
            GradCheck.check(in -> in[0].mul(in[1]).tanh().add(in[1].log()).silu().pow(2.0), x, y);
        }
    }

    // ------------------------------------------------------------------ casts

    @Test
    void castToFloat32AndBackGivesTheGradientInTheLeafDtype() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0.5, -1.25, 2}).requiresGrad(true);
            Tensor y = x.to(DType.FLOAT32);
            assertEquals(DType.FLOAT32, y.dtype());
            y.mul(Tensor.of(new float[] {1, 2, 3})).sum().backward();
            assertEquals(DType.FLOAT64, x.grad().dtype());
            assertArrayEquals(new double[] {1, 2, 3}, x.grad().toDoubleArray());
        }
    }

    @Test
    void castFromFloat32ToFloat64GivesAFloat32Gradient() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {0.5f, -1.5f, 2}).requiresGrad(true);
            x.to(DType.FLOAT64).pow(2).sum().backward();
            assertEquals(DType.FLOAT32, x.grad().dtype());
            assertArrayEquals(new float[] {1, -3, 4}, x.grad().toFloatArray());
        }
    }

    @Test
    void castInsideAFloat64GraphPassesTheGradientThrough() {
        try (Scope s = Scope.open()) {
            Tensor x = uniform(new Random(23), -1, 1, 2, 3);
            // float64 -> float64 is the identity; float64 -> float32 -> float64 rounds, so only the
            // analytic gradient of the round trip is checked, exactly
            GradCheck.check(in -> in[0].to(DType.FLOAT64).exp(), x);
            Tensor leaf = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            leaf.to(DType.FLOAT32).to(DType.FLOAT64).mul(Tensor.of(new double[] {3, -4})).sum().backward();
            assertArrayEquals(new double[] {3, -4}, leaf.grad().toDoubleArray());
        }
    }

    @Test
    void mixedFloat32AndFloat64OperandsGetGradientsInTheirOwnDtypeAndShape() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2, 3}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor y = a.mul(b);
            assertEquals(DType.FLOAT64, y.dtype());
            y.sum().backward();
            assertEquals(DType.FLOAT32, a.grad().dtype());
            assertArrayEquals(new int[] {3}, a.grad().shape());
            assertArrayEquals(new float[] {5, 7, 9}, a.grad().toFloatArray());
            assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, b.grad().toDoubleArray());
        }
    }
}
