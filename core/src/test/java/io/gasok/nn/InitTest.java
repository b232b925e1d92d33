package io.gasok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class InitTest {

    private static double std(double[] values) {
        double mean = Arrays.stream(values).average().orElseThrow();
        return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / values.length);
    }

    @Test
    void kaimingUniformStaysWithinItsBoundAndHasItsSpread() {
        try (Scope scope = Scope.open()) {
            Tensor weight = Init.kaimingUniform(Tensor.zeros(DType.FLOAT64, 200, 50, 3, 3), 0, Init.FanMode.FAN_IN,
                    new Generator(1));
            double bound = Math.sqrt(2) * Math.sqrt(3.0 / (50 * 9));
            double[] values = weight.toDoubleArray();
            assertTrue(Arrays.stream(values).allMatch(v -> Math.abs(v) <= bound));
            assertEquals(bound / Math.sqrt(3), std(values), 0.02 * bound);
        }
    }

    @Test
    void normalInitialisersHaveTheirStandardDeviations() {
        try (Scope scope = Scope.open()) {
            double[] kaiming = Init.kaimingNormal(Tensor.zeros(DType.FLOAT64, 300, 400), 0, Init.FanMode.FAN_OUT,
                    new Generator(2)).toDoubleArray();
            assertEquals(Math.sqrt(2.0 / 300), std(kaiming), 0.02 * Math.sqrt(2.0 / 300));
            double[] xavier = Init.xavierNormal(Tensor.zeros(DType.FLOAT64, 300, 500), 1, new Generator(3)).toDoubleArray();
            assertEquals(Math.sqrt(2.0 / 800), std(xavier), 0.02 * Math.sqrt(2.0 / 800));
            double[] uniform = Init.xavierUniform(Tensor.zeros(DType.FLOAT64, 30, 50), 2, new Generator(4)).toDoubleArray();
            double bound = 2 * Math.sqrt(6.0 / 80);
            assertTrue(Arrays.stream(uniform).allMatch(v -> Math.abs(v) <= bound));
        }
    }

    @Test
    void aGeneratorGivesTheSameDrawsForTheSameSeedAndAdvancesByEachDraw() {
        try (Scope scope = Scope.open()) {
            Generator first = new Generator(5);
            Generator second = new Generator(5);
            float[] a = Init.normal(Tensor.zeros(10), 0, 1, first).toFloatArray();
            assertEquals(10, first.offset());
            float[] b = Init.normal(Tensor.zeros(10), 0, 1, second).toFloatArray();
            assertArrayEquals(a, b);
            float[] next = Init.normal(Tensor.zeros(10), 0, 1, first).toFloatArray();
            assertFalse(Arrays.equals(a, next));
            float[] tail = Init.normal(Tensor.zeros(20), 0, 1, new Generator(5)).toFloatArray();
            assertArrayEquals(next, Arrays.copyOfRange(tail, 10, 20), "an offset continues the same stream");
        }
    }

    @Test
    void fansNeedTwoAxes() {
        try (Scope scope = Scope.open()) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> Init.kaimingUniform(Tensor.zeros(5), 0, Init.FanMode.FAN_IN, new Generator(1)));
            assertTrue(error.getMessage().contains("rank >= 2"), error.getMessage());
        }
    }
}
