package io.gasok.optim;

import static io.gasok.optim.SgdTest.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.nn.LeakCheck;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class GradClipTest {

    @Test
    void clippingByGlobalNormScalesEveryGradientByOneFactorAndReturnsTheNormBefore() {
        try (Tensor a = Tensor.of(new double[] {0, 0}).requiresGrad(true);
             Tensor b = Tensor.of(new float[] {0, 0, 0}).requiresGrad(true);
             Tensor none = Tensor.of(new double[] {0}).requiresGrad(true);
             Scope scope = Scope.open()) {
            setGrad(a, new double[] {3, 4});
            setGrad(b, new double[] {0, 12, 0});
            Tensor norm = GradClip.clipGradNorm(List.of(a, b, none), 6.5);
            assertEquals(13, norm.item(), 1e-12);
            double scale = 6.5 / (13 + 1e-6);
            assertArrayEquals(new double[] {3 * scale, 4 * scale}, a.grad().toDoubleArray(), 1e-12);
            assertArrayEquals(new float[] {0, (float) (12 * scale), 0}, b.grad().toFloatArray(), 1e-6f);

            Tensor unchanged = GradClip.clipGradNorm(List.of(a, b), 100);
            assertEquals(6.5, unchanged.item(), 1e-5);
            assertArrayEquals(new double[] {3 * scale, 4 * scale}, a.grad().toDoubleArray(), 1e-12,
                    "below maxNorm nothing changes");
            a.zeroGrad();
            b.zeroGrad();
        }
    }

    @Test
    void clippingByValueClampsEachElement() {
        try (Tensor a = Tensor.of(new double[] {0, 0, 0, 0}).requiresGrad(true); Scope scope = Scope.open()) {
            setGrad(a, new double[] {-3, 0.5, 2, -0.25});
            GradClip.clipGradValue(List.of(a), 1);
            assertArrayEquals(new double[] {-1, 0.5, 1, -0.25}, a.grad().toDoubleArray());
            a.zeroGrad();
        }
    }
}
