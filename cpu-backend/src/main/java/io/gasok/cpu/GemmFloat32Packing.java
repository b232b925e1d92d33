package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.MR;
import static io.gasok.cpu.GemmFloat32MicroKernels.LANES;
import static io.gasok.cpu.GemmFloat32MicroKernels.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
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
    /** Four floats: the part of a transposed A's depth step that packA copies as one vector (MR ≥ 4). */
    private static final VectorSpecies<Float> FOUR = FloatVector.SPECIES_128;
    /** Depth steps of one transposed A panel packed before the next panel's (see packTransposedPanels). */
    static final int TRANSPOSED_DEPTH_CHUNK = 8;

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
     * multiples of eight goes through 8 × 8 register transposes ({@link Transpose8}), the rest as above: the
     * packing alone 2.1x (3.7 against 7.6 µs a 16 × 512 panel), that weight gradient 1.08-1.16x
     * (perf: packing was 24% of it; in-process A/B on one and two threads).
     */
    private static void packDepthContiguous(float[] b, int first, int colStep, int cols, int kc, float[] packed, int out,
                                            int nr) {
        int start = 0;
        if (cols == nr && nr % 8 == 0 && Transpose8.AVAILABLE) {
            start = kc & -8;
            for (int column = 0; column < nr; column += 8) {
                for (int p = 0; p < start; p += 8) {
                    Transpose8.block(b, first + column * colStep + p, colStep, packed, out + p * nr + column, nr);
                }
            }
        }
        for (int p0 = start; p0 < kc; p0 += DEPTH_CHUNK) {
            int p1 = Math.min(kc, p0 + DEPTH_CHUNK);
            for (int j = 0; j < cols; j++) {
                int src = first + j * colStep;
                int dst = out + j;
                for (int p = p0; p < p1; p++) {
                    packed[dst + p * nr] = b[src + p];
                }
            }
        }
    }

    /**
     * Packs rows [0, mc) × depth [0, kc) of A (row i, depth p at {@code a[base + i·rowStep +
     * p·colStep]}) into micro-panels of MR rows: {@code packed[(i/MR)·kc·MR + p·MR + i%MR]}; the rows
     * of the last panel past mc are zero. A row-major A's whole panels of four rows go eight depth
     * steps at a time through registers ({@link Transpose8#fourRows}): 2.0x the element-by-element
     * loop on a 96 × 512 block (19.5 against 38-41 µs), its share of a 1024³ GEMM 3.3% → 2.0% (perf).
     * Panels of six rows (the 6 × 4 tile's: AVX-512) go the same way through
     * {@link Transpose8#sixRows}: on the AVX-512 Xeon of the lent H100 machine (in-process A/B, one
     * thread, 9 rounds; results/xeon-avx512-h100/ab-sixrows.txt) a 256 × 20 × 20 → 256
     * convolution forward, which packs its 256 × 2304 weights every call, 1.14x, GEMM 512³ 1.08x,
     * 1024³ and 128 × 40 × 40 → 256 at stride 2 1.00x. A transposed A's whole panels go by
     * {@link #packTransposedPanels}.
     */
    static void packA(int mc, int kc, float[] a, int base, int rowStep, int colStep, float[] packed) {
        packA(mc, kc, a, base, rowStep, colStep, packed, 0);
    }

    /** {@link #packA(int, int, float[], int, int, int, float[])} into {@code packed} from {@code packedOffset}. */
    static void packA(int mc, int kc, float[] a, int base, int rowStep, int colStep, float[] packed, int packedOffset) {
        int whole = 0;
        if (colStep != 1 && rowStep == 1) {
            whole = mc / MR * MR;
            packTransposedPanels(whole / MR, kc, a, base, colStep, packed, packedOffset);
        }
        for (int panel = whole; panel < mc; panel += MR) {
            int rows = Math.min(MR, mc - panel);
            int out = packedOffset + panel * kc;
            int first = base + panel * rowStep;
            if (colStep == 1) {
                int start = 0;
                if (rows == 4 && MR == 4 && Transpose8.AVAILABLE) {
                    start = kc & -8;
                    for (int p = 0; p < start; p += 8) {
                        Transpose8.fourRows(a, first + p, rowStep, packed, out + p * MR);
                    }
                } else if (rows == 6 && MR == 6 && Transpose8.AVAILABLE) {
                    start = kc & -8;
                    for (int p = 0; p < start; p += 8) {
                        Transpose8.sixRows(a, first + p, rowStep, packed, out + p * MR);
                    }
                }
                for (int r = 0; r < rows; r++) {
                    int src = first + r * rowStep;
                    for (int p = start; p < kc; p++) {
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
     * The first {@code panels} whole micro-panels of a transposed A (row i, depth p at
     * {@code a[base + i + p·colStep]}: each depth step's MR values are contiguous), as
     * {@link #packA} lays them out from {@code out}. Each step's values go as one 128-bit vector
     * (plus MR - 4 floats; element by element took 2.6x as long), and {@value #TRANSPOSED_DEPTH_CHUNK}
     * steps of every panel at a time. A panel's successive steps lie a row stride apart in A: one
     * panel's whole depth read kc rows for four floats each (a multiple of 4 KiB apart at m = 1024:
     * one L1 set), and one step across all the panels wrote to every panel, a block's depth apart.
     * Packing a 1024 × 1024 A in 96 × 512 blocks took 0.51 ms in chunks, 0.98 ms a step at a time
     * and 0.89 ms panel by panel; a 4096 × 576 A in 96 × 288 blocks 1.16, 1.22 and 2.08 ms. GEMM
     * with transA: 4096 × 64 × 576 1.19x, 512³ 1.19x, 1024³ unchanged (in-process A/B, one thread).
     */
    private static void packTransposedPanels(int panels, int kc, float[] a, int base, int colStep, float[] packed,
                                             int out) {
        for (int p0 = 0; p0 < kc; p0 += TRANSPOSED_DEPTH_CHUNK) {
            int p1 = Math.min(kc, p0 + TRANSPOSED_DEPTH_CHUNK);
            for (int panel = 0; panel < panels; panel++) {
                int first = base + panel * MR;
                int dst = out + panel * MR * kc;
                for (int p = p0; p < p1; p++) {
                    int src = first + p * colStep;
                    FloatVector.fromArray(FOUR, a, src).intoArray(packed, dst + p * MR);
                    for (int r = 4; r < MR; r++) {
                        packed[dst + p * MR + r] = a[src + r];
                    }
                }
            }
        }
    }

    /**
     * Packs depth [0, kc) × columns [0, nc) of B (depth p, column j at {@code b[base + p·rowStep +
     * j·colStep]}) into micro-panels of NR columns from {@code at}: {@code packed[at + (j/NR)·kc·NR + p·NR +
     * j%NR]} (callers start them on a cache line, {@link CacheLines}); the
     * columns of the last panel past nc are zero. Only micro-panels [firstPanel, endPanel) are
     * written, so threads can pack one block together.
     *
     * <p>A row-major B (unit column stride) is copied a panel's row (NR floats) at a time by
     * {@code System.arraycopy}, its whole panels row by row: one row of B across all of them, then
     * the next, so B is read in order. (Copied a vector at a time through the Vector API, the
     * vectors were boxed in some JVMs, 2.2 MB a call on the calling thread of a two-thread 128 ×
     * 576 × 1600 GEMM in the bench, the conv layers having run before it; at the same speed
     * otherwise: GEMM 512³ and 1024³ 0.98-1.01x on one and two threads, in-process A/B.) Panel by panel,
     * each depth step read NR floats from another row, kc rows a row stride apart (a multiple of
     * 4 KiB at n = 1024 or 4096: the same L1 set, and a page each); for m = 64, n = 4096, k = 576
     * packing B took a third of the time. Row by row: that product 1.12-1.21x on one thread and
     * 1.14x on two, 1024³ 1.02x on one and 1.16x on two (in-process A/B). A transposed B is read
     * down its columns, each of which is contiguous ({@link #packDepthContiguous}).
     */
    static void packB(int kc, int nc, float[] b, int base, int rowStep, int colStep, float[] packed, int at,
                      int firstPanel, int endPanel) {
        packB(kc, kc, nc, NR, b, base, rowStep, colStep, packed, at, firstPanel, endPanel);
    }

    /**
     * {@link #packB(int, int, float[], int, int, int, float[], int, int, int)} into panels of
     * {@code panelDepth ≥ kc} depth steps and {@code nr} columns, a multiple of the vector lanes up
     * to NR ({@code packed[at + (j/nr)·panelDepth·nr + p·nr + j%nr]}), leaving steps [kc, panelDepth)
     * of each panel to the caller (the convolution's row of ones). Panels narrower than NR are for
     * the micro-kernels of fewer vectors ({@link GemmFloat32MicroKernels#vectorsFor}).
     */
    static void packB(int kc, int panelDepth, int nc, int nr, float[] b, int base, int rowStep, int colStep,
                      float[] packed, int at, int firstPanel, int endPanel) {
        if (nr <= 0 || nr > NR || nr % LANES != 0) {
            throw new IllegalArgumentException("packB: panel width " + nr + " is not a multiple of " + LANES
                    + " lanes up to " + NR);
        }
        int firstPartial = firstPanel;
        if (colStep == 1) {
            // The whole panels row by row: each row of B is read in order, across all the panels.
            int wholeEnd = Math.min(endPanel, nc / nr);
            for (int p = 0; p < kc && firstPanel < wholeEnd; p++) {
                int src = base + p * rowStep;
                for (int panel = firstPanel; panel < wholeEnd; panel++) {
                    System.arraycopy(b, src + panel * nr, packed, at + panel * nr * panelDepth + p * nr, nr);
                }
            }
            firstPartial = Math.max(firstPanel, wholeEnd);
        }
        for (int panel = firstPartial * nr; panel < Math.min(nc, endPanel * nr); panel += nr) {
            int cols = Math.min(nr, nc - panel);
            int out = at + panel * panelDepth;
            int first = base + panel * colStep;
            if (colStep == 1) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, first + p * rowStep, packed, out + p * nr, cols);
                }
            } else if (rowStep == 1) {
                packDepthContiguous(b, first, colStep, cols, kc, packed, out, nr);
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = first + j * colStep;
                    for (int p = 0; p < kc; p++) {
                        packed[out + p * nr + j] = b[src + p * rowStep];
                    }
                }
            }
            if (cols < nr) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(packed, out + p * nr + cols, out + p * nr + nr, 0f);
                }
            }
        }
    }
}
