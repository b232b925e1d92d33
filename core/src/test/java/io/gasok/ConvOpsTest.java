package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Distribution;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

@ExtendWith(NoLeaks.class)
class ConvOpsTest {
    private static final double TOLERANCE = 1e-12;
    private static final int[] ONE = {1, 1};
    private static final int[] NO_PADDING = {0, 0};

    private static Tensor tensor(double[] values, int... shape) {
        return Tensor.of(Device.reference(), values, shape);
    }

    private static Tensor normal(long seed, int... shape) {
        return Tensor.random(Device.reference(), Distribution.NORMAL, DType.FLOAT64, seed, 0, shape);
    }

    /** Distinct values at least 0.1 apart in a shuffled order: no ties for max pooling to break. */
    private static Tensor distinct(long seed, int... shape) {
        int size = 1;
        for (int extent : shape) {
            size *= extent;
        }
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            values.add(0.1 * i - 0.05 * size);
        }
        Collections.shuffle(values, new Random(seed));
        return tensor(values.stream().mapToDouble(Double::doubleValue).toArray(), shape);
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

    // ---------------------------------------------------------------- convolution

    @Test
    void convolutionCrossCorrelatesAndAddsTheBias() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
            Tensor w = tensor(new double[] {1, 0, 0, 1}, 1, 1, 2, 2);
            assertArrayEquals(new double[] {6, 8, 12, 14}, x.conv2d(w, null).toDoubleArray(), TOLERANCE);
            Tensor bias = tensor(new double[] {0.5}, 1);
            Tensor y = x.conv2d(w, bias);
            assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
            assertArrayEquals(new double[] {6.5, 8.5, 12.5, 14.5}, y.toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void strideAndZeroPaddingShapeTheOutput() {
        leakFree(() -> {
            Tensor x = Tensor.ones(Device.reference(), DType.FLOAT64, 1, 1, 3, 3);
            Tensor w = Tensor.ones(Device.reference(), DType.FLOAT64, 1, 1, 3, 3);
            Tensor y = x.conv2d(w, null, 2, 1);
            assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
            assertArrayEquals(new double[] {4, 4, 4, 4}, y.toDoubleArray(), TOLERANCE);
            Tensor asymmetric = x.conv2d(w, null, ONE, new int[] {1, 0, 0, 0}, ONE, 1);
            assertArrayEquals(new int[] {1, 1, 2, 1}, asymmetric.shape());
            assertArrayEquals(new double[] {6, 9}, asymmetric.toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void groupedAndDepthwiseConvolutionsKeepChannelsApart() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 2, 2);
            Tensor depthwise = tensor(new double[] {1, 1, 1, 1, 2, 0, 0, 0}, 2, 1, 2, 2);
            Tensor y = x.conv2d(depthwise, tensor(new double[] {0, 1}, 2), ONE, NO_PADDING, ONE, 2);
            assertArrayEquals(new double[] {10, 21}, y.toDoubleArray(), TOLERANCE);
            Tensor grouped = tensor(new double[] {1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0}, 4, 1, 2, 2);
            Tensor z = x.conv2d(grouped, null, ONE, NO_PADDING, ONE, 2);
            assertArrayEquals(new double[] {1, 4, 20, 30}, z.toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void convolutionArgumentsAreCheckedAgainstTheShapes() {
        leakFree(() -> {
            Tensor x = zeros(1, 4, 5, 5);
            assertRejected(() -> x.conv2d(zeros(2, 3, 3, 3), null), "conv2d", "float64[1, 4, 5, 5]",
                    "float64[2, 3, 3, 3]");
            assertRejected(() -> x.conv2d(zeros(3, 2, 3, 3), null, ONE, NO_PADDING, ONE, 2), "conv2d", "groups 2",
                    "float64[3, 2, 3, 3]");
            assertRejected(() -> x.conv2d(zeros(2, 4, 3, 3), zeros(3)), "conv2d", "bias", "float64[3]");
            assertRejected(() -> x.conv2d(zeros(2, 4, 7, 7), null), "conv2d", "larger than the padded input",
                    "float64[2, 4, 7, 7]");
            assertRejected(() -> x.conv2d(zeros(2, 4, 3, 3), null, ONE, NO_PADDING, new int[] {3, 3}, 1), "conv2d",
                    "larger than the padded input");
            assertRejected(() -> x.conv2d(zeros(2, 4, 3, 3), null, new int[] {0, 1}, NO_PADDING, ONE, 1), "conv2d",
                    "stride");
            assertRejected(() -> x.conv2d(zeros(2, 4, 3, 3), null, ONE, new int[] {-1, 0}, ONE, 1), "conv2d",
                    "padding");
            assertRejected(() -> zeros(4, 5, 5).conv2d(zeros(2, 4, 3, 3), null), "conv2d", "rank 4",
                    "float64[4, 5, 5]");
            Tensor floats = Tensor.zeros(Device.reference(), DType.FLOAT32, 2, 4, 3, 3);
            assertRejected(() -> x.conv2d(floats, null), "conv2d", "dtype", "float32[2, 4, 3, 3]");
        });
    }

    @Test
    void gradientOfConvolutionMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].conv2d(in[1], in[2]), normal(1, 2, 3, 5, 5), normal(2, 4, 3, 3, 3),
                    normal(3, 4));
            GradCheck.check(in -> in[0].conv2d(in[1], in[2], new int[] {2, 1}, new int[] {1, 2}, ONE, 1),
                    normal(4, 1, 2, 5, 6), normal(5, 3, 2, 3, 2), normal(6, 3));
            GradCheck.check(in -> in[0].conv2d(in[1], null, ONE, new int[] {0, 1, 2, 0}, new int[] {2, 1}, 1),
                    normal(7, 2, 2, 6, 5), normal(8, 2, 2, 2, 3));
        });
    }

