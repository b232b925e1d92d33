package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A kernel tap whose every output column reads the left padding: its valid range starts past the
 * end of the output row, and im2col must fill the whole row with zeros (found by the TCK with
 * asymmetric padding wider than the input).
 */
class Im2colPaddingTest {

    @Test
    void aTapThatOnlyReadsPaddingGivesZerosLikeTheReference() {
        try (Scope scope = Scope.open()) {
            float[] input = {0.5f, -1.25f};
            float[] weights = {1, 2, 3, -4, 5, 6};
            int[] padding = {0, 2, 0, 0};
            Tensor expected = Tensor.of(Device.reference(), input, 1, 2, 1, 1)
                    .conv2d(Tensor.of(Device.reference(), weights, 1, 2, 1, 3), null, new int[] {1, 1}, padding,
                            new int[] {1, 1}, 1);
            Tensor got = Tensor.of(Device.of("cpu"), input, 1, 2, 1, 1)
                    .conv2d(Tensor.of(Device.of("cpu"), weights, 1, 2, 1, 3), null, new int[] {1, 1}, padding,
                            new int[] {1, 1}, 1);
            assertArrayEquals(expected.toFloatArray(), got.toFloatArray(), 1e-6f);
        }
    }
}
