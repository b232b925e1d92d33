package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gasok.DType;
import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batched GEMM on the OpenCL device against the reference backend: transposes, padded leading
 * dimensions, offsets, shared matrices (batch stride 0), the epilogue (alpha, beta, bias,
 * activation), empty products (k = 0, m or n = 0) and shapes that cross tile edges.
 * Results are held to {@link ProductTolerance}'s bound; C's padding must stay untouched, and with
 * beta = 0 C starts as NaN, which must not leak into the result.
 */
class GemmKernelTest {
    /** Activations tried, each one more program per dtype: kept few to keep the builds short. */
    private static final UnaryOp[] ACTIVATIONS = {null, UnaryOp.RELU, UnaryOp.GELU, UnaryOp.LEAKY_RELU};

    @Test
    void randomProductsWithEpiloguesMatchTheReference() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(51);
        for (int trial = 0; trial < 60; trial++) {
            DType dtype = trial % 3 == 2 ? DType.FLOAT64 : DType.FLOAT32;
            int batch = 1 + random.nextInt(3);
            int m = extent(random, trial);
            int n = extent(random, trial + 1);
            int k = trial % 17 == 0 ? 0 : extent(random, trial + 2);
            UnaryOp activation = dtype == DType.FLOAT64 ? (trial % 2 == 0 ? null : UnaryOp.SILU)
                    : ACTIVATIONS[random.nextInt(ACTIVATIONS.length)];
            double beta = new double[] {0, 0, 1, -0.75}[random.nextInt(4)];
            double alpha = new double[] {1, 1, 0.5, -2}[random.nextInt(4)];
            Epilogue epilogue = new Epilogue(alpha, beta, activation, activation == UnaryOp.LEAKY_RELU ? 0.1 : 0);
            GemmSpec spec = new GemmSpec(batch, m, n, k, random.nextBoolean(), random.nextBoolean(), epilogue);
            runAndCompare(backend, random, dtype, spec, random.nextBoolean());
        }
    }

    @Test
    void productsLargerThanSeveralTilesMatchTheReference() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(52);
        runAndCompare(backend, random, DType.FLOAT32, new GemmSpec(1, 131, 97, 150, false, false, Epilogue.NONE), true);
        runAndCompare(backend, random, DType.FLOAT32, new GemmSpec(2, 70, 129, 65, true, true, Epilogue.NONE), false);
        runAndCompare(backend, random, DType.FLOAT64, new GemmSpec(1, 65, 66, 90, true, false,
                new Epilogue(1, 1, null, 0)), true);
    }

    @Test
    void everyTileShapeGivesTheSameProducts() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(53);
        for (OpenClGemm.TileShape shape : OpenClGemm.ALL_SHAPES) {
            OpenClGemm kernels = backend.gemmKernels().withTileShape(shape);
            for (boolean transposed : new boolean[] {false, true}) {
                GemmSpec spec = new GemmSpec(2, 67, 35, 40, transposed, !transposed, new Epilogue(1, 0.5, UnaryOp.RELU, 0));
                runAndCompare(backend, kernels, random, DType.FLOAT32, spec, transposed);
            }
        }
    }

    @Test
    void theCpuKernelGivesTheSameProductsWithBReadInPlaceAndPacked() {
        OpenClBackend backend = OpenClTestBackend.backend();
        OpenClGemm kernels = backend.gemmKernels().withTileShape(OpenClGemm.CPU_TILE_SHAPE);
        Random random = new Random(54);
        int panelWidth = OpenClGemm.CPU_TILE_SHAPE.blockN();
        int oneTileRow = OpenClGemm.CPU_TILE_SHAPE.tileM();
        Epilogue epilogue = new Epilogue(1, 0.5, null, 0);
        for (int trial = 0; trial < 4; trial++) {
            runAndCompare(backend, kernels, random, DType.FLOAT32,
                    new GemmSpec(2, oneTileRow, 3 * panelWidth, 37, trial % 2 == 0, false, epilogue), trial < 2);
            runAndCompare(backend, kernels, random, DType.FLOAT32,
                    new GemmSpec(2, oneTileRow + 1, 3 * panelWidth, 37, false, trial % 2 == 0, epilogue), trial < 2);
        }
    }

    @Test
    void theTileShapeFitsTheDevicesWorkGroupLimit() {
        assertEquals(OpenClGemm.TILE_SHAPES.getFirst(), OpenClGemm.shapeFor(4096));
        assertEquals(64, OpenClGemm.shapeFor(128).groupItems());
        assertEquals(16, OpenClGemm.shapeFor(32).groupItems());
    }

    /** Extents 0..5 now and then, usually up to 70 (over one 64-wide tile). */
    private static int extent(Random random, int trial) {
        return switch (trial % 5) {
            case 0 -> random.nextInt(6);
            case 1, 2 -> 1 + random.nextInt(20);
            default -> 1 + random.nextInt(70);
        };
    }

    private static void runAndCompare(OpenClBackend backend, Random random, DType dtype, GemmSpec spec, boolean withBias) {
        runAndCompare(backend, backend.gemmKernels(), random, dtype, spec, withBias);
    }

    private static void runAndCompare(OpenClBackend backend, OpenClGemm kernels, Random random, DType dtype, GemmSpec spec,
                                      boolean withBias) {
        boolean sharedA = spec.batch() > 1 && random.nextInt(3) == 0;
        boolean sharedB = spec.batch() > 1 && !sharedA && random.nextInt(3) == 0;
        int[] aStored = spec.transA() ? new int[] {spec.k(), spec.m()} : new int[] {spec.m(), spec.k()};
        int[] bStored = spec.transB() ? new int[] {spec.n(), spec.k()} : new int[] {spec.k(), spec.n()};
        try (TwinBuffers buffers = new TwinBuffers(backend)) {
            TwinBuffers.Twin a = matrices(buffers, random, dtype, spec.batch(), aStored, sharedA, false);
            TwinBuffers.Twin b = matrices(buffers, random, dtype, spec.batch(), bStored, sharedB, false);
            TwinBuffers.Twin c = matrices(buffers, random, dtype, spec.batch(), new int[] {spec.m(), spec.n()}, false,
                    spec.epilogue().beta() == 0);
            TwinBuffers.Twin bias = null;
            if (withBias) {
                int stride = 1 + random.nextInt(2);
                int offset = random.nextInt(3);
                double[] values = TwinBuffers.values(random, dtype, offset + Math.max(spec.n(), 1) * stride, false);
                bias = buffers.upload(dtype, values, offset, new int[] {spec.n()}, new int[] {stride});
            }
            double[] cBefore = TwinBuffers.download(c.reference().buffer(), dtype);
            kernels.gemm(spec, a.device(), b.device(), c.device(), bias == null ? null : bias.device());
            buffers.reference.gemm(spec, a.reference(), b.reference(), c.reference(), bias == null ? null : bias.reference());
            Epilogue e = spec.epilogue();
            TwinBuffers.Twin magnitude = ProductTolerance.absolute(buffers, c, cBefore);
            buffers.reference.gemm(new GemmSpec(spec.batch(), spec.m(), spec.n(), spec.k(), spec.transA(), spec.transB(),
                            new Epilogue(Math.abs(e.alpha()), Math.abs(e.beta()), null, 0)),
                    ProductTolerance.absolute(buffers, a).reference(), ProductTolerance.absolute(buffers, b).reference(),
                    magnitude.reference(), bias == null ? null : ProductTolerance.absolute(buffers, bias).reference());
            double[] bound = ProductTolerance.bound(dtype, spec.k(), magnitude);
            ProductTolerance.assertWithin(spec + " A " + a.device() + " B " + b.device() + " C " + c.device(), c, bound);
        }
    }

    /**
     * {@code batch} matrices of {@code stored} rows × cols, with a leading dimension padded by
     * 0..2 and an offset of 0..2; shared means batch stride 0. NaN-filled when {@code poisoned}.
     */
    private static TwinBuffers.Twin matrices(TwinBuffers buffers, Random random, DType dtype, int batch, int[] stored,
                                             boolean shared, boolean poisoned) {
        int rows = stored[0];
        int cols = stored[1];
        int ld = cols + random.nextInt(3);
        int offset = random.nextInt(3);
        int batchStride = shared ? 0 : rows * ld + random.nextInt(2);
        int length = offset + (shared ? 1 : batch) * Math.max(rows * ld, 1) + batch;
        double[] values = TwinBuffers.values(random, dtype, length, false);
        if (poisoned) {
            java.util.Arrays.fill(values, Double.NaN);
        }
        return buffers.upload(dtype, values, offset, new int[] {batch, rows, cols}, new int[] {batchStride, ld, 1});
    }
}
