package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Every second float of a run, {@code dst[at + j] = x[from + 2·j]} for j in [0, count): the column
 * gather that splits a row by phase for a stride-2 convolution ({@link Im2col#padInput},
 * {@link CpuDepthwise}'s phase rows). Its lane shuffles, even and odd lanes of a pair of vectors,
 * also serve the 2×2 pooling ({@link CpuPooling}) and the nearest-upsampling gradient
 * ({@link CpuUpsampling}).
 *
 * <p>Lanes: LANES outputs at a time from two consecutive vectors of input, their even lanes taken
 * by one two-vector rearrange (vpermps twice and a blend on AVX2); then a scalar tail, and scalar
 * wherever the second vector would run past the end of x. Single-threaded; callers split rows.
 */
final class EveryOther {

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();
    /** Lanes 0, 2, 4, … of a pair of vectors (indices past the first vector select from the second). */
    static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(FLOATS, lane -> 2 * lane);
    /** Lanes 1, 3, 5, … of a pair of vectors. */
    static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(FLOATS, lane -> 2 * lane + 1);

    private EveryOther() {
    }

    static void gather(float[] x, int from, float[] dst, int at, int count) {
        int j = 0;
        for (; j + LANES <= count && from + 2 * j + 2 * LANES <= x.length; j += LANES) {
            FloatVector low = FloatVector.fromArray(FLOATS, x, from + 2 * j);
            FloatVector high = FloatVector.fromArray(FLOATS, x, from + 2 * j + LANES);
            low.rearrange(EVEN_LANES, high).intoArray(dst, at + j);
        }
        for (; j < count; j++) {
            dst[at + j] = x[from + 2 * j];
        }
    }
}
