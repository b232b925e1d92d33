package io.gasok.cpu;

import io.gasok.spi.Epilogue;
import io.gasok.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FP32 GEMM epilogue: writes one finished tile of accumulators into C as
 * {@code C = act(alpha·acc + beta·C + bias)}, one tile row at a time, so C is read (only when it
 * must be) and written while the row is in L1, never in an extra pass over C. Where it is a plain
 * store or add ({@link #direct}) the micro-kernel writes the tile into C from its registers instead
 * and only the activation runs here ({@link #activateRows}).
 *
 * <p>When K is split into several k-blocks the tile of one block is a partial sum: the first block
 * applies beta and the bias, the later ones add to C (beta = 1), and only the last block applies
 * the activation. {@code beta == 0} never reads C, which may hold garbage (NaN) then.
 *
 * <p>Lanes: a tile row is {@code cols} wide: columns [0, loopBound(cols)) in whole vectors, then
 * the last {@code cols % LANES} columns one by one with the same float operations (masked vector
 * loads and stores measured slower here than this scalar tail; the gesture MLP's n = 20 has one on
 * every row). The row is written first as {@code alpha·acc + beta·C + bias}, by one of four small
 * loops (with or without C, with or without bias), then, on the last k-block, the activation runs
 * over the row in place: its whole vectors by {@link VectorForms#unaryWholeVectors} (every
 * activation has a vector form there), the tail by {@link UnaryOp#apply}, its single definition.
 *
 * <p>Why this shape: a {@code FloatVector} that crosses a call C2 does not inline, or that is
 * null on one path and a vector on another, is boxed on the heap (an earlier version passed nullable
 * vectors to a helper and switched over the activation per vector: megabytes of garbage per call).
 * Here every vector lives inside one small loop; only arrays and indices cross calls, so a call
 * allocates nothing (GemmFloat32AllocationTest).
 */
final class GemmFloat32Epilogue {

    private static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    private static final int LANES = SPECIES.length();

    private final float alpha;
    private final float beta;
    private final float[] bias;
    private final int biasOffset;
    private final UnaryOp activation;
    private final double activationParam;

    GemmFloat32Epilogue(Epilogue epilogue, float[] bias, int biasOffset) {
        this.alpha = (float) epilogue.alpha();
        this.beta = (float) epilogue.beta();
        this.bias = bias;
        this.biasOffset = biasOffset;
        this.activation = epilogue.activation();
        this.activationParam = epilogue.activationParam();
    }

    /**
     * Stores {@code rows × cols} values of {@code tile} (row r at {@code tile[r·tileStride …]}) into C
     * at {@code c[cIndex + r·ldc + j]}; {@code col} is the tile's first column of C (for the bias).
     * {@code firstBlock}/{@code lastBlock} say which k-blocks this tile sums.
     */
    void store(float[] tile, int tileStride, int rows, int cols, float[] c, int cIndex, int ldc, int col,
               boolean firstBlock, boolean lastBlock) {
        store(tile, 0, tileStride, rows, cols, c, cIndex, ldc, col, firstBlock, lastBlock);
    }

    /** {@link #store} of the tile's columns from {@code tileIndex} on (row r at {@code tile[tileIndex + r·tileStride …]}). */
    void store(float[] tile, int tileIndex, int tileStride, int rows, int cols, float[] c, int cIndex, int ldc, int col,
               boolean firstBlock, boolean lastBlock) {
        boolean readC = readsC(firstBlock);
        float blockBeta = firstBlock ? beta : 1;
        boolean addBias = firstBlock && bias != null;
        int biasIndex = biasOffset + col;
        boolean activate = lastBlock && activation != null;
        int vectorCols = SPECIES.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int tileRow = tileIndex + r * tileStride;
            int cRow = cIndex + r * ldc;
            if (readC && addBias) {
                scaleAccumulateBias(tile, tileRow, alpha, c, cRow, blockBeta, bias, biasIndex, vectorCols);
            } else if (readC) {
                scaleAccumulate(tile, tileRow, alpha, c, cRow, blockBeta, vectorCols);
            } else if (addBias) {
                scaleBias(tile, tileRow, alpha, bias, biasIndex, c, cRow, vectorCols);
            } else {
                scale(tile, tileRow, alpha, c, cRow, vectorCols);
            }
            for (int j = vectorCols; j < cols; j++) {
                float out = alpha * tile[tileRow + j];
                if (readC) {
                    out = Math.fma(c[cRow + j], blockBeta, out);
                }
                if (addBias) {
                    out += bias[biasIndex + j];
                }
                c[cRow + j] = out;
            }
            if (activate) {
                activate(activation, activationParam, c, cRow, cols);
            }
        }
    }

    /**
     * Whether the micro-kernel may write a whole tile of this k-block straight into C from its
     * registers: with alpha 1, and on the first block no bias and a beta of 0 (C is not read) or 1
     * (the tile is added to C). Later blocks always may (they add to C). The bits are those of
     * {@link #store}: {@code acc + C} is {@code fma(C, 1, 1·acc)}.
     */
    boolean direct(boolean firstBlock) {
        return alpha == 1 && (!firstBlock || (bias == null && (beta == 0 || beta == 1)));
    }

    /**
     * Whether this k-block reads C: the later blocks add to it, the first one when beta is not 0
     * (a direct tile is then added to C, else written over it).
     */
    boolean readsC(boolean firstBlock) {
        return !firstBlock || beta != 0;
    }

    /** After a direct tile of the last k-block: the activation over its rows of C, in place. */
    void activateRows(float[] c, int cIndex, int ldc, int rows, int cols) {
        if (activation != null) {
            for (int r = 0; r < rows; r++) {
                activate(activation, activationParam, c, cIndex + r * ldc, cols);
            }
        }
    }

    /** {@code y[yi + j] = act(y[yi + j])} for j in [0, n): whole vectors, then a scalar tail. */
    static void activate(UnaryOp activation, double param, float[] y, int yi, int n) {
        for (int j = VectorForms.unaryWholeVectors(activation, param, y, yi, y, yi, n); j < n; j++) {
            y[yi + j] = (float) activation.apply(y[yi + j], param);
        }
    }

    /** {@code c = alpha·acc} over [0, bound), bound a multiple of LANES. */
    private static void scale(float[] tile, int ti, float alpha, float[] c, int ci, int bound) {
        for (int j = 0; j < bound; j += LANES) {
            FloatVector.fromArray(SPECIES, tile, ti + j).mul(alpha).intoArray(c, ci + j);
        }
    }

    /** {@code c = alpha·acc + bias}. */
    private static void scaleBias(float[] tile, int ti, float alpha, float[] bias, int bi, float[] c, int ci,
                                  int bound) {
        for (int j = 0; j < bound; j += LANES) {
            FloatVector.fromArray(SPECIES, tile, ti + j).mul(alpha)
                    .add(FloatVector.fromArray(SPECIES, bias, bi + j)).intoArray(c, ci + j);
        }
    }

    /** {@code c = fma(c, beta, alpha·acc)}. */
    private static void scaleAccumulate(float[] tile, int ti, float alpha, float[] c, int ci, float beta,
                                        int bound) {
        for (int j = 0; j < bound; j += LANES) {
            FloatVector scaled = FloatVector.fromArray(SPECIES, tile, ti + j).mul(alpha);
            FloatVector.fromArray(SPECIES, c, ci + j).fma(FloatVector.broadcast(SPECIES, beta), scaled).intoArray(c, ci + j);
        }
    }

    /** {@code c = fma(c, beta, alpha·acc) + bias}. */
    private static void scaleAccumulateBias(float[] tile, int ti, float alpha, float[] c, int ci, float beta,
                                            float[] bias, int bi, int bound) {
        for (int j = 0; j < bound; j += LANES) {
            FloatVector scaled = FloatVector.fromArray(SPECIES, tile, ti + j).mul(alpha);
            FloatVector.fromArray(SPECIES, c, ci + j).fma(FloatVector.broadcast(SPECIES, beta), scaled)
                    .add(FloatVector.fromArray(SPECIES, bias, bi + j)).intoArray(c, ci + j);
        }
    }
}
