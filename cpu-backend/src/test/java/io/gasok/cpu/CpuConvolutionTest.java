package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CpuConvolution} against the reference backend (see {@link ConvTestCase} for the tolerance). */
class CpuConvolutionTest {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    private static Conv2dSpec spec(int batch, int inChannels, int height, int width, int outChannels,
                                   int kernel, int stride, int pad, int groups, Epilogue epilogue) {
        return new Conv2dSpec(batch, inChannels, height, width, outChannels, kernel, kernel, stride, stride,
                pad, pad, pad, pad, 1, 1, groups, epilogue);
    }

    /** A random small non-depthwise spec: groups, asymmetric padding, stride and dilation per axis. */
    private static Conv2dSpec randomSpec(Random random) {
        while (true) {
            int groups = 1 + random.nextInt(3);
            int inPerGroup = 1 + random.nextInt(4);
            int outPerGroup = 1 + random.nextInt(4);
            Conv2dSpec spec = new Conv2dSpec(1 + random.nextInt(2), groups * inPerGroup,
                    1 + random.nextInt(9), 1 + random.nextInt(9), groups * outPerGroup,
                    1 + random.nextInt(4), 1 + random.nextInt(4), 1 + random.nextInt(3), 1 + random.nextInt(3),
                    random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(3),
                    1 + random.nextInt(2), 1 + random.nextInt(2), groups, ConvTestCase.randomEpilogue(random));
            if (!spec.isDepthwise() && spec.outHeight() >= 1 && spec.outWidth() >= 1) {
                return spec;
            }
        }
    }

    @Test
    void matchesTheReferenceOnRandomSmallSpecsForEveryKernelDtypeAndThreadCount() {
        Random random = new Random(41);
        for (int trial = 0; trial < 60; trial++) {
            Conv2dSpec spec = randomSpec(random);
            boolean withBias = random.nextBoolean();
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            WorkerPool pool = trial % 3 == 0 ? ONE_THREAD : TWO_THREADS;
            for (ConvTestCase.Kernel kernel : ConvTestCase.Kernel.values()) {
                ConvTestCase.check(spec, withBias, dtype, kernel, trial, pool);
            }
        }
    }

    /**
     * Rows wide enough for the FP32 forward's im2col to copy whole micro-panels as vectors (masked
     * at the padding), with dilation, asymmetric padding and several tiles per image.
     */
    @Test
    void matchesTheReferenceOnRowsWideEnoughForWholeVectorIm2col() {
        Random random = new Random(97);
        for (int trial = 0; trial < 16; trial++) {
            int groups = 1 + random.nextInt(2);
            Conv2dSpec spec = new Conv2dSpec(1 + random.nextInt(2), groups * (1 + random.nextInt(6)),
                    2 + random.nextInt(14), 17 + random.nextInt(48), groups * (1 + random.nextInt(9)),
                    1 + random.nextInt(4), 1 + random.nextInt(4), 1 + random.nextInt(2), 1,
                    random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(3),
                    1 + random.nextInt(2), 1 + random.nextInt(2), groups, ConvTestCase.randomEpilogue(random));
            if (spec.isDepthwise() || spec.outHeight() < 1 || spec.outWidth() < 1) {
                continue;
            }
            ConvTestCase.check(spec, random.nextBoolean(), DType.FLOAT32, ConvTestCase.Kernel.FORWARD, trial,
                    trial % 2 == 0 ? ONE_THREAD : TWO_THREADS);
        }
    }

