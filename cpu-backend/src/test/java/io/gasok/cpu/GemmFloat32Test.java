package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class GemmFloat32Test {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    /** Sizes at the kernel's edges: one row, a partial tile, around a vector multiple, past one k-block. */
    private static final int[] EDGE_SIZES = {1, 5, 63, 64, 65, 97, 513, 1025};

    static Stream<Arguments> edgeSizesAlongEachDimension() {
        List<Arguments> cases = new ArrayList<>();
        Random random = new Random(20240611);
        for (int dimension = 0; dimension < 3; dimension++) {
            for (int size : EDGE_SIZES) {
                for (int transposes = 0; transposes < 4; transposes++) {
                    int[] small = {1 + random.nextInt(40), 1 + random.nextInt(40), 1 + random.nextInt(40)};
                    int[] large = {70, 97, 33};
                    for (int[] dims : List.of(small, large)) {
                        int[] mnk = dims.clone();
                        mnk[dimension] = size;
                        cases.add(Arguments.of(mnk[0], mnk[1], mnk[2], (transposes & 1) != 0, (transposes & 2) != 0));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @MethodSource("edgeSizesAlongEachDimension")
    void matchesTheReferenceAtEdgeSizesForEveryTransposeCombination(int m, int n, int k, boolean transA,
                                                                     boolean transB) {
        GemmTestCase problem = GemmTestCase.dense(m * 31L + n * 7L + k, 1, m, n, k, transA, transB, Epilogue.NONE);
        problem.check(problem.runFloat32(TWO_THREADS));
    }

    @Test
    void readsAndWritesOnlyInsideViewsWithPaddedLeadingDimensionsAndOffsets() {
        for (int transposes = 0; transposes < 4; transposes++) {
            for (int[] mnk : new int[][] {{7, 9, 5}, {130, 75, 600}}) {
                GemmTestCase problem = GemmTestCase.builder(transposes, 2, mnk[0], mnk[1], mnk[2])
                        .transpose((transposes & 1) != 0, (transposes & 2) != 0)
                        .padded(3)
                        .withBias()
                        .epilogue(new Epilogue(0.5, -1.25, null, 0))
                        .build();
                problem.check(problem.runFloat32(TWO_THREADS));
            }
        }
    }

    @Test
    void sharesAnOperandAcrossTheBatchWhenItsBatchStrideIsZero() {
        for (int[] mnk : new int[][] {{6, 10, 4}, {100, 80, 70}}) {
            for (boolean sharedA : new boolean[] {true, false}) {
                GemmTestCase problem = GemmTestCase.builder(mnk[0], 4, mnk[0], mnk[1], mnk[2])
                        .shared(sharedA, !sharedA)
                        .padded(1)
                        .build();
                problem.check(problem.runFloat32(TWO_THREADS));
            }
        }
    }

    @Test
    void appliesAlphaBetaAndBiasOnceEvenWhenKSpansSeveralBlocks() {
        for (int k : new int[] {3, 200, GemmFloat32.KC + 1, 2 * GemmFloat32.KC + 7}) {
            for (int m : new int[] {5, 66}) {
                GemmTestCase problem = GemmTestCase.builder(k + m, 2, m, 37, k)
                        .withBias()
                        .epilogue(new Epilogue(-0.75, 0.5, null, 0))
                        .build();
                problem.check(problem.runFloat32(TWO_THREADS));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = {"RELU", "LEAKY_RELU", "SIGMOID", "SILU", "TANH", "GELU", "ABS"})
    void appliesTheActivationAfterTheLastKBlock(UnaryOp activation) {
        for (int[] mnk : new int[][] {{9, 21, 13}, {70, 45, GemmFloat32.KC + 30}}) {
            GemmTestCase problem = GemmTestCase.builder(activation.ordinal(), 1, mnk[0], mnk[1], mnk[2])
                    .withBias()
                    .epilogue(new Epilogue(2, 0.5, activation, 0.1))
                    .build();
            problem.check(problem.runFloat32(TWO_THREADS));
        }
    }

    /** alpha 1, beta 0 or 1, no bias: whole tiles go from the micro-kernel's registers into C. */
    @ParameterizedTest
    @EnumSource(value = UnaryOp.class, names = {"RELU", "SILU", "TANH"})
    void storesWholeTilesFromRegistersWithTheSameEpilogue(UnaryOp activation) {
        for (double beta : new double[] {0, 1}) {
            for (UnaryOp act : new UnaryOp[] {null, activation}) {
                for (int[] mnk : new int[][] {{8, 32, 40}, {66, 70, GemmFloat32.KC + 30}, {12, 48, 2 * GemmFloat32.KC + 1}}) {
                    GemmTestCase problem = GemmTestCase.builder(activation.ordinal() + mnk[2], 1, mnk[0], mnk[1], mnk[2])
                            .epilogue(new Epilogue(1, beta, act, 0.1))
                            .build();
                    problem.check(problem.runFloat32(TWO_THREADS));
                }
            }
        }
    }

    @Test
    void neverReadsCWhenBetaIsZero() {
        for (int[] mnk : new int[][] {{3, 3, 3}, {64, 64, 64}, {33, 20, GemmFloat32.KC + 3}}) {
            GemmTestCase problem = GemmTestCase.builder(mnk[0], 1, mnk[0], mnk[1], mnk[2])
                    .epilogue(Epilogue.activation(UnaryOp.RELU, 0))
                    .build();
            float[] result = problem.runFloat32(TWO_THREADS);
            problem.check(result);
        }
    }

    @Test
    void withKZeroGivesTheEpilogueOfZero() {
        GemmTestCase problem = GemmTestCase.builder(5, 2, 7, 19, 0)
                .withBias()
                .epilogue(new Epilogue(1, 2, UnaryOp.SIGMOID, 0))
                .build();
        problem.check(problem.runFloat32(TWO_THREADS));
    }

    @Test
    void leavesCUntouchedWhenItIsEmpty() {
        for (int[] mnk : new int[][] {{0, 5, 5}, {5, 0, 5}}) {
            GemmTestCase problem = GemmTestCase.dense(1, 2, mnk[0], mnk[1], mnk[2], false, false, Epilogue.NONE);
            problem.check(problem.runFloat32(TWO_THREADS));
        }
    }

    static Stream<Arguments> splits() {
        return Stream.of(
                // 126 rows a thread, fewer than OWN_B_ROWS: the shared B blocks, two k-blocks.
                Arguments.of("rows", 1, 250, 90, 600),
                // 150 rows a thread: each packs every B block for itself.
                Arguments.of("rows of their own", 1, 300, 90, 600),
                // One A block (m ≤ MC): each thread its own columns and B blocks, several of each
                // and two k-blocks; with the small-gemm-blocks run's MC of 12, split over rows.
                Arguments.of("columns of one A block", 1, 40, 3000, 700),
                // One A block but one micro-panel of columns for two threads: split over rows.
                Arguments.of("rows of one A block", 1, 90, 40, 700),
                // Several A blocks, 550 columns a thread: each thread its own columns still.
                Arguments.of("columns of their own", 1, 130, 1100, 300),
                // One A block at the default MC; with MC 12, three row tiles for two threads:
                // the shared B blocks, split over their micro-panels.
                Arguments.of("columns", 1, 15, 700, 300),
                Arguments.of("batch items", 3, 70, 60, 90),
                Arguments.of("small path", 9, 20, 20, 20));
    }

    /**
     * Bitwise determinism per thread count, with SILU's exp in the epilogue ({@link VectorMath}: the
     * same bits whether the epilogue is compiled yet or not).
     */
    @ParameterizedTest(name = "split over {0}")
    @MethodSource("splits")
    void givesBitwiseIdenticalResultsForOneAndTwoThreadsAndForRepeatedRuns(String split, int batch, int m, int n,
                                                                            int k) {
        GemmTestCase problem = GemmTestCase.builder(k, batch, m, n, k)
                .transpose(true, false)
                .withBias()
                .epilogue(new Epilogue(1.5, 0.25, UnaryOp.SILU, 0))
                .build();
        float[] serial = problem.runFloat32(ONE_THREAD);
        float[] parallel = problem.runFloat32(TWO_THREADS);
        assertArrayEquals(serial, parallel, "one thread against two");
        assertArrayEquals(parallel, problem.runFloat32(TWO_THREADS), "two threads, run twice");
        problem.check(parallel);
    }

    @Test
    void runsOnTheSharedPool() {
        GemmTestCase problem = GemmTestCase.dense(2, 1, 40, 50, 60, false, true, Epilogue.NONE);
        float[] c = problem.cFloat();
        GemmFloat32.gemm(problem.spec, problem.aFloat(), problem.aLayout, problem.bFloat(), problem.bLayout,
                c, problem.cLayout, null, 0);
        problem.check(c);
    }

    /**
     * A skinny C reads a row-major A in place (at most UNPACKED_A_COLUMNS columns) and a
     * transposed A packed: every accumulator sums the same products in the same k order either way,
     * so the two give the same bits, with the rows that do not fill a micro-panel (packed in both),
     * two k-blocks, a bias and an activation, on one thread and on two (split by rows and by columns).
     */
    @ParameterizedTest(name = "{0}x{1}x{2}")
    @MethodSource("skinnyProducts")
    void readsARowMajorAInPlaceWithTheBitsOfThePackedTranspose(int m, int n, int k) {
        Random random = new Random(m * 7919L + n);
        float[] a = new float[m * k];
        float[] aTransposed = new float[k * m];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                a[i * k + p] = random.nextFloat() * 2 - 1;
                aTransposed[p * m + i] = a[i * k + p];
            }
        }
        float[] b = new float[k * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() * 2 - 1;
        }
        float[] bias = new float[n];
        for (int j = 0; j < n; j++) {
            bias[j] = random.nextFloat();
        }
        Epilogue epilogue = new Epilogue(1, 0, UnaryOp.RELU, 0);
        GemmLayout cLayout = GemmLayout.rowMajor(0, m, n);
        for (WorkerPool pool : List.of(ONE_THREAD, TWO_THREADS)) {
            float[] inPlace = new float[m * n];
            float[] packed = new float[m * n];
            GemmFloat32.gemm(new GemmSpec(1, m, n, k, false, false, epilogue), a, GemmLayout.rowMajor(0, m, k),
                    b, GemmLayout.rowMajor(0, k, n), inPlace, cLayout, bias, 0, pool);
            GemmFloat32.gemm(new GemmSpec(1, m, n, k, true, false, epilogue), aTransposed,
                    GemmLayout.rowMajor(0, k, m), b, GemmLayout.rowMajor(0, k, n), packed, cLayout, bias, 0, pool);
            assertArrayEquals(packed, inPlace, pool.threads() + " thread(s)");
        }
    }

    /** A row-major A whose rows all alias one (row stride 0, a broadcast view) is read in place too. */
    @Test
    void readsABroadcastRowInPlaceLikeItsCopies() {
        int m = 11;
        int n = 20;
        int k = 600;
        Random random = new Random(5);
        float[] row = new float[k];
        for (int p = 0; p < k; p++) {
            row[p] = random.nextFloat() * 2 - 1;
        }
        float[] copies = new float[m * k];
        for (int i = 0; i < m; i++) {
            System.arraycopy(row, 0, copies, i * k, k);
        }
        float[] b = new float[k * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() * 2 - 1;
        }
        GemmSpec spec = new GemmSpec(1, m, n, k, false, false, Epilogue.NONE);
        float[] broadcast = new float[m * n];
        float[] copied = new float[m * n];
        GemmFloat32.gemm(spec, row, new GemmLayout(0, 0, 1, 0), b, GemmLayout.rowMajor(0, k, n), broadcast,
                GemmLayout.rowMajor(0, m, n), null, 0, ONE_THREAD);
        GemmFloat32.gemm(spec, copies, GemmLayout.rowMajor(0, m, k), b, GemmLayout.rowMajor(0, k, n), copied,
                GemmLayout.rowMajor(0, m, n), null, 0, ONE_THREAD);
        assertArrayEquals(copied, broadcast);
    }

    static Stream<Arguments> skinnyProducts() {
        int nr = GemmFloat32MicroKernels.NR;
        return Stream.of(
                Arguments.of(250, nr - 3, 600),
                Arguments.of(301, 2 * nr, 700),
                Arguments.of(97, GemmFloat32.UNPACKED_A_COLUMNS, 513),
                Arguments.of(9, 3 * nr + 1, 1100));
    }

    @Test
    void rejectsCWithoutUnitColumnStrideOrSharedAcrossTheBatch() {
        GemmSpec spec = new GemmSpec(2, 4, 4, 4, false, false, Epilogue.NONE);
        GemmLayout dense = GemmLayout.rowMajor(0, 4, 4);
        float[] data = new float[64];
        assertThrows(IllegalArgumentException.class, () -> GemmFloat32.gemm(spec, data, dense, data, dense,
                new float[64], new GemmLayout(0, 1, 4, 16), null, 0, ONE_THREAD));
        IllegalArgumentException shared = assertThrows(IllegalArgumentException.class,
                () -> GemmFloat32.gemm(spec, data, dense, data, dense, new float[64],
                        new GemmLayout(0, 4, 1, 0), null, 0, ONE_THREAD));
        assertTrue(shared.getMessage().contains("batch stride 0"));
    }

    @Test
    void takesItsBlockSizesFromSystemPropertiesAndNamesABadOne() {
        String property = GemmFloat32.BLOCK_PROPERTY_PREFIX + "probe";
        try {
            assertEquals(512, GemmFloat32.blockSize("probe", 512, 6));
            System.setProperty(property, " 96 ");
            assertEquals(96, GemmFloat32.blockSize("probe", 512, 6));
            for (String bad : new String[] {"0", "-6", "100", "lots", "131072"}) {
                System.setProperty(property, bad);
                IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                        () -> GemmFloat32.blockSize("probe", 512, 6));
                assertEquals("system property gasok.cpu.gemm.probe must be a positive multiple of 6 up to 65536"
                        + " (GEMM's PROBE), not '" + bad + "'", error.getMessage());
            }
        } finally {
            System.clearProperty(property);
        }
        GemmFloat32.checkPackedBlock(65536, 4096);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> GemmFloat32.checkPackedBlock(65536, 32768));
        assertEquals("system properties gasok.cpu.gemm.kc and gasok.cpu.gemm.nc give a packed B block of"
                + " KC 65536 x NC 32768 floats, more than 268435456", error.getMessage());
    }

    @Test
    void takesItsLoopOrderFromASystemPropertyAndNamesABadOne() {
        assertFalse(GemmFloat32.aPanelOuter(null));
        assertFalse(GemmFloat32.aPanelOuter(" bpanel"));
        assertTrue(GemmFloat32.aPanelOuter("apanel "));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> GemmFloat32.aPanelOuter("rows"));
        assertEquals("system property gasok.cpu.gemm.order must be apanel or bpanel, not 'rows'", error.getMessage());
        assertEquals("apanel".equals(System.getProperty(GemmFloat32.BLOCK_PROPERTY_PREFIX + "order")),
                GemmFloat32.blocking().contains("A micro-panels outer"), GemmFloat32.blocking());
    }

    /** A null epilogue is Epilogue.NONE, as GemmSpec says (it threw a NullPointerException). */
    @Test
    void takesANullEpilogueAsNone() {
        float[] a = new float[9 * 13];
        float[] b = new float[13 * 37];
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextFloat() - 0.5f;
        }
        float[] withNull = new float[9 * 37];
        float[] withNone = new float[9 * 37];
        GemmFloat32.gemm(new GemmSpec(1, 9, 37, 13, false, false, null), a, GemmLayout.rowMajor(0, 9, 13), b,
                GemmLayout.rowMajor(0, 13, 37), withNull, GemmLayout.rowMajor(0, 9, 37), null, 0, ONE_THREAD);
        GemmFloat32.gemm(new GemmSpec(1, 9, 37, 13, false, false, Epilogue.NONE), a, GemmLayout.rowMajor(0, 9, 13),
                b, GemmLayout.rowMajor(0, 13, 37), withNone, GemmLayout.rowMajor(0, 9, 37), null, 0, ONE_THREAD);
        assertArrayEquals(withNone, withNull);
    }
}
