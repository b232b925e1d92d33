package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checks of the reductions over one axis, several axes and all axes, keeping the reduced
 * axes or not ({@link GradCheck} weights each output element differently, so a gradient broadcast
 * back along the wrong axis is caught). Max and min use tie-free inputs; their tie rule (the
 * gradient is shared evenly among tied extremes) is checked exactly.
 */
@ExtendWith(NoLeaks.class)
class ReductionGradientTest {
    private static final int[] SHAPE = {2, 3, 4};

    /** The axes to reduce over (null: all), with the shape kept and dropped. */
    static Stream<Arguments> axesCases() {
        List<Arguments> cases = new ArrayList<>();
        int[][] axesSets = {{0}, {1}, {-1}, {0, 2}, {2, 0}, {1, 2}, {0, 1, 2}, null};
        for (int[] axes : axesSets) {
            for (boolean keepDim : new boolean[] {false, true}) {
                cases.add(Arguments.of(axes, keepDim));
            }
        }
        return cases.stream();
    }

    /** Distinct values about 0.1 apart (never closer than 0.09), shuffled: no ties for max and min. */
    private static Tensor distinctValues(long seed, int... shape) {
        int size = ElementwiseGradientTest.sizeOf(shape);
        List<Double> values = new ArrayList<>();
        Random random = new Random(seed);
        for (int i = 0; i < size; i++) {
            values.add((i - size / 2) * 0.1 + 0.01 * random.nextDouble());
        }
        Collections.shuffle(values, random);
        return Tensor.of(values.stream().mapToDouble(Double::doubleValue).toArray(), shape);
    }

