package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Distribution;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

@ExtendWith(NoLeaks.class)
class IndexOpsTest {
    private static final double TOLERANCE = 1e-12;

    private static Tensor tensor(double[] values, int... shape) {
        return Tensor.of(Device.reference(), values, shape);
    }

    private static Tensor indices(long[] values, int... shape) {
        return Tensor.of(Device.reference(), values, shape);
    }

    private static Tensor normal(long seed, int... shape) {
        return Tensor.random(Device.reference(), Distribution.NORMAL, DType.FLOAT64, seed, 0, shape);
    }

    private static Tensor zeros(int... shape) {
        return Tensor.zeros(Device.reference(), DType.FLOAT64, shape);
    }

    /** Runs {@code body} in a scope and checks that every buffer it made was freed. */
    private static void leakFree(Runnable body) {
        long before = Device.reference().liveBuffers();
        try (Scope scope = Scope.open()) {
            body.run();
        }
        assertEquals(before, Device.reference().liveBuffers(), "leaked buffers");
    }

    private static void assertRejected(Executable call, String op, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(op), e.getMessage());
        for (String mention : mentions) {
            assertTrue(e.getMessage().contains(mention), "'" + mention + "' missing from: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- pad

    @Test
    void padTakesPairsFromTheLastAxisBackwards() {
        leakFree(() -> {
            Tensor row = tensor(new double[] {1, 2, 3}, 3);
            assertArrayEquals(new double[] {9, 1, 2, 3, 9, 9}, row.pad(new int[] {1, 2}, 9).toDoubleArray(), 0);
            Tensor x = tensor(new double[] {1, 2, 3, 4}, 2, 2);
            Tensor padded = x.pad(new int[] {0, 1, 1, 0}, 0);
            assertArrayEquals(new int[] {3, 3}, padded.shape());
            assertArrayEquals(new double[] {0, 0, 0, 1, 2, 0, 3, 4, 0}, padded.toDoubleArray(), 0);
        });
    }

    @Test
    void negativePaddingCrops() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor cropped = x.pad(new int[] {-1, 1}, 7);
            assertArrayEquals(new int[] {2, 3}, cropped.shape());
            assertArrayEquals(new double[] {2, 3, 7, 5, 6, 7}, cropped.toDoubleArray(), 0);
            Tensor ints = Tensor.of(Device.reference(), new long[] {1, 2, 3}, 3);
            assertArrayEquals(new long[] {2}, ints.pad(new int[] {-1, -1}, 0).toLongArray());
        });
    }

    @Test
    void badPaddingNamesTheOpAndShape() {
        leakFree(() -> {
            Tensor x = zeros(2, 3);
            assertRejected(() -> x.pad(new int[] {1}, 0), "pad", "float64[2, 3]");
            assertRejected(() -> x.pad(new int[] {0, 0, 0, 0, 1, 1}, 0), "pad", "float64[2, 3]");
            assertRejected(() -> x.pad(new int[] {-2, -2}, 0), "pad", "crops axis 1", "float64[2, 3]");
        });
    }

    @Test
    void gradientOfPadMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].pad(new int[] {1, 2, 0, 1}, 3), normal(1, 2, 3));
            GradCheck.check(in -> in[0].pad(new int[] {-1, 2, 1, -1}, 0), normal(2, 3, 4));
        });
    }

    // ---------------------------------------------------------------- concat

    @Test
    void concatJoinsAlongTheAxis() {
        leakFree(() -> {
            Tensor a = tensor(new double[] {1, 2}, 1, 2);
            Tensor b = tensor(new double[] {3, 4, 5, 6}, 2, 2);
            Tensor rows = Tensor.concat(0, a, b);
            assertArrayEquals(new int[] {3, 2}, rows.shape());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, rows.toDoubleArray(), 0);
            Tensor columns = Tensor.concat(List.of(b, b.t(), zeros(2, 0)), -1);
            assertArrayEquals(new int[] {2, 4}, columns.shape());
            assertArrayEquals(new double[] {3, 4, 3, 5, 5, 6, 4, 6}, columns.toDoubleArray(), 0);
        });
    }

    @Test
    void concatOfMismatchedTensorsNamesEveryShape() {
        leakFree(() -> {
            Tensor a = zeros(2, 3);
            Tensor b = zeros(2, 4);
            assertRejected(() -> Tensor.concat(0, a, b), "concat", "axis 1", "float64[2, 3]", "float64[2, 4]");
            Tensor floats = Tensor.zeros(Device.reference(), DType.FLOAT32, 2, 3);
            assertRejected(() -> Tensor.concat(0, a, floats), "concat", "dtype", "float32[2, 3]");
            assertRejected(() -> Tensor.concat(0, a, zeros(2, 3, 1)), "concat", "rank", "float64[2, 3, 1]");
            assertRejected(() -> Tensor.concat(2, a, a), "concat", "axis 2");
        });
    }

    @Test
    void gradientOfConcatMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> Tensor.concat(1, in[0], in[1], in[2]), normal(3, 2, 1, 3), normal(4, 2, 2, 3),
                    normal(5, 2, 3, 3));
            GradCheck.check(in -> Tensor.concat(0, in[0], in[0].mul(2)), normal(6, 2, 2));
        });
    }

    // ---------------------------------------------------------------- gather and indexSelect

    @Test
    void gatherPicksAlongTheAxisPerElement() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4}, 2, 2);
            Tensor index = indices(new long[] {0, 0, 1, 0}, 2, 2);
            assertArrayEquals(new double[] {1, 1, 4, 3}, x.gather(1, index).toDoubleArray(), 0);
            Tensor rowsIndex = Tensor.of(Device.reference(), new int[] {1, 0}, 1, 2);
            assertArrayEquals(new double[] {3, 2}, x.gather(0, rowsIndex).toDoubleArray(), 0);
        });
    }

    @Test
    void indexSelectPicksWholeSlices() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
            Tensor picked = x.indexSelect(0, indices(new long[] {2, 0, 2}, 3));
            assertArrayEquals(new int[] {3, 2}, picked.shape());
            assertArrayEquals(new double[] {5, 6, 1, 2, 5, 6}, picked.toDoubleArray(), 0);
            Tensor columns = x.indexSelect(1, Tensor.of(Device.reference(), new int[] {1}, 1));
            assertArrayEquals(new double[] {2, 4, 6}, columns.toDoubleArray(), 0);
        });
    }

    @Test
    void badIndicesNameTheOpAndShapes() {
        leakFree(() -> {
            Tensor x = zeros(2, 3);
            assertRejected(() -> x.gather(1, zeros(2, 3)), "gather", "int64 or int32", "float64[2, 3]");
            assertRejected(() -> x.gather(1, indices(new long[] {0, 1}, 2)), "gather", "rank", "int64[2]");
            assertRejected(() -> x.gather(1, indices(new long[] {0, 0, 0}, 3, 1)), "gather", "axis 0",
                    "int64[3, 1]", "float64[2, 3]");
            assertRejected(() -> x.indexSelect(0, indices(new long[] {0, 1}, 1, 2)), "indexSelect", "1-D",
                    "int64[1, 2]");
            assertRejected(() -> x.indexSelect(2, indices(new long[] {0}, 1)), "indexSelect", "axis 2");
            GasokException e = assertThrows(GasokException.class,
                    () -> x.indexSelect(0, indices(new long[] {2}, 1)));
            assertTrue(e.getMessage().contains("indexSelect"), e.getMessage());
        });
    }

    @Test
    void gradientOfGatherMatchesFiniteDifferences() {
        leakFree(() -> {
            Tensor index = indices(new long[] {0, 2, 2, 1, 0, 0}, 2, 3);
            GradCheck.check(in -> in[0].gather(1, index), normal(7, 2, 4));
            Tensor rows = Tensor.of(Device.reference(), new int[] {1, 1, 0, 2}, 4, 1);
            GradCheck.check(in -> in[0].gather(0, in[1]), normal(8, 3, 2), rows);
        });
    }

    @Test
    void gradientOfIndexSelectMatchesFiniteDifferences() {
        leakFree(() -> {
            Tensor index = indices(new long[] {1, 1, 0, 3}, 4);
            GradCheck.check(in -> in[0].indexSelect(0, index), normal(9, 4, 3));
            GradCheck.check(in -> in[0].indexSelect(-1, index), normal(10, 2, 3, 5));
        });
    }

    // ---------------------------------------------------------------- scatterAdd

    @Test
    void scatterAddAccumulatesIntoACopy() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {10, 20, 30}, 3);
            Tensor sum = x.scatterAdd(0, indices(new long[] {0, 1, 0}, 3), tensor(new double[] {1, 2, 3}, 3));
            assertArrayEquals(new double[] {14, 22, 30}, sum.toDoubleArray(), 0);
            assertArrayEquals(new double[] {10, 20, 30}, x.toDoubleArray(), 0);
            Tensor grid = zeros(2, 2).scatterAdd(1, indices(new long[] {1, 0}, 2, 1),
                    tensor(new double[] {5, 6, 7, 8}, 2, 2));
            assertArrayEquals(new double[] {0, 5, 7, 0}, grid.toDoubleArray(), 0);
        });
    }

    @Test
    void badScatterArgumentsNameTheOpAndShapes() {
        leakFree(() -> {
            Tensor x = zeros(2, 3);
            Tensor index = indices(new long[] {0, 1, 0}, 1, 3);
            Tensor floats = Tensor.zeros(Device.reference(), DType.FLOAT32, 1, 3);
            assertRejected(() -> x.scatterAdd(0, index, floats), "scatterAdd", "dtype", "float32[1, 3]");
            assertRejected(() -> x.scatterAdd(0, index, zeros(1, 2)), "scatterAdd", "src's", "int64[1, 3]",
                    "float64[1, 2]");
            assertRejected(() -> x.scatterAdd(0, indices(new long[] {0, 1}, 2), zeros(2)), "scatterAdd", "rank",
                    "float64[2, 3]");
            assertRejected(() -> x.scatterAdd(0, zeros(1, 3), zeros(1, 3)), "scatterAdd", "int64 or int32");
        });
    }

    @Test
    void gradientOfScatterAddMatchesFiniteDifferencesInInputAndSource() {
        leakFree(() -> {
            Tensor index = indices(new long[] {2, 0, 2, 1, 1, 1}, 2, 3);
            GradCheck.check(in -> in[0].scatterAdd(1, index, in[1]), normal(11, 2, 4), normal(12, 2, 3));
            Tensor partial = Tensor.of(Device.reference(), new int[] {0, 2, 2, 0}, 2, 2);
            GradCheck.check(in -> in[0].scatterAdd(0, partial, in[1]), normal(13, 3, 2), normal(14, 3, 3));
        });
    }
}