    @Test
    void gradientOfGroupedAndDepthwiseConvolutionMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].conv2d(in[1], in[2], ONE, ONE, ONE, 2),
                    normal(9, 2, 4, 4, 4), normal(10, 6, 2, 3, 3), normal(11, 6));
            GradCheck.check(in -> in[0].conv2d(in[1], in[2], new int[] {2, 2}, ONE, new int[] {1, 2}, 3),
                    normal(12, 2, 3, 6, 6), normal(13, 3, 1, 3, 2), normal(14, 3));
        });
    }

    // ---------------------------------------------------------------- pooling

    @Test
    void maxPoolingTakesEachWindowsMaximum() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 5, 2, 0, 3, 4, 8, 1, 9, 0, 1, 2, 1, 1, 3, 7}, 1, 1, 4, 4);
            assertArrayEquals(new double[] {5, 8, 9, 7}, x.maxPool2d(2, 2, 0).toDoubleArray(), TOLERANCE);
            Tensor negative = tensor(new double[] {-1, -2, -3, -4}, 1, 1, 2, 2);
            assertArrayEquals(new double[] {-1, -2, -3, -4}, negative.maxPool2d(2, 1, 1).slice(2, 0, 3, 2)
                    .slice(3, 0, 3, 2).toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void averagePoolingCountsPaddingOnlyWhenAsked() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {4, 4, 4, 4}, 1, 1, 2, 2);
            int[] kernel = {2, 2};
            Tensor included = x.avgPool2d(kernel, ONE, ONE, false, true);
            assertArrayEquals(new double[] {1, 2, 1, 2, 4, 2, 1, 2, 1}, included.toDoubleArray(), TOLERANCE);
            Tensor excluded = x.avgPool2d(kernel, ONE, ONE, false, false);
            assertArrayEquals(new double[] {4, 4, 4, 4, 4, 4, 4, 4, 4}, excluded.toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void ceilModeKeepsAPartialLastWindow() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
            int[] two = {2, 2};
            assertArrayEquals(new double[] {5, 6, 8, 9},
                    x.maxPool2d(two, two, NO_PADDING, true).toDoubleArray(), TOLERANCE);
            assertArrayEquals(new double[] {5}, x.maxPool2d(two, two, NO_PADDING, false).toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void poolingArgumentsAreChecked() {
        leakFree(() -> {
            Tensor x = zeros(1, 2, 4, 4);
            assertRejected(() -> x.maxPool2d(2, 2, 2), "maxPool2d", "at most half the kernel", "float64[1, 2, 4, 4]");
            assertRejected(() -> x.avgPool2d(5, 1, 0), "avgPool2d", "larger than the padded input",
                    "float64[1, 2, 4, 4]");
            assertRejected(() -> x.maxPool2d(2, 0, 0), "maxPool2d", "stride");
            assertRejected(() -> zeros(2, 4, 4).maxPool2d(2, 2, 0), "maxPool2d", "rank 4", "float64[2, 4, 4]");
            Tensor ints = Tensor.zeros(Device.reference(), DType.INT32, 1, 1, 2, 2);
            assertRejected(() -> ints.avgPool2d(2, 2, 0), "avgPool2d", "int32[1, 1, 2, 2]");
        });
    }

    @Test
    void gradientOfMaxPoolingMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].maxPool2d(2, 2, 0), distinct(1, 2, 2, 4, 4));
            GradCheck.check(in -> in[0].maxPool2d(3, 2, 1), distinct(2, 1, 2, 5, 5));
            GradCheck.check(in -> in[0].maxPool2d(new int[] {2, 3}, new int[] {2, 2}, new int[] {0, 1}, true),
                    distinct(3, 1, 1, 5, 6));
        });
    }

    @Test
    void gradientOfAveragePoolingMatchesFiniteDifferences() {
        leakFree(() -> {
            int[] kernel = {3, 3};
            int[] stride = {2, 2};
            GradCheck.check(in -> in[0].avgPool2d(kernel, stride, ONE, false, true), normal(4, 2, 2, 5, 5));
            GradCheck.check(in -> in[0].avgPool2d(kernel, stride, ONE, false, false), normal(5, 2, 2, 5, 5));
            GradCheck.check(in -> in[0].avgPool2d(kernel, stride, new int[] {1, 0, 0, 1}, true, false),
                    normal(6, 1, 2, 6, 6));
        });
    }

    // ---------------------------------------------------------------- upsampling

    @Test
    void nearestUpsamplingRepeatsPixels() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
            assertArrayEquals(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                    x.upsampleNearest(2).toDoubleArray(), TOLERANCE);
            assertArrayEquals(new double[] {1, 1, 2, 3, 3, 4}, x.upsampleNearest(2, 3).toDoubleArray(), TOLERANCE);
        });
    }

    @Test
    void bilinearUpsamplingInterpolatesAsPyTorchDoes() {
        leakFree(() -> {
            Tensor x = tensor(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
            assertArrayEquals(new double[] {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4},
                    x.upsampleBilinear(3, 3, true).toDoubleArray(), TOLERANCE);
            Tensor row = tensor(new double[] {1, 2}, 1, 1, 1, 2);
            assertArrayEquals(new double[] {1, 1.25, 1.75, 2}, row.upsampleBilinear(1, 4, false).toDoubleArray(),
                    TOLERANCE);
        });
    }

    @Test
    void upsamplingArgumentsAreChecked() {
        leakFree(() -> {
            assertRejected(() -> zeros(2, 2, 2).upsampleNearest(2), "upsampleNearest", "rank 4", "float64[2, 2, 2]");
            assertRejected(() -> zeros(1, 1, 2, 2).upsampleBilinear(0, 4, false), "upsampleBilinear", "0 x 4",
                    "float64[1, 1, 2, 2]");
        });
    }

    @Test
    void gradientOfUpsamplingMatchesFiniteDifferences() {
        leakFree(() -> {
            GradCheck.check(in -> in[0].upsampleNearest(2), normal(7, 2, 2, 3, 3));
            GradCheck.check(in -> in[0].upsampleNearest(5, 4), normal(8, 1, 2, 3, 3));
            GradCheck.check(in -> in[0].upsampleBilinear(5, 7, true), normal(9, 1, 2, 3, 4));
            GradCheck.check(in -> in[0].upsampleBilinear(6, 5, false), normal(10, 2, 1, 3, 4));
        });
    }
}
