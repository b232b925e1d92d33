package io.gasok.optim;

import static io.gasok.optim.SgdTest.GRADS;
import static io.gasok.optim.SgdTest.START;
import static io.gasok.optim.SgdTest.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.nn.LeakCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Adam and AdamW against PyTorch's update formulas (bias correction, coupled and decoupled decay). */
@ExtendWith(LeakCheck.class)
class AdamTest {
    private static final double B1 = 0.8;
    private static final double B2 = 0.95;
    private static final double EPS = 1e-6;

    /** PyTorch's Adam/AdamW step by hand over three steps; returns p, m, v. */
    private static double[][] hand(double lr, double weightDecay, boolean decoupled) {
        double[] p = START.clone();
        double[] m = new double[3];
        double[] v = new double[3];
        for (int s = 0; s < 3; s++) {
            int t = s + 1;
            for (int i = 0; i < 3; i++) {
                double g = GRADS[s][i];
                if (decoupled) {
                    p[i] *= 1 - lr * weightDecay;
                } else {
                    g += weightDecay * p[i];
                }
                m[i] = B1 * m[i] + (1 - B1) * g;
                v[i] = B2 * v[i] + (1 - B2) * g * g;
                double stepSize = lr / (1 - Math.pow(B1, t));
                double denominator = Math.sqrt(v[i]) / Math.sqrt(1 - Math.pow(B2, t)) + EPS;
                p[i] -= stepSize * m[i] / denominator;
            }
        }
        return new double[][] {p, m, v};
    }

    private static void check(Adam adam, Tensor p, double[][] expected) {
        try (Scope scope = Scope.open()) {
            assertNull(adam.firstMoment(p));
            for (int s = 0; s < 3; s++) {
                setGrad(p, GRADS[s]);
                adam.step();
            }
            assertArrayEquals(expected[0], p.toDoubleArray(), 1e-12);
            assertArrayEquals(expected[1], adam.firstMoment(p).toDoubleArray(), 1e-12);
            assertArrayEquals(expected[2], adam.secondMoment(p).toDoubleArray(), 1e-12);
            p.zeroGrad();
        }
    }

    @Test
    void adamWithBiasCorrection() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
             Adam adam = new Adam(List.of(p), 0.01).betas(B1, B2).eps(EPS)) {
            check(adam, p, hand(0.01, 0, false));
        }
    }

    @Test
    void adamWithL2WeightDecayInTheGradient() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
             Adam adam = new Adam(List.of(p), 0.01).betas(B1, B2).eps(EPS).weightDecay(0.1)) {
            check(adam, p, hand(0.01, 0.1, false));
        }
    }

    @Test
    void adamWDecaysTheWeightsDecoupledFromTheMoments() {
        try (Tensor p = Tensor.of(START.clone()).requiresGrad(true);
             Adam adamW = new AdamW(List.of(p), 0.01).betas(B1, B2).eps(EPS).weightDecay(0.1)) {
            check(adamW, p, hand(0.01, 0.1, true));
        }
    }

    @Test
    void aScheduleSetsEachStepsLearningRate() {
        try (Tensor p = Tensor.of(new double[] {1.0}).requiresGrad(true);
             Adam adam = new Adam(List.of(p), 0.5)) {
            adam.schedule(Schedule.step(0.1, 1, 0.5));
            double expected = 1.0;
            for (int s = 0; s < 3; s++) {
                setGrad(p, new double[] {1.0});
                adam.step();
                expected -= 0.1 * Math.pow(0.5, s) * (1 / (1 + 1e-8));
            }
            try (Scope scope = Scope.open()) {
                assertArrayEquals(new double[] {expected}, p.toDoubleArray(), 1e-9);
            }
            assertArrayEquals(new double[] {0.025}, new double[] {adam.learningRate()}, 1e-15);
            p.zeroGrad();
        }
    }
}
