package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * 8 × 8 float transposes in vector registers, for GEMM's packing of a transposed B, and the
 * 4 × 8 and 6 × 8 interleaves of a row-major A's micro-panels of four rows (AVX2's MR) and of six
 * (the 6 × 4 tile's, AVX-512's). (The
 * convolution's weight-gradient transpose, from and into L3, measured the same through them as
 * element by element in 16 × 16 blocks: 0.95-1.04x at 128-256 channels; it stays scalar.)
 *
 * <p>An 8 × 8 block is loaded as eight 256-bit vectors, one per source row, transposed in three
 * rounds (single lanes of row pairs, then pairs of lanes, then halves), each new row one permute of
 * its partner blended into it, and stored as eight destination rows. 256-bit vectors whatever the
 * preferred width: AVX-512 runs them too; below 256 bits ({@link #AVAILABLE} false: 128-bit NEON) they would run in the Vector API's
 * Java fallback, so callers copy element by element there.
 */
final class Transpose8 {

    /** Whether this CPU's vectors hold eight floats (else the callers' scalar loops run). */
    static final boolean AVAILABLE = CpuVectors.BITS >= 256;

    private static final VectorSpecies<Float> EIGHT = FloatVector.SPECIES_256;
    // block's rounds: lane l takes lane l xor 2^b, and the lanes with bit b set (ODD) or clear (EVEN).
    private static final VectorShuffle<Float> SWAP_SINGLES = VectorShuffle.fromValues(EIGHT, 1, 0, 3, 2, 5, 4, 7, 6);
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromValues(EIGHT, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromValues(EIGHT, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorMask<Float> ODD_SINGLES = lanes(0b10101010);
    private static final VectorMask<Float> EVEN_SINGLES = lanes(0b01010101);
    private static final VectorMask<Float> ODD_PAIRS = lanes(0b11001100);
    private static final VectorMask<Float> EVEN_PAIRS = lanes(0b00110011);
    private static final VectorMask<Float> HIGH_HALF = lanes(0b11110000);
    private static final VectorMask<Float> LOW_HALF = lanes(0b00001111);
    private static final VectorMask<Float> FIRST_SIX = lanes(0b00111111);

    private Transpose8() {
    }

    /** The mask of the lanes whose bit is set in {@code bits} (lane l: bit l). */
    private static VectorMask<Float> lanes(int bits) {
        return VectorMask.fromLong(EIGHT, bits);
    }

    /**
     * Four rows of eight interleaved: {@code dst[dstIndex + 4·j + i] = src[srcIndex + i·srcStride + j]}
     * for i in [0, 4), j in [0, 8) (GEMM's A micro-panel of four rows over eight depth steps): the
     * first two rounds of {@link #block} on four rows, which leave row i holding depth steps i and
     * i + 4 of the four rows in its two halves, then each output vector joins two rows' low (or
     * high) halves.
     */
    static void fourRows(float[] src, int srcIndex, int srcStride, float[] dst, int dstIndex) {
        FloatVector r0 = FloatVector.fromArray(EIGHT, src, srcIndex);
        FloatVector r1 = FloatVector.fromArray(EIGHT, src, srcIndex + srcStride);
        FloatVector r2 = FloatVector.fromArray(EIGHT, src, srcIndex + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(EIGHT, src, srcIndex + 3 * srcStride);
        FloatVector t0 = r0.blend(r1.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t1 = r1.blend(r0.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector t2 = r2.blend(r3.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t3 = r3.blend(r2.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector u0 = t0.blend(t2.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u2 = t2.blend(t0.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        FloatVector u1 = t1.blend(t3.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u3 = t3.blend(t1.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        u0.blend(u1.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex);
        u2.blend(u3.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + 8);
        u1.blend(u0.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 16);
        u3.blend(u2.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 24);
    }

    /**
     * Six rows of eight interleaved: {@code dst[dstIndex + 6·j + i] = src[srcIndex + i·srcStride + j]}
     * for i in [0, 6), j in [0, 8) (GEMM's A micro-panel of six rows, the 6 × 4 tile's, over eight
     * depth steps), writing only {@code dst[dstIndex … dstIndex + 48)}: {@link #block}'s rounds with
     * zero rows 6 and 7, each column stored whole at 6·j in order of j, so that its two zero lanes
     * are overwritten by the next column, and the last column's six lanes under a mask.
     */
    static void sixRows(float[] src, int srcIndex, int srcStride, float[] dst, int dstIndex) {
        FloatVector r0 = FloatVector.fromArray(EIGHT, src, srcIndex);
        FloatVector r1 = FloatVector.fromArray(EIGHT, src, srcIndex + srcStride);
        FloatVector r2 = FloatVector.fromArray(EIGHT, src, srcIndex + 2 * srcStride);
        FloatVector r3 = FloatVector.fromArray(EIGHT, src, srcIndex + 3 * srcStride);
        FloatVector r4 = FloatVector.fromArray(EIGHT, src, srcIndex + 4 * srcStride);
        FloatVector r5 = FloatVector.fromArray(EIGHT, src, srcIndex + 5 * srcStride);
        FloatVector zero = FloatVector.zero(EIGHT);
        FloatVector t0 = r0.blend(r1.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t1 = r1.blend(r0.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector t2 = r2.blend(r3.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t3 = r3.blend(r2.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector t4 = r4.blend(r5.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t5 = r5.blend(r4.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector u0 = t0.blend(t2.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u2 = t2.blend(t0.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        FloatVector u1 = t1.blend(t3.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u3 = t3.blend(t1.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        // Rows 6 and 7 are zero: rows 4 and 5 keep their even pairs, rows 6 and 7 take their odd ones.
        FloatVector u4 = t4.blend(zero, ODD_PAIRS);
        FloatVector u6 = zero.blend(t4.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        FloatVector u5 = t5.blend(zero, ODD_PAIRS);
        FloatVector u7 = zero.blend(t5.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        u0.blend(u4.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex);
        u1.blend(u5.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + 6);
        u2.blend(u6.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + 12);
        u3.blend(u7.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + 18);
        u4.blend(u0.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 24);
        u5.blend(u1.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 30);
        u6.blend(u2.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 36);
        u7.blend(u3.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 42, FIRST_SIX);
    }

    /**
     * {@code dst[dstIndex + j·dstStride + i] = src[srcIndex + i·srcStride + j]} for i, j in [0, 8).
     * Three rounds, one per bit b of the row and lane index: rows i and i + 2^b (bit b of i clear)
     * swap their elements whose lane has bit b set in the one and clear in the other, each new row
     * one lane permutation of its partner (lane l takes lane l xor 2^b) and one blend with a constant
     * mask. After the three rounds element (i, j) has gone to (j, i). 24 one-input permutes and 24
     * blends, where the usual unpack / shuffle / permute rounds, written as two-input rearranges,
     * cost C2 two permutes, a blend and a mask built from the shuffle each: a 16 × 512 panel of a
     * transposed B packed in 2.6-3.8 µs against 3.2-4.6 (1.2x; a probe alternating the two in one
     * JVM, 15 rounds each).
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
        // Bit 0: rows (0, 1), (2, 3), (4, 5), (6, 7).
        FloatVector t0 = r0.blend(r1.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t1 = r1.blend(r0.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector t2 = r2.blend(r3.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t3 = r3.blend(r2.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector t4 = r4.blend(r5.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t5 = r5.blend(r4.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        FloatVector t6 = r6.blend(r7.rearrange(SWAP_SINGLES), ODD_SINGLES);
        FloatVector t7 = r7.blend(r6.rearrange(SWAP_SINGLES), EVEN_SINGLES);
        // Bit 1: rows (0, 2), (1, 3), (4, 6), (5, 7).
        FloatVector u0 = t0.blend(t2.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u2 = t2.blend(t0.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        FloatVector u1 = t1.blend(t3.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u3 = t3.blend(t1.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        FloatVector u4 = t4.blend(t6.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u6 = t6.blend(t4.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        FloatVector u5 = t5.blend(t7.rearrange(SWAP_PAIRS), ODD_PAIRS);
        FloatVector u7 = t7.blend(t5.rearrange(SWAP_PAIRS), EVEN_PAIRS);
        // Bit 2: rows (0, 4), (1, 5), (2, 6), (3, 7); row j is now column j of the block.
        u0.blend(u4.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex);
        u1.blend(u5.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + dstStride);
        u2.blend(u6.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + 2 * dstStride);
        u3.blend(u7.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(dst, dstIndex + 3 * dstStride);
        u4.blend(u0.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 4 * dstStride);
        u5.blend(u1.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 5 * dstStride);
        u6.blend(u2.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 6 * dstStride);
        u7.blend(u3.rearrange(SWAP_HALVES), LOW_HALF).intoArray(dst, dstIndex + 7 * dstStride);
    }
}
