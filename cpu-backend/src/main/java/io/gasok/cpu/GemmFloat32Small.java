package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * FP32 GEMM for small problems (the gesture MLP's 128×42×20 is 0.2 MFLOP, a few microseconds), where
 * packing A, blocking for caches and waking threads would cost more than the product: serial,
 * vectorised along n, no packing of A.
 *
 * <p>B is copied once into a k × n' scratch ({@code n'} = n rounded up to whole strips, zero
 * padded), so the loop has no column tail. A strip is {@value #STRIP_VECTORS} vectors of columns
 * [j, j + 3·LANES) when n is wider than one vector, else one vector. For each strip and each group
 * of 4 rows [i, i+4): 4 × 3 accumulators (twelve independent fma chains, so the k loop is not bound
 * by fma latency), per k step three loads of B and 4 broadcasts of A; the group's tile goes to C
 * through the same {@link GemmFloat32Epilogue} as the blocked path. A last group of fewer than 4
 * rows recomputes the last row in its unused accumulators (never stored), so the loop has no row
 * tail either. Every element of C is one lane's fma chain over p in k order from zero, as in the
 * blocked path, whatever the strip width.
 */
final class GemmFloat32Small {

    private static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final int ROWS = 4;
    /** Vectors of columns per strip when n is wider than one vector. */
    static final int STRIP_VECTORS = 3;

    private GemmFloat32Small() {
    }

    /**
     * One matrix: op(A) is m×k with element (i, p) at {@code a[aBase + i·aRowStep + p·aColStep]},
     * op(B) k×n with (p, j) at {@code b[bBase + p·bRowStep + j·bColStep]}, C m×n at
     * {@code c[cBase + i·ldc + j]}. k may be 0 (then C = act(beta·C + bias)).
     */
    static void gemm(int m, int n, int k, float[] a, int aBase, int aRowStep, int aColStep,
                     float[] b, int bBase, int bRowStep, int bColStep, float[] c, int cBase, int ldc,
                     GemmFloat32Epilogue epilogue, GemmFloat32Scratch scratch) {
        int strip = n > LANES ? STRIP_VECTORS * LANES : LANES;
        int paddedN = (n + strip - 1) / strip * strip;
        float[] packedB = scratch.packedB(k * paddedN);
        for (int p = 0; p < k; p++) {
            int out = p * paddedN;
            int src = bBase + p * bRowStep;
            for (int j = 0; j < n; j++) {
                packedB[out + j] = b[src + j * bColStep];
            }
            for (int j = n; j < paddedN; j++) {
                packedB[out + j] = 0f;
            }
        }
        float[] tile = scratch.tile();
        for (int j = 0; j < n; j += strip) {
            int cols = Math.min(strip, n - j);
            for (int i = 0; i < m; i += ROWS) {
                int a0 = aBase + i * aRowStep;
                int a1 = aBase + Math.min(i + 1, m - 1) * aRowStep;
                int a2 = aBase + Math.min(i + 2, m - 1) * aRowStep;
                int a3 = aBase + Math.min(i + 3, m - 1) * aRowStep;
                if (strip == LANES) {
                    oneVector(k, a, a0, a1, a2, a3, aColStep, packedB, paddedN, j, tile);
                } else {
                    threeVectors(k, a, a0, a1, a2, a3, aColStep, packedB, paddedN, j, tile);
                }
                epilogue.store(tile, strip, Math.min(ROWS, m - i), cols, c, cBase + i * ldc + j, ldc, j,
                        true, true);
            }
        }
    }

    /** Rows a0..a3 of op(A) times columns [j, j + LANES) of packed B into tile rows of LANES floats. */
    private static void oneVector(int k, float[] a, int a0, int a1, int a2, int a3, int aColStep,
                                  float[] packedB, int paddedN, int j, float[] tile) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = FloatVector.zero(SPECIES);
        FloatVector c2 = FloatVector.zero(SPECIES);
        FloatVector c3 = FloatVector.zero(SPECIES);
        for (int p = 0; p < k; p++) {
            FloatVector bp = FloatVector.fromArray(SPECIES, packedB, p * paddedN + j);
            int ap = p * aColStep;
            c0 = FloatVector.broadcast(SPECIES, a[a0 + ap]).fma(bp, c0);
            c1 = FloatVector.broadcast(SPECIES, a[a1 + ap]).fma(bp, c1);
            c2 = FloatVector.broadcast(SPECIES, a[a2 + ap]).fma(bp, c2);
            c3 = FloatVector.broadcast(SPECIES, a[a3 + ap]).fma(bp, c3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
    }

    /** Rows a0..a3 of op(A) times columns [j, j + 3·LANES) of packed B into tile rows of 3·LANES floats. */
    private static void threeVectors(int k, float[] a, int a0, int a1, int a2, int a3, int aColStep,
                                     float[] packedB, int paddedN, int j, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c02 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c12 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c22 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c32 = FloatVector.zero(SPECIES);
        for (int p = 0; p < k; p++) {
            int bp = p * paddedN + j;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, bp + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, packedB, bp + 2 * LANES);
            int ap = p * aColStep;
            FloatVector x0 = FloatVector.broadcast(SPECIES, a[a0 + ap]);
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            FloatVector x1 = FloatVector.broadcast(SPECIES, a[a1 + ap]);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            FloatVector x2 = FloatVector.broadcast(SPECIES, a[a2 + ap]);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            FloatVector x3 = FloatVector.broadcast(SPECIES, a[a3 + ap]);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
        }
        int row = STRIP_VECTORS * LANES;
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c02.intoArray(tile, 2 * LANES);
        c10.intoArray(tile, row);
        c11.intoArray(tile, row + LANES);
        c12.intoArray(tile, row + 2 * LANES);
        c20.intoArray(tile, 2 * row);
        c21.intoArray(tile, 2 * row + LANES);
        c22.intoArray(tile, 2 * row + 2 * LANES);
        c30.intoArray(tile, 3 * row);
        c31.intoArray(tile, 3 * row + LANES);
        c32.intoArray(tile, 3 * row + 2 * LANES);
    }
}
