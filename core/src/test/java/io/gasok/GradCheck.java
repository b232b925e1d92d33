package io.gasok;

import java.util.Arrays;
import java.util.Random;
import java.util.function.Function;

/**
 * Checks an op's backward rule against central finite differences, in FLOAT64.
 *
 * <p>The function is reduced to a scalar by a fixed random weighting, {@code L = Σ f(inputs) · w},
 * so every element of the output contributes with its own weight (a plain sum would hide a
 * gradient that is permuted or mis-broadcast). The analytic gradient of L comes from
 * {@link Tensor#backward()}; the numerical one from {@code (L(x + h) - L(x - h)) / 2h} for each
 * element in turn, with {@code h = 1e-6}. Each element must agree within
 * {@code 1e-6 + 1e-5 · |numeric|}.
 *
 * <p>Floating inputs are copied into FLOAT64 leaves that require grad; other inputs (index
 * tensors) are passed through unchanged and not checked. Keep inputs away from kinks and ties
 * (relu at 0, equal maxima), where a finite difference is meaningless.
 */
final class GradCheck {
    private static final double STEP = 1e-6;
    private static final double ABSOLUTE_TOLERANCE = 1e-6;
    private static final double RELATIVE_TOLERANCE = 1e-5;
    private static final long WEIGHT_SEED = 0x5EED;

    private GradCheck() {}

    /** Asserts that the gradients of {@code f} with respect to each floating input match finite differences. */
    static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        try (Scope scope = Scope.open()) {
            Tensor[] leaves = new Tensor[inputs.length];
            double[][] values = new double[inputs.length][];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].dtype().isFloating()) {
                    values[i] = inputs[i].toDoubleArray();
                    leaves[i] = float64(inputs[i].device(), values[i], inputs[i].shape()).requiresGrad(true);
                } else {
                    leaves[i] = inputs[i];
                }
            }
            Tensor output = f.apply(leaves);
            if (output.dtype() != DType.FLOAT64) {
                throw new AssertionError("GradCheck: the function must return float64 for float64 inputs, got "
                        + output.dtype().shortName());
            }
            double[] weights = new double[output.numel()];
            Random random = new Random(WEIGHT_SEED);
            Arrays.setAll(weights, j -> random.nextGaussian());
            Tensor weightTensor = float64(output.device(), weights, output.shape());
            output.mul(weightTensor).sum().backward();

            for (int i = 0; i < inputs.length; i++) {
                if (values[i] == null) {
                    continue;
                }
                Tensor grad = leaves[i].grad();
                double[] analytic = grad == null ? new double[values[i].length] : grad.toDoubleArray();
                for (int j = 0; j < values[i].length; j++) {
                    double original = values[i][j];
                    values[i][j] = original + STEP;
                    double above = weightedOutput(f, leaves, i, values[i], inputs[i].shape(), weights);
                    values[i][j] = original - STEP;
                    double below = weightedOutput(f, leaves, i, values[i], inputs[i].shape(), weights);
                    values[i][j] = original;
                    double numeric = (above - below) / (2 * STEP);
                    if (!(Math.abs(analytic[j] - numeric) <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * Math.abs(numeric))) {
                        throw new AssertionError("gradient of input " + i + " at element " + j + " (index "
                                + Arrays.toString(unravel(j, inputs[i].shape())) + "): analytic " + analytic[j]
                                + ", numeric " + numeric);
                    }
                }
            }
        }
    }

    /** {@code Σ f(inputs) · weights} with input {@code which} replaced by {@code values}, without a graph. */
    private static double weightedOutput(Function<Tensor[], Tensor> f, Tensor[] leaves, int which, double[] values,
                                         int[] shape, double[] weights) {
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            Tensor[] arguments = leaves.clone();
            arguments[which] = float64(leaves[which].device(), values, shape);
            double[] output = f.apply(arguments).toDoubleArray();
            double total = 0;
            for (int j = 0; j < output.length; j++) {
                total += output[j] * weights[j];
            }
            return total;
        }
    }

    private static Tensor float64(Device device, double[] values, int[] shape) {
        return Tensor.of(device, values.clone(), values.length).reshape(shape);
    }

    private static int[] unravel(int linear, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = linear % shape[d];
            linear /= shape[d];
        }
        return index;
    }
}
