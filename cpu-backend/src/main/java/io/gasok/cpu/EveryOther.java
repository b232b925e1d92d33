package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Every second float of a run, {@code dst[at + j] = x[from + 2·j]} for j in [0, count): the column
 * gather that splits a row by phase for a stride-2 convolution ({@link Im2col#padInput},
 * {@link CpuDepthwise}'s phase rows), and keeps the even columns of the stride-2 depthwise's
 * stride-1 sums. Its lane shuffles, even and odd lanes of a pair of vectors,
 * also serve the 2×2 pooling ({@link CpuPooling}), the nearest-upsampling gradient
 * ({@link CpuUpsampling}) and the stride-2 convolution's tap planes ({@code CpuConvolution.TapPlanes}).
 *
 * <p>Lanes: LANES outputs at a time from two consecutive vectors of input, their even lanes taken
 * by one two-vector rearrange (vpermps twice and a blend on AVX2); {@link #gather} then a scalar tail, and scalar
 * wherever the second vector would run past the end of x; {@link #split} one masked vector for the
 * tail (rows of 20-80 floats at YOLO's stride-2 layers, where a scalar tail cost about as much as
 * the vectors before it); {@link #interleave}, a copy, a last whole vector that ends at the run's
 * end over pairs already written (masked only for runs shorter than a vector). {@link #interleave} is the reverse of
 * {@link #split}, for the stride-2 input gradient's accumulator. Single-threaded; callers split rows.
 */
final class EveryOther {

    private static final VectorSpecies<Float> FLOATS = CpuVectors.FLOATS;
    private static final int LANES = FLOATS.length();
    /** Lanes 0, 2, 4, … of a pair of vectors (indices past the first vector select from the second). */
    static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(FLOATS, lane -> 2 * lane);
    /** Lanes 1, 3, 5, … of a pair of vectors. */
    static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(FLOATS, lane -> 2 * lane + 1);

    /** Lane l of the first LANES/2 values at lane 2·(l/2): value i to lane 2i (odd lanes ignored). */
    private static final VectorShuffle<Float> SPREAD_LOW = VectorShuffle.fromOp(FLOATS, lane -> lane / 2);
    /** The last LANES/2 values likewise: value LANES/2 + i to lane 2i. */
    private static final VectorShuffle<Float> SPREAD_HIGH = VectorShuffle.fromOp(FLOATS, lane -> LANES / 2 + lane / 2);
    /** The odd lanes. */
    private static final VectorMask<Float> ODD_MASK = VectorMask.fromLong(FLOATS, 0xAAAA_AAAA_AAAA_AAAAL);

    private EveryOther() {
    }

    static void gather(float[] x, int from, float[] dst, int at, int count) {
        gather(x, from, dst, at, count, count);
    }

    /**
     * {@link #gather} that may also write up to LANES - 1 floats past {@code dst[at + count)}
     * (values of x past the run) to end on a whole vector instead of a scalar tail: for a caller with
     * that room in dst, which it overwrites or ignores. A tail of a few floats cost about as much as
     * the vectors before it in rows of a few dozen.
     */
    static void gatherPast(float[] x, int from, float[] dst, int at, int count) {
        gather(x, from, dst, at, count, Math.min(count + LANES - 1, dst.length - at));
    }

    /** Outputs [0, count) written; whole vectors may go on up to output {@code room}. */
    private static void gather(float[] x, int from, float[] dst, int at, int count, int room) {
        int j = 0;
        for (; j < count && j + LANES <= room && from + 2 * j + 2 * LANES <= x.length; j += LANES) {
            FloatVector low = FloatVector.fromArray(FLOATS, x, from + 2 * j);
            FloatVector high = FloatVector.fromArray(FLOATS, x, from + 2 * j + LANES);
            low.rearrange(EVEN_LANES, high).intoArray(dst, at + j);
        }
        for (; j < count; j++) {
            dst[at + j] = x[from + 2 * j];
        }
    }

    /**
     * Both phases of a run at once: {@code even[evenAt + i] = x[from + 2i]} and
     * {@code odd[oddAt + i] = x[from + 2i + 1]} for i in [0, pairs) (a stride-2 convolution's input
     * row split by column phase). Reads x[from, from + 2·pairs) only.
     */
    static void split(float[] x, int from, int pairs, float[] even, int evenAt, float[] odd, int oddAt) {
        int i = 0;
        for (; i + LANES <= pairs; i += LANES) {
            FloatVector low = FloatVector.fromArray(FLOATS, x, from + 2 * i);
            FloatVector high = FloatVector.fromArray(FLOATS, x, from + 2 * i + LANES);
            low.rearrange(EVEN_LANES, high).intoArray(even, evenAt + i);
            low.rearrange(ODD_LANES, high).intoArray(odd, oddAt + i);
        }
        if (i < pairs) {
            int rest = pairs - i;
            FloatVector low = FloatVector.fromArray(FLOATS, x, from + 2 * i, FLOATS.indexInRange(0, 2 * rest));
            FloatVector high = FloatVector.fromArray(FLOATS, x, from + 2 * i + LANES,
                    FLOATS.indexInRange(LANES, 2 * rest));
            VectorMask<Float> tail = FLOATS.indexInRange(0, rest);
            low.rearrange(EVEN_LANES, high).intoArray(even, evenAt + i, tail);
            low.rearrange(ODD_LANES, high).intoArray(odd, oddAt + i, tail);
        }
    }

    /**
     * The reverse of {@link #split}: {@code dst[at + 2i] = even[evenAt + i]} and
     * {@code dst[at + 2i + 1] = odd[oddAt + i]} for i in [0, pairs) (a stride-2 input gradient's
     * phase rows joined into one row). LANES pairs at a time: each half of both vectors spread to
     * lane pairs, the odd lanes taken from the odd values.
     */
    static void interleave(float[] even, int evenAt, float[] odd, int oddAt, int pairs, float[] dst, int at) {
        if (pairs >= LANES) {
            // Whole vectors only: the last LANES pairs end at the run's end, over pairs the vectors
            // before them wrote too (the same values again).
            for (int i = 0; ; i += LANES) {
                i = Math.min(i, pairs - LANES);
                FloatVector e = FloatVector.fromArray(FLOATS, even, evenAt + i);
                FloatVector o = FloatVector.fromArray(FLOATS, odd, oddAt + i);
                e.rearrange(SPREAD_LOW).blend(o.rearrange(SPREAD_LOW), ODD_MASK).intoArray(dst, at + 2 * i);
                e.rearrange(SPREAD_HIGH).blend(o.rearrange(SPREAD_HIGH), ODD_MASK).intoArray(dst, at + 2 * i + LANES);
                if (i == pairs - LANES) {
                    return;
                }
            }
        }
        int i = 0;
        if (i < pairs) {
            int rest = pairs - i;
            VectorMask<Float> tail = FLOATS.indexInRange(0, rest);
            FloatVector e = FloatVector.fromArray(FLOATS, even, evenAt + i, tail);
            FloatVector o = FloatVector.fromArray(FLOATS, odd, oddAt + i, tail);
            e.rearrange(SPREAD_LOW).blend(o.rearrange(SPREAD_LOW), ODD_MASK)
                    .intoArray(dst, at + 2 * i, FLOATS.indexInRange(0, 2 * rest));
            e.rearrange(SPREAD_HIGH).blend(o.rearrange(SPREAD_HIGH), ODD_MASK)
                    .intoArray(dst, at + 2 * i + LANES, FLOATS.indexInRange(LANES, 2 * rest));
        }
    }
}
