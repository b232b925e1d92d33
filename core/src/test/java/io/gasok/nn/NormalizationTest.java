package io.gasok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Batch norm's train and eval modes and layer norm, against computations by hand. */
@ExtendWith(LeakCheck.class)
class NormalizationTest {
    private static final double EPS = 1e-5;

    @Test
    void batchNormTrainsOnBatchStatisticsAndMovesItsRunningStatisticsWithUnbiasedVariance() {
        double[][] x = {{1, 10}, {2, 20}, {4, 30}, {9, 60}};
        try (BatchNorm1d norm = new BatchNorm1d(2, EPS, 0.1, true); Scope scope = Scope.open()) {
            norm.loadStateDict(Map.of("weight", Tensor.of(new float[] {2, 0.5f}), "bias", Tensor.of(new float[] {1, -1}),
                    "running_mean", Tensor.of(new float[] {0, 0}), "running_var", Tensor.of(new float[] {1, 1}),
                    "num_batches_tracked", Tensor.of(new long[] {0}).reshape()));
            Tensor input = Tensor.of(flatten(x), 4, 2);
            float[] y = norm.forward(input).toFloatArray();
            double[] weight = {2, 0.5};
            double[] bias = {1, -1};
            double[] runningMean = new double[2];
            double[] runningVar = new double[2];
            for (int c = 0; c < 2; c++) {
                double mean = 0;
                for (double[] row : x) {
                    mean += row[c] / 4;
                }
                double squares = 0;
                for (double[] row : x) {
                    squares += (row[c] - mean) * (row[c] - mean);
                }
                double biased = squares / 4;
                for (int n = 0; n < 4; n++) {
                    double expected = (x[n][c] - mean) / Math.sqrt(biased + EPS) * weight[c] + bias[c];
                    assertEquals(expected, y[n * 2 + c], 1e-5);
                }
                runningMean[c] = 0.9 * 0 + 0.1 * mean;
                runningVar[c] = 0.9 * 1 + 0.1 * squares / 3;
            }
            assertArrayEquals(runningMean, norm.runningMean().toDoubleArray(), 1e-5);
            assertArrayEquals(runningVar, norm.runningVar().toDoubleArray(), 1e-4);
            assertEquals(1, norm.numBatchesTracked());

            norm.eval();
            float[] evaluated = norm.forward(input).toFloatArray();
            for (int n = 0; n < 4; n++) {
                for (int c = 0; c < 2; c++) {
                    double expected = (x[n][c] - runningMean[c]) / Math.sqrt(runningVar[c] + EPS) * weight[c] + bias[c];
                    assertEquals(expected, evaluated[n * 2 + c], 1e-4);
                }
            }
            assertEquals(1, norm.numBatchesTracked(), "eval mode leaves the statistics alone");
        }
    }

    @Test
    void batchNorm2dNormalisesEachChannelOverBatchAndSpace() {
        try (BatchNorm2d norm = new BatchNorm2d(2); Scope scope = Scope.open()) {
            Tensor input = GradCheck.awayFromZero(1, 3, 2, 2, 2).to(io.gasok.DType.FLOAT32);
            Tensor y = norm.forward(input);
            double[] means = y.mean(new int[] {0, 2, 3}, false).toDoubleArray();
            double[] variances = y.var(new int[] {0, 2, 3}, 0, false).toDoubleArray();
            assertArrayEquals(new double[] {0, 0}, means, 1e-6);
            assertArrayEquals(new double[] {1, 1}, variances, 1e-3);
            double[] channelZero = input.select(1, 0).contiguous().toDoubleArray();
            double mean = java.util.Arrays.stream(channelZero).average().orElseThrow();
            assertEquals(0.1 * mean, norm.runningMean().toDoubleArray()[0], 1e-6);
        }
    }

    @Test
    void layerNormMatchesAHandComputation() {
        double[][] x = {{1, 2, 4, 9}, {-3, 0, 3, 6}};
        try (LayerNorm norm = new LayerNorm(4); Scope scope = Scope.open()) {
            norm.loadStateDict(Map.of("weight", Tensor.of(new float[] {1, 2, 3, 4}),
                    "bias", Tensor.of(new float[] {0, 0.5f, 0, -0.5f})));
            float[] y = norm.forward(Tensor.of(flatten(x), 2, 4)).toFloatArray();
            double[] weight = {1, 2, 3, 4};
            double[] bias = {0, 0.5, 0, -0.5};
            for (int n = 0; n < 2; n++) {
                double mean = java.util.Arrays.stream(x[n]).average().orElseThrow();
                double variance = 0;
                for (double value : x[n]) {
                    variance += (value - mean) * (value - mean) / 4;
                }
                for (int i = 0; i < 4; i++) {
                    assertEquals((x[n][i] - mean) / Math.sqrt(variance + EPS) * weight[i] + bias[i], y[n * 4 + i], 1e-5);
                }
            }
        }
    }

    private static float[] flatten(double[][] rows) {
        float[] values = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < rows[i].length; j++) {
                values[i * rows[i].length + j] = (float) rows[i][j];
            }
        }
        return values;
    }
}
