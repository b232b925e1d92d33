package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rule may hand the same gradient tensor to several inputs (add passes its gradient through to
 * both), so a leaf's first gradient must not be that tensor itself: a later in-place accumulation
 * would change a gradient another node still has to read.
 */
@ExtendWith(NoLeaks.class)
class GradientSharingTest {

    @Test
    void aGradientPassedToSeveralNodesIsNotChangedByAccumulatingIntoALeaf() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
            Tensor y = x.mul(2);
            Tensor w = x.mul(3);
            x.add(y).add(w).sum().backward();
            assertArrayEquals(new double[] {6, 6, 6}, x.grad().toDoubleArray());
        }
    }

    @Test
    void aLeafUsedDirectlyAndThroughAnOpAccumulatesBoth() {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(Device.reference(), new double[] {1, -2}, 2).requiresGrad(true);
            Tensor square = x.mul(x);
            x.add(square).add(x.exp()).sum().backward();
            assertArrayEquals(new double[] {1 + 2 + Math.exp(1), 1 - 4 + Math.exp(-2)}, x.grad().toDoubleArray(), 1e-12);
        }
    }
}
