package io.gasok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.Scope;
import io.gasok.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The losses against PyTorch's definitions computed by hand, and their gradients. */
@ExtendWith(LeakCheck.class)
class LossesTest {
    private static final double[][] LOGITS = {{1.0, 2.0, 0.5, -1.0}, {0.3, -0.2, 2.5, 1.0}, {-1.5, 0.0, 0.7, 3.0}};
    private static final long[] TARGETS = {1, 3, 0};
    private static final double[] WEIGHTS = {0.5, 1.0, 2.0, 1.5};

    private static double[][] logSoftmax(double[][] logits) {
        double[][] result = new double[logits.length][];
        for (int n = 0; n < logits.length; n++) {
            double max = java.util.Arrays.stream(logits[n]).max().orElseThrow();
            double sum = 0;
            for (double value : logits[n]) {
                sum += Math.exp(value - max);
            }
            double logSum = max + Math.log(sum);
            result[n] = java.util.Arrays.stream(logits[n]).map(v -> v - logSum).toArray();
        }
        return result;
    }

    /** PyTorch's cross_entropy with weights and label smoothing, per sample and the weight sum. */
    private static double[] handCrossEntropy(double[] weights, double smoothing) {
        double[][] logp = logSoftmax(LOGITS);
        int classes = LOGITS[0].length;
        double[] perSample = new double[LOGITS.length + 1];
        for (int n = 0; n < LOGITS.length; n++) {
            int y = (int) TARGETS[n];
            double smooth = 0;
            for (int c = 0; c < classes; c++) {
                smooth -= weights[c] * logp[n][c];
            }
            perSample[n] = (1 - smoothing) * weights[y] * -logp[n][y] + smoothing / classes * smooth;
            perSample[LOGITS.length] += weights[y];
        }
        return perSample;
    }

    private static Tensor logits() {
        double[] flat = new double[12];
        for (int n = 0; n < 3; n++) {
            System.arraycopy(LOGITS[n], 0, flat, n * 4, 4);
        }
        return Tensor.of(flat, 3, 4);
    }

    @Test
    void crossEntropyWithLabelSmoothingAndClassWeightsMatchesPyTorchsDefinition() {
        try (Scope scope = Scope.open()) {
            double[] hand = handCrossEntropy(WEIGHTS, 0.1);
            Tensor weights = Tensor.of(WEIGHTS);
            Tensor targets = Tensor.of(TARGETS);
            double[] none = Losses.crossEntropy(logits(), targets, weights, 0.1, Reduction.NONE).toDoubleArray();
            assertArrayEquals(java.util.Arrays.copyOf(hand, 3), none, 1e-12);
            double sum = hand[0] + hand[1] + hand[2];
            assertEquals(sum, Losses.crossEntropy(logits(), targets, weights, 0.1, Reduction.SUM).item(), 1e-12);
            assertEquals(sum / hand[3], Losses.crossEntropy(logits(), targets, weights, 0.1, Reduction.MEAN).item(), 1e-12);
        }
    }

    @Test
    void plainCrossEntropyIsTheMeanNegativeLogLikelihood() {
        try (Scope scope = Scope.open()) {
            double[] hand = handCrossEntropy(new double[] {1, 1, 1, 1}, 0);
            assertEquals((hand[0] + hand[1] + hand[2]) / 3, Losses.crossEntropy(logits(), Tensor.of(TARGETS)).item(), 1e-12);
            double[] smoothed = handCrossEntropy(new double[] {1, 1, 1, 1}, 0.2);
            assertEquals((smoothed[0] + smoothed[1] + smoothed[2]) / 3,
                    Losses.crossEntropy(logits(), Tensor.of(TARGETS), null, 0.2, Reduction.MEAN).item(), 1e-12);
        }
    }

    @Test
    void crossEntropyOverSpatialLogitsTakesClassesOnAxisOne() {
        try (Scope scope = Scope.open()) {
            Tensor spatial = logits().t().reshape(1, 4, 3);
            Tensor targets = Tensor.of(TARGETS).reshape(1, 3);
            double[] hand = handCrossEntropy(WEIGHTS, 0.1);
            assertArrayEquals(java.util.Arrays.copyOf(hand, 3),
                    Losses.crossEntropy(spatial, targets, Tensor.of(WEIGHTS), 0.1, Reduction.NONE).reshape(3).toDoubleArray(),
                    1e-12);
        }
    }

    @Test
    void crossEntropyGradientsMatchFiniteDifferences() {
        try (Scope scope = Scope.open()) {
            Tensor targets = Tensor.of(TARGETS);
            Tensor weights = Tensor.of(WEIGHTS);
            GradCheck.function(in -> Losses.crossEntropy(in[0], targets, weights, 0.1, Reduction.MEAN), logits());
            GradCheck.function(in -> Losses.crossEntropy(in[0], targets, null, 0, Reduction.NONE), logits());
        }
    }

