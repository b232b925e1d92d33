package io.gasok;

import static io.gasok.ElementwiseGradientTest.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradient checks of the shape ops, whose backward undoes the view on the gradient ({@link GradCheck}
 * weights each output element differently, so a gradient summed, permuted or placed wrongly differs
 * from the finite differences).
 */
@ExtendWith(NoLeaks.class)
class ShapeGradientTest {

    static Stream<Arguments> shapeOps() {
        return Stream.of(
                Arguments.of("reshape", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.reshape(4, 6), new int[] {4, 6}),
                Arguments.of("reshapeInferred", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.reshape(-1, 2), new int[] {12, 2}),
                Arguments.of("reshapeOfTransposed", new int[] {3, 4}, (UnaryOperator<Tensor>) x -> x.t().reshape(2, 6), new int[] {2, 6}),
                Arguments.of("view", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.view(6, 4), new int[] {6, 4}),
                Arguments.of("permute", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.permute(2, 0, 1), new int[] {4, 2, 3}),
                Arguments.of("permuteNegative", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.permute(-1, -3, -2), new int[] {4, 2, 3}),
                Arguments.of("transpose", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.transpose(0, 2), new int[] {4, 3, 2}),
                Arguments.of("t", new int[] {3, 4}, (UnaryOperator<Tensor>) Tensor::t, new int[] {4, 3}),
                Arguments.of("slice", new int[] {5, 3}, (UnaryOperator<Tensor>) x -> x.slice(0, 1, 4), new int[] {3, 3}),
                Arguments.of("sliceWithStep", new int[] {3, 7}, (UnaryOperator<Tensor>) x -> x.slice(1, 1, 7, 2), new int[] {3, 3}),
                Arguments.of("sliceNegativeBounds", new int[] {6, 2}, (UnaryOperator<Tensor>) x -> x.slice(0, -5, -1, 3), new int[] {2, 2}),
                Arguments.of("sliceOfSlice", new int[] {8}, (UnaryOperator<Tensor>) x -> x.slice(0, 1, 8, 2).slice(0, 1, 4), new int[] {3}),
                Arguments.of("select", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.select(1, 2), new int[] {2, 4}),
                Arguments.of("selectNegative", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.select(-1, -3), new int[] {2, 3}),
                Arguments.of("expand", new int[] {3, 1}, (UnaryOperator<Tensor>) x -> x.expand(2, 3, 4), new int[] {2, 3, 4}),
                Arguments.of("expandKeep", new int[] {1, 4}, (UnaryOperator<Tensor>) x -> x.expand(3, -1), new int[] {3, 4}),
                Arguments.of("squeeze", new int[] {1, 3, 1, 2}, (UnaryOperator<Tensor>) Tensor::squeeze, new int[] {3, 2}),
                Arguments.of("squeezeAxis", new int[] {3, 1, 2}, (UnaryOperator<Tensor>) x -> x.squeeze(1), new int[] {3, 2}),
                Arguments.of("unsqueeze", new int[] {3, 2}, (UnaryOperator<Tensor>) x -> x.unsqueeze(1), new int[] {3, 1, 2}),
                Arguments.of("unsqueezeLast", new int[] {3, 2}, (UnaryOperator<Tensor>) x -> x.unsqueeze(-1), new int[] {3, 2, 1}),
                Arguments.of("flatten", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) Tensor::flatten, new int[] {24}),
                Arguments.of("flattenRange", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.flatten(1, 2), new int[] {2, 12}),
                Arguments.of("flattenOfPermuted", new int[] {2, 3, 4}, (UnaryOperator<Tensor>) x -> x.permute(1, 0, 2).flatten(0, 1), new int[] {6, 4}),
                Arguments.of("contiguous", new int[] {3, 4}, (UnaryOperator<Tensor>) x -> x.t().contiguous(), new int[] {4, 3}),
                Arguments.of("copy", new int[] {3, 4}, (UnaryOperator<Tensor>) Tensor::copy, new int[] {3, 4}),
                Arguments.of("copyOfSlice", new int[] {3, 4}, (UnaryOperator<Tensor>) x -> x.slice(1, 1, 4, 2).copy(), new int[] {3, 2}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapeOps")
    void shapeOpGradientPutsEachGradientBackWhereItCameFrom(String name, int[] inShape, UnaryOperator<Tensor> op,
                                                            int[] outShape) {
        try (Scope s = Scope.open()) {
            Tensor x = uniform(new Random(name.hashCode()), -2, 2, inShape);
            try (Scope probe = Scope.open()) {
                assertArrayEquals(outShape, op.apply(x).shape(), "output shape of " + name);
            }
            GradCheck.check(in -> op.apply(in[0]), x);
        }
    }

    @Test
    void permuteGradientIsTheInversePermutation() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[6], 1, 2, 3).requiresGrad(true);
            Tensor w = Tensor.of(new double[] {0, 1, 2, 3, 4, 5}, 3, 1, 2);
            x.permute(2, 0, 1).mul(w).sum().backward();
            // x[0, i, j] lands at y[j, 0, i] whose weight is 2j + i
            assertArrayEquals(new double[] {0, 2, 4, 1, 3, 5}, x.grad().toDoubleArray());
        }
    }

    @Test
    void sliceWithStepGradientIsZeroOutsideTheSlice() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[7]).requiresGrad(true);
            x.slice(0, 1, 6, 2).mul(Tensor.of(new double[] {1, 2, 3})).sum().backward();
            assertArrayEquals(new double[] {0, 1, 0, 2, 0, 3, 0}, x.grad().toDoubleArray());
        }
    }

    @Test
    void expandGradientSumsOverTheRepeatedAxes() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}, 2, 1).requiresGrad(true);
            x.expand(3, 2, 4).sum().backward();
            assertArrayEquals(new double[] {12, 12}, x.grad().toDoubleArray());
            assertArrayEquals(new int[] {2, 1}, x.grad().shape());
        }
    }

    @Test
    void detachStopsTheGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
            Tensor d = x.detach();
            assertFalse(d.requiresGrad());
            assertTrue(d.isLeaf());
            // only the attached factor contributes: d(x * const)/dx = const = x
            x.mul(d).sum().backward();
            assertArrayEquals(new double[] {1, 2, 3}, x.grad().toDoubleArray());
            x.zeroGrad();
            x.mul(x.detach().exp()).add(x.detach()).sum().backward();
            assertArrayEquals(new double[] {Math.exp(1), Math.exp(2), Math.exp(3)}, x.grad().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void aComputationOnlyThroughDetachHasNoGraph() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
            Tensor y = x.detach().exp().sum();
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
            Tensor z = x.exp().detach();
            assertFalse(z.requiresGrad());
            assertNull(x.grad());
        }
    }

    @Test
    void viewsOfViewsChainTheirGradients() {
        try (Scope s = Scope.open()) {
            Tensor x = uniform(new Random(31), -1, 1, 2, 3, 4);
            GradCheck.check(in -> in[0].permute(2, 1, 0).slice(0, 1, 4, 2).select(2, 1).unsqueeze(0)
                    .squeeze().t().reshape(3, 2), x);
        }
    }
}
