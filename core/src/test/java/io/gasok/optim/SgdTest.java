package io.gasok.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.nn.LeakCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SGD against PyTorch's update formulas, step by step. */
@ExtendWith(LeakCheck.class)
class SgdTest {
    static final double[] START = {1.0, -2.0, 0.5};
    static final double[][] GRADS = {{0.1, 0.4, -0.3}, {-0.2, 0.5, 0.25}, {0.3, -0.1, 0.05}};

    /** Sets {@code parameter.grad()} to {@code values} through a backward pass. */
    static void setGrad(Tensor parameter, double[] values) {
        parameter.zeroGrad();
        try (Scope scope = Scope.open()) {
            parameter.mul(Tensor.of(values)).sum().backward();
        }
    }

    private static double[] run(Optimizer optimizer, Tensor parameter, int steps) {
        for (int step = 0; step < steps; step++) {
            setGrad(parameter, GRADS[step]);
            optimizer.step();
        }
        try (Scope scope = Scope.open()) {
            return parameter.toDoubleArray();
        }
    }

    @Test
    void plainSgdWithWeightDecay() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
             SGD sgd = new SGD(List.of(p), 0.1).weightDecay(0.01)) {
            double[] expected = START.clone();
            for (int s = 0; s < 2; s++) {
                for (int i = 0; i < 3; i++) {
                    expected[i] -= 0.1 * (GRADS[s][i] + 0.01 * expected[i]);
                }
            }
            assertArrayEquals(expected, run(sgd, p, 2), 1e-12);
        }
    }

    @Test
    void momentumWithDampeningAndWeightDecay() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
             SGD sgd = new SGD(List.of(p), 0.05).momentum(0.9).dampening(0.1).weightDecay(0.02)) {
            double[] expected = START.clone();
            double[] buffer = new double[3];
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < 3; i++) {
                    double g = GRADS[s][i] + 0.02 * expected[i];
                    buffer[i] = s == 0 ? g : 0.9 * buffer[i] + 0.9 * g;
                    expected[i] -= 0.05 * buffer[i];
                }
            }
            assertArrayEquals(expected, run(sgd, p, 3), 1e-12);
        }
    }

    @Test
    void nesterovMomentum() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
             SGD sgd = new SGD(List.of(p), 0.1).momentum(0.8).nesterov(true).weightDecay(0.1)) {
            double[] expected = START.clone();
            double[] buffer = new double[3];
            for (int s = 0; s < 3; s++) {
                for (int i = 0; i < 3; i++) {
                    double g = GRADS[s][i] + 0.1 * expected[i];
                    buffer[i] = s == 0 ? g : 0.8 * buffer[i] + g;
                    expected[i] -= 0.1 * (g + 0.8 * buffer[i]);
                }
            }
            assertArrayEquals(expected, run(sgd, p, 3), 1e-12);
        }
    }

    @Test
    void parametersWithoutAGradientAreLeftAlone() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true); Tensor q = Tensor.of(START.clone()).requiresGrad(true);
             SGD sgd = new SGD(List.of(p, q), 0.1).momentum(0.9)) {
            setGrad(p, GRADS[0]);
            sgd.step();
            try (Scope scope = Scope.open()) {
                assertArrayEquals(START, q.toDoubleArray());
            }
            p.zeroGrad();
        }
    }

    @Test
    void badSettingsAreRejected() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true); Scope scope = Scope.open()) {
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), -1));
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p, p), 0.1));
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p.mul(2)), 0.1));
            try (SGD sgd = new SGD(List.of(p), 0.1).nesterov(true)) {
                setGrad(p, GRADS[0]);
                assertThrows(IllegalStateException.class, sgd::step);
            }
            p.zeroGrad();
        }
    }

    /** A schedule's rate is checked like a fixed one: a NaN or negative rate throws, and p keeps its values. */
    @Test
    void aScheduleGivingABadRateIsRejectedBeforeAnyUpdate() {
        for (double bad : new double[] {Double.NaN, -0.5, Double.POSITIVE_INFINITY}) {
            try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
                 SGD sgd = new SGD(List.of(p), 0.1)) {
                sgd.schedule(step -> step == 0 ? 0.1 : bad);
                setGrad(p, GRADS[0]);
                sgd.step();
                double[] afterFirst;
                try (Scope scope = Scope.open()) {
                    afterFirst = p.toDoubleArray();
                }
                IllegalArgumentException error = assertThrows(IllegalArgumentException.class, sgd::step);
                assertEquals("SGD.step: the schedule's learning rate at step 1 must be finite and >= 0, got " + bad
                        + " (no parameter was updated)", error.getMessage());
                try (Scope scope = Scope.open()) {
                    assertArrayEquals(afterFirst, p.toDoubleArray());
                }
                assertEquals(1, sgd.stepCount());
                p.zeroGrad();
            }
        }
    }
}
