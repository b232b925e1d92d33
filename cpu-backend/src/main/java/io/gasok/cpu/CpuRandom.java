package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Distribution;
import io.gasok.spi.Operand;
import io.gasok.spi.Philox;
import java.util.Arrays;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Seeded random fill: element i of out (its row-major index, written through out's strides) is
 * {@code Philox.sample(distribution, out is float64, seed, offset + i)} converted to out's dtype,
 * the same numbers as the reference and every other backend (bitwise for uniforms).
 *
 * <p>Threads: Philox is counter-based, so any split draws the same numbers; above
 * {@value #PARALLEL_THRESHOLD} elements the index range [0, size) is cut into one contiguous
 * range per thread, part p covering [p·size/parts, (p+1)·size/parts), each walking its range in
 * runs of out ({@link StridedRows}) of at most {@value #BLOCK} elements.
 *
 * <p>Lanes: the Philox4x32-10 blocks of a run are computed {@link CpuVectors#LONGS}
 * counters at a time (4 on AVX2, 8 on AVX-512), each 32-bit word zero-extended in a 64-bit lane,
 * so a round's two 32×32→64-bit products are lane multiplies of values below 2³² (one
 * {@code vpmuludq} each); the run's counters are rounded up to whole vectors and the extra blocks
 * are never read. The words then go through a scalar loop that turns them into samples by the rule
 * of {@link Philox#sample} (uniform bits, or Box-Muller for normals), and into out.
 */
final class CpuRandom {
    static final int PARALLEL_THRESHOLD = 1 << 13;
    /** Counters per run: the four word arrays of a run stay in L1. */
    static final int BLOCK = 512;

    private static final VectorSpecies<Long> LONGS = CpuVectors.LONGS;
    private static final long LOW_WORD = 0xFFFFFFFFL;
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final int ROUNDS = 10;
    private static final ThreadLocal<Words> WORDS = ThreadLocal.withInitial(Words::new);

    private CpuRandom() {}

    static void fill(Distribution distribution, long seed, long offset, Operand out, WorkerPool pool) {
        if (!out.dtype().isFloating()) {
            throw new IllegalArgumentException("random: fills float32 or float64, got " + out.dtype().shortName());
        }
        int size = out.size();
        if (size == 0) {
            return;
        }
        boolean normal = distribution == Distribution.NORMAL;
        StridedRows rows = StridedRows.of(out.shape(), out);
        int stride = rows.innerStride(0);
        Object array = CpuBuffer.array(out);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, (start, end) -> {
            Words words = WORDS.get();
            long[] counter = {offset + start};
            rows.forEachRun(start, end, BLOCK, (positions, n) -> {
                philoxBlocks(seed, counter[0], n, words);
                counter[0] += n;
                if (array instanceof float[] floats) {
                    storeFloats(normal, words, floats, positions[0], stride, n);
                } else {
                    storeDoubles(normal, words, (double[]) array, positions[0], stride, n);
                }
            });
        });
    }

    /** Samples of a float32 fill from words 0 (and 1, for normals) of each block. */
    private static void storeFloats(boolean normal, Words words, float[] out, int at, int stride, int n) {
        long[] w0 = words.w0;
        long[] w1 = words.w1;
        if (!normal && stride == 1) {
            // The dropout masks' case, kept a plain loop that the JIT vectorises.
            for (int i = 0; i < n; i++) {
                out[at + i] = Philox.uniformFloat((int) w0[i]);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float u0 = Philox.uniformFloat((int) w0[i]);
            out[at + i * stride] = normal ? (float) boxMuller(u0, Philox.uniformFloat((int) w1[i])) : u0;
        }
    }

    /** Samples of a float64 fill from words 0 and 1 (and 2 and 3, for normals) of each block. */
    private static void storeDoubles(boolean normal, Words words, double[] out, int at, int stride, int n) {
        for (int i = 0; i < n; i++) {
            double u0 = Philox.uniformDouble((int) words.w0[i], (int) words.w1[i]);
            out[at + i * stride] = normal
                    ? boxMuller(u0, Philox.uniformDouble((int) words.w2[i], (int) words.w3[i])) : u0;
        }
    }

    private static double boxMuller(double u0, double u1) {
        return Math.sqrt(-2 * Math.log(1 - u0)) * Math.cos(2 * Math.PI * u1);
    }

    /**
     * The four words of the Philox4x32-10 blocks of counters [first, first + n) under {@code seed},
     * as in {@link Philox#block}, each zero-extended into {@code words.w0..w3[0, n)}.
     *
     * <p>A round is latency-bound (each word feeds the next round's product), so its dependency
     * chain is kept short: the round keys are vectors in memory ({@link Words#roundKeys}), the
     * product halves' xor with the key ({@code c1 ^ k0}) is computed beside the product, and the
     * low halves are not masked (their high bits only reach the next products, whose inputs are
     * masked anyway: masking both factors is also what lets C2 see a 32×32→64-bit product and emit
     * one {@code vpmuludq}); the words are masked once, when stored.
     */
    static void philoxBlocks(long seed, long first, int n, Words words) {
        int lanes = LONGS.length();
        long[] keys = words.roundKeys(seed);
        LongVector mask = LongVector.broadcast(LONGS, LOW_WORD);
        LongVector m0 = LongVector.broadcast(LONGS, M0);
        LongVector m1 = LongVector.broadcast(LONGS, M1);
        LongVector iota = LongVector.fromArray(LONGS, words.laneIndex, 0);
        for (int i = 0; i < n; i += lanes) {
            LongVector counters = iota.add(first + i);
            LongVector c0 = counters;
            LongVector c1 = counters.lanewise(VectorOperators.LSHR, 32);
            LongVector c2 = LongVector.zero(LONGS);
            LongVector c3 = LongVector.zero(LONGS);
            for (int round = 0; round < ROUNDS; round++) {
                LongVector k0 = LongVector.fromArray(LONGS, keys, 2 * round * lanes);
                LongVector k1 = LongVector.fromArray(LONGS, keys, (2 * round + 1) * lanes);
                LongVector p0 = c0.and(mask).mul(m0.and(mask));
                LongVector p1 = c2.and(mask).mul(m1.and(mask));
                c0 = p1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c1.lanewise(VectorOperators.XOR, k0));
                c2 = p0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, c3.lanewise(VectorOperators.XOR, k1));
                c1 = p1;
                c3 = p0;
            }
            c0.and(mask).intoArray(words.w0, i);
            c1.and(mask).intoArray(words.w1, i);
            c2.and(mask).intoArray(words.w2, i);
            c3.and(mask).intoArray(words.w3, i);
        }
    }

    /** One thread's Philox words for a run, each array {@link #BLOCK} rounded up to whole vectors. */
    static final class Words {
        final long[] w0 = new long[capacity()];
        final long[] w1 = new long[capacity()];
        final long[] w2 = new long[capacity()];
        final long[] w3 = new long[capacity()];
        final long[] laneIndex = new long[LONGS.length()];
        /** Round r's keys k0 and k1, each broadcast over a vector, at [2r·lanes) and [(2r+1)·lanes). */
        private final long[] keys = new long[2 * ROUNDS * LONGS.length()];
        private long keysSeed;
        private boolean keysSet;

        Words() {
            for (int lane = 0; lane < laneIndex.length; lane++) {
                laneIndex[lane] = lane;
            }
        }

        /** The round keys of {@code seed} (the key schedule of {@link Philox#block}), zero-extended. */
        long[] roundKeys(long seed) {
            if (!keysSet || keysSeed != seed) {
                int lanes = LONGS.length();
                int k0 = (int) seed;
                int k1 = (int) (seed >>> 32);
                for (int round = 0; round < ROUNDS; round++) {
                    Arrays.fill(keys, 2 * round * lanes, (2 * round + 1) * lanes, k0 & LOW_WORD);
                    Arrays.fill(keys, (2 * round + 1) * lanes, (2 * round + 2) * lanes, k1 & LOW_WORD);
                    k0 += W0;
                    k1 += W1;
                }
                keysSeed = seed;
                keysSet = true;
            }
            return keys;
        }

        private static int capacity() {
            return (BLOCK + LONGS.length() - 1) / LONGS.length() * LONGS.length();
        }
    }
}
