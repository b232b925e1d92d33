package io.gasok.cpu;

import io.gasok.spi.Epilogue;
import io.gasok.spi.UnaryOp;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
 * <p>Lanes: a tile row is {@code cols} ≤ tile width wide; whole vectors are loaded and stored as
 * they are, the last partial one through a lane mask, with the same arithmetic, so a value does not
 * depend on where the tile edge falls. RELU, LEAKY_RELU, SIGMOID, SILU and TANH are vectorised;
 * every other activation goes lane by lane through {@link UnaryOp#apply}, its single definition.
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
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mask = SPECIES.indexInRange(j, cols);
                FloatVector out = FloatVector.fromArray(SPECIES, tile, tileRow + j).mul(alpha);
                if (readC) {
                    out = FloatVector.fromArray(SPECIES, c, cRow + j, mask).fma(FloatVector.broadcast(SPECIES, blockBeta), out);
                }
                if (addBias) {
                    out = out.add(FloatVector.fromArray(SPECIES, bias, biasOffset + col + j, mask));
                }
                if (activate) {
                    out = activate(out);
                }
                out.intoArray(c, cRow + j, mask);
            }
        }
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
