package io.gasok.spi;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
 * counter-based generator, so element {@code i} of a random fill is a pure function of
 * {@code (seed, offset + i)} and every backend, on any number of threads, draws the same numbers.
 *
 * <p>The fill rule shared by all backends: element {@code i} takes the block
 * {@code philox(key = seed, counter = offset + i)}; a uniform float is {@code (word0 >>> 8) · 2⁻²⁴},
 * a uniform double {@code ((word0 << 21) ^ (word1 >>> 11)) · 2⁻⁵³}; a normal value is
 * Box-Muller, {@code sqrt(-2 ln(1 - u0)) · cos(2π u1)}, with u0 the uniform above and u1 the
 * uniform of the next word (word1 for floats, words 2 and 3 for doubles).
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;

    private Philox() {}

    /** The four 32-bit words for {@code counter} under {@code seed}, written to {@code out}. */
    public static void block(long seed, long counter, int[] out) {
        int c0 = (int) counter;
        int c1 = (int) (counter >>> 32);
        int c2 = 0;
        int c3 = 0;
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Uniform float on [0, 1) from one word. */
    public static float uniformFloat(int word) {
        return (word >>> 8) * 0x1.0p-24f;
    }

    /** Uniform double on [0, 1) from two words. */
    public static double uniformDouble(int word0, int word1) {
        long bits = ((word0 & 0xFFFFFFFFL) << 21) ^ ((word1 & 0xFFFFFFFFL) >>> 11);
        return bits * 0x1.0p-53;
    }

    /** The value element {@code index} of a fill of {@code distribution} gets, in double. */
    public static double sample(Distribution distribution, boolean doublePrecision, long seed, long index) {
        int[] words = new int[4];
        block(seed, index, words);
        double u0 = doublePrecision ? uniformDouble(words[0], words[1]) : uniformFloat(words[0]);
        if (distribution == Distribution.UNIFORM) {
            return u0;
        }
        double u1 = doublePrecision ? uniformDouble(words[2], words[3]) : uniformFloat(words[1]);
        return Math.sqrt(-2 * Math.log(1 - u0)) * Math.cos(2 * Math.PI * u1);
    }
}