    /**
     * With alpha 1 the FP32 forward packs the bias after each row's weights and each packed column
     * (im2col's, or x's for a 1×1 convolution) ends with a one: output channels not a whole number
     * of micro-panel rows, groups, beta and an activation, several tiles; with alpha 0.5 the bias
     * is prefilled into y instead.
     */
    @Test
    void forwardAddsTheBiasAsOneMoreDepthStep() {
        Conv2dSpec[] shapes = {
            spec(2, 5, 37, 41, 7, 3, 1, 1, 1, new Epilogue(1, 0.75, UnaryOp.SILU, 0)),
            spec(1, 6, 50, 45, 10, 3, 2, 1, 2, Epilogue.NONE),
            spec(1, 6, 50, 45, 10, 3, 2, 1, 2, new Epilogue(0.5, 0, UnaryOp.RELU, 0)),
            spec(2, 6, 9, 23, 14, 1, 1, 0, 2, new Epilogue(1, 0.75, UnaryOp.TANH, 0)),
            spec(1, 9, 40, 40, 5, 1, 1, 0, 1, Epilogue.NONE),
        };
        for (Conv2dSpec spec : shapes) {
            for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS}) {
                ConvTestCase.check(spec, true, DType.FLOAT32, ConvTestCase.Kernel.FORWARD, 19, pool);
            }
        }
    }

    @Test
    void pointwiseConvolutionsReadTheInputAsTheColumnMatrix() {
        Conv2dSpec spec = spec(2, 6, 5, 7, 4, 1, 1, 0, 2, new Epilogue(0.5, 0.75, UnaryOp.RELU, 0));
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (ConvTestCase.Kernel kernel : ConvTestCase.Kernel.values()) {
                ConvTestCase.check(spec, true, dtype, kernel, 7, TWO_THREADS);
            }
        }
    }

    @Test
    void matchesTheReferenceAtYoloLayerShapesWithSeveralTilesPerImage() {
        Epilogue silu = Epilogue.activation(UnaryOp.SILU, 0);
        Conv2dSpec[] shapes = {
            spec(1, 16, 80, 80, 32, 3, 1, 1, 1, silu),
            spec(1, 64, 40, 40, 128, 3, 2, 1, 1, silu),
            spec(1, 128, 20, 20, 256, 1, 1, 0, 1, silu),
        };
        for (Conv2dSpec spec : shapes) {
            for (ConvTestCase.Kernel kernel : ConvTestCase.Kernel.values()) {
                ConvTestCase.check(spec, true, DType.FLOAT32, kernel, 3, TWO_THREADS);
            }
        }
    }

    /**
     * The forward of few channels that reads its columns in place ({@code InPlaceColumns}, at most
     * 16 channels a group in and out, the 4 × 2 tile): micro-tiles across row ends and past the last
     * row, output rows of their own at vertical strides above 1, widths around a micro-tile (16),
     * groups, dilation, padding wider than the kernel's reach, a padded 1 × 1 kernel, alpha ≠ 1
     * without a bias (through the tile) and beta 1 with one; against the reference on one to three
     * threads, and the same bits on each.
     */
    @Test
    void theInPlaceForwardOfFewChannelsMatchesTheReferenceOnEveryThreadCount() {
        Conv2dSpec[] shapes = {
            spec(1, 16, 20, 17, 16, 3, 1, 1, 1, new Epilogue(1, 0, UnaryOp.RELU, 0)),
            spec(2, 48, 9, 31, 48, 3, 1, 1, 3, new Epilogue(1, 1, null, 0)),
            new Conv2dSpec(1, 3, 23, 33, 16, 3, 3, 2, 1, 0, 2, 3, 1, 2, 1, 1, new Epilogue(1, 0.5, UnaryOp.LEAKY_RELU, 0.1)),
            new Conv2dSpec(2, 8, 7, 16, 6, 5, 5, 3, 3, 5, 4, 5, 4, 1, 1, 2, new Epilogue(0.5, 0, null, 0)),
            new Conv2dSpec(1, 4, 5, 15, 10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, Epilogue.NONE),
        };
        for (Conv2dSpec spec : shapes) {
            for (boolean bias : new boolean[] {true, false}) {
                double[][] bits = new double[3][];
                WorkerPool[] pools = {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS, KernelFixtures.THREE_THREADS};
                for (int t = 0; t < pools.length; t++) {
                    ConvTestCase.check(spec, bias, DType.FLOAT32, ConvTestCase.Kernel.FORWARD, 23, pools[t]);
                    Random random = new Random(29);
                    double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
                    double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
                    double[] b = bias ? ConvTestCase.values(new int[] {spec.outChannels()}, random) : null;
                    double[] y = ConvTestCase.values(ConvTestCase.shapeY(spec), random);
                    bits[t] = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, b, y,
                            ConvTestCase.shapeY(spec), pools[t]);
                }
                assertArrayEquals(bits[0], bits[1], spec + " on one and two threads");
                assertArrayEquals(bits[0], bits[2], spec + " on one and three threads");
            }
        }
    }

    /**
     * Weights of at least {@link CpuConvolution#PARALLEL_PACK_FLOATS} floats that the parts share are
     * packed (for the stride-1 input gradient, transposed and flipped) by the pool's threads, each
     * taking a range of row panels: two groups, output channels and taps per group that are no multiple of the
     * micro-tile's rows (a range ends inside a group and mid-group panels start another's), the bias
     * as a depth step and, with alpha ≠ 1, not; against the reference on one to three threads, and
     * the same bits on each.
     */
    @Test
    void weightsPreparedOnSeveralThreadsMatchTheReference() {
        Conv2dSpec[] shapes = {
            spec(1, 130, 9, 11, 118, 3, 1, 1, 2, new Epilogue(1, 0.5, UnaryOp.RELU, 0)),
            spec(1, 130, 9, 11, 118, 3, 1, 1, 2, new Epilogue(0.5, 0, null, 0)),
            spec(1, 118, 13, 10, 130, 3, 2, 1, 2, Epilogue.NONE),
        };
        WorkerPool[] pools = {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS, KernelFixtures.THREE_THREADS};
        for (Conv2dSpec spec : shapes) {
            assertTrue(spec.outChannels() * spec.inChannels() / spec.groups() * 9 >= CpuConvolution.PARALLEL_PACK_FLOATS);
            for (ConvTestCase.Kernel kernel : new ConvTestCase.Kernel[] {ConvTestCase.Kernel.FORWARD,
                    ConvTestCase.Kernel.BACKWARD_INPUT}) {
                assertMatchesTheReferenceWithTheSameBitsOnEachPool(spec, kernel, 41, 43, pools);
            }
        }
    }

    /**
     * The FP32 forward's parts pack copies of the weights of their own where those are few against
     * the flops ({@link CpuConvolution#ownWeights}), and share one copy packed by the pool where
     * not; the stride-1 input gradient packs them transposed and flipped either way. Each part pads
     * the input rows its tiles read into its own buffer, image by image where its tiles span
     * images. Both ways, forward and stride-1 input gradient, at stride 1 and 2, with groups and
     * several images, match the reference on one to three threads, with the same bits on each.
     */
    @Test
    void ownAndSharedWeightCopiesGiveTheSameBitsOnEveryThreadCount() {
        Epilogue leaky = new Epilogue(1, 0, UnaryOp.LEAKY_RELU, 0.1);
        Conv2dSpec[] own = {
            spec(1, 16, 40, 40, 24, 3, 1, 1, 1, leaky),
            spec(3, 40, 20, 20, 36, 3, 1, 1, 2, Epilogue.NONE),
            spec(3, 40, 21, 20, 36, 3, 2, 1, 2, leaky),
        };
        Conv2dSpec[] shared = {
            spec(1, 64, 6, 6, 96, 3, 1, 1, 1, leaky),
            spec(2, 64, 7, 6, 96, 3, 2, 1, 2, Epilogue.NONE),
        };
        WorkerPool[] pools = {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS, KernelFixtures.THREE_THREADS};
        for (boolean owned : new boolean[] {true, false}) {
            for (Conv2dSpec spec : owned ? own : shared) {
                for (ConvTestCase.Kernel kernel : new ConvTestCase.Kernel[] {ConvTestCase.Kernel.FORWARD,
                        ConvTestCase.Kernel.BACKWARD_INPUT}) {
                    boolean forward = kernel == ConvTestCase.Kernel.FORWARD;
                    if (!forward && spec.strideHeight() > 1) {
                        continue; // the stride-2 input gradient is no forward convolution
                    }
                    int groups = spec.groups();
                    int rows = (forward ? spec.outChannels() : spec.inChannels()) / groups;
                    int depth = (forward ? spec.inChannels() : spec.outChannels()) / groups * 9 + (forward ? 1 : 0);
                    long floats = (long) groups * Im2col.ceilDiv(rows, GemmFloat32MicroKernels.MR)
                            * GemmFloat32MicroKernels.MR * depth;
                    for (int threads = 2; threads <= 3; threads++) {
                        assertEquals(owned, CpuConvolution.ownWeights(spec, floats, !forward, threads),
                                spec + " " + kernel + " on " + threads + " threads");
                    }
                    assertMatchesTheReferenceWithTheSameBitsOnEachPool(spec, kernel, 17, 19, pools);
                }
            }
        }
    }

    /**
     * The FP32 forward whose output rows are narrower than a micro-panel reads its columns from tap
     * planes ({@code CpuConvolution.TapPlanes}): strides 1 to 3 per axis, dilation, asymmetric
     * padding, padding wider than the kernel's reach (whole zero plane rows), a row phase no tap
     * reads, groups, several images, output channels no multiple of the micro-tile's rows, the bias
     * as a depth step and (alpha ≠ 1) prefilled, micro-panels across output rows and an edge panel;
     * the input gradients too (at stride 1 a forward convolution); against the reference on one to three
     * threads, and the same bits on each. Widths from 5 so that some go this way at every NR, and
     * rows of 23 and 39 outputs, several vectors of planes a row at every lane count; planes of
     * 128 and 512 channels, built a band of output rows at a time.
     */
    @Test
    void theForwardReadingTapPlanesMatchesTheReferenceOnEveryThreadCount() {
        Conv2dSpec[] shapes = {
            spec(2, 24, 11, 13, 20, 3, 2, 1, 2, new Epilogue(1, 0, UnaryOp.LEAKY_RELU, 0.1)),
            spec(1, 40, 20, 20, 70, 3, 2, 1, 1, Epilogue.activation(UnaryOp.SILU, 0)),
            spec(1, 33, 12, 12, 35, 3, 1, 1, 1, new Epilogue(0.5, 0.75, UnaryOp.RELU, 0)),
            spec(3, 18, 17, 9, 13, 3, 1, 1, 1, Epilogue.NONE),
            new Conv2dSpec(1, 12, 23, 19, 14, 3, 3, 3, 2, 0, 3, 2, 1, 2, 1, 2, new Epilogue(1, 0.5, null, 0)),
            new Conv2dSpec(2, 10, 16, 15, 9, 2, 3, 1, 3, 4, 0, 4, 2, 1, 2, 1, new Epilogue(1, 0, UnaryOp.TANH, 0)),
            new Conv2dSpec(1, 8, 12, 10, 11, 1, 3, 3, 1, 0, 1, 0, 1, 1, 1, 1, Epilogue.NONE),
            // Rows of several vectors (23 and 39 outputs), an odd width, padding past a dilated tap's reach.
            spec(1, 5, 6, 45, 9, 3, 2, 1, 1, Epilogue.activation(UnaryOp.RELU, 0)),
            new Conv2dSpec(1, 4, 5, 38, 7, 3, 3, 1, 1, 1, 2, 0, 3, 1, 2, 1, Epilogue.NONE),
            // Planes of more rows than a band holds: built band by band, at stride 2 and 1.
            spec(1, 128, 40, 40, 8, 3, 2, 1, 1, Epilogue.activation(UnaryOp.SILU, 0)),
            spec(2, 512, 10, 10, 5, 3, 1, 1, 1, Epilogue.NONE),
        };
        WorkerPool[] pools = {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS, KernelFixtures.THREE_THREADS};
        int planar = 0;
        int banded = 0;
        for (Conv2dSpec spec : shapes) {
            CpuConvolution.Geometry geometry = CpuConvolution.Geometry.of(spec);
            if (CpuConvolution.TapPlanes.applies(spec, geometry)) {
                planar++;
                if (CpuConvolution.TapPlanes.of(spec, geometry, true, geometry.packedTilePixels()).bandRows()
                        < spec.outHeight()) {
                    banded++;
                }
            }
            assertMatchesTheReferenceWithTheSameBitsOnEachPool(spec, ConvTestCase.Kernel.FORWARD, 23, 29, pools);
            assertMatchesTheReferenceWithTheSameBitsOnEachPool(spec, ConvTestCase.Kernel.BACKWARD_INPUT, 23, 29, pools);
        }
        assertTrue(planar > 0, "no shape reads tap planes at NR = " + GemmFloat32MicroKernels.NR);
        assertTrue(banded > 0, "no shape builds its tap planes in bands at NR = " + GemmFloat32MicroKernels.NR);
    }

    /**
     * The FP32 kernel (forward, with a bias, or input gradient) of spec against the reference on each
     * pool ({@link ConvTestCase#check}, seed {@code checkSeed}), and the same bits on all of them for
     * inputs drawn from {@code valuesSeed}.
     */
    private static void assertMatchesTheReferenceWithTheSameBitsOnEachPool(Conv2dSpec spec, ConvTestCase.Kernel kernel,
                                                                           long valuesSeed, long checkSeed,
                                                                           WorkerPool[] pools) {
        boolean forward = kernel == ConvTestCase.Kernel.FORWARD;
        int[] outShape = forward ? ConvTestCase.shapeY(spec) : ConvTestCase.shapeX(spec);
        Random random = new Random(valuesSeed);
        double[] a = ConvTestCase.values(forward ? ConvTestCase.shapeX(spec) : ConvTestCase.shapeY(spec), random);
        double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
        double[] b = forward ? ConvTestCase.values(new int[] {spec.outChannels()}, random) : null;
        double[] old = ConvTestCase.values(outShape, random);
        double[] first = null;
        for (WorkerPool pool : pools) {
            ConvTestCase.check(spec, forward, DType.FLOAT32, kernel, checkSeed, pool);
            double[] bits = ConvTestCase.runCpu(spec, kernel, DType.FLOAT32, a, w, b, old, outShape, pool);
            if (first == null) {
                first = bits;
            } else {
                assertArrayEquals(first, bits, spec + " " + kernel + " on " + pool.threads() + " threads");
            }
        }
    }

    /**
     * The forward's tiles and their split: each part's work (pixels times row tiles) as
     * {@code busiestWork} counts it, against a sum over its tasks and its rows of the shared one;
     * every pixel and row in exactly one part; tiles of whole micro-panels; the last task shared only
     * where that evens the parts; and 400 or 1600 pixels on two threads within a row tile of half
     * each (before, 192 and 208 pixels, or 12 and 13 tiles).
     */
    @Test
    void forwardTilesBalanceThePartsPixels() {
        int nr = GemmFloat32MicroKernels.NR;
        int mr = GemmFloat32MicroKernels.MR;
        Random random = new Random(23);
        for (int trial = 0; trial < 2000; trial++) {
            int images = 1 + random.nextInt(3);
            int groups = 1 + random.nextInt(3);
            int pixels = 1 + random.nextInt(40 * nr);
            int rows = 1 + random.nextInt(300);
            int maxTilePixels = nr * (1 + random.nextInt(8));
            int threads = 1 + random.nextInt(6);
            CpuConvolution.ForwardTiles tiles = CpuConvolution.ForwardTiles.of(images, groups, pixels, rows,
                    maxTilePixels, threads);
            String what = images + "x" + groups + " planes of " + pixels + " pixels and " + rows + " rows, " + threads
                    + " threads";
            int rowTiles = Im2col.ceilDiv(rows, mr);
            assertEquals(images * groups * tiles.tilesPerPlane(), tiles.tasks(), what);
            assertEquals(Math.min(threads, tiles.tasks()), tiles.parts(), what);
            assertTrue(tiles.tilePixels() % nr == 0 || tiles.tilePixels() == pixels, what);
            // Every task whole in one part, in order, but the shared one, whose row tiles the parts split.
            int whole = tiles.shares() ? tiles.tasks() - 1 : tiles.tasks();
            assertEquals(0, tiles.start(0), what);
            assertEquals(whole, tiles.start(tiles.parts()), what);
            long busiest = 0;
            long all = 0;
            for (int part = 0; part < tiles.parts(); part++) {
                long work = 0;
                assertTrue(tiles.start(part) <= tiles.start(part + 1), what);
                for (int task = tiles.start(part); task < tiles.start(part + 1); task++) {
                    assertTrue(tiles.pixels(task) > 0, what);
                    work += (long) tiles.pixels(task) * rowTiles;
                }
                if (tiles.shares()) {
                    assertTrue(tiles.sharedRows(part) <= tiles.sharedRows(part + 1), what);
                    work += (long) tiles.pixels(tiles.sharedTask()) * (tiles.sharedRows(part + 1) - tiles.sharedRows(part));
                }
                busiest = Math.max(busiest, work);
                all += work;
            }
            if (tiles.shares()) {
                assertEquals(0, tiles.sharedRows(0), what);
                assertEquals(rowTiles, tiles.sharedRows(tiles.parts()), what);
                long unshared = 0;
                for (int part = 0; part < tiles.parts(); part++) {
                    long sum = 0;
                    for (long task = (long) part * tiles.tasks() / tiles.parts();
                         task < (long) (part + 1) * tiles.tasks() / tiles.parts(); task++) {
                        sum += tiles.pixels((int) task);
                    }
                    unshared = Math.max(unshared, sum * rowTiles);
                }
                assertTrue(busiest < unshared, what + ": sharing only where it evens the parts");
            }
            assertEquals((long) images * groups * pixels * rowTiles, all, what);
            assertEquals(busiest, tiles.busiestWork(), what);
        }
        // 400 pixels on two threads: tiles of 192, 192 and 16 pixels, the 16 shared by rows; 1600 in 25
        // tiles of 64, the last one shared. Each part within one row tile of the shared task of half.
        int[][] layers = {{400, 256, 3 * 64}, {1600, 128, 64}, {1600, 256, 64}};
        for (int[] layer : layers) {
            CpuConvolution.ForwardTiles tiles = CpuConvolution.ForwardTiles.of(1, 1, layer[0], layer[1], layer[2], 2);
            long half = (long) layer[0] * Im2col.ceilDiv(layer[1], mr) / 2;
            assertTrue(tiles.shares(), Arrays.toString(layer));
            assertTrue(tiles.busiestWork() <= half + tiles.pixels(tiles.sharedTask()),
                    Arrays.toString(layer) + ": busiest " + tiles.busiestWork() + " against half " + half);
        }
    }

    /**
     * With SILU, YOLO's activation: its exp (VectorMath) gives the same bits in the interpreter and
     * in compiled code, so the run on one thread, which compiles the kernels, and the run on two,
     * compiled, agree to the bit (with the Vector API's EXP they could differ in the last bit).
     */
    @Test
    void forwardGivesTheSameBitsOnOneAndTwoThreads() {
        Conv2dSpec spec = spec(2, 24, 30, 30, 40, 3, 1, 1, 2, new Epilogue(1, 0.5, UnaryOp.SILU, 0));
        Random random = new Random(5);
        double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
        double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
        double[] bias = ConvTestCase.values(new int[] {spec.outChannels()}, random);
        double[] y = ConvTestCase.sentinels(ConvTestCase.shapeY(spec));
        double[] one = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, bias, y,
                ConvTestCase.shapeY(spec), ONE_THREAD);
        double[] two = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, bias, y,
                ConvTestCase.shapeY(spec), TWO_THREADS);
        assertArrayEquals(one, two);
    }

    /**
     * Rows whose width is not a whole number of micro-panels, with an activation whose vector and
     * scalar forms round differently (LEAKY_RELU multiplies in float32 in the vector form): the
     * tiles must start on the same pixels whatever the thread count.
     */
    @Test
    void forwardTilesStartOnTheSamePixelsForEveryThreadCount() {
        Conv2dSpec spec = new Conv2dSpec(1, 15, 16, 45, 45, 3, 4, 1, 1, 2, 4, 1, 3, 1, 1, 3,
                new Epilogue(1, 0, UnaryOp.LEAKY_RELU, 0.1));
        Random random = new Random(5);
        double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
        double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
        double[] y = ConvTestCase.sentinels(ConvTestCase.shapeY(spec));
        double[] one = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, null, y,
                ConvTestCase.shapeY(spec), ONE_THREAD);
        double[] two = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.FORWARD, DType.FLOAT32, x, w, null, y,
                ConvTestCase.shapeY(spec), TWO_THREADS);
        assertArrayEquals(one, two);
    }

    /**
     * The FP32 input gradient at stride 2 (threads take ranges of a group's input channels, each
     * packing its rows of W^T and running every tile's GEMM and col2im for them): several tiles
     * per image, two groups, 567 taps per group (not a whole number of micro-panel rows, nor are a
     * thread's 279 or 288), the same bits on one thread and two, and the reference's values.
     */
    @Test
    void stride2InputGradientGivesTheSameBitsOnOneAndTwoThreads() {
        Conv2dSpec spec = spec(2, 126, 60, 60, 32, 3, 2, 1, 2, Epilogue.NONE);
        Random random = new Random(7);
        double[] gy = ConvTestCase.values(ConvTestCase.shapeY(spec), random);
        double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
        double[] gx = ConvTestCase.sentinels(ConvTestCase.shapeX(spec));
        double[] one = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.BACKWARD_INPUT, DType.FLOAT32, gy, w, null, gx,
                ConvTestCase.shapeX(spec), ONE_THREAD);
        double[] two = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.BACKWARD_INPUT, DType.FLOAT32, gy, w, null, gx,
                ConvTestCase.shapeX(spec), TWO_THREADS);
        assertArrayEquals(one, two);
        ConvTestCase.check(spec, false, DType.FLOAT32, ConvTestCase.Kernel.BACKWARD_INPUT, 7, TWO_THREADS);
    }

    /**
     * The FP32 input gradient that gathers col2im's sums in a padded, phase-split accumulator:
     * several tiles per image ending mid-row, strides 2 and 3, dilation and uneven padding, a
     * stride-1 padding wider than the kernel's reach, input rows and columns no tap reaches (zero;
     * between the tiles too, where the stride exceeds the kernel's reach), groups and images, rows
     * shorter than a vector, of whole vectors and between; the same bits on one and two threads.
     */
    @Test
    void inputGradientsThroughThePaddedAccumulatorMatchTheReference() {
        Conv2dSpec[] shapes = {
            spec(1, 128, 100, 77, 8, 3, 3, 1, 1, Epilogue.NONE),
            new Conv2dSpec(2, 128, 61, 58, 10, 3, 2, 2, 2, 2, 1, 0, 3, 2, 3, 2, Epilogue.NONE),
            spec(1, 96, 30, 31, 6, 3, 1, 3, 1, Epilogue.NONE),
            spec(1, 200, 40, 40, 3, 3, 2, 0, 1, Epilogue.NONE),
            spec(2, 70, 21, 19, 4, 1, 2, 0, 1, Epilogue.NONE),
            spec(1, 2000, 40, 40, 3, 1, 2, 0, 1, Epilogue.NONE),
            spec(1, 456, 94, 30, 2, 3, 4, 1, 1, Epilogue.NONE),
            new Conv2dSpec(1, 256, 32, 31, 4, 1, 16, 2, 1, 0, 0, 0, 0, 1, 1, 1, Epilogue.NONE),
            // Rows of 50 and 32 pixels: col2im's adds of several whole vectors, with and without an overlapping last one.
            spec(1, 6, 9, 100, 4, 3, 2, 1, 1, Epilogue.NONE),
            spec(1, 6, 7, 64, 4, 3, 2, 1, 1, Epilogue.NONE),
        };
        Random random = new Random(29);
        for (Conv2dSpec spec : shapes) {
            // A forward first leaves its padded input in the thread's buffer, which the accumulator reuses.
            Conv2dSpec forward = spec(1, spec.inChannels(), spec.inHeight(), spec.inWidth(), 2, 3, 1, 1, 1,
                    Epilogue.NONE);
            ConvTestCase.runCpu(forward, ConvTestCase.Kernel.FORWARD, DType.FLOAT32,
                    ConvTestCase.values(ConvTestCase.shapeX(forward), random),
                    ConvTestCase.values(ConvTestCase.shapeW(forward), random), null,
                    ConvTestCase.sentinels(ConvTestCase.shapeY(forward)), ConvTestCase.shapeY(forward), ONE_THREAD);
            double[] gy = ConvTestCase.values(ConvTestCase.shapeY(spec), random);
            double[] w = ConvTestCase.values(ConvTestCase.shapeW(spec), random);
            assertSameBitsOnOneAndTwoThreads(spec, ConvTestCase.Kernel.BACKWARD_INPUT, gy, w, ConvTestCase.shapeX(spec));
            ConvTestCase.check(spec, false, DType.FLOAT32, ConvTestCase.Kernel.BACKWARD_INPUT, 23, TWO_THREADS);
            ConvTestCase.check(spec, false, DType.FLOAT32, ConvTestCase.Kernel.BACKWARD_INPUT, 31, ONE_THREAD);
        }
    }

    /**
     * More output channels a group than GEMM reads A in place for: the FP32 weight gradient goes
     * straight into gw (no [K, M] scratch and transpose), per group, the images' tiles added to
     * the first; the column matrix in blocks of rows ({@link CpuConvolution#WEIGHT_GRADIENT_BLOCK_ROWS}),
     * several to a thread's channels, starting and ending inside channels, over several tiles an
     * image, with the same bits on one and two threads; and the bias gradient, which the parts sum
     * from their shares of each tile's gY rows.
     */
    @Test
    void wideWeightGradientsOfSeveralGroupsAndImagesMatchTheReference() {
        int wide = GemmFloat32.UNPACKED_A_COLUMNS + 3;
        Conv2dSpec[] shapes = {
            spec(2, 6, 9, 7, 2 * wide, 3, 1, 1, 2, Epilogue.NONE),
            spec(3, 4, 5, 6, wide, 3, 2, 1, 1, Epilogue.NONE),
            spec(2, 5, 4, 4, wide, 1, 1, 0, 1, Epilogue.NONE),
            spec(2, 40, 30, 30, wide, 3, 1, 1, 1, Epilogue.NONE),
            spec(1, 70, 21, 20, 2 * wide, 3, 2, 1, 2, Epilogue.NONE),
        };
        Random random = new Random(19);
        for (Conv2dSpec spec : shapes) {
            double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
            double[] gy = ConvTestCase.values(ConvTestCase.shapeY(spec), random);
            assertSameBitsOnOneAndTwoThreads(spec, ConvTestCase.Kernel.BACKWARD_WEIGHT, x, gy, ConvTestCase.shapeW(spec));
            for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS}) {
                ConvTestCase.check(spec, true, DType.FLOAT32, ConvTestCase.Kernel.BACKWARD_WEIGHT, 11, pool);
            }
        }
    }

    /**
     * Few output channels a group: the FP32 weight gradient reads its columns from the padded input,
     * tiles of whole output rows, several tiles per image (wider than a tile's pixels too), row tiles
     * past K and columns past M dropped, at strides 1 and 2 with dilation; the same bits on one
     * and two threads (and the bias gradient, here a reduction of its own). The output channels reach
     * every width of its micro-kernel
     * ({@link GemmFloat32MicroKernels#vectorsFor}): one vector's lanes and fewer, two vectors' and
     * fewer, and more.
     */
    @Test
    void narrowWeightGradientsReadFromThePaddedInputMatchTheReference() {
        int narrow = CpuConvolution.IN_PLACE_WEIGHT_GRADIENT_CHANNELS;
        int lanes = GemmFloat32MicroKernels.LANES;
        int wideRow = CpuConvolution.IN_PLACE_TILE_PIXELS + 37;
        Conv2dSpec[] shapes = {
            spec(1, 2, 19, 23, Math.max(1, lanes - 1), 3, 1, 1, 1, Epilogue.NONE),
            spec(2, 3, 17, 21, lanes, 3, 1, 1, 1, Epilogue.NONE),
            spec(1, 4, 22, 18, Math.min(narrow, lanes + 3), 3, 2, 1, 1, Epilogue.NONE),
            spec(1, 2, 16, 25, Math.min(narrow, 2 * lanes), 3, 1, 1, 1, Epilogue.NONE),
            spec(2, 3, 70, 45, narrow, 3, 1, 1, 1, Epilogue.NONE),
            spec(1, 5, 9, wideRow, 10, 3, 1, 1, 1, Epilogue.NONE),
            spec(1, 3, 64, 70, 12, 3, 2, 1, 1, Epilogue.NONE),
            spec(2, 6, 41, 33, 2 * 7, 3, 1, 2, 2, Epilogue.NONE),
            new Conv2dSpec(1, 4, 50, 47, 9, 3, 2, 2, 1, 1, 2, 0, 1, 2, 1, 1, Epilogue.NONE),
        };
        Random random = new Random(13);
        for (Conv2dSpec spec : shapes) {
            double[] x = ConvTestCase.values(ConvTestCase.shapeX(spec), random);
            double[] gy = ConvTestCase.values(ConvTestCase.shapeY(spec), random);
            assertSameBitsOnOneAndTwoThreads(spec, ConvTestCase.Kernel.BACKWARD_WEIGHT, x, gy, ConvTestCase.shapeW(spec));
            ConvTestCase.check(spec, true, DType.FLOAT32, ConvTestCase.Kernel.BACKWARD_WEIGHT, 17, TWO_THREADS);
        }
    }

    /** Runs an FP32 kernel on one thread and on two, over sentinels, and fails unless the bits agree. */
    private static void assertSameBitsOnOneAndTwoThreads(Conv2dSpec spec, ConvTestCase.Kernel kernel, double[] a,
                                                         double[] b, int[] outShape) {
        double[] old = ConvTestCase.sentinels(outShape);
        double[] one = ConvTestCase.runCpu(spec, kernel, DType.FLOAT32, a, b, null, old, outShape, ONE_THREAD);
        double[] two = ConvTestCase.runCpu(spec, kernel, DType.FLOAT32, a, b, null, old, outShape, TWO_THREADS);
        assertArrayEquals(one, two, spec.toString());
    }

    @Test
    void anEmptyBatchLeavesAZeroWeightGradient() {
        Conv2dSpec spec = spec(0, 4, 6, 6, 3, 3, 1, 1, 1, Epilogue.NONE);
        double[] gw = ConvTestCase.runCpu(spec, ConvTestCase.Kernel.BACKWARD_WEIGHT, DType.FLOAT32,
                ConvTestCase.sentinels(ConvTestCase.shapeX(spec)), ConvTestCase.sentinels(ConvTestCase.shapeY(spec)),
                null, ConvTestCase.sentinels(ConvTestCase.shapeW(spec)), ConvTestCase.shapeW(spec), TWO_THREADS);
        for (int i = 0; i < 3 * 4 * 9; i++) {
            assertEquals(0.0, gw[ConvTestCase.OFFSET + i]);
        }
    }
}
