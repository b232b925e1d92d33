package io.gasok.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.spi.Backend;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Buffer;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Distribution;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Expr;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.UnaryOp;
import io.gasok.spi.Upsample2dSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReferenceBackendTest {
    private static final double NAN = Double.NaN;

    private final ReferenceBackend backend = new ReferenceBackend();
    private final List<Buffer> allocated = new ArrayList<>();

    @AfterEach
    void everyBufferIsFreed() {
        for (Buffer buffer : allocated) {
            backend.free(buffer);
        }
        assertEquals(0, backend.liveBuffers());
    }

    // ---- helpers: small contiguous tensors ----

    private static int[] shape(int... dims) {
        return dims;
    }

    private Buffer allocate(DType dtype, int length) {
        Buffer buffer = backend.allocate(dtype, length);
        allocated.add(buffer);
        return buffer;
    }

    private Operand tensor(DType dtype, int[] shape, double... values) {
        Buffer buffer = allocate(dtype, values.length);
        Object host = dtype.newArray(values.length);
        for (int i = 0; i < values.length; i++) {
            switch (host) {
                case float[] a -> a[i] = (float) values[i];
                case double[] a -> a[i] = values[i];
                case int[] a -> a[i] = (int) values[i];
                case long[] a -> a[i] = (long) values[i];
                case byte[] a -> a[i] = (byte) (values[i] != 0 ? 1 : 0);
                default -> throw new IllegalStateException();
            }
        }
        backend.write(host, 0, buffer, 0, values.length);
        return Operand.contiguous(buffer, 0, shape);
    }

    private Operand floats(int[] shape, double... values) {
        return tensor(DType.FLOAT32, shape, values);
    }

    private Operand doubles(int[] shape, double... values) {
        return tensor(DType.FLOAT64, shape, values);
    }

    private Operand longs(int[] shape, long... values) {
        Buffer buffer = allocate(DType.INT64, values.length);
        backend.write(values, 0, buffer, 0, values.length);
        return Operand.contiguous(buffer, 0, shape);
    }

    /** A tensor filled with NaN (or garbage for integers), so a kernel that skips an element shows it. */
    private Operand garbage(DType dtype, int... shape) {
        Operand operand = Operand.contiguous(allocate(dtype, Operand.sizeOf(shape)), 0, shape);
        backend.fill(operand, dtype.isFloating() ? NAN : -99);
        return operand;
    }

    private Operand randomDoubles(Random random, int... shape) {
        double[] values = new double[Operand.sizeOf(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() * 2 - 1;
        }
        return doubles(shape, values);
    }

    /** The elements of a contiguous operand, as doubles. */
    private double[] values(Operand operand) {
        int length = operand.size();
        Object host = operand.dtype().newArray(length);
        backend.read(operand.buffer(), operand.offset(), host, 0, length);
        double[] result = new double[length];
        for (int i = 0; i < length; i++) {
            result[i] = switch (host) {
                case float[] a -> a[i];
                case double[] a -> a[i];
                case int[] a -> a[i];
                case long[] a -> a[i];
                case byte[] a -> a[i];
                default -> throw new IllegalStateException();
            };
        }
        return result;
    }

    private long[] longValues(Operand operand) {
        long[] host = new long[operand.size()];
        backend.read(operand.buffer(), operand.offset(), host, 0, host.length);
        return host;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    // ---- memory ----

    @Nested
    class Memory {
        @Test
        void liveBuffersCountsAllocationsMinusFrees() {
            Buffer buffer = backend.allocate(DType.FLOAT32, 4);
            assertEquals(1, backend.liveBuffers());
            backend.free(buffer);
            assertEquals(0, backend.liveBuffers());
        }

        @Test
        void freeingTwiceOrAForeignBufferIsAnError() {
            Buffer buffer = backend.allocate(DType.INT32, 2);
            backend.free(buffer);
            assertThrows(IllegalStateException.class, () -> backend.free(buffer));
            Buffer foreign = new ReferenceBackend().allocate(DType.INT32, 2);
            assertThrows(IllegalStateException.class, () -> backend.free(foreign));
            assertEquals(0, backend.liveBuffers());
        }

        @Test
        void readIntoAHostArrayOfAnotherTypeIsRejected() {
            Operand x = floats(shape(2), 1, 2);
            assertThrows(IllegalArgumentException.class, () -> backend.read(x.buffer(), 0, new double[2], 0, 2));
        }

        @Test
        void writeAndReadRespectOffsets() {
            Buffer buffer = allocate(DType.INT64, 4);
            backend.write(new long[] {7, 8, 9}, 1, buffer, 2, 2);
            long[] back = new long[3];
            backend.read(buffer, 2, back, 1, 2);
            assertArrayEquals(new long[] {0, 8, 9}, back);
        }

        @Test
        void providerOpensOneSharedBackend() {
            ReferenceBackendProvider provider = new ReferenceBackendProvider();
            Backend first = provider.open(0);
            assertSame(first, provider.open(0));
            assertEquals("reference", first.name());
            assertEquals(1, provider.deviceCount());
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> provider.open(1));
            assertTrue(error.getMessage().contains("1"));
        }
    }

    // ---- copy, fill, pad, concat ----

    @Nested
    class Movement {
        @Test
        void copyMakesATransposedViewContiguous() {
            Operand x = floats(shape(2, 3), 1, 2, 3, 4, 5, 6);
            Operand transposed = new Operand(x.buffer(), DType.FLOAT32, 0, shape(3, 2), new int[] {1, 3});
            Operand out = garbage(DType.FLOAT32, 3, 2);
            backend.copy(transposed, out);
            assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, values(out));
        }

        @Test
        void fillConvertsTheValueToTheDtype() {
            Operand ints = garbage(DType.INT32, 3);
            backend.fill(ints, -2.7);
            assertArrayEquals(new double[] {-2, -2, -2}, values(ints));
            Operand bools = garbage(DType.BOOL, 2);
            backend.fill(bools, 0.5);
            assertArrayEquals(new double[] {1, 1}, values(bools));
        }

        @Test
        void negativePadBeforeCropsAndTheRestIsFilled() {
            Operand src = floats(shape(5), 1, 2, 3, 4, 5);
            Operand dst = garbage(DType.FLOAT32, 6);
            backend.pad(src, dst, new int[] {-1}, 9);
            assertArrayEquals(new double[] {2, 3, 4, 5, 9, 9}, values(dst));
        }

        @Test
        void padMixesPaddingAndCroppingAcrossAxes() {
            Operand src = longs(shape(2, 2), 1, 2, 3, 4);
            Operand dst = garbage(DType.INT64, 3, 2);
            backend.pad(src, dst, new int[] {1, -1}, 0);
            assertArrayEquals(new long[] {0, 0, 2, 0, 4, 0}, longValues(dst));
        }

        @Test
        void concatAlongBothAxes() {
            Operand a = floats(shape(1, 2), 1, 2);
            Operand b = floats(shape(2, 2), 3, 4, 5, 6);
            Operand rows = garbage(DType.FLOAT32, 3, 2);
            backend.concat(new Operand[] {a, b}, 0, rows);
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, values(rows));

            Operand c = floats(shape(2, 1), 7, 8);
            Operand columns = garbage(DType.FLOAT32, 2, 3);
            backend.concat(new Operand[] {b, c}, 1, columns);
            assertArrayEquals(new double[] {3, 4, 7, 5, 6, 8}, values(columns));
        }
    }

    // ---- elementwise ----

    @Nested
    class Elementwise {
        @Test
        void fusedReluOfScaleAndBroadcastBias() {
            Operand x = floats(shape(2, 2), 1, -2, 3, -4);
            Operand bias = floats(shape(2), 0.5, 10);
            Operand biasRows = new Operand(bias.buffer(), DType.FLOAT32, 0, shape(2, 2), new int[] {0, 1});
            Expr expr = Expr.unary(UnaryOp.RELU, Expr.add(
                    Expr.mul(Expr.input(0, DType.FLOAT32), Expr.constant(2, DType.FLOAT32)),
                    Expr.input(1, DType.FLOAT32)));
            Operand out = garbage(DType.FLOAT32, 2, 2);
            backend.elementwise(expr, new Operand[] {x, biasRows}, out);
            assertArrayEquals(new double[] {2.5, 6, 6.5, 2}, values(out));
        }

        @Test
        void float32NodesAreRoundedNodeByNode() {
            Operand a = floats(shape(1), 1e8);
            Operand b = floats(shape(1), 1);
            Expr x = Expr.input(0, DType.FLOAT32);
            Expr expr = Expr.sub(Expr.add(x, Expr.input(1, DType.FLOAT32)), x);
            Operand out = garbage(DType.FLOAT32, 1);
            backend.elementwise(expr, new Operand[] {a, b}, out);
            assertArrayEquals(new double[] {0}, values(out), "1e8f + 1 rounds back to 1e8f in float32");
        }

        @Test
        void int64ArithmeticStaysExact() {
            long big = (1L << 62) + 1;
            Operand a = longs(shape(2), big, -7);
            Operand b = longs(shape(2), 2, 2);
            Operand sum = garbage(DType.INT64, 2);
            backend.elementwise(Expr.add(Expr.input(0, DType.INT64), Expr.input(1, DType.INT64)),
                    new Operand[] {a, b}, sum);
            assertArrayEquals(new long[] {big + 2, -5}, longValues(sum));
            Operand quotient = garbage(DType.INT64, 2);
            backend.elementwise(Expr.binary(BinaryOp.FLOOR_DIV, Expr.input(0, DType.INT64), Expr.input(1, DType.INT64)),
                    new Operand[] {a, b}, quotient);
            assertArrayEquals(new long[] {big / 2, -4}, longValues(quotient));
        }

        @Test
        void whereOnAComparisonAndACastThatTruncates() {
            Operand x = floats(shape(3), -2.7, 0.5, 3.9);
            Expr input = Expr.input(0, DType.FLOAT32);
            Expr positive = Expr.binary(BinaryOp.GT, input, Expr.constant(0, DType.FLOAT32));
            Expr expr = Expr.where(positive, Expr.cast(input, DType.INT32), Expr.constant(-1, DType.INT32));
            Operand out = garbage(DType.INT32, 3);
            backend.elementwise(expr, new Operand[] {x}, out);
            assertArrayEquals(new double[] {-1, 0, 3}, values(out));

            Operand truncated = garbage(DType.INT64, 3);
            backend.elementwise(Expr.cast(input, DType.INT64), new Operand[] {x}, truncated);
            assertArrayEquals(new long[] {-2, 0, 3}, longValues(truncated));
        }

        @Test
        void outputMayAliasAnInputForInPlaceUpdates() {
            Operand x = doubles(shape(3), 1, 2, 3);
            backend.elementwise(Expr.mul(Expr.input(0, DType.FLOAT64), Expr.input(0, DType.FLOAT64)),
                    new Operand[] {x}, x);
            assertArrayEquals(new double[] {1, 4, 9}, values(x));
        }
    }

    // ---- reductions and softmax ----

    @Nested
    class Reductions {
        @Test
        void sumOverTwoAxes() {
            Operand x = floats(shape(2, 3, 2), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
            Operand out = garbage(DType.FLOAT32, 1, 3, 1);
            backend.reduce(ReduceOp.SUM, x, new int[] {0, 2}, out);
            assertArrayEquals(new double[] {1 + 2 + 7 + 8, 3 + 4 + 9 + 10, 5 + 6 + 11 + 12}, values(out));
        }

        @Test
        void int64SumNear2To62IsExact() {
            long a = (1L << 62) + 1;
            long b = (1L << 62) - 3;
            long c = -(1L << 62) + 7;
            Operand x = longs(shape(3), a, b, c);
            Operand out = garbage(DType.INT64, 1);
            backend.reduce(ReduceOp.SUM, x, new int[] {0}, out);
            assertArrayEquals(new long[] {(1L << 62) + 5}, longValues(out));
        }

        @Test
        void sumOverAnEmptyAxisIsZero() {
            Buffer empty = allocate(DType.FLOAT32, 0);
            Operand x = Operand.contiguous(empty, 0, 2, 0);
            Operand out = garbage(DType.FLOAT32, 2, 1);
            backend.reduce(ReduceOp.SUM, x, new int[] {1}, out);
            assertArrayEquals(new double[] {0, 0}, values(out));
        }

        @Test
        void maxAndMinPropagateNaN() {
            Operand x = floats(shape(2, 3), 1, 5, 3, 2, NAN, 9);
            Operand max = garbage(DType.FLOAT32, 2, 1);
            backend.reduce(ReduceOp.MAX, x, new int[] {1}, max);
            assertArrayEquals(new double[] {5, NAN}, values(max));
            Operand min = garbage(DType.FLOAT32, 1, 3);
            backend.reduce(ReduceOp.MIN, x, new int[] {0}, min);
            assertArrayEquals(new double[] {1, NAN, 3}, values(min));
        }

        @Test
        void argmaxTakesTheFirstIndexOnTiesAndTheFirstNaN() {
            Operand ties = floats(shape(4), 3, 1, 3, 2);
            Operand index = garbage(DType.INT64, 1);
            backend.reduce(ReduceOp.ARGMAX, ties, new int[] {0}, index);
            assertArrayEquals(new long[] {0}, longValues(index));

            Operand withNaN = floats(shape(4), 1, NAN, 5, NAN);
            backend.reduce(ReduceOp.ARGMAX, withNaN, new int[] {0}, index);
            assertArrayEquals(new long[] {1}, longValues(index));
            backend.reduce(ReduceOp.ARGMIN, withNaN, new int[] {0}, index);
            assertArrayEquals(new long[] {1}, longValues(index));
        }

        @Test
        void argminAlongTheFirstAxis() {
            Operand x = longs(shape(3, 2), 2, 0, 1, 0, 1, -5);
            Operand index = garbage(DType.INT64, 1, 2);
            backend.reduce(ReduceOp.ARGMIN, x, new int[] {0}, index);
            assertArrayEquals(new long[] {1, 2}, longValues(index));
        }

        @Test
        void softmaxAndLogSoftmaxAreStableForLargeInputs() {
            Operand x = doubles(shape(2, 2), 1000, 1001, 0, 0);
            Operand out = garbage(DType.FLOAT64, 2, 2);
            backend.softmax(x, 1, false, out);
            double e = Math.E;
            assertArrayEquals(new double[] {1 / (1 + e), e / (1 + e), 0.5, 0.5}, values(out), 1e-15);
            backend.softmax(x, 1, true, out);
            double logSum = Math.log(1 + e);
            assertArrayEquals(new double[] {-logSum, 1 - logSum, -Math.log(2), -Math.log(2)}, values(out), 1e-14);
        }

        @Test
        void softmaxAlongTheFirstAxis() {
            Operand x = doubles(shape(2, 1), 0, Math.log(3));
            Operand out = garbage(DType.FLOAT64, 2, 1);
            backend.softmax(x, 0, false, out);
            assertArrayEquals(new double[] {0.25, 0.75}, values(out), 1e-15);
        }
    }

    // ---- gemm ----

    @Nested
    class Gemm {
        private static final double[] A = {1, 2, 3, 4, 5, 6};
        private static final double[] A_TRANSPOSED = {1, 4, 2, 5, 3, 6};
        private static final double[] B = {7, 8, 9, 10, 11, 12};
        private static final double[] B_TRANSPOSED = {7, 9, 11, 8, 10, 12};
        private static final double[] PRODUCT = {58, 64, 139, 154};

        private double[] multiply(boolean transA, boolean transB) {
            Operand a = floats(transA ? shape(1, 3, 2) : shape(1, 2, 3), transA ? A_TRANSPOSED : A);
            Operand b = floats(transB ? shape(1, 2, 3) : shape(1, 3, 2), transB ? B_TRANSPOSED : B);
            Operand c = garbage(DType.FLOAT32, 1, 2, 2);
            backend.gemm(new GemmSpec(1, 2, 2, 3, transA, transB, Epilogue.NONE), a, b, c, null);
            return values(c);
        }

        @Test
        void everyTransposeCombinationGivesTheSameProduct() {
            assertArrayEquals(PRODUCT, multiply(false, false));
            assertArrayEquals(PRODUCT, multiply(true, false));
            assertArrayEquals(PRODUCT, multiply(false, true));
            assertArrayEquals(PRODUCT, multiply(true, true));
        }

        @Test
        void epilogueAppliesAlphaBetaBiasAndActivation() {
            Operand a = floats(shape(1, 2, 3), A);
            Operand b = floats(shape(1, 3, 2), B);
            Operand bias = floats(shape(2), 1, -1000);
            Operand c = floats(shape(1, 2, 2), 10, 20, 30, 40);
            Epilogue epilogue = new Epilogue(2, 0.5, UnaryOp.RELU, 0);
            backend.gemm(new GemmSpec(1, 2, 2, 3, false, false, epilogue), a, b, c, bias);
            assertArrayEquals(new double[] {2 * 58 + 5 + 1, 0, 2 * 139 + 15 + 1, 0}, values(c));
        }

        @Test
        void betaZeroNeverReadsTheOldOutput() {
            Operand a = floats(shape(1, 2, 3), A);
            Operand b = floats(shape(1, 3, 2), B);
            Operand c = garbage(DType.FLOAT32, 1, 2, 2);
            backend.gemm(new GemmSpec(1, 2, 2, 3, false, false, new Epilogue(1, 0, null, 0)), a, b, c, null);
            assertArrayEquals(PRODUCT, values(c));
        }

        @Test
        void stridedViewsAndASharedBatchMatrix() {
            double[] stacked = new double[12];
            for (int i = 0; i < 6; i++) {
                stacked[i] = A_TRANSPOSED[i];
                stacked[6 + i] = 2 * A_TRANSPOSED[i];
            }
            Operand storedTransposed = floats(shape(2, 3, 2), stacked);
            Operand aView = new Operand(storedTransposed.buffer(), DType.FLOAT32, 0, shape(2, 2, 3), new int[] {6, 1, 2});
            Operand b = floats(shape(3, 2), B);
            Operand sharedB = new Operand(b.buffer(), DType.FLOAT32, 0, shape(2, 3, 2), new int[] {0, 2, 1});
            Operand c = garbage(DType.FLOAT32, 2, 2, 2);
            backend.gemm(new GemmSpec(2, 2, 2, 3, false, false, Epilogue.NONE), aView, sharedB, c, null);
            assertArrayEquals(new double[] {58, 64, 139, 154, 116, 128, 278, 308}, values(c));
        }
    }

    // ---- convolution ----

    @Nested
    class Convolution {
        private static final double[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        private static final double[] KERNEL = {1, 2, 3, 4};

        private static Conv2dSpec singleChannel(int stride, int pad, int dilation, Epilogue epilogue) {
            return new Conv2dSpec(1, 1, 3, 3, 1, 2, 2, stride, stride, pad, pad, pad, pad, dilation, dilation, 1, epilogue);
        }

        private double[] convolve(Conv2dSpec spec, Operand bias) {
            Operand x = floats(shape(1, 1, 3, 3), IMAGE);
            Operand w = floats(shape(1, 1, 2, 2), KERNEL);
            Operand y = garbage(DType.FLOAT32, 1, 1, spec.outHeight(), spec.outWidth());
            backend.conv2d(spec, x, w, bias, y);
            return values(y);
        }

        @Test
        void validConvolutionByHand() {
            assertArrayEquals(new double[] {37, 47, 67, 77}, convolve(singleChannel(1, 0, 1, Epilogue.NONE), null));
        }

        @Test
        void paddingAndStrideByHand() {
            assertArrayEquals(new double[] {4, 18, 36, 77}, convolve(singleChannel(2, 1, 1, Epilogue.NONE), null));
        }

        @Test
        void dilationByHand() {
            assertArrayEquals(new double[] {1 + 3 * 2 + 7 * 3 + 9 * 4}, convolve(singleChannel(1, 0, 2, Epilogue.NONE), null));
        }

        @Test
        void biasAndActivationEpilogue() {
            Operand bias = floats(shape(1), -20);
            assertArrayEquals(new double[] {0, 0, 16, 57},
                    convolve(singleChannel(2, 1, 1, Epilogue.activation(UnaryOp.RELU, 0)), bias));
        }

        @Test
        void asymmetricPaddingByHand() {
            Conv2dSpec spec = new Conv2dSpec(1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 1, 1, 0, 1, 1, 1, Epilogue.NONE);
            // rows [0, 3) padded below, columns padded on the left: y[i][j] = Σ x[i + kh][j - 1 + kw] w[kh][kw]
            assertArrayEquals(new double[] {
                    2 * 1 + 4 * 4, 1 + 2 * 2 + 3 * 4 + 4 * 5, 2 + 2 * 3 + 3 * 5 + 4 * 6,
                    2 * 4 + 4 * 7, 4 + 2 * 5 + 3 * 7 + 4 * 8, 5 + 2 * 6 + 3 * 8 + 4 * 9,
                    2 * 7, 7 + 2 * 8, 8 + 2 * 9},
                    convolve(spec, null));
        }

        @Test
        void groupsConvolveEachGroupOnItsOwn() {
            Operand x = floats(shape(1, 2, 3, 3), 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            Operand w = floats(shape(2, 1, 2, 2), 1, 2, 3, 4, 1, 0, 0, -1);
            Conv2dSpec spec = new Conv2dSpec(1, 2, 3, 3, 2, 2, 2, 1, 1, 0, 0, 0, 0, 1, 1, 2, Epilogue.NONE);
            Operand y = garbage(DType.FLOAT32, 1, 2, 2, 2);
            backend.conv2d(spec, x, w, null, y);
            assertArrayEquals(new double[] {37, 47, 67, 77, 0, 0, 0, 0}, values(y));
        }

        /** Groups 2, 4 → 6 channels, stride 2, dilation 2 and uneven padding. */
        private static Conv2dSpec groupedSpec() {
            return new Conv2dSpec(2, 4, 7, 6, 6, 3, 2, 2, 1, 1, 2, 2, 0, 2, 1, 2, Epilogue.NONE);
        }

        @Test
        void backwardKernelsAreTheAdjointsOfTheForward() {
            Conv2dSpec spec = groupedSpec();
            Random random = new Random(7);
            Operand x = randomDoubles(random, 2, 4, 7, 6);
            Operand w = randomDoubles(random, 6, 2, 3, 2);
            Operand gy = randomDoubles(random, 2, 6, spec.outHeight(), spec.outWidth());
            Operand y = garbage(DType.FLOAT64, 2, 6, spec.outHeight(), spec.outWidth());
            Operand gx = garbage(DType.FLOAT64, 2, 4, 7, 6);
            Operand gw = garbage(DType.FLOAT64, 6, 2, 3, 2);
            Operand gb = garbage(DType.FLOAT64, 6);
            backend.conv2d(spec, x, w, null, y);
            backend.conv2dBackwardInput(spec, gy, w, gx);
            backend.conv2dBackwardWeight(spec, x, gy, gw, gb);
            double forward = dot(values(y), values(gy));
            assertEquals(forward, dot(values(x), values(gx)), 1e-12);
            assertEquals(forward, dot(values(w), values(gw)), 1e-12);
            // The bias's gradient: each channel's sum of gy (the adjoint of adding it to every pixel).
            double[] gys = values(gy);
            int pixels = spec.outHeight() * spec.outWidth();
            for (int co = 0; co < 6; co++) {
                double sum = 0;
                for (int n = 0; n < 2; n++) {
                    for (int p = 0; p < pixels; p++) {
                        sum += gys[(n * 6 + co) * pixels + p];
                    }
                }
                assertEquals(sum, values(gb)[co], 1e-12, "gb[" + co + "]");
            }
            // Without gb only gw is written.
            Operand gwAlone = garbage(DType.FLOAT64, 6, 2, 3, 2);
            backend.conv2dBackwardWeight(spec, x, gy, gwAlone, null);
            assertArrayEquals(values(gw), values(gwAlone), 0);
        }

        @Test
        void depthwiseKernelsEqualTheGroupedConvolution() {
            Conv2dSpec spec = new Conv2dSpec(2, 3, 6, 5, 3, 3, 3, 2, 1, 1, 0, 2, 1, 2, 1, 3,
                    new Epilogue(1.5, 0, UnaryOp.LEAKY_RELU, 0.1));
            Random random = new Random(11);
            Operand x = randomDoubles(random, 2, 3, 6, 5);
            Operand w = randomDoubles(random, 3, 1, 3, 3);
            Operand bias = randomDoubles(random, 3);
            Operand gy = randomDoubles(random, 2, 3, spec.outHeight(), spec.outWidth());
            int[] yShape = shape(2, 3, spec.outHeight(), spec.outWidth());

            Operand grouped = garbage(DType.FLOAT64, yShape);
            Operand depthwise = garbage(DType.FLOAT64, yShape);
            backend.conv2d(spec, x, w, bias, grouped);
            backend.depthwiseConv2d(spec, x, w, bias, depthwise);
            assertArrayEquals(values(grouped), values(depthwise), 1e-15);

            Operand gxGrouped = garbage(DType.FLOAT64, 2, 3, 6, 5);
            Operand gxDepthwise = garbage(DType.FLOAT64, 2, 3, 6, 5);
            backend.conv2dBackwardInput(spec, gy, w, gxGrouped);
            backend.depthwiseConv2dBackwardInput(spec, gy, w, gxDepthwise);
            assertArrayEquals(values(gxGrouped), values(gxDepthwise), 1e-15);

            Operand gwGrouped = garbage(DType.FLOAT64, 3, 1, 3, 3);
            Operand gwDepthwise = garbage(DType.FLOAT64, 3, 1, 3, 3);
            Operand gbGrouped = garbage(DType.FLOAT64, 3);
            Operand gbDepthwise = garbage(DType.FLOAT64, 3);
            backend.conv2dBackwardWeight(spec, x, gy, gwGrouped, gbGrouped);
            backend.depthwiseConv2dBackwardWeight(spec, x, gy, gwDepthwise, gbDepthwise);
            assertArrayEquals(values(gwGrouped), values(gwDepthwise), 1e-15);
            assertArrayEquals(values(gbGrouped), values(gbDepthwise), 0);
        }
    }

    // ---- pooling ----

    @Nested
    class Pooling {
        private static Pool2dSpec spec(Pool2dSpec.Kind kind, int size, int kernel, int stride, int pad,
                                       boolean ceilMode, boolean countIncludePad) {
            return new Pool2dSpec(kind, 1, 1, size, size, kernel, kernel, stride, stride, pad, pad, pad, pad,
                    ceilMode, countIncludePad);
        }

        private double[] pool(Pool2dSpec spec) {
            int n = spec.inHeight() * spec.inWidth();
            double[] image = new double[n];
            for (int i = 0; i < n; i++) {
                image[i] = i + 1;
            }
            Operand x = floats(shape(1, 1, spec.inHeight(), spec.inWidth()), image);
            Operand y = garbage(DType.FLOAT32, 1, 1, spec.outHeight(), spec.outWidth());
            backend.pool2d(spec, x, y);
            return values(y);
        }

        @Test
        void maxAndAveragePoolingWithoutPadding() {
            assertArrayEquals(new double[] {6, 8, 14, 16}, pool(spec(Pool2dSpec.Kind.MAX, 4, 2, 2, 0, false, false)));
            assertArrayEquals(new double[] {3.5, 5.5, 11.5, 13.5}, pool(spec(Pool2dSpec.Kind.AVG, 4, 2, 2, 0, false, false)));
        }

        @Test
        void averageWithPaddingCountsPaddingOnlyWhenAsked() {
            assertArrayEquals(new double[] {1, 2.5, 5.5, 7}, pool(spec(Pool2dSpec.Kind.AVG, 3, 2, 2, 1, false, false)));
            assertArrayEquals(new double[] {0.25, 1.25, 2.75, 7}, pool(spec(Pool2dSpec.Kind.AVG, 3, 2, 2, 1, false, true)));
        }

        @Test
        void ceilModeWindowsAreClippedToThePaddedInputForTheDivisor() {
            Pool2dSpec includePad = spec(Pool2dSpec.Kind.AVG, 4, 3, 2, 1, true, true);
            assertEquals(3, includePad.outHeight());
            double[] counted = pool(includePad);
            assertEquals(14.0 / 9, counted[0], 1e-6);
            assertEquals(12.0 / 6, counted[2], 1e-6);
            assertEquals(99.0 / 9, counted[4], 1e-6);
            assertEquals(16.0 / 4, counted[8], 1e-6);
            double[] notCounted = pool(spec(Pool2dSpec.Kind.AVG, 4, 3, 2, 1, true, false));
            assertEquals(14.0 / 4, notCounted[0], 1e-6);
            assertEquals(16.0, notCounted[8], 1e-6);
        }

        @Test
        void maxPoolingIgnoresPaddingInCeilMode() {
            Operand x = floats(shape(1, 1, 4, 4), -16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1);
            Pool2dSpec spec = spec(Pool2dSpec.Kind.MAX, 4, 3, 2, 1, true, false);
            Operand y = garbage(DType.FLOAT32, 1, 1, 3, 3);
            backend.pool2d(spec, x, y);
            assertArrayEquals(new double[] {-11, -9, -9, -3, -1, -1, -3, -1, -1}, values(y));
        }

        @Test
        void maxBackwardSendsEachGradientToTheFirstMaximum() {
            Operand ties = floats(shape(1, 1, 2, 2), 1, 1, 1, 1);
            Operand gy = floats(shape(1, 1, 1, 1), 5);
            Operand gx = garbage(DType.FLOAT32, 1, 1, 2, 2);
            Pool2dSpec spec = spec(Pool2dSpec.Kind.MAX, 2, 2, 2, 0, false, false);
            backend.pool2dBackward(spec, ties, gy, gx);
            assertArrayEquals(new double[] {5, 0, 0, 0}, values(gx));
        }

        @Test
        void maxBackwardAddsUpOverlappingWindows() {
            Operand x = floats(shape(1, 1, 1, 3), 1, 3, 2);
            Operand gy = floats(shape(1, 1, 1, 2), 10, 20);
            Operand gx = garbage(DType.FLOAT32, 1, 1, 1, 3);
            Pool2dSpec spec = new Pool2dSpec(Pool2dSpec.Kind.MAX, 1, 1, 1, 3, 1, 2, 1, 1, 0, 0, 0, 0, false, false);
            backend.pool2dBackward(spec, x, gy, gx);
            assertArrayEquals(new double[] {0, 30, 0}, values(gx));
        }

        @Test
        void averageBackwardIsTheAdjointOfTheForward() {
            for (boolean includePad : new boolean[] {false, true}) {
                Pool2dSpec spec = new Pool2dSpec(Pool2dSpec.Kind.AVG, 2, 2, 5, 6, 3, 2, 2, 2, 1, 0, 1, 1, true, includePad);
                Random random = new Random(3);
                Operand x = randomDoubles(random, 2, 2, 5, 6);
                Operand gy = randomDoubles(random, 2, 2, spec.outHeight(), spec.outWidth());
                Operand y = garbage(DType.FLOAT64, 2, 2, spec.outHeight(), spec.outWidth());
                Operand gx = garbage(DType.FLOAT64, 2, 2, 5, 6);
                backend.pool2d(spec, x, y);
                backend.pool2dBackward(spec, x, gy, gx);
                assertEquals(dot(values(y), values(gy)), dot(values(x), values(gx)), 1e-12);
            }
        }
    }

    // ---- upsampling ----

    @Nested
    class Upsampling {
        private double[] resize(Upsample2dSpec spec, double... image) {
            Operand x = doubles(shape(1, 1, spec.inHeight(), spec.inWidth()), image);
            Operand y = garbage(DType.FLOAT64, 1, 1, spec.outHeight(), spec.outWidth());
            backend.upsample2d(spec, x, y);
            return values(y);
        }

        @Test
        void nearestRepeatsPixels() {
            Upsample2dSpec twice = new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 1, 2, 2, 4, 4, false);
            assertArrayEquals(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, resize(twice, 1, 2, 3, 4));
            Upsample2dSpec threeHalves = new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 1, 1, 2, 1, 3, false);
            assertArrayEquals(new double[] {1, 1, 2}, resize(threeHalves, 1, 2));
        }

        @Test
        void bilinearWithAlignedCorners() {
            Upsample2dSpec spec = new Upsample2dSpec(Upsample2dSpec.Mode.BILINEAR, 1, 1, 2, 2, 3, 3, true);
            assertArrayEquals(new double[] {0, 1.5, 3, 3, 4.5, 6, 6, 7.5, 9}, resize(spec, 0, 3, 6, 9), 1e-15);
        }

        @Test
        void bilinearWithAlignedCentresClampsAtTheEdges() {
            Upsample2dSpec spec = new Upsample2dSpec(Upsample2dSpec.Mode.BILINEAR, 1, 1, 2, 2, 4, 4, false);
            // Source coordinates 0 (clamped from -0.25), 0.25, 0.75 and 1.25 (both taps on the last pixel).
            double[] rows = {0, 2, 6, 8};
            double[] columns = {0, 1, 3, 4};
            double[] expected = new double[16];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    expected[i * 4 + j] = rows[i] + columns[j];
                }
            }
            assertArrayEquals(expected, resize(spec, 0, 4, 8, 12), 1e-15);
        }

        @Test
        void nearestBackwardSumsTheCopies() {
            Upsample2dSpec spec = new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 1, 2, 2, 4, 4, false);
            Operand gy = floats(shape(1, 1, 4, 4), 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
            Operand gx = garbage(DType.FLOAT32, 1, 1, 2, 2);
            backend.upsample2dBackward(spec, gy, gx);
            assertArrayEquals(new double[] {4, 4, 4, 4}, values(gx));
        }

        @Test
        void backwardIsTheAdjointOfTheForward() {
            Random random = new Random(5);
            for (Upsample2dSpec.Mode mode : Upsample2dSpec.Mode.values()) {
                for (boolean alignCorners : new boolean[] {false, true}) {
                    Upsample2dSpec spec = new Upsample2dSpec(mode, 2, 3, 3, 4, 7, 5, alignCorners);
                    Operand x = randomDoubles(random, 2, 3, 3, 4);
                    Operand gy = randomDoubles(random, 2, 3, 7, 5);
                    Operand y = garbage(DType.FLOAT64, 2, 3, 7, 5);
                    Operand gx = garbage(DType.FLOAT64, 2, 3, 3, 4);
                    backend.upsample2d(spec, x, y);
                    backend.upsample2dBackward(spec, gy, gx);
                    assertEquals(dot(values(y), values(gy)), dot(values(x), values(gx)), 1e-12);
                }
            }
        }
    }

    // ---- indexing ----

    @Nested
    class Indexing {
        @Test
        void gatherPicksAlongTheAxis() {
            Operand in = floats(shape(2, 3), 1, 2, 3, 4, 5, 6);
            Operand index = longs(shape(2, 2), 2, 0, 1, 1);
            Operand out = garbage(DType.FLOAT32, 2, 2);
            backend.gather(in, 1, index, out);
            assertArrayEquals(new double[] {3, 1, 5, 5}, values(out));
        }

        @Test
        void indexSelectPicksWholeSlices() {
            Operand in = longs(shape(2, 3), 1, 2, 3, 4, 5, 6);
            Operand rows = garbage(DType.INT64, 3, 3);
            backend.indexSelect(in, 0, longs(shape(3), 1, 0, 1), rows);
            assertArrayEquals(new long[] {4, 5, 6, 1, 2, 3, 4, 5, 6}, longValues(rows));
            Operand columns = garbage(DType.INT64, 2, 1);
            backend.indexSelect(in, 1, longs(shape(1), 2), columns);
            assertArrayEquals(new long[] {3, 6}, longValues(columns));
        }

        @Test
        void scatterAddAccumulatesRepeatedIndices() {
            Operand target = floats(shape(2, 3), 0, 0, 0, 100, 100, 100);
            Operand index = longs(shape(2, 4), 0, 2, 0, 0, 1, 1, 1, 1);
            Operand src = floats(shape(2, 4), 1, 2, 3, 4, 1, 2, 3, 4);
            backend.scatterAdd(target, 1, index, src);
            assertArrayEquals(new double[] {8, 0, 2, 100, 110, 100}, values(target));
        }

        @Test
        void anOutOfRangeIndexNamesTheKernelAxisIndexAndExtent() {
            Operand in = floats(shape(2, 3), 1, 2, 3, 4, 5, 6);
            Operand out = garbage(DType.FLOAT32, 2, 1);
            IndexOutOfBoundsException tooLarge = assertThrows(IndexOutOfBoundsException.class,
                    () -> backend.gather(in, 1, longs(shape(2, 1), 0, 3), out));
            assertTrue(tooLarge.getMessage().contains("gather"), tooLarge.getMessage());
            assertTrue(tooLarge.getMessage().contains("index 3"), tooLarge.getMessage());
            assertTrue(tooLarge.getMessage().contains("axis 1"), tooLarge.getMessage());
            assertTrue(tooLarge.getMessage().contains("extent 3"), tooLarge.getMessage());

            IndexOutOfBoundsException negative = assertThrows(IndexOutOfBoundsException.class,
                    () -> backend.indexSelect(in, 0, longs(shape(1), -1), garbage(DType.FLOAT32, 1, 3)));
            assertTrue(negative.getMessage().contains("indexSelect"), negative.getMessage());
            assertTrue(negative.getMessage().contains("index -1"), negative.getMessage());

            assertThrows(IndexOutOfBoundsException.class,
                    () -> backend.scatterAdd(in, 0, longs(shape(1, 1), 2), floats(shape(1, 1), 1)));
        }
    }

    // ---- random ----

    @Nested
    class RandomFill {
        private double[] draw(Distribution distribution, DType dtype, long seed, long offset, int count) {
            Operand out = garbage(dtype, count);
            backend.random(distribution, seed, offset, out);
            return values(out);
        }

        @Test
        void theSameSeedAndOffsetGiveTheSameNumbers() {
            assertArrayEquals(draw(Distribution.NORMAL, DType.FLOAT32, 42, 5, 100),
                    draw(Distribution.NORMAL, DType.FLOAT32, 42, 5, 100));
            double[] otherSeed = draw(Distribution.UNIFORM, DType.FLOAT32, 43, 5, 4);
            double[] seed = draw(Distribution.UNIFORM, DType.FLOAT32, 42, 5, 4);
            assertTrue(otherSeed[0] != seed[0] || otherSeed[1] != seed[1]);
        }

        @Test
        void aFillAtOffsetKIsTheTailOfAFillAtOffsetZero() {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                double[] whole = draw(Distribution.UNIFORM, dtype, 9, 0, 50);
                double[] tail = draw(Distribution.UNIFORM, dtype, 9, 20, 30);
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, 20, 50), tail);
            }
        }

        @Test
        void uniformLiesInTheHalfOpenUnitInterval() {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                for (double value : draw(Distribution.UNIFORM, dtype, 1, 0, 10_000)) {
                    assertTrue(value >= 0 && value < 1, () -> "uniform value " + value);
                }
            }
        }

        @Test
        void normalHasMeanZeroAndStandardDeviationOne() {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                double[] values = draw(Distribution.NORMAL, dtype, 2024, 0, 100_000);
                double mean = 0;
                for (double value : values) {
                    mean += value;
                }
                mean /= values.length;
                double variance = 0;
                for (double value : values) {
                    variance += (value - mean) * (value - mean);
                }
                double std = Math.sqrt(variance / (values.length - 1));
                assertEquals(0, mean, 0.02);
                assertEquals(1, std, 0.02);
            }
        }

        @Test
        void integerOutputsAreRejected() {
            Operand out = garbage(DType.INT32, 3);
            assertThrows(IllegalArgumentException.class, () -> backend.random(Distribution.UNIFORM, 1, 0, out));
        }
    }
}
