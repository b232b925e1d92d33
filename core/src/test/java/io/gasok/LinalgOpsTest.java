package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Distribution;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class LinalgOpsTest {
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
    void matrixTimesMatrixIsTheRowByColumnProduct() {
        leakFree(() -> {
            Tensor a = tensor(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor b = tensor(new double[] {7, 8, 9, 10, 11, 12}, 3, 2);
            Tensor c = a.matmul(b);
            assertArrayEquals(new int[] {2, 2}, c.shape());
            assertArrayEquals(new double[] {58, 64, 139, 154}, c.toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void vectorOperandsArePromotedAndTheAddedAxisRemoved() {
        leakFree(() -> {
            Tensor v = tensor(new double[] {1, 2, 3}, 3);
            Tensor m = tensor(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
            Tensor dot = v.matmul(v);
            assertEquals(0, dot.rank());
            assertEquals(14, dot.item(), TOLERANCE);
            Tensor row = v.matmul(m);
            assertArrayEquals(new int[] {2}, row.shape());
            assertArrayEquals(new double[] {4, 5}, row.toDoubleArray(), TOLERANCE);
            Tensor column = m.t().matmul(v);
            assertArrayEquals(new int[] {2}, column.shape());
            assertArrayEquals(new double[] {4, 5}, column.toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void transposedViewsGiveTheSameProductAsTheirDenseCopies() {
        leakFree(() -> {
            Tensor a = normal(1, 4, 3);
            Tensor b = normal(2, 5, 4);
            Tensor viaViews = a.t().matmul(b.t());
            Tensor viaCopies = a.t().contiguous().matmul(b.t().contiguous());
            assertArrayEquals(viaCopies.toDoubleArray(), viaViews.toDoubleArray(), TOLERANCE);
            Tensor strided = normal(3, 3, 8).slice(1, 0, 8, 2);
            assertArrayEquals(strided.contiguous().matmul(b.t()).toDoubleArray(), strided.matmul(b.t()).toDoubleArray(),
                    TOLERANCE);
        });
    }

    @Test
    void transposedViewsAndSharedMatricesAreReadInPlace() {
        leakFree(() -> {
            Tensor a = normal(6, 4, 3);
            Tensor b = normal(7, 5, 4);
            Tensor batch = normal(8, 2, 4, 5);
            List<String> kernels = new ArrayList<>();
            Dispatch.Listener previous = Dispatch.listen((launch, start, end) -> kernels.add(launch.kernel()));
            try {
                a.t().matmul(b.t());
                a.t().matmul(batch);
                batch.transpose(-1, -2).matmul(a.unsqueeze(0));
            } finally {
                Dispatch.restore(previous);
            }
            assertEquals(List.of("gemm", "gemm", "gemm"), kernels);
        });
    }

    @Test
    void batchAxesBroadcastLikeNumPy() {
        leakFree(() -> {
            double[] a = normal(4, 5, 3, 4).toDoubleArray();
            double[] b = normal(5, 2, 5, 4, 6).toDoubleArray();
            Tensor c = tensor(a, 5, 3, 4).matmul(tensor(b, 2, 5, 4, 6));
            assertArrayEquals(new int[] {2, 5, 3, 6}, c.shape());
            double[] expected = new double[2 * 5 * 3 * 6];
            for (int outer = 0; outer < 2; outer++) {
                for (int inner = 0; inner < 5; inner++) {
                    for (int i = 0; i < 3; i++) {
                        for (int j = 0; j < 6; j++) {
                            double sum = 0;
                            for (int p = 0; p < 4; p++) {
                                sum += a[(inner * 3 + i) * 4 + p] * b[((outer * 5 + inner) * 4 + p) * 6 + j];
                            }
                            expected[((outer * 5 + inner) * 3 + i) * 6 + j] = sum;
                        }
                    }
                }
            }
            assertArrayEquals(expected, c.toDoubleArray(), TOLERANCE);
            Tensor shared = tensor(a, 5, 3, 4).select(0, 0).matmul(tensor(b, 2, 5, 4, 6));
            assertArrayEquals(new int[] {2, 5, 3, 6}, shared.shape());
        });
    }

    @Test
    void float32WithFloat64ComputesInFloat64() {
        leakFree(() -> {
            Tensor a = Tensor.of(Device.reference(), new float[] {1, 2}, 1, 2);
            Tensor b = tensor(new double[] {3, 4}, 2, 1);
            Tensor c = a.matmul(b);
            assertEquals(DType.FLOAT64, c.dtype());
            assertEquals(11, c.item(), TOLERANCE);
        });
    }

    @Test
    void anEmptyInnerDimensionGivesZeros() {
        leakFree(() -> {
            Tensor c = Tensor.zeros(Device.reference(), DType.FLOAT64, 2, 0)
                    .matmul(Tensor.zeros(Device.reference(), DType.FLOAT64, 0, 3));
            assertArrayEquals(new double[6], c.toDoubleArray(), 0);
        });
    }

    @Test
    void mismatchedInnerDimensionsNameTheOpAndShapes() {
        leakFree(() -> {
            Tensor a = Tensor.zeros(Device.reference(), DType.FLOAT32, 2, 3);
            Tensor b = Tensor.zeros(Device.reference(), DType.FLOAT32, 4, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
            assertTrue(e.getMessage().startsWith("matmul"), e.getMessage());
            assertTrue(e.getMessage().contains("float32[2, 3]") && e.getMessage().contains("float32[4, 2]"),
                    e.getMessage());
        });
    }

    @Test
    void batchAxesThatDoNotBroadcastNameTheShapes() {
        leakFree(() -> {
            Tensor a = Tensor.zeros(Device.reference(), DType.FLOAT32, 2, 2, 3);
            Tensor b = Tensor.zeros(Device.reference(), DType.FLOAT32, 3, 3, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
            assertTrue(e.getMessage().startsWith("matmul"), e.getMessage());
            assertTrue(e.getMessage().contains("[2, 2, 3]") && e.getMessage().contains("[3, 3, 2]"), e.getMessage());
        });
    }

    @Test
    void integerAndScalarOperandsAreRejected() {
        leakFree(() -> {
            Tensor ints = Tensor.zeros(Device.reference(), DType.INT64, 2, 2);
            Tensor floats = Tensor.zeros(Device.reference(), DType.FLOAT32, 2, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ints.matmul(floats));
            assertTrue(e.getMessage().startsWith("matmul") && e.getMessage().contains("int64[2, 2]"), e.getMessage());
            Tensor scalar = Tensor.zeros(Device.reference(), DType.FLOAT32);
            e = assertThrows(IllegalArgumentException.class, () -> scalar.matmul(floats));
            assertTrue(e.getMessage().startsWith("matmul") && e.getMessage().contains("float32[]"), e.getMessage());
        });
    }

    @Test
    void gradientOfAMatrixProductMatchesFiniteDifferences() {
        leakFree(() -> GradCheck.check(in -> in[0].matmul(in[1]), normal(10, 3, 4), normal(11, 4, 2)));
    }

    @Test
    void gradientThroughTransposedViewsMatchesFiniteDifferences() {
        leakFree(() -> GradCheck.check(in -> in[0].t().matmul(in[1].t()), normal(12, 4, 3), normal(13, 2, 4)));
    }

    @Test
    void gradientOfABroadcastBatchedProductMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].matmul(in[1]), normal(14, 2, 1, 3, 4), normal(15, 3, 4, 2));
            GradCheck.check(in -> in[0].matmul(in[1]), normal(16, 2, 3, 4), normal(17, 4, 5));
            GradCheck.check(in -> in[0].matmul(in[1]), normal(18, 3, 4), normal(19, 2, 4, 5));
        });
    }

    @Test
    void gradientWithVectorOperandsMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].matmul(in[1]), normal(20, 4), normal(21, 4));
            GradCheck.check(in -> in[0].matmul(in[1]), normal(22, 4), normal(23, 2, 4, 3));
            GradCheck.check(in -> in[0].matmul(in[1]), normal(24, 2, 3, 4), normal(25, 4));
        });
    }

    @Test
    void linearIsTheMatrixProductWithTheTransposedWeightPlusTheBias() {
        leakFree(() -> {
            Tensor x = normal(1, 5, 3);
            Tensor w = normal(2, 4, 3);
            Tensor b = normal(3, 4);
            Tensor composed = x.matmul(w.t()).add(b);
            assertArrayEquals(composed.toDoubleArray(), x.linear(w, b).toDoubleArray(), 0);
            assertArrayEquals(composed.relu().toDoubleArray(), x.linearRelu(w, b).toDoubleArray(), 0);
            assertArrayEquals(x.matmul(w.t()).toDoubleArray(), x.linear(w, null).toDoubleArray(), 0);
        });
    }

    @Test
    void linearTakesAnyLeadingAxesAndAVector() {
        leakFree(() -> {
            Tensor w = normal(4, 2, 3);
            Tensor b = normal(5, 2);
            Tensor batch = normal(6, 2, 4, 3);
            Tensor y = batch.linearRelu(w, b);
            assertArrayEquals(new int[] {2, 4, 2}, y.shape());
            assertArrayEquals(batch.matmul(w.t()).add(b).relu().toDoubleArray(), y.toDoubleArray(), 0);
            Tensor vector = normal(7, 3);
            assertArrayEquals(new int[] {2}, vector.linear(w, b).shape());
            assertArrayEquals(vector.matmul(w.t()).add(b).toDoubleArray(), vector.linear(w, b).toDoubleArray(), 0);
        });
    }

    @Test
    void linearIsOneGemmLaunchWithTheBiasAndReluInItsEpilogue() {
        leakFree(() -> {
            Tensor x = normal(8, 6, 3);
            Tensor w = normal(9, 4, 3);
            Tensor b = normal(10, 4);
            List<String> launches = new ArrayList<>();
            Dispatch.Listener previous = Dispatch.listen((launch, start, end) -> launches.add(launch.kernel()));
            try {
                x.linearRelu(w, b);
            } finally {
                Dispatch.restore(previous);
            }
            assertEquals(List.of("gemm"), launches);
        });
    }

    @Test
    void linearGradientsMatchFiniteDifferences() {
        leakFree(() -> {
            Tensor w = normal(11, 4, 3);
            Tensor b = normal(12, 4);
            GradCheck.check(in -> in[0].linear(in[1], in[2]), normal(13, 5, 3), w, b);
            GradCheck.check(in -> in[0].linear(in[1], null), normal(14, 2, 2, 3), w);
            // Pre-activations away from ReLU's kink: a bias of ±3 dominates the product of small inputs.
            Tensor small = normal(15, 5, 3).mul(0.1);
            Tensor farFromZero = tensor(new double[] {3, -3, 3, -3}, 4);
            GradCheck.check(in -> in[0].linearRelu(in[1], in[2]), small, w, farFromZero);
        });
    }

    @Test
    void linearOfMixedDtypesPromotesAsMatmulDoes() {
        leakFree(() -> {
            Tensor x = normal(16, 2, 3).to(DType.FLOAT32);
            Tensor w = normal(17, 4, 3);
            Tensor y = x.linear(w, normal(18, 4));
            assertEquals(DType.FLOAT64, y.dtype());
            assertArrayEquals(x.matmul(w.t()).add(normal(18, 4)).toDoubleArray(), y.toDoubleArray(), 0);
        });
    }

    @Test
    void linearWithMismatchedShapesNamesTheOpAndTheShapes() {
        leakFree(() -> {
            IllegalArgumentException wrongWidth = assertThrows(IllegalArgumentException.class,
                    () -> normal(19, 2, 5).linear(normal(20, 4, 3), null));
            assertTrue(wrongWidth.getMessage().contains("linear") && wrongWidth.getMessage().contains("[2, 5]"),
                    wrongWidth.getMessage());
            IllegalArgumentException wrongBias = assertThrows(IllegalArgumentException.class,
                    () -> normal(21, 2, 3).linearRelu(normal(22, 4, 3), normal(23, 3)));
            assertTrue(wrongBias.getMessage().contains("linear_relu") && wrongBias.getMessage().contains("[4]"),
                    wrongBias.getMessage());
        });
    }
}
