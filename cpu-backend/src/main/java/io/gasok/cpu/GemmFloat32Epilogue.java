package io.gasok.cpu;

import io.gasok.spi.Epilogue;
import io.gasok.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FP32 GEMM epilogue: writes one finished tile of accumulators into C as
 * {@code C = act(alpha·acc + beta·C + bias)}, one vector of a tile row at a time, so C is read (only
 * when it must be) and written once per k-block, never in an extra pass.
 *
 * <p>When K is split into several k-blocks the tile of one block is a partial sum: the first block
 * applies beta and the bias, the later ones add to C (beta = 1), and only the last block applies
 * the activation. {@code beta == 0} never reads C, which may hold garbage (NaN) then.
 *
 * <p>Lanes: a tile row is {@code cols} ≤ tile width wide: whole vectors first, then the last
 * {@code cols % LANES} columns one by one with the same float operations (masked vector loads and
 * stores measured slower here than this scalar tail; the gesture MLP's n = 42 has one on every row). RELU,
 * LEAKY_RELU, SIGMOID, SILU and TANH are vectorised; every other activation, and every activation in
 * the scalar tail, goes through {@link UnaryOp#apply}, its single definition.
 */
final class GemmFloat32Epilogue {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();

    private final float alpha;
    private final float beta;
    private final float[] bias;
    private final int biasOffset;
    private final UnaryOp activation;
    private final float activationParam;

    GemmFloat32Epilogue(Epilogue epilogue, float[] bias, int biasOffset) {
        this.alpha = (float) epilogue.alpha();
        this.beta = (float) epilogue.beta();
        this.bias = bias;
        this.biasOffset = biasOffset;
        this.activation = epilogue.activation();
        this.activationParam = (float) epilogue.activationParam();
    }

    /**
     * Stores {@code rows × cols} values of {@code tile} (row r at {@code tile[r·tileStride …]}) into C
     * at {@code c[cIndex + r·ldc + j]}; {@code col} is the tile's first column of C (for the bias).
     * {@code firstBlock}/{@code lastBlock} say which k-blocks this tile sums.
     */
    void store(float[] tile, int tileStride, int rows, int cols, float[] c, int cIndex, int ldc, int col,
               boolean firstBlock, boolean lastBlock) {
        boolean readC = !firstBlock || beta != 0;
        float blockBeta = firstBlock ? beta : 1;
        boolean addBias = firstBlock && bias != null;
        boolean activate = lastBlock && activation != null;
        for (int r = 0; r < rows; r++) {
            int tileRow = r * tileStride;
            int cRow = cIndex + r * ldc;
            int j = 0;
            for (; j + LANES <= cols; j += LANES) {
                FloatVector acc = FloatVector.fromArray(SPECIES, tile, tileRow + j);
                FloatVector old = readC ? FloatVector.fromArray(SPECIES, c, cRow + j) : null;
                FloatVector add = addBias ? FloatVector.fromArray(SPECIES, bias, biasOffset + col + j) : null;
                finish(acc, old, blockBeta, add, activate).intoArray(c, cRow + j);
            }
            for (; j < cols; j++) {
                float out = alpha * tile[tileRow + j];
                if (readC) {
                    out = Math.fma(c[cRow + j], blockBeta, out);
                }
                if (addBias) {
                    out += bias[biasOffset + col + j];
                }
                c[cRow + j] = activate ? (float) activation.apply(out, activationParam) : out;
            }
        }
    }

    /** {@code act(alpha·acc + beta·old + bias)}; a null {@code old} or {@code bias} is left out. */
    private FloatVector finish(FloatVector acc, FloatVector old, float blockBeta, FloatVector bias,
                               boolean activate) {
        FloatVector out = acc.mul(alpha);
        if (old != null) {
            out = old.fma(FloatVector.broadcast(SPECIES, blockBeta), out);
        }
        if (bias != null) {
            out = out.add(bias);
        }
        return activate ? activate(out) : out;
    }

    private FloatVector activate(FloatVector x) {
        return switch (activation) {
            case RELU -> x.blend(0f, x.compare(VectorOperators.LE, 0f));
            case LEAKY_RELU -> x.blend(x.mul(activationParam), x.compare(VectorOperators.LE, 0f));
            case SIGMOID -> FloatVector.broadcast(SPECIES, 1f)
                    .div(x.neg().lanewise(VectorOperators.EXP).add(1f));
            case SILU -> x.div(x.neg().lanewise(VectorOperators.EXP).add(1f));
            case TANH -> x.lanewise(VectorOperators.TANH);
            default -> activateLaneByLane(x);
        };
    }

    private FloatVector activateLaneByLane(FloatVector x) {
        float[] lanes = x.toArray();
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = (float) activation.apply(lanes[i], activationParam);
        }
        return FloatVector.fromArray(SPECIES, lanes, 0);
    }
}
