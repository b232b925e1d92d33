package io.gasok.cpu;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * FP64 batched GEMM on heap arrays, {@code C[b] = act(alpha · op(A[b]) · op(B[b]) + beta · C[b] +
 * bias)} as {@link GemmSpec} defines it; {@code beta == 0} never reads C. FP64 is for checks and
 * gradient tests rather than training, so this is the simpler path: no packing of A, no k-blocking;
 * it runs at a fair fraction of the FP32 kernel's speed per lane, not at the machine's limit.
 *
 * <p>C is computed in tiles of {@value #ROWS} rows × {@value #VECTORS_WIDE} vectors: 8
 * accumulators, per k step {@value #VECTORS_WIDE} loads of B and {@value #ROWS} broadcasts of A;
 * column strips outer and row tiles inner. Each thread copies the strip of B it is at into a
 * k × {@value #VECTORS_WIDE}-vector array (zero padded past n, so the loop has no column tail; it
 * stays in L1/L2 for the strip's row tiles): memory in k, not k·n (a copy of all of B overflowed
 * an int index, or took gigabytes, for a broadcast B of 46341 × 46341). The epilogue is scalar and
 * uses {@link Epilogue#activate}, the op's single definition; a null epilogue is
 * {@link Epilogue#NONE}.
 *
 * <p>Threads: products of at least {@value #PARALLEL_WORK} multiply-adds split rows of C into one
 * range per thread (multiples of {@value #ROWS}). Each element's sum runs in k order whatever the
 * split, so results are bitwise identical for every thread count.
 */
public final class GemmFloat64 {

    private static final VectorSpecies<Double> SPECIES = CpuVectors.DOUBLES;
    private static final int LANES = SPECIES.length();
    private static final int ROWS = 4;
    private static final int VECTORS_WIDE = 2;
    private static final int TILE_COLUMNS = VECTORS_WIDE * LANES;
    private static final long PARALLEL_WORK = 64L * 64 * 64;

    private GemmFloat64() {
    }

    /** The product on the shared {@link WorkerPool}. */
    public static void gemm(GemmSpec spec, double[] a, GemmLayout aLayout, double[] b, GemmLayout bLayout,
                            double[] c, GemmLayout cLayout, double[] bias, int biasOffset) {
        gemm(spec, a, aLayout, b, bLayout, c, cLayout, bias, biasOffset, WorkerPool.shared());
    }

    /**
     * The product described by {@code spec}, each operand given as stored (A is k×m when
     * {@code spec.transA()}, B is n×k when {@code spec.transB()}); {@code bias} may be null.
     *
     * @throws IllegalArgumentException when C's columns are not contiguous, or a batch of more than
     *     one shares one C
     */
    public static void gemm(GemmSpec spec, double[] a, GemmLayout aLayout, double[] b, GemmLayout bLayout,
                            double[] c, GemmLayout cLayout, double[] bias, int biasOffset, WorkerPool pool) {
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        if (cLayout.colStride() != 1) {
            throw new IllegalArgumentException("GEMM needs C with unit column stride, not " + cLayout);
        }
        if (spec.batch() > 1 && cLayout.batchStride() == 0 && m > 0 && n > 0) {
            throw new IllegalArgumentException(
                    "a GEMM batch of " + spec.batch() + " cannot share one C (batch stride 0)");
        }
        if (spec.batch() <= 0 || m <= 0 || n <= 0) {
            return;
        }
        int aRowStep = spec.transA() ? aLayout.colStride() : aLayout.rowStride();
        int aColStep = spec.transA() ? aLayout.rowStride() : aLayout.colStride();
        int bRowStep = spec.transB() ? bLayout.colStride() : bLayout.rowStride();
        int bColStep = spec.transB() ? bLayout.rowStride() : bLayout.colStride();
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        int rowTiles = (m + ROWS - 1) / ROWS;
        int parts = (long) m * n * k >= PARALLEL_WORK ? Math.min(pool.threads(), rowTiles) : 1;
        int rowsPerPart = (rowTiles + parts - 1) / parts * ROWS;
        for (int item = 0; item < spec.batch(); item++) {
            int aBase = aLayout.index(item, 0, 0);
            int bBase = bLayout.index(item, 0, 0);
            int cBase = cLayout.index(item, 0, 0);
            pool.parallelFor(parts, part -> {
                int rowStart = part * rowsPerPart;
                int rowEnd = Math.min(m, rowStart + rowsPerPart);
                multiplyRows(rowStart, rowEnd, m, n, k, a, aBase, aRowStep, aColStep, b, bBase, bRowStep, bColStep,
                        c, cBase, cLayout.rowStride(), epilogue, bias, biasOffset);
            });
        }
    }

    private static void multiplyRows(int rowStart, int rowEnd, int m, int n, int k,
                                     double[] a, int aBase, int aRowStep, int aColStep,
                                     double[] b, int bBase, int bRowStep, int bColStep, double[] c, int cBase, int ldc,
                                     Epilogue epilogue, double[] bias, int biasOffset) {
        if (rowStart >= rowEnd) {
            return;
        }
        double[] tile = new double[ROWS * TILE_COLUMNS];
        double[] strip = new double[k * TILE_COLUMNS];
        for (int j = 0; j < n; j += TILE_COLUMNS) {
            int cols = Math.min(TILE_COLUMNS, n - j);
            for (int p = 0; p < k; p++) {
                int from = bBase + p * bRowStep + j * bColStep;
                for (int jj = 0; jj < cols; jj++) {
                    strip[p * TILE_COLUMNS + jj] = b[from + jj * bColStep];
                }
                for (int jj = cols; jj < TILE_COLUMNS; jj++) {
                    strip[p * TILE_COLUMNS + jj] = 0;
                }
            }
            for (int i = rowStart; i < rowEnd; i += ROWS) {
                // Rows past m repeat row m-1: computed in unused accumulators, never stored.
                int a0 = aBase + i * aRowStep;
                int a1 = aBase + Math.min(i + 1, m - 1) * aRowStep;
                int a2 = aBase + Math.min(i + 2, m - 1) * aRowStep;
                int a3 = aBase + Math.min(i + 3, m - 1) * aRowStep;
                DoubleVector c00 = DoubleVector.zero(SPECIES), c01 = DoubleVector.zero(SPECIES);
                DoubleVector c10 = DoubleVector.zero(SPECIES), c11 = DoubleVector.zero(SPECIES);
                DoubleVector c20 = DoubleVector.zero(SPECIES), c21 = DoubleVector.zero(SPECIES);
                DoubleVector c30 = DoubleVector.zero(SPECIES), c31 = DoubleVector.zero(SPECIES);
                for (int p = 0; p < k; p++) {
                    int bp = p * TILE_COLUMNS;
                    DoubleVector b0 = DoubleVector.fromArray(SPECIES, strip, bp);
                    DoubleVector b1 = DoubleVector.fromArray(SPECIES, strip, bp + LANES);
                    int ap = p * aColStep;
                    DoubleVector x0 = DoubleVector.broadcast(SPECIES, a[a0 + ap]);
                    c00 = x0.fma(b0, c00);
                    c01 = x0.fma(b1, c01);
                    DoubleVector x1 = DoubleVector.broadcast(SPECIES, a[a1 + ap]);
                    c10 = x1.fma(b0, c10);
                    c11 = x1.fma(b1, c11);
                    DoubleVector x2 = DoubleVector.broadcast(SPECIES, a[a2 + ap]);
                    c20 = x2.fma(b0, c20);
                    c21 = x2.fma(b1, c21);
                    DoubleVector x3 = DoubleVector.broadcast(SPECIES, a[a3 + ap]);
                    c30 = x3.fma(b0, c30);
                    c31 = x3.fma(b1, c31);
                }
                c00.intoArray(tile, 0);
                c01.intoArray(tile, LANES);
                c10.intoArray(tile, TILE_COLUMNS);
                c11.intoArray(tile, TILE_COLUMNS + LANES);
                c20.intoArray(tile, 2 * TILE_COLUMNS);
                c21.intoArray(tile, 2 * TILE_COLUMNS + LANES);
                c30.intoArray(tile, 3 * TILE_COLUMNS);
                c31.intoArray(tile, 3 * TILE_COLUMNS + LANES);
                storeTile(tile, Math.min(ROWS, rowEnd - i), Math.min(TILE_COLUMNS, n - j),
                        c, cBase + i * ldc + j, ldc, j, epilogue, bias, biasOffset);
            }
        }
    }

    /** {@code C = act(alpha·acc + beta·C + bias)} for the valid rows × cols of a tile. */
    private static void storeTile(double[] tile, int rows, int cols, double[] c, int cIndex, int ldc, int col,
                                  Epilogue epilogue, double[] bias, int biasOffset) {
        double alpha = epilogue.alpha();
        double beta = epilogue.beta();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double value = alpha * tile[r * TILE_COLUMNS + j];
                int at = cIndex + r * ldc + j;
                if (beta != 0) {
                    value += beta * c[at];
                }
                if (bias != null) {
                    value += bias[biasOffset + col + j];
                }
                c[at] = epilogue.activate(value);
            }
        }
    }
}
