package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8 × 8 float transposes in vector registers, for GEMM's packing of a transposed B, and the
 * 4 × 8 interleave of a row-major A's micro-panels of four rows (AVX2's MR). (The
 * convolution's weight-gradient transpose, from and into L3, measured the same through them as
 * element by element in 16 × 16 blocks: 0.95-1.04x at 128-256 channels; it stays scalar.)
 *
 * <p>An 8 × 8 block is loaded as eight 256-bit vectors, one per source row, transposed in three rounds
 * of two-vector shuffles (single lanes of row pairs, then pairs of lanes, then halves: the unpack /
 * shuffle / permute of the usual AVX transpose, which C2 compiles into permutes and blends), and
 * stored as eight destination rows. 256-bit vectors whatever the preferred width: AVX-512 runs them
 * too; below 256 bits ({@link #AVAILABLE} false: 128-bit NEON) they would run in the Vector API's
 * Java fallback, so callers copy element by element there.
 */
final class Transpose8 {

    /** Whether this CPU's vectors hold eight floats (else the callers' scalar loops run). */
    static final boolean AVAILABLE = CpuVectors.BITS >= 256;

    private static final VectorSpecies<Float> EIGHT = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> LOW_SINGLES = VectorShuffle.fromValues(EIGHT, 0, 8, 1, 9, 4, 12, 5, 13);
    private static final VectorShuffle<Float> HIGH_SINGLES = VectorShuffle.fromValues(EIGHT, 2, 10, 3, 11, 6, 14, 7, 15);
    private static final VectorShuffle<Float> LOW_PAIRS = VectorShuffle.fromValues(EIGHT, 0, 1, 8, 9, 4, 5, 12, 13);
    private static final VectorShuffle<Float> HIGH_PAIRS = VectorShuffle.fromValues(EIGHT, 2, 3, 10, 11, 6, 7, 14, 15);
    private static final VectorShuffle<Float> LOW_HALVES = VectorShuffle.fromValues(EIGHT, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> HIGH_HALVES = VectorShuffle.fromValues(EIGHT, 4, 5, 6, 7, 12, 13, 14, 15);

    private Transpose8() {
    }

    /**
     * Four rows of eight interleaved: {@code dst[dstIndex + 4·j + i] = src[srcIndex + i·srcStride + j]}
     * for i in [0, 4), j in [0, 8) (GEMM's A micro-panel of four rows over eight depth steps): the
     * first two rounds of {@link #block} on four rows, then each output vector joins the halves of
     * two depth steps.
     */
    static void fourRows(float[] src, int srcIndex, int srcStride, float[] dst, int dstIndex) {
        FloatVector r0 = FloatVector.fromArray(EIGHT, src, srcIndex);
        FloatVector r1 = FloatVector.fromArray(EIGHT, src, srcIndex + srcStride);
        FloatVector r2 = FloatVector.fromArray(EIGHT, src, srcIndex + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(EIGHT, src, srcIndex + 3 * srcStride);
        FloatVector t0 = r0.rearrange(LOW_SINGLES, r1);
        FloatVector t1 = r0.rearrange(HIGH_SINGLES, r1);
        FloatVector t2 = r2.rearrange(LOW_SINGLES, r3);
        FloatVector t3 = r2.rearrange(HIGH_SINGLES, r3);
        // Depth steps j and j + 4 of the four rows, in the two halves.
        FloatVector u0 = t0.rearrange(LOW_PAIRS, t2);
        FloatVector u1 = t0.rearrange(HIGH_PAIRS, t2);
        FloatVector u2 = t1.rearrange(LOW_PAIRS, t3);
        FloatVector u3 = t1.rearrange(HIGH_PAIRS, t3);
        u0.rearrange(LOW_HALVES, u1).intoArray(dst, dstIndex);
        u2.rearrange(LOW_HALVES, u3).intoArray(dst, dstIndex + 8);
        u0.rearrange(HIGH_HALVES, u1).intoArray(dst, dstIndex + 16);
        u2.rearrange(HIGH_HALVES, u3).intoArray(dst, dstIndex + 24);
    }

    /**
     * {@code dst[dstIndex + j·dstStride + i] = src[srcIndex + i·srcStride + j]} for i, j in [0, 8).
     */
    static void block(float[] src, int srcIndex, int srcStride, float[] dst, int dstIndex, int dstStride) {
        FloatVector r0 = FloatVector.fromArray(EIGHT, src, srcIndex);
        FloatVector r1 = FloatVector.fromArray(EIGHT, src, srcIndex + srcStride);
        FloatVector r2 = FloatVector.fromArray(EIGHT, src, srcIndex + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(EIGHT, src, srcIndex + 3 * srcStride);
        FloatVector r4 = FloatVector.fromArray(EIGHT, src, srcIndex + 4 * srcStride);
        FloatVector r5 = FloatVector.fromArray(EIGHT, src, srcIndex + 5 * srcStride);
        FloatVector r6 = FloatVector.fromArray(EIGHT, src, srcIndex + 6 * srcStride);
        FloatVector r7 = FloatVector.fromArray(EIGHT, src, srcIndex + 7 * srcStride);
        // t: rows 2q and 2q+1 interleaved, first (low) or last (high) two lanes of each 128-bit half.
        FloatVector t0 = r0.rearrange(LOW_SINGLES, r1);
        FloatVector t1 = r0.rearrange(HIGH_SINGLES, r1);
        FloatVector t2 = r2.rearrange(LOW_SINGLES, r3);
        FloatVector t3 = r2.rearrange(HIGH_SINGLES, r3);
        FloatVector t4 = r4.rearrange(LOW_SINGLES, r5);
        FloatVector t5 = r4.rearrange(HIGH_SINGLES, r5);
        FloatVector t6 = r6.rearrange(LOW_SINGLES, r7);
        FloatVector t7 = r6.rearrange(HIGH_SINGLES, r7);
        // u: four rows' lane j in each 128-bit half (j and j + 4).
        FloatVector u0 = t0.rearrange(LOW_PAIRS, t2);
        FloatVector u1 = t0.rearrange(HIGH_PAIRS, t2);
        FloatVector u2 = t1.rearrange(LOW_PAIRS, t3);
        FloatVector u3 = t1.rearrange(HIGH_PAIRS, t3);
        FloatVector u4 = t4.rearrange(LOW_PAIRS, t6);
        FloatVector u5 = t4.rearrange(HIGH_PAIRS, t6);
        FloatVector u6 = t5.rearrange(LOW_PAIRS, t7);
        FloatVector u7 = t5.rearrange(HIGH_PAIRS, t7);
        // The halves of rows 0-3 and 4-7 joined: column j of the block.
        u0.rearrange(LOW_HALVES, u4).intoArray(dst, dstIndex);
        u1.rearrange(LOW_HALVES, u5).intoArray(dst, dstIndex + dstStride);
        u2.rearrange(LOW_HALVES, u6).intoArray(dst, dstIndex + 2 * dstStride);
        u3.rearrange(LOW_HALVES, u7).intoArray(dst, dstIndex + 3 * dstStride);
        u0.rearrange(HIGH_HALVES, u4).intoArray(dst, dstIndex + 4 * dstStride);
        u1.rearrange(HIGH_HALVES, u5).intoArray(dst, dstIndex + 5 * dstStride);
        u2.rearrange(HIGH_HALVES, u6).intoArray(dst, dstIndex + 6 * dstStride);
        u3.rearrange(HIGH_HALVES, u7).intoArray(dst, dstIndex + 7 * dstStride);
    }
}
