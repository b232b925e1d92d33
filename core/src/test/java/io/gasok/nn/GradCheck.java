package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Central-difference gradient checks in FLOAT64, as core's own (which is package-private there):
 * the output is reduced to {@code L = Σ f · w} with fixed random weights, the analytic gradient of L
 * comes from backward, the numeric one from {@code (L(x + h) - L(x - h)) / 2h}, {@code h = 1e-6};
 * each element must agree within {@code 1e-6 + 1e-5·|numeric|}. Module checks cover the input and
 * every parameter.
 */
public final class GradCheck {
    private static final double STEP = 1e-6;
    private static final double ABSOLUTE = 1e-6;
    private static final double RELATIVE = 1e-5;

    private GradCheck() {}

    /** Checks the gradients of {@code module} (already FLOAT64) for {@code input} and its parameters. */
    public static void module(Module module, Tensor input) {
        List<Tensor> parameters = module.parameters();
        try (Scope scope = Scope.open()) {
            double[] inputValues = input.toDoubleArray();
            Tensor x = float64(inputValues, input.shape()).requiresGrad(true);
            Tensor output = module.forward(x);
            double[] weights = weights(output.numel());
            output.mul(float64(weights, output.shape())).sum().backward();
            compare("input", x.grad(), inputValues, values -> {
                try (Scope inner = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
                    return weighted(module.forward(float64(values, input.shape())), weights);
                }
            });
            for (int p = 0; p < parameters.size(); p++) {
                Tensor parameter = parameters.get(p);
                double[] original = parameter.toDoubleArray();
                compare("parameter " + p + " " + Arrays.toString(parameter.shape()), parameter.grad(), original,
                        values -> {
                            try (Scope inner = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
                                parameter.copyFrom(float64(values, parameter.shape()));
                                double result = weighted(module.forward(float64(inputValues, input.shape())), weights);
                                parameter.copyFrom(float64(original, parameter.shape()));
                                return result;
                            }
                        });
            }
        } finally {
            module.zeroGrad();
        }
    }

    /** Checks the gradients of {@code f} with respect to each floating input (copied to FLOAT64 leaves). */
    public static void function(Function<Tensor[], Tensor> f, Tensor... inputs) {
        try (Scope scope = Scope.open()) {
            Tensor[] leaves = new Tensor[inputs.length];
            List<double[]> values = new ArrayList<>();
            for (int i = 0; i < inputs.length; i++) {
                boolean floating = inputs[i].dtype().isFloating();
                values.add(floating ? inputs[i].toDoubleArray() : null);
                leaves[i] = floating ? float64(values.get(i), inputs[i].shape()).requiresGrad(true) : inputs[i];
            }
            Tensor output = f.apply(leaves);
            double[] weights = weights(output.numel());
            output.mul(float64(weights, output.shape())).sum().backward();
            for (int i = 0; i < inputs.length; i++) {
                if (values.get(i) == null) {
                    continue;
                }
                int which = i;
                int[] shape = inputs[i].shape();
                compare("input " + i, leaves[i].grad(), values.get(i), perturbed -> {
                    try (Scope inner = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
                        Tensor[] arguments = leaves.clone();
                        arguments[which] = float64(perturbed, shape);
                        return weighted(f.apply(arguments), weights);
                    }
                });
            }
        }
    }

    private static void compare(String what, Tensor grad, double[] values,
                                java.util.function.ToDoubleFunction<double[]> loss) {
        double[] analytic = grad == null ? new double[values.length] : grad.toDoubleArray();
        double[] work = values.clone();
        for (int j = 0; j < work.length; j++) {
            double original = work[j];
            work[j] = original + STEP;
            double above = loss.applyAsDouble(work);
            work[j] = original - STEP;
            double below = loss.applyAsDouble(work);
            work[j] = original;
            double numeric = (above - below) / (2 * STEP);
            if (!(Math.abs(analytic[j] - numeric) <= ABSOLUTE + RELATIVE * Math.abs(numeric))) {
                throw new AssertionError("gradient of " + what + " at element " + j + ": analytic " + analytic[j]
                        + ", numeric " + numeric);
            }
        }
    }

    private static double weighted(Tensor output, double[] weights) {
        double[] values = output.toDoubleArray();
        double total = 0;
        for (int j = 0; j < values.length; j++) {
            total += values[j] * weights[j];
        }
        return total;
    }

    private static double[] weights(int count) {
        Random random = new Random(0x5EED);
        double[] weights = new double[count];
        Arrays.setAll(weights, j -> random.nextGaussian());
        return weights;
    }

    static Tensor float64(double[] values, int[] shape) {
        return Tensor.of(Device.getDefault(), values.clone(), values.length).reshape(shape);
    }

    /** Values in ±[0.1, 1.1) with a fixed seed: away from 0, where ReLU-like kinks sit. */
    public static Tensor awayFromZero(long seed, int... shape) {
        Random random = new Random(seed);
        int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        double[] values = new double[size];
        Arrays.setAll(values, j -> (random.nextBoolean() ? 1 : -1) * (0.1 + random.nextDouble()));
        return Tensor.of(Device.getDefault(), values, shape);
    }

    /** Distinct values (a shuffled ramp), so max pooling has no ties. */
    public static Tensor distinct(long seed, int... shape) {
        Random random = new Random(seed);
        int size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        List<Double> ramp = new ArrayList<>();
        for (int j = 0; j < size; j++) {
            ramp.add(0.1 * j - 0.05 * size);
        }
        java.util.Collections.shuffle(ramp, random);
        double[] values = ramp.stream().mapToDouble(Double::doubleValue).toArray();
        return Tensor.of(Device.getDefault(), values, shape);
    }

}
