package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Distribution;
import io.gasok.spi.Operand;
import io.gasok.spi.Philox;

/**
 * Seeded random fill: element i of out (its row-major index, written through out's strides) is
 * {@code Philox.sample(distribution, out is float64, seed, offset + i)} converted to out's dtype,
 * the same numbers as the reference and every other backend (bitwise for uniforms).
 *
 * <p>Threads: Philox is counter-based, so any split draws the same numbers; above
 * {@value #PARALLEL_THRESHOLD} elements the index range [0, size) is cut into one contiguous
 * range per thread, part p covering [p·size/parts, (p+1)·size/parts), each walking its range in
 * rows of out ({@link StridedRows}). Lanes: none; each element is one scalar Philox4x32-10 block
 * (ten rounds of 32×32→64-bit multiplies), computed into a per-range {@code int[4]} rather than
 * the fresh array {@link Philox#sample} allocates per call.
 */
final class CpuRandom {
    static final int PARALLEL_THRESHOLD = 1 << 13;

    private CpuRandom() {}

    static void fill(Distribution distribution, long seed, long offset, Operand out, WorkerPool pool) {
        if (!out.dtype().isFloating()) {
            throw new IllegalArgumentException("random: fills float32 or float64, got " + out.dtype().shortName());
        }
        int size = out.size();
        if (size == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(out.shape(), out);
        int stride = rows.innerStride(0);
        Object array = CpuBuffer.array(out);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, (start, end) -> {
            Draws draws = new Draws(distribution, out.dtype() == DType.FLOAT64, seed, offset + start);
            rows.forEachRun(start, end, Integer.MAX_VALUE, (positions, n) -> {
                int at = positions[0];
                if (array instanceof float[] floats) {
                    for (int i = 0; i < n; i++) {
                        floats[at + i * stride] = (float) draws.next();
                    }
                } else {
                    double[] doubles = (double[]) array;
                    for (int i = 0; i < n; i++) {
                        doubles[at + i * stride] = draws.next();
                    }
                }
            });
        });
    }

    /** Consecutive samples from one counter on, by the rule of {@link Philox#sample}. */
    private static final class Draws {
        private final boolean normal;
        private final boolean doublePrecision;
        private final long seed;
        private final int[] words = new int[4];
        private long counter;

        Draws(Distribution distribution, boolean doublePrecision, long seed, long counter) {
            this.normal = distribution == Distribution.NORMAL;
            this.doublePrecision = doublePrecision;
            this.seed = seed;
            this.counter = counter;
        }

        double next() {
            Philox.block(seed, counter++, words);
            double u0 = doublePrecision ? Philox.uniformDouble(words[0], words[1]) : Philox.uniformFloat(words[0]);
            if (!normal) {
                return u0;
            }
            double u1 = doublePrecision ? Philox.uniformDouble(words[2], words[3]) : Philox.uniformFloat(words[1]);
            return Math.sqrt(-2 * Math.log(1 - u0)) * Math.cos(2 * Math.PI * u1);
        }
    }
}