    @Test
    void theFusedPlainCrossEntropyAgreesWithTheComposedOnesValuesAndGradients() {
        try (Scope scope = Scope.open()) {
            Tensor targets = Tensor.of(TARGETS);
            Tensor ones = Tensor.ones(io.gasok.DType.FLOAT64, 4);
            for (Reduction reduction : new Reduction[] {Reduction.MEAN, Reduction.SUM}) {
                Tensor fusedInput = logits().requiresGrad(true);
                Tensor composedInput = logits().requiresGrad(true);
                Tensor fused = Losses.crossEntropy(fusedInput, targets, null, 0, reduction);
                Tensor composed = Losses.crossEntropy(composedInput, targets, ones, 0, reduction);
                assertEquals(composed.item(), fused.item(), 1e-12, reduction.name());
                fused.backward();
                composed.backward();
                assertArrayEquals(composedInput.grad().toDoubleArray(), fusedInput.grad().toDoubleArray(), 1e-12,
                        reduction.name());
            }
            GradCheck.function(in -> Losses.crossEntropy(in[0], targets, null, 0, Reduction.MEAN), logits());
            GradCheck.function(in -> Losses.crossEntropy(in[0], targets, null, 0, Reduction.SUM), logits());
        }
    }

    @Test
    void crossEntropyRejectsMismatchedTargets() {
        try (Scope scope = Scope.open()) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> Losses.crossEntropy(logits(), Tensor.of(new long[] {1, 2})));
            assertTrue(error.getMessage().contains("[3]"), error.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits(), Tensor.of(new float[] {1, 2, 0})));
        }
    }

    @Test
    void bceWithLogitsIsFiniteAndExactAtPlusAndMinusOneHundred() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new float[] {100, -100, 100, -100, 0}).requiresGrad(true);
            Tensor y = Tensor.of(new float[] {1, 1, 0, 0, 1});
            float[] loss = Losses.bceWithLogits(x, y, null, Reduction.NONE).toFloatArray();
            assertArrayEquals(new float[] {0, 100, 100, 0, (float) Math.log(2)}, loss, 1e-6f);
            Losses.bceWithLogits(x, y, null, Reduction.SUM).backward();
            assertArrayEquals(new float[] {0, -1, 1, 0, -0.5f}, x.grad().toFloatArray(), 1e-6f,
                    "sigmoid(x) - y, also at the kink-free x = 0");
        }
    }

    @Test
    void bceWithLogitsWithAPositiveWeightMatchesPyTorchsDefinition() {
        try (Scope scope = Scope.open()) {
            double[] x = {0.5, -2, 3, -0.25};
            double[] y = {1, 0, 0.3, 1};
            double[] posWeight = {2, 0.5};
            double total = 0;
            for (int i = 0; i < 4; i++) {
                double p = posWeight[i % 2];
                double logSigmoid = -Math.log1p(Math.exp(-x[i]));
                double logOneMinus = -Math.log1p(Math.exp(x[i]));
                total += -(p * y[i] * logSigmoid + (1 - y[i]) * logOneMinus);
            }
            Tensor loss = Losses.bceWithLogits(Tensor.of(x, 2, 2), Tensor.of(y, 2, 2), Tensor.of(posWeight), Reduction.MEAN);
            assertEquals(total / 4, loss.item(), 1e-12);
        }
    }

    @Test
    void bceWithLogitsGradientsForLogitsAndSoftTargetsMatchFiniteDifferences() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0.5, -2, 3, -0.25, 1.5, 0.1}, 2, 3);
            Tensor y = Tensor.of(new double[] {1, 0, 0.3, 1, 0.6, 0}, 2, 3);
            GradCheck.function(in -> Losses.bceWithLogits(in[0], in[1], null, Reduction.MEAN), x, y);
            Tensor posWeight = Tensor.of(new double[] {2, 0.5, 1.5});
            GradCheck.function(in -> Losses.bceWithLogits(in[0], in[1], posWeight, Reduction.NONE), x, y);
        }
    }

    @Test
    void mseIsTheMeanSquaredDifference() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.of(new double[] {1, 2, 3, 4});
            Tensor b = Tensor.of(new double[] {2, 2, 1, 8});
            assertEquals((1 + 0 + 4 + 16) / 4.0, Losses.mse(a, b).item(), 1e-12);
            assertEquals(21, Losses.mse(a, b, Reduction.SUM).item(), 1e-12);
            GradCheck.function(in -> Losses.mse(in[0], in[1]), a, b);
        }
    }
}
