package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.Epilogue;
import io.gasok.spi.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CpuDepthwise} against the reference backend (see {@link ConvTestCase} for the tolerance). */
class CpuDepthwiseTest {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    private static Conv2dSpec depthwise(int batch, int channels, int height, int width, int kernel, int stride,
                                        int pad, Epilogue epilogue) {
        return new Conv2dSpec(batch, channels, height, width, channels, kernel, kernel, stride, stride,
                pad, pad, pad, pad, 1, 1, channels, epilogue);
    }

    /** A random small depthwise spec (channels may be 1: a plain convolution), widths past a vector. */
    private static Conv2dSpec randomSpec(Random random) {
        while (true) {
            int channels = 1 + random.nextInt(5);
            Conv2dSpec spec = new Conv2dSpec(1 + random.nextInt(2), channels,
                    1 + random.nextInt(9), 1 + random.nextInt(40), channels,
                    1 + random.nextInt(4), 1 + random.nextInt(4), 1 + random.nextInt(3), 1 + random.nextInt(3),
                    random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(3),
                    1 + random.nextInt(2), 1 + random.nextInt(2), channels, ConvTestCase.randomEpilogue(random));
            if (spec.outHeight() >= 1 && spec.outWidth() >= 1) {
                return spec;
            }
        }
    }

    @Test
    void matchesTheReferenceOnRandomSmallSpecsForEveryKernelDtypeAndThreadCount() {
        Random random = new Random(43);
        for (int trial = 0; trial < 80; trial++) {
            Conv2dSpec spec = randomSpec(random);
            boolean withBias = random.nextBoolean();
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            WorkerPool pool = trial % 3 == 0 ? ONE_THREAD : TWO_THREADS;
            for (ConvTestCase.Kernel kernel : ConvTestCase.Kernel.values()) {
                ConvTestCase.check(spec, withBias, dtype, kernel, trial, pool);
            }
        }
    }

    @Test
    void matchesTheReferenceAtYoloDepthwiseShapesWithStrideOneAndTwo() {
        Epilogue silu = Epilogue.activation(UnaryOp.SILU, 0);
        for (int stride : new int[] {1, 2}) {
            Conv2dSpec spec = depthwise(1, 96, 40, 40, 3, stride, 1, silu);
            for (ConvTestCase.Kernel kernel : ConvTestCase.Kernel.values()) {
                ConvTestCase.check(spec, true, DType.FLOAT32, kernel, stride, TWO_THREADS);
            }
        }
    }

    /**
     * The 3×3 stride-1 kernels write y themselves when the epilogue is the bias (and an activation);
     * heights that leave a last group moved back over finished rows, widths with an overlapping last
     * vector, rows just wide enough for the bands and one column short of them (48 and 47 columns on
     * 8 lanes), bands with an overlapping last vector (53), and the epilogues that still go through the row of sums.
     */
    @Test
    void theThreeByThreeStrideOneKernelMatchesTheReferenceForEveryEpilogue() {
        Epilogue[] epilogues = {Epilogue.NONE, Epilogue.activation(UnaryOp.SILU, 0),
                Epilogue.activation(UnaryOp.RELU, 0), new Epilogue(0.5, 0, UnaryOp.RELU, 0), new Epilogue(1, 0.75, null, 0)};
        int trial = 0;
        for (int[] hw : new int[][] {{4, 8}, {7, 13}, {10, 40}, {21, 19}, {9, 37}, {6, 48}, {8, 47}, {7, 53}}) {
            for (Epilogue epilogue : epilogues) {
                for (boolean withBias : new boolean[] {true, false}) {
                    Conv2dSpec spec = depthwise(2, 3, hw[0], hw[1], 3, 1, 1, epilogue);
                    ConvTestCase.check(spec, withBias, DType.FLOAT32, ConvTestCase.Kernel.FORWARD, trial++,
                            trial % 2 == 0 ? ONE_THREAD : TWO_THREADS);
                }
            }
        }
    }

    /**
     * The 3×3 stride-2 kernel (stride-1 columns, even ones kept): heights that leave a last group
     * moved back, output widths odd and even, no padding and asymmetric padding, every epilogue;
     * and planes too small for it (phased path).
     */
    @Test
    void theThreeByThreeStrideTwoKernelMatchesTheReferenceForEveryEpilogue() {
        Epilogue[] epilogues = {Epilogue.NONE, Epilogue.activation(UnaryOp.SILU, 0),
                new Epilogue(0.5, 0, UnaryOp.RELU, 0), new Epilogue(1, 0.75, UnaryOp.TANH, 0)};
        int trial = 0;
        for (int[] hw : new int[][] {{12, 16}, {13, 17}, {20, 40}, {23, 9}, {9, 30}, {40, 7}}) {
            for (int[] pads : new int[][] {{1, 1, 1, 1}, {0, 0, 0, 0}, {0, 1, 1, 0}}) {
                for (Epilogue epilogue : epilogues) {
                    Conv2dSpec spec = new Conv2dSpec(2, 3, hw[0], hw[1], 3, 3, 3, 2, 2,
                            pads[0], pads[1], pads[2], pads[3], 1, 1, 3, epilogue);
                    ConvTestCase.check(spec, trial % 2 == 0, DType.FLOAT32, ConvTestCase.Kernel.FORWARD, trial++,
                            trial % 3 == 0 ? ONE_THREAD : TWO_THREADS);
                }
            }
        }
    }

