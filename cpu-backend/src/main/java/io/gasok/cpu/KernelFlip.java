package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The stride-1 input gradient's weight pack ({@code CpuConvolution.ForwardWeights}, flipped) in
 * vector registers. Row r of a GEMM A micro-panel of MR rows is an input channel, and depth step
 * {@code co·T + t} the weight {@code w[co][ci_r][T - 1 - t]} (T = KH·KW taps): the kernel
 * transposed and flipped. For one output channel co the panel's MR input channels' weights are
 * MR·T consecutive floats of w, and their packed steps MR·T consecutive floats too, so the pack is
 * one fixed permutation of a block of L = MR·T floats, {@code dst[t·MR + r] = src[r·T + T - 1 - t]},
 * block after block. Element by element that is L scalar loads and stores; here it is four vector
 * loads, eight two-vector permutes ({@code selectFrom(v1, v2)}: vpermt2ps on AVX-512), four blends
 * and four stores, for blocks of two to four vectors: a 3×3 kernel's 54 floats on AVX-512's 16
 * lanes and 6-row tile. A 256 × 256 × 3×3 weight tensor packed in 184-214 µs this way against
 * 486-594 µs element by element (and 123-132 µs for the plain, unflipped pack of the forward; one
 * thread, AMD EPYC Zen 4). Blocks of other lengths ({@link #forTaps} null: AVX2's 4-row tile and
 * its 36-float blocks take five vectors, NEON's 4 lanes fourteen for 54 floats) stay element by
 * element.
 *
 * <p>The four source vectors start at 0, LANES, 2·LANES and L - LANES (clamped, so the last
 * overlaps the third where L is not a multiple of LANES and no load leaves the block), the four
 * destination vectors likewise (an overlapping store writes the same values twice). Destination
 * lane q takes its float from the first source vector holding it: the pair (0, 1) by one permute,
 * the pair (2, 3) by another, then a blend of the two by the lanes the second pair supplies.
 */
final class KernelFlip {
    private static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final int MR = GemmFloat32MicroKernels.MR;
    private static final int SLOTS = 4;
    /** Indexed by the kernel's taps: null where the block is not two to four vectors. */
    private static final KernelFlip[] BY_TAPS = byTaps();

    private final int length;
    private final int o1;
    private final int o2;
    private final int o3;
    // Per destination slot d: lane indices into the pair (0, 1) and into the pair (2, 3), each in [0, 2·LANES),
    // and the lanes the second pair supplies.
    private final FloatVector low0;
    private final FloatVector low1;
    private final FloatVector low2;
    private final FloatVector low3;
    private final FloatVector high0;
    private final FloatVector high1;
    private final FloatVector high2;
    private final FloatVector high3;
    private final VectorMask<Float> fromHigh0;
    private final VectorMask<Float> fromHigh1;
    private final VectorMask<Float> fromHigh2;
    private final VectorMask<Float> fromHigh3;

    private KernelFlip(int taps) {
        length = MR * taps;
        int[] offsets = new int[SLOTS];
        for (int j = 0; j < SLOTS; j++) {
            offsets[j] = Math.min(j * LANES, length - LANES);
        }
        o1 = offsets[1];
        o2 = offsets[2];
        o3 = offsets[3];
        FloatVector[] low = new FloatVector[SLOTS];
        FloatVector[] high = new FloatVector[SLOTS];
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] fromHigh = new VectorMask[SLOTS];
        for (int d = 0; d < SLOTS; d++) {
            float[] lowIndex = new float[LANES];
            float[] highIndex = new float[LANES];
            boolean[] second = new boolean[LANES];
            for (int lane = 0; lane < LANES; lane++) {
                int q = offsets[d] + lane;
                int source = (q % MR) * taps + taps - 1 - q / MR;
                int j = 0;
                while (source >= offsets[j] + LANES) {
                    j++;
                }
                if (j < 2) {
                    lowIndex[lane] = j * LANES + source - offsets[j];
                } else {
                    highIndex[lane] = (j - 2) * LANES + source - offsets[j];
                    second[lane] = true;
                }
            }
            low[d] = FloatVector.fromArray(SPECIES, lowIndex, 0);
            high[d] = FloatVector.fromArray(SPECIES, highIndex, 0);
            fromHigh[d] = VectorMask.fromArray(SPECIES, second, 0);
        }
        low0 = low[0];
        low1 = low[1];
        low2 = low[2];
        low3 = low[3];
        high0 = high[0];
        high1 = high[1];
        high2 = high[2];
        high3 = high[3];
        fromHigh0 = fromHigh[0];
        fromHigh1 = fromHigh[1];
        fromHigh2 = fromHigh[2];
        fromHigh3 = fromHigh[3];
    }

    private static KernelFlip[] byTaps() {
        int most = SLOTS * LANES / MR;
        KernelFlip[] flips = new KernelFlip[most + 1];
        for (int taps = 1; taps <= most; taps++) {
            int length = MR * taps;
            if (length > LANES && length <= SLOTS * LANES) {
                flips[taps] = new KernelFlip(taps);
            }
        }
        return flips;
    }

    /** The permutation of MR rows of a kernel of {@code taps} taps, or null where it takes element by element. */
    static KernelFlip forTaps(int taps) {
        return taps < BY_TAPS.length ? BY_TAPS[taps] : null;
    }

    /**
     * Permutes {@code count} blocks: block i from {@code src + i·srcStep} of {@code a} (MR rows of
     * {@code taps} consecutive floats) into {@code dst + i·dstStep} of {@code packed} (taps steps of
     * MR floats, the taps in reverse).
     */
    void pack(int count, float[] a, int src, int srcStep, float[] packed, int dst, int dstStep) {
        for (int i = 0; i < count; i++, src += srcStep, dst += dstStep) {
            FloatVector v0 = FloatVector.fromArray(SPECIES, a, src);
            FloatVector v1 = FloatVector.fromArray(SPECIES, a, src + o1);
            FloatVector v2 = FloatVector.fromArray(SPECIES, a, src + o2);
            FloatVector v3 = FloatVector.fromArray(SPECIES, a, src + o3);
            low0.selectFrom(v0, v1).blend(high0.selectFrom(v2, v3), fromHigh0).intoArray(packed, dst);
            low1.selectFrom(v0, v1).blend(high1.selectFrom(v2, v3), fromHigh1).intoArray(packed, dst + o1);
            low2.selectFrom(v0, v1).blend(high2.selectFrom(v2, v3), fromHigh2).intoArray(packed, dst + o2);
            low3.selectFrom(v0, v1).blend(high3.selectFrom(v2, v3), fromHigh3).intoArray(packed, dst + o3);
        }
    }

    /** Floats in one block: MR rows of the kernel's taps. */
    int length() {
        return length;
    }
}
