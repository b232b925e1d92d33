package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Distribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SoftmaxOpsTest {
    private static final double TOLERANCE = 1e-12;

    private static Tensor tensor(double[] values, int... shape) {
        return Tensor.of(Device.reference(), values, shape);
    }

    private static Tensor normal(long seed, int... shape) {
        return Tensor.random(Device.reference(), Distribution.NORMAL, DType.FLOAT64, seed, 0, shape);
    }

    /** Runs {@code body} in a scope and checks that every buffer it made was freed. */
    private static void leakFree(Runnable body) {
        long before = Device.reference().liveBuffers();
        try (Scope scope = Scope.open()) {
            body.run();
        }
        assertEquals(before, Device.reference().liveBuffers(), "leaked buffers");
    }

    @Test
    void softmaxOfARowIsItsNormalisedExponentials() {
        leakFree(() -> {
            double total = Math.exp(1) + Math.exp(2) + Math.exp(3);
            double[] expected = {Math.exp(1) / total, Math.exp(2) / total, Math.exp(3) / total};
            assertArrayEquals(expected, tensor(new double[] {1, 2, 3}, 3).softmax(0).toDoubleArray(), TOLERANCE);
            double[] logExpected = {1 - Math.log(total), 2 - Math.log(total), 3 - Math.log(total)};
            assertArrayEquals(logExpected, tensor(new double[] {1, 2, 3}, 3).logSoftmax(-1).toDoubleArray(),
                    TOLERANCE);
        });
    }

    @Test
    void softmaxRunsAlongTheGivenAxisAndSurvivesLargeValues() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {0, 1000, Math.log(3), 1000}, 2, 2);
            assertArrayEquals(new double[] {0.25, 0.5, 0.75, 0.5}, x.softmax(0).toDoubleArray(), TOLERANCE);
            assertArrayEquals(new double[] {0, 1, 0, 1}, x.softmax(1).toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void softmaxOfAScalarIsOne() {
        leakFree(() -> {
            Tensor y = Tensor.full(Device.reference(), 7, DType.FLOAT64).softmax(0);
            assertEquals(0, y.rank());
            assertEquals(1, y.item(), TOLERANCE);
        });
    }

    @Test
    void integerInputAndBadAxisNameTheOpAndShape() {
        leakFree(() -> {
            Tensor ints = Tensor.zeros(Device.reference(), DType.INT64, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ints.softmax(0));
            assertTrue(e.getMessage().startsWith("softmax") && e.getMessage().contains("int64[3]"), e.getMessage());
            Tensor floats = Tensor.zeros(Device.reference(), DType.FLOAT32, 2, 3);
            e = assertThrows(IllegalArgumentException.class, () -> floats.logSoftmax(2));
            assertTrue(e.getMessage().startsWith("logSoftmax") && e.getMessage().contains("rank 2"), e.getMessage());
        });
    }

    @Test
    void gradientOfSoftmaxMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].softmax(-1), normal(1, 3, 4));
            GradCheck.check(in -> in[0].softmax(0), normal(2, 3, 4));
            GradCheck.check(in -> in[0].permute(2, 0, 1).softmax(1), normal(3, 2, 3, 2));
        });
    }

    @Test
    void gradientOfLogSoftmaxMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].logSoftmax(-1), normal(4, 3, 4));
            GradCheck.check(in -> in[0].logSoftmax(1), normal(5, 2, 3, 2));
        });
    }
}