    /**
     * Operands that fill their buffers exactly (no offset, nothing after the last plane): the
     * vector loads that read whole rows, or a pair of vectors to deinterleave at stride 2, must not
     * run past the end of x. Same bits as the same call on operands with slack around them.
     */
    @Test
    void readsNothingPastTheEndOfAnExactlySizedInput() {
        Random random = new Random(12);
        for (int stride : new int[] {1, 2}) {
            for (int width : new int[] {31, 32, 160}) {
                Conv2dSpec spec = depthwise(1, 3, 5, width, 3, stride, 1, Epilogue.NONE);
                double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
                double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
                double[] y = ConvTestCase.sentinels(ConvTestCase.shapeY(spec));
                double[] expected = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, null, y,
                        ConvTestCase.shapeY(spec), ONE_THREAD);
                Operand exactX = exact(x, ConvTestCase.shapeX(spec));
                Operand exactW = exact(w, ConvTestCase.shapeW(spec));
                Operand exactY = exact(new double[y.length], ConvTestCase.shapeY(spec));
                CpuDepthwise.forward(spec, exactX, exactW, null, exactY, ONE_THREAD);
                float[] actual = CpuBuffer.floats(exactY);
                for (int i = 0; i < actual.length; i++) {
                    assertEquals((float) expected[ConvTestCase.OFFSET + i], actual[i], "stride " + stride + ", width " + width + ", y[" + i + "]");
                }
            }
        }
    }

    /** The values of a test array (past its leading sentinels) in a FLOAT32 buffer of exactly their size. */
    private static Operand exact(double[] values, int[] shape) {
        CpuBuffer buffer = new CpuBuffer(DType.FLOAT32, Operand.sizeOf(shape));
        float[] floats = (float[]) buffer.array();
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (float) values[ConvTestCase.OFFSET + i];
        }
        return Operand.contiguous(buffer, 0, shape);
    }

    /**
     * The 3×3 stride-1 bands and the per-position kernel give the same bits: a plane just wide enough
     * for the bands and the same plane less its last column (a position at a time) agree exactly on
     * every output that does not read that column, with the bias stored from registers and through
     * the row of sums.
     */
    @Test
    void theThreeByThreeBandsAndPerPositionKernelGiveTheSameBits() {
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        int wide = CpuDepthwise.BAND_POSITIONS * lanes;
        Random random = new Random(21);
        for (Epilogue epilogue : new Epilogue[] {Epilogue.NONE, new Epilogue(0.5, 0, UnaryOp.RELU, 0)}) {
            Conv2dSpec bands = depthwise(1, 3, 11, wide, 3, 1, 1, epilogue);
            Conv2dSpec positions = depthwise(1, 3, 11, wide - 1, 3, 1, 1, epilogue);
            double[] x = ConvTestCase.values(ConvTestCase.shapeX(bands), random);
            double[] xNarrow = ConvTestCase.sentinels(ConvTestCase.shapeX(positions));
            for (int row = 0; row < 3 * 11; row++) {
                System.arraycopy(x, ConvTestCase.OFFSET + row * wide, xNarrow, ConvTestCase.OFFSET + row * (wide - 1),
                        wide - 1);
            }
            double[] w = ConvTestCase.values(ConvTestCase.shapeW(bands), random);
            double[] bias = ConvTestCase.values(new int[] {3}, random);
            double[] yWide = ConvTestCase.runCpu(bands, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, bias,
                    ConvTestCase.sentinels(ConvTestCase.shapeY(bands)), ConvTestCase.shapeY(bands), ONE_THREAD);
            double[] yNarrow = ConvTestCase.runCpu(positions, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, xNarrow, w, bias,
                    ConvTestCase.sentinels(ConvTestCase.shapeY(positions)), ConvTestCase.shapeY(positions), ONE_THREAD);
            for (int row = 0; row < 3 * 11; row++) {
                for (int column = 0; column < wide - 2; column++) {
                    assertEquals(yNarrow[ConvTestCase.OFFSET + row * (wide - 1) + column],
                            yWide[ConvTestCase.OFFSET + row * wide + column], epilogue + ": row " + row + ", column " + column);
                }
            }
        }
    }

    @Test
    void everyKernelGivesTheSameBitsOnOneAndTwoThreads() {
        Conv2dSpec spec = depthwise(2, 24, 30, 30, 3, 2, 1, new Epilogue(1, 0.5, UnaryOp.RELU, 0));
        Random random = new Random(9);
        double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
        double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
        double[] y = ConvTestCase.values(ConvTestCase.shapeY(spec), random);
        double[] bias = ConvTestCase.values(new int[] {spec.outChannels()}, random);
        double[][] runs = new double[2][];
        for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS}) {
            double[] forward = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, bias, y,
                    ConvTestCase.shapeY(spec), pool);
            double[] input = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.BACKWARD_INPUT, DType.FLOAT32, y, w, null,
                    ConvTestCase.sentinels(ConvTestCase.shapeX(spec)), ConvTestCase.shapeX(spec), pool);
            double[] weight = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.BACKWARD_WEIGHT, DType.FLOAT32, x, y, null,
                    ConvTestCase.sentinels(ConvTestCase.shapeW(spec)), ConvTestCase.shapeW(spec), pool);
            runs[pool.threads() - 1] = concat(forward, input, weight);
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    private static double[] concat(double[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }
}
