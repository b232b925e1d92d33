package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.MR;
import static io.gasok.cpu.GemmFloat32MicroKernels.LANES;
import static io.gasok.cpu.GemmFloat32MicroKernels.NR;
import static io.gasok.cpu.GemmFloat32MicroKernels.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing for the FP32 GEMM: copies a block of op(A) or op(B) into the order the micro-kernel
 * reads it, so the kernel walks memory with unit stride whatever the operand's strides and
 * transposes, and pads the edges with zeros so the kernel never has a tail.
 *
 * <p>An operand element is read as {@code src[base + i·rowStep + p·colStep]}, where (rowStep,
 * colStep) are the stored strides, swapped when the operand is transposed; each packer copies along
 * whichever of the two is unit, so both the plain and the transposed layout read memory in order.
 */
final class GemmFloat32Packing {

    /** Depth steps a transposed B micro-panel is packed by, column after column (see packDepthContiguous). */
    static final int DEPTH_CHUNK = 64;

    /**
     * A transposed B micro-panel goes through registers eight columns × eight depth steps at a time
     * ({@link #transposeEights}), in 256-bit vectors whatever the preferred width, where the CPU has
     * them (not on 128-bit NEON, where they would run in Java's fallback code).
     */
    private static final VectorSpecies<Float> EIGHT = FloatVector.SPECIES_256;
    private static final boolean TRANSPOSE_IN_REGISTERS = SPECIES.vectorBitSize() >= 256 && NR % 8 == 0;
    private static final VectorShuffle<Float> LOW_SINGLES = VectorShuffle.fromValues(EIGHT, 0, 8, 1, 9, 4, 12, 5, 13);
    private static final VectorShuffle<Float> HIGH_SINGLES = VectorShuffle.fromValues(EIGHT, 2, 10, 3, 11, 6, 14, 7, 15);
    private static final VectorShuffle<Float> LOW_PAIRS = VectorShuffle.fromValues(EIGHT, 0, 1, 8, 9, 4, 5, 12, 13);
    private static final VectorShuffle<Float> HIGH_PAIRS = VectorShuffle.fromValues(EIGHT, 2, 3, 10, 11, 6, 7, 14, 15);
    private static final VectorShuffle<Float> LOW_HALVES = VectorShuffle.fromValues(EIGHT, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Float> HIGH_HALVES = VectorShuffle.fromValues(EIGHT, 4, 5, 6, 7, 12, 13, 14, 15);

    private GemmFloat32Packing() {
    }

    /**
     * One micro-panel of a B whose columns are contiguous along the depth (a transposed op(B), as in
     * x·Wᵀ or a weight gradient's gYᵀ): column j at {@code b[first + j·colStep + p]}, into
     * {@code packed[out + p·NR + j]} for j in [0, cols), p in [0, kc). DEPTH_CHUNK steps of every
     * column at a time, so the panel's lines being written stay in L1 (column after column over the
     * whole depth wrote each of 512 lines sixteen times, out of L1), in a method of its own so the
     * JIT keeps its few values in registers (inside packB's loop it reloaded the arrays from the
     * stack at every float and multiplied by a runtime unit stride). 1.25x a 1×1 weight gradient
     * of 64 channels at 80×80, where this packing took 37% of the time. A whole panel's depth in
     * multiples of eight goes through {@link #transposeEights} instead, the rest as above: the
     * packing alone 2.1x (3.7 against 7.6 µs a 16 × 512 panel), that weight gradient 1.08-1.16x
     * (perf: packing was 24% of it; in-process A/B on one and two threads).
     */
    private static void packDepthContiguous(float[] b, int first, int colStep, int cols, int kc, float[] packed, int out) {
        int start = 0;
        if (cols == NR && TRANSPOSE_IN_REGISTERS) {
            start = kc & -EIGHT.length();
            for (int column = 0; column < NR; column += EIGHT.length()) {
                transposeEights(b, first + column * colStep, colStep, start, packed, out + column);
            }
        }
        for (int p0 = start; p0 < kc; p0 += DEPTH_CHUNK) {
            int p1 = Math.min(kc, p0 + DEPTH_CHUNK);
            for (int j = 0; j < cols; j++) {
                int src = first + j * colStep;
                int dst = out + j;
                for (int p = p0; p < p1; p++) {
                    packed[dst + p * NR] = b[src + p];
                }
            }
        }
    }

    /**
     * Eight columns of a transposed B ({@code b[first + j·colStep + p]}, j in [0, 8)) over depth
     * [0, depth), a multiple of eight, into {@code packed[out + p·NR + j]}: each 8 × 8 block loaded
     * as eight vectors along the depth and transposed in three rounds of two-vector shuffles (single
     * lanes, pairs, halves: the usual unpack/shuffle/permute of an AVX transpose), then stored as
     * eight rows of the panel.
     */
    private static void transposeEights(float[] b, int first, int colStep, int depth, float[] packed, int out) {
        for (int p = 0; p < depth; p += 8) {
            int src = first + p;
            FloatVector r0 = FloatVector.fromArray(EIGHT, b, src);
            FloatVector r1 = FloatVector.fromArray(EIGHT, b, src + colStep);
            FloatVector r2 = FloatVector.fromArray(EIGHT, b, src + 2 * colStep);
            FloatVector r3 = FloatVector.fromArray(EIGHT, b, src + 3 * colStep);
            FloatVector r4 = FloatVector.fromArray(EIGHT, b, src + 4 * colStep);
            FloatVector r5 = FloatVector.fromArray(EIGHT, b, src + 5 * colStep);
            FloatVector r6 = FloatVector.fromArray(EIGHT, b, src + 6 * colStep);
            FloatVector r7 = FloatVector.fromArray(EIGHT, b, src + 7 * colStep);
            FloatVector t0 = r0.rearrange(LOW_SINGLES, r1);
            FloatVector t1 = r0.rearrange(HIGH_SINGLES, r1);
            FloatVector t2 = r2.rearrange(LOW_SINGLES, r3);
            FloatVector t3 = r2.rearrange(HIGH_SINGLES, r3);
            FloatVector t4 = r4.rearrange(LOW_SINGLES, r5);
            FloatVector t5 = r4.rearrange(HIGH_SINGLES, r5);
            FloatVector t6 = r6.rearrange(LOW_SINGLES, r7);
            FloatVector t7 = r6.rearrange(HIGH_SINGLES, r7);
            FloatVector u0 = t0.rearrange(LOW_PAIRS, t2);
            FloatVector u1 = t0.rearrange(HIGH_PAIRS, t2);
            FloatVector u2 = t1.rearrange(LOW_PAIRS, t3);
            FloatVector u3 = t1.rearrange(HIGH_PAIRS, t3);
            FloatVector u4 = t4.rearrange(LOW_PAIRS, t6);
            FloatVector u5 = t4.rearrange(HIGH_PAIRS, t6);
            FloatVector u6 = t5.rearrange(LOW_PAIRS, t7);
            FloatVector u7 = t5.rearrange(HIGH_PAIRS, t7);
            int dst = out + p * NR;
            u0.rearrange(LOW_HALVES, u4).intoArray(packed, dst);
            u1.rearrange(LOW_HALVES, u5).intoArray(packed, dst + NR);
            u2.rearrange(LOW_HALVES, u6).intoArray(packed, dst + 2 * NR);
            u3.rearrange(LOW_HALVES, u7).intoArray(packed, dst + 3 * NR);
            u0.rearrange(HIGH_HALVES, u4).intoArray(packed, dst + 4 * NR);
            u1.rearrange(HIGH_HALVES, u5).intoArray(packed, dst + 5 * NR);
            u2.rearrange(HIGH_HALVES, u6).intoArray(packed, dst + 6 * NR);
            u3.rearrange(HIGH_HALVES, u7).intoArray(packed, dst + 7 * NR);
        }
    }

    /**
     * Packs rows [0, mc) × depth [0, kc) of A (row i, depth p at {@code a[base + i·rowStep +
     * p·colStep]}) into micro-panels of MR rows: {@code packed[(i/MR)·kc·MR + p·MR + i%MR]}; the rows
     * of the last panel past mc are zero.
     */
    static void packA(int mc, int kc, float[] a, int base, int rowStep, int colStep, float[] packed) {
        packA(mc, kc, a, base, rowStep, colStep, packed, 0);
    }

    /** {@link #packA(int, int, float[], int, int, int, float[])} into {@code packed} from {@code packedOffset}. */
    static void packA(int mc, int kc, float[] a, int base, int rowStep, int colStep, float[] packed, int packedOffset) {
        for (int panel = 0; panel < mc; panel += MR) {
            int rows = Math.min(MR, mc - panel);
            int out = packedOffset + panel * kc;
            int first = base + panel * rowStep;
            if (colStep == 1) {
                for (int r = 0; r < rows; r++) {
                    int src = first + r * rowStep;
                    for (int p = 0; p < kc; p++) {
                        packed[out + p * MR + r] = a[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = first + p * colStep;
                    int dst = out + p * MR;
                    for (int r = 0; r < rows; r++) {
                        packed[dst + r] = a[src + r * rowStep];
                    }
                }
            }
            if (rows < MR) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(packed, out + p * MR + rows, out + p * MR + MR, 0f);
                }
            }
        }
    }

    /**
     * Packs depth [0, kc) × columns [0, nc) of B (depth p, column j at {@code b[base + p·rowStep +
     * j·colStep]}) into micro-panels of NR columns: {@code packed[(j/NR)·kc·NR + p·NR + j%NR]}; the
     * columns of the last panel past nc are zero. Only micro-panels [firstPanel, endPanel) are
     * written, so threads can pack one block together.
     *
     * <p>A row-major B (unit column stride) is copied a whole vector at a time; a transposed one is
     * read down its columns, each of which is contiguous ({@link #packDepthContiguous}).
     */
    static void packB(int kc, int nc, float[] b, int base, int rowStep, int colStep, float[] packed,
                      int firstPanel, int endPanel) {
        for (int panel = firstPanel * NR; panel < Math.min(nc, endPanel * NR); panel += NR) {
            int cols = Math.min(NR, nc - panel);
            int out = panel * kc;
            int first = base + panel * colStep;
            if (colStep == 1 && cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int src = first + p * rowStep;
                    int dst = out + p * NR;
                    for (int v = 0; v < NR; v += LANES) {
                        FloatVector.fromArray(SPECIES, b, src + v).intoArray(packed, dst + v);
                    }
                }
                continue;
            }
            if (colStep == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, first + p * rowStep, packed, out + p * NR, cols);
                }
            } else if (rowStep == 1) {
                packDepthContiguous(b, first, colStep, cols, kc, packed, out);
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = first + j * colStep;
                    for (int p = 0; p < kc; p++) {
                        packed[out + p * NR + j] = b[src + p * rowStep];
                    }
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(packed, out + p * NR + cols, out + p * NR + NR, 0f);
                }
            }
        }
    }
}