    private static int[] outShape(int[] axes, boolean keepDim) {
        boolean[] reduced = new boolean[SHAPE.length];
        if (axes == null) {
            java.util.Arrays.fill(reduced, true);
        } else {
            for (int axis : axes) {
                reduced[axis < 0 ? axis + SHAPE.length : axis] = true;
            }
        }
        List<Integer> out = new ArrayList<>();
        for (int d = 0; d < SHAPE.length; d++) {
            if (!reduced[d]) {
                out.add(SHAPE[d]);
            } else if (keepDim) {
                out.add(1);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private interface Reduction {
        Tensor apply(Tensor x, int[] axes, boolean keepDim);
    }

    private static void checkReduction(Reduction reduction, Tensor x, int[] axes, boolean keepDim) {
        int[] expectedShape = outShape(axes, keepDim);
        try (Scope probe = Scope.open()) {
            assertArrayEquals(expectedShape, reduction.apply(x, axes, keepDim).shape(), "output shape");
        }
        GradCheck.check(in -> reduction.apply(in[0], axes, keepDim), x);
    }

    @ParameterizedTest
    @MethodSource("axesCases")
    void sumGradient(int[] axes, boolean keepDim) {
        try (Scope s = Scope.open()) {
            checkReduction((x, a, k) -> a == null && !k ? x.sum() : x.sum(a, k),
                    ElementwiseGradientTest.uniform(new Random(1), -2, 2, SHAPE), axes, keepDim);
        }
    }

    @ParameterizedTest
    @MethodSource("axesCases")
    void meanGradient(int[] axes, boolean keepDim) {
        try (Scope s = Scope.open()) {
            checkReduction((x, a, k) -> a == null && !k ? x.mean() : x.mean(a, k),
                    ElementwiseGradientTest.uniform(new Random(2), -2, 2, SHAPE), axes, keepDim);
        }
    }

    @ParameterizedTest
    @MethodSource("axesCases")
    void maxGradientWithoutTies(int[] axes, boolean keepDim) {
        try (Scope s = Scope.open()) {
            checkReduction((x, a, k) -> a == null && !k ? x.max() : x.max(a, k), distinctValues(3, SHAPE), axes,
                    keepDim);
        }
    }

    @ParameterizedTest
    @MethodSource("axesCases")
    void minGradientWithoutTies(int[] axes, boolean keepDim) {
        try (Scope s = Scope.open()) {
            checkReduction((x, a, k) -> a == null && !k ? x.min() : x.min(a, k), distinctValues(4, SHAPE), axes,
                    keepDim);
        }
    }

    @ParameterizedTest
    @MethodSource("axesCases")
    void varGradientWithCorrectionZeroAndOne(int[] axes, boolean keepDim) {
        try (Scope s = Scope.open()) {
            Tensor x = ElementwiseGradientTest.uniform(new Random(5), -2, 2, SHAPE);
            checkReduction((t, a, k) -> t.var(a, 0, k), x, axes, keepDim);
            checkReduction((t, a, k) -> t.var(a, 1, k), x, axes, keepDim);
        }
    }

    @ParameterizedTest
    @MethodSource("axesCases")
    void stdGradient(int[] axes, boolean keepDim) {
        try (Scope s = Scope.open()) {
            Tensor x = ElementwiseGradientTest.uniform(new Random(6), -2, 2, SHAPE);
            checkReduction((t, a, k) -> t.std(a, 1, k), x, axes, keepDim);
            checkReduction((t, a, k) -> t.std(a, 0, k), x, axes, keepDim);
        }
    }

    @Test
    void varWithoutArgumentsIsTheUnbiasedVarianceOfAllElements() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            assertEquals(5.0 / 3.0, x.var().item(), 1e-12);
            assertEquals(1.25, x.var(null, 0, false).item(), 1e-12);
            assertEquals(Math.sqrt(1.25), x.std(null, 0, false).item(), 1e-12);
            assertArrayEquals(new double[] {0.5, 0.5}, x.var(new int[] {1}, 1, false).toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {1, 1}, x.var(new int[] {0}, 0, false).toDoubleArray(), 1e-12);
            GradCheck.check(in -> in[0].var(), x);
        }
    }

    @Test
    void reductionsOfANonContiguousView() {
        try (Scope s = Scope.open()) {
            Tensor x = distinctValues(7, 3, 4);
            GradCheck.check(in -> in[0].t().sum(new int[] {1}, false), x);
            GradCheck.check(in -> in[0].t().max(new int[] {1}, false), x);
            GradCheck.check(in -> in[0].slice(1, 0, 4, 2).var(new int[] {0}, 1, true), x);
        }
    }

    @Test
    void maxGradientIsSharedEvenlyAmongTiedMaxima() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 3, 3, 2, 2, 0}, 2, 3).requiresGrad(true);
            x.max(new int[] {1}, false).mul(Tensor.of(new double[] {1, 10})).sum().backward();
            assertArrayEquals(new double[] {0, 0.5, 0.5, 5, 5, 0}, x.grad().toDoubleArray(), 1e-12);

            Tensor all = Tensor.of(new double[] {3, 1, 3, 3}).requiresGrad(true);
            all.max().backward();
            assertArrayEquals(new double[] {1.0 / 3, 0, 1.0 / 3, 1.0 / 3}, all.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void minGradientIsSharedEvenlyAmongTiedMinima() {
        try (Scope s = Scope.open()) {
            // column 0 has its minimum 0 in rows 0 and 1, column 1 its minimum 1 in rows 1 and 2
            Tensor x = Tensor.of(new double[] {0, 4, 0, 1, 2, 1}, 3, 2).requiresGrad(true);
            x.min(new int[] {0}, true).mul(Tensor.of(new double[] {2, 4}, 1, 2)).sum().backward();
            assertArrayEquals(new double[] {1, 0, 1, 2, 0, 2}, x.grad().toDoubleArray(), 1e-12);

            Tensor all = Tensor.of(new double[] {-2, 5, -2}).requiresGrad(true);
            all.min().mul(3).backward();
            assertArrayEquals(new double[] {1.5, 0, 1.5}, all.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void sumAndMeanGradientsAreExact() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            x.sum(new int[] {0}, false).mul(Tensor.of(new float[] {1, 2, 3})).sum().backward();
            assertArrayEquals(new float[] {1, 2, 3, 1, 2, 3}, x.grad().toFloatArray());
            x.zeroGrad();
            x.mean(new int[] {1}, true).mul(Tensor.of(new float[] {3, 6}, 2, 1)).sum().backward();
            assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, x.grad().toFloatArray(), 1e-6f);
        }
    }
}
