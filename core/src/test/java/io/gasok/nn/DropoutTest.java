package io.gasok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.gasok.Scope;
import io.gasok.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class DropoutTest {

    @Test
    void trainModeZeroesAboutPAndScalesTheRestByOneOverOneMinusP() {
        try (Dropout dropout = new Dropout(0.3, new Generator(1)); Scope scope = Scope.open()) {
            float[] y = dropout.forward(Tensor.ones(100, 100)).toFloatArray();
            int zeros = 0;
            for (float value : y) {
                if (value == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.7, value, 1e-6);
                }
            }
            assertEquals(0.3, zeros / 10000.0, 0.02);
        }
    }

    @Test
    void evalModeIsTheIdentity() {
        try (Dropout dropout = new Dropout(0.5); Scope scope = Scope.open()) {
            dropout.eval();
            Tensor x = Tensor.ones(3);
            assertSame(x, dropout.forward(x));
        }
    }

    @Test
    void theSameSeedGivesTheSameMasksAndEachCallANewOne() {
        try (Dropout a = new Dropout(0.5, new Generator(42)); Dropout b = new Dropout(0.5, new Generator(42));
             Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(64);
            float[] firstA = a.forward(x).toFloatArray();
            float[] firstB = b.forward(x).toFloatArray();
            assertArrayEquals(firstA, firstB);
            float[] secondA = a.forward(x).toFloatArray();
            assertFalse(java.util.Arrays.equals(firstA, secondA), "the offset advances per call");
            assertArrayEquals(secondA, b.forward(x).toFloatArray());
        }
    }

    @Test
    void theGradientIsTheScaledMask() {
        try (Dropout dropout = new Dropout(0.25, new Generator(3)); Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(20).requiresGrad(true);
            Tensor y = dropout.forward(x);
            y.sum().backward();
            assertArrayEquals(y.toFloatArray(), x.grad().toFloatArray());
        }
    }

    @Test
    void theFusedLaunchGivesTheValuesAndGradientOfTheOpsWrittenOut() {
        try (Dropout dropout = new Dropout(0.4, new Generator(7)); Scope scope = Scope.open()) {
            Tensor x = GradCheck.awayFromZero(5, 6, 7).to(io.gasok.DType.FLOAT32).requiresGrad(true);
            Tensor uniform = Tensor.random(x.device(), io.gasok.spi.Distribution.UNIFORM, io.gasok.DType.FLOAT32, 7, 0,
                    6, 7);
            Tensor composed = x.mul(uniform.ge(0.4)).mul(1 / (1 - 0.4));
            Tensor y = dropout.forward(x);
            assertArrayEquals(composed.toFloatArray(), y.toFloatArray());
            Tensor weights = GradCheck.awayFromZero(6, 6, 7).to(io.gasok.DType.FLOAT32);
            y.mul(weights).sum().backward();
            Tensor expected = weights.mul(1 / (1 - 0.4)).mul(uniform.ge(0.4));
            assertArrayEquals(expected.toFloatArray(), x.grad().toFloatArray());
        }
    }
}
