package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * FP32 GEMM for small problems (the gesture MLP's 128×42×20 is 0.2 MFLOP, a few microseconds), where
 * packing A, blocking for caches and waking threads would cost more than the product: serial,
 * vectorised along n, no packing of A.
 *
 * <p>B is copied once into a k × n' scratch ({@code n'} = n rounded up to whole vectors, zero
 * padded), so the loop has no column tail. Then, for each strip of one vector of columns [j, j+LANES)
 * (its k vectors stay in L1) and each group of 4 rows [i, i+4): 4 accumulators, per k step one load
 * of B and 4 broadcasts of A, 4 fma; the group's 4 × LANES tile goes to C through the same
 * {@link GemmFloat32Epilogue} as the blocked path. A last group of fewer than 4 rows recomputes the
 * last row in its unused accumulators (never stored), so the loop has no row tail either.
 */
final class GemmFloat32Small {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int ROWS = 4;

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
        int paddedN = (n + LANES - 1) / LANES * LANES;
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
        for (int j = 0; j < n; j += LANES) {
            int cols = Math.min(LANES, n - j);
            for (int i = 0; i < m; i += ROWS) {
                int a0 = aBase + i * aRowStep;
                int a1 = aBase + Math.min(i + 1, m - 1) * aRowStep;
                int a2 = aBase + Math.min(i + 2, m - 1) * aRowStep;
                int a3 = aBase + Math.min(i + 3, m - 1) * aRowStep;
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
                epilogue.store(tile, LANES, Math.min(ROWS, m - i), cols, c, cBase + i * ldc + j, ldc, j,
                        true, true);
            }
        }
    }
}
