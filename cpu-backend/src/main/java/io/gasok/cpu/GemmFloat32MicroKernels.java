package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FP32 GEMM micro-kernels: one {@code MR × NR} tile of {@code packedA · packedB} over a k-block,
 * all in vector registers. From the registers the tile goes straight into C when the epilogue is a
 * plain store or a plain add (alpha 1, beta 0 or 1, no bias, the activation run after over the rows
 * just written, still in L1); otherwise, and at the edges of C, into a row-major scratch tile (NR
 * floats a row, in L1) that {@link GemmFloat32Epilogue#store} writes into C. The direct store saved
 * 4-7% of a 1024³-2048³ product here (the epilogue took 10% of its samples).
 *
 * <p>Operands (see {@link GemmFloat32Packing}): an A micro-panel holds MR rows interleaved,
 * {@code packedA[aIndex + p·MR + r] = A(r, p)}; a B micro-panel holds NR columns,
 * {@code packedB[bIndex + p·NR + j] = B(p, j)}; edges are zero padded, so a kernel always computes a
 * whole tile and has no tail. Per k step p: load the NR/LANES vectors of B row p, broadcast each of
 * the MR values of A column p, and fma them into the MR × NR/LANES accumulators.
 *
 * <p>Two shapes, picked by the size of the register file. With 32 vector registers (AVX-512,
 * NEON/SVE): 6 rows × 4 vectors (24 accumulators + 4 B vectors + 1 broadcast = 29 registers; 6 × 64
 * floats on AVX-512). With 16 (x86 AVX2): 4 rows × 2 vectors (8 accumulators, 4 × 16 floats). On AVX2
 * the textbook 6 × 2 (12 accumulators + 3 = 15 registers) measured at half the speed of 4 × 2 here
 * (Zen 3, Java 25: 44 against 95 GFLOP/s on L1-resident panels, both in one JVM); C2 does not keep it in registers.
 * 4 × 2 still hides the FMA latency: 8 independent chains = 2 FMA units × 4 cycles.
 *
 * <p>With 32 registers the kernel that reads A's rows in place for a convolution's weight gradient
 * ({@link #multiplyRowsAt}) also comes one and two vectors wide (6 × 1, 6 × 2), for a C of at most
 * that many lanes ({@link #vectorsFor}): 16 or 32 output channels on AVX-512 filled a quarter or a
 * half of the 6 × 4 tile.
 */
final class GemmFloat32MicroKernels {

    static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    static final int LANES = SPECIES.length();
    /** System property that picks the tile, {@code 6x4} or {@code 4x2} (rows × vectors), over the default. */
    static final String TILE_PROPERTY = "gasok.cpu.gemm.tile";
    private static final boolean WIDE_REGISTER_FILE = wideTile(System.getProperty(TILE_PROPERTY));
    /** Rows of a tile. */
    static final int MR = WIDE_REGISTER_FILE ? 6 : 4;
    /** Vectors across a tile. */
    static final int VECTORS_WIDE = WIDE_REGISTER_FILE ? 4 : 2;
    /** Columns of a tile. */
    static final int NR = VECTORS_WIDE * LANES;

    private GemmFloat32MicroKernels() {
    }

    /**
     * Whether the tile is 6 × 4 vectors: as {@code value} ({@value #TILE_PROPERTY}) says, or by
     * default where there are 32 vector registers (AVX-512, aarch64, riscv64). The property is for
     * tests: {@link CpuVectors} says why.
     *
     * @throws IllegalArgumentException naming the property for a value other than 6x4 or 4x2
     */
    static boolean wideTile(String value) {
        if (value == null || value.isBlank()) {
            String arch = System.getProperty("os.arch", "");
            return SPECIES.vectorBitSize() >= 512 || arch.equals("aarch64") || arch.equals("riscv64");
        }
        return switch (value.strip()) {
            case "6x4" -> true;
            case "4x2" -> false;
            default -> throw new IllegalArgumentException(
                    "system property " + TILE_PROPERTY + " must be 6x4 or 4x2, not '" + value + "'");
        };
    }

    /**
     * The tile {@code packedA[aIndex…] · packedB[bIndex…]} over {@code kc} steps, written to the
     * MR × NR block of {@code out} at {@code out[outIndex + r·ldo + j]}: with {@code accumulate} added
     * to that block's values ({@code out = A·B + out}: the tile's sums first, then out, as the
     * epilogue's {@code fma(C, 1, acc)} would), else written over it (out is never read).
     */
    static void multiply(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex,
                         float[] out, int outIndex, int ldo, boolean accumulate) {
        if (WIDE_REGISTER_FILE) {
            multiply6x4(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate);
        } else {
            multiply4x2(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate);
        }
    }

    /**
     * {@link #multiply} with B read where it lies instead of from a packed micro-panel: depth p's NR
     * columns are the consecutive floats {@code x[taps[tapIndex + p] + pixel …]} (a convolution
     * reading its columns in place: depth p one tap of one input channel, {@code taps} its offset).
     */
    static void multiplyTaps(int kc, float[] packedA, int aIndex, float[] x, int[] taps, int tapIndex, int pixel,
                             float[] out, int o, int ldo, boolean accumulate) {
        if (WIDE_REGISTER_FILE) {
            multiply6x4Taps(kc, packedA, aIndex, x, taps, tapIndex, pixel, out, o, ldo, accumulate);
        } else {
            multiply4x2Taps(kc, packedA, aIndex, x, taps, tapIndex, pixel, out, o, ldo, accumulate);
        }
    }

    /**
     * {@link #multiply} with A read where it lies instead of from a packed micro-panel: row r of the
     * tile, depth p at {@code a[aIndex + r·lda + p]} (MR rows of a row-major op(A), kc floats each).
     * For blocks whose packed A would be read by few B micro-panels (GemmFloat32's
     * {@code UNPACKED_A_COLUMNS}): packing costs more there than it saves.
     */
    static void multiplyRows(int kc, float[] a, int aIndex, int lda, float[] packedB, int bIndex,
                             float[] out, int outIndex, int ldo, boolean accumulate) {
        if (WIDE_REGISTER_FILE) {
            multiply6x4Rows(kc, a, aIndex, lda, packedB, bIndex, out, outIndex, ldo, accumulate);
        } else {
            multiply4x2Rows(kc, a, aIndex, lda, packedB, bIndex, out, outIndex, ldo, accumulate);
        }
    }

    /**
     * Vectors across the tile that {@link #multiplyRowsAt} uses for a C of {@code columns} columns:
     * with 32 vector registers (the 6-row tile) 1 up to one vector's lanes, 2 up to two vectors',
     * else 4; with 16, always 2. Its B micro-panels are that many vectors wide
     * ({@link GemmFloat32Packing#packB(int, int, int, int, float[], int, int, int, float[], int, int, int)}).
     * A convolution's weight gradient of 16 output channels is a C of 16 columns: on AVX-512 the
     * 64-column tile computed four times the lanes it kept.
     */
    static int vectorsFor(int columns) {
        if (!WIDE_REGISTER_FILE) {
            return VECTORS_WIDE;
        }
        return columns <= LANES ? 1 : columns <= 2 * LANES ? 2 : VECTORS_WIDE;
    }

    /**
     * {@link #multiply} with A's MR rows read in place, each from its own start, in {@code segments}
     * runs of {@code kc} depth steps: depth {@code s·kc + p} of row r at
     * {@code a[rowStarts[rowIndex + r] + shift + s·segmentStride + p]}, against a B micro-panel of
     * {@code segments·kc} depth steps and {@code vectors} vectors ({@link #vectorsFor}: MR × LANES·vectors
     * outputs). For a convolution's weight gradient reading its columns straight from the padded
     * input: row r is one tap of one input channel, a run one output row.
     */
    static void multiplyRowsAt(int vectors, int segments, int kc, int segmentStride, float[] a, int[] rowStarts,
                               int rowIndex, int shift, float[] packedB, int bIndex, float[] out, int outIndex,
                               int ldo, boolean accumulate) {
        if (WIDE_REGISTER_FILE) {
            int r0 = rowStarts[rowIndex] + shift, r1 = rowStarts[rowIndex + 1] + shift;
            int r2 = rowStarts[rowIndex + 2] + shift, r3 = rowStarts[rowIndex + 3] + shift;
            int r4 = rowStarts[rowIndex + 4] + shift, r5 = rowStarts[rowIndex + 5] + shift;
            switch (vectors) {
                case 1 -> multiply6x1At(segments, kc, segmentStride, a, r0, r1, r2, r3, r4, r5, packedB, bIndex, out,
                        outIndex, ldo, accumulate);
                case 2 -> multiply6x2At(segments, kc, segmentStride, a, r0, r1, r2, r3, r4, r5, packedB, bIndex, out,
                        outIndex, ldo, accumulate);
                default -> multiply6x4At(segments, kc, segmentStride, a, r0, r1, r2, r3, r4, r5, packedB, bIndex, out,
                        outIndex, ldo, accumulate);
            }
        } else {
            multiply4x2At(segments, kc, segmentStride, a, rowStarts[rowIndex] + shift, rowStarts[rowIndex + 1] + shift,
                    rowStarts[rowIndex + 2] + shift, rowStarts[rowIndex + 3] + shift, packedB, bIndex, out, outIndex,
                    ldo, accumulate);
        }
    }

    /**
     * Vectors of an edge tile of C with {@code cols} of NR columns: with 32 registers (the 6-row
     * tile) as many as its columns need, so {@link #multiplyEdge} skips the all-zero vectors of a
     * packed edge micro-panel; with 16, always the whole tile.
     */
    static int edgeVectors(int cols) {
        return WIDE_REGISTER_FILE ? Math.max(1, (cols + LANES - 1) / LANES) : VECTORS_WIDE;
    }

    /**
     * {@link #multiply} of an edge tile whose B micro-panel (packed NR wide, zero past the edge) has
     * valid columns in its first {@code vectors} vectors only ({@link #edgeVectors}, fewer than
     * VECTORS_WIDE): the MR × vectors·LANES block, written over {@code out} (never read). A GEMM
     * whose n leaves a panel of 16 columns (n = 400, a convolution of 20×20 output pixels, is six
     * panels of 64 and one of 16) computed the whole 64-wide tile for it on AVX-512: a ninth of the
     * work of a 256-channel layer at 20×20 went into zeros.
     */
    static void multiplyEdge(int vectors, int kc, float[] packedA, int aIndex, float[] packedB, int bIndex,
                             float[] out, int outIndex, int ldo) {
        switch (WIDE_REGISTER_FILE ? vectors : VECTORS_WIDE) {
            case 1 -> multiply6x1(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo);
            case 2 -> multiply6x2(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo);
            case 3 -> multiply6x3(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo);
            default -> multiply(kc, packedA, aIndex, packedB, bIndex, out, outIndex, ldo, false);
        }
    }

    /** {@link #multiplyEdge}'s 1-vector tile: 6 × 1 accumulators; per k step 1 load of B's row, 6 broadcasts, 6 fma. */
    private static void multiply6x1(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex, float[] out,
                                    int o, int ldo) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            int a = aIndex + p * 6;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(SPECIES, packedA[a + 4]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(SPECIES, packedA[a + 5]);
            c50 = a5.fma(b0, c50);
        }
        c00.intoArray(out, o);
        c10.intoArray(out, o + ldo);
        c20.intoArray(out, o + 2 * ldo);
        c30.intoArray(out, o + 3 * ldo);
        c40.intoArray(out, o + 4 * ldo);
        c50.intoArray(out, o + 5 * ldo);
    }

    /** {@link #multiplyEdge}'s 2-vector tile: 6 × 2 accumulators; per k step 2 loads of B's row, 6 broadcasts, 12 fma. */
    private static void multiply6x2(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex, float[] out,
                                    int o, int ldo) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
            int a = aIndex + p * 6;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, packedA[a + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, packedA[a + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + LANES);
        c10.intoArray(out, o + ldo);
        c11.intoArray(out, o + ldo + LANES);
        c20.intoArray(out, o + 2 * ldo);
        c21.intoArray(out, o + 2 * ldo + LANES);
        c30.intoArray(out, o + 3 * ldo);
        c31.intoArray(out, o + 3 * ldo + LANES);
        c40.intoArray(out, o + 4 * ldo);
        c41.intoArray(out, o + 4 * ldo + LANES);
        c50.intoArray(out, o + 5 * ldo);
        c51.intoArray(out, o + 5 * ldo + LANES);
    }

    /** {@link #multiplyEdge}'s 3-vector tile: 6 × 3 accumulators; per k step 3 loads of B's row, 6 broadcasts, 18 fma. */
    private static void multiply6x3(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex, float[] out,
                                    int o, int ldo) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES), c02 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES), c12 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES), c22 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES), c32 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES), c42 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES), c52 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, packedB, b + 2 * LANES);
            int a = aIndex + p * 6;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(SPECIES, packedA[a + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(SPECIES, packedA[a + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
        }
        c00.intoArray(out, o);
        c01.intoArray(out, o + LANES);
        c02.intoArray(out, o + 2 * LANES);
        c10.intoArray(out, o + ldo);
        c11.intoArray(out, o + ldo + LANES);
        c12.intoArray(out, o + ldo + 2 * LANES);
        c20.intoArray(out, o + 2 * ldo);
        c21.intoArray(out, o + 2 * ldo + LANES);
        c22.intoArray(out, o + 2 * ldo + 2 * LANES);
        c30.intoArray(out, o + 3 * ldo);
        c31.intoArray(out, o + 3 * ldo + LANES);
        c32.intoArray(out, o + 3 * ldo + 2 * LANES);
        c40.intoArray(out, o + 4 * ldo);
        c41.intoArray(out, o + 4 * ldo + LANES);
        c42.intoArray(out, o + 4 * ldo + 2 * LANES);
        c50.intoArray(out, o + 5 * ldo);
        c51.intoArray(out, o + 5 * ldo + LANES);
        c52.intoArray(out, o + 5 * ldo + 2 * LANES);
    }

    /** 4 rows × 2 vectors: 8 accumulators; per k step 2 loads of packed B, 4 broadcasts of packed A, 8 fma. */
    static void multiply4x2(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex,
                            float[] out, int o, int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        final int nr = 2 * LANES;
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * nr;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
            int a = aIndex + p * 4;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
        }
    }

    /** {@link #multiply4x2} with A's rows read in place: row r, depth p at {@code a[aIndex + r·lda + p]}. */
    static void multiply4x2Rows(int kc, float[] a, int aIndex, int lda, float[] packedB, int bIndex,
                            float[] out, int o, int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        final int nr = 2 * LANES;
        int r0 = aIndex, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * nr;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
        }
    }

    /**
     * {@link #multiply4x2} with A's rows read in place, each from its own start and in
     * {@code segments} runs of {@code kc} depth steps, run s of row r from {@code a[rs + s·segmentStride]}
     * (depth s·kc + p of the tile at {@code a[rs + s·segmentStride + p]}): see {@link #multiplyRowsAt}.
     * A loop of its own beside {@link #multiply4x2Rows}'s: running that one through this (one
     * segment) made GEMM's rows path 10% slower (the outer loop changed how C2 compiled the inner).
     */
    private static void multiply4x2At(int segments, int kc, int segmentStride, float[] a, int r0, int r1, int r2,
                                      int r3, float[] packedB, int bIndex, float[] out, int o, int ldo,
                                      boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        final int nr = 2 * LANES;
        for (int segment = 0; segment < segments; segment++, r0 += segmentStride, r1 += segmentStride,
                r2 += segmentStride, r3 += segmentStride, bIndex += kc * nr) {
            for (int p = 0; p < kc; p++) {
                int b = bIndex + p * nr;
                FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
                FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
                FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0 + p]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(SPECIES, a[r1 + p]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(SPECIES, a[r2 + p]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(SPECIES, a[r3 + p]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
            }
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
        }
    }

    /** 6 rows × 4 vectors: 24 accumulators; per k step 4 loads of packed B, 6 broadcasts of packed A, 24 fma. */
    static void multiply6x4(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex,
                            float[] out, int o, int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES), c02 = FloatVector.zero(SPECIES), c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES), c12 = FloatVector.zero(SPECIES), c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES), c22 = FloatVector.zero(SPECIES), c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES), c32 = FloatVector.zero(SPECIES), c33 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES), c42 = FloatVector.zero(SPECIES), c43 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES), c52 = FloatVector.zero(SPECIES), c53 = FloatVector.zero(SPECIES);
        final int nr = 4 * LANES;
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * nr;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, packedB, b + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, packedB, b + 3 * LANES);
            int a = aIndex + p * 6;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(SPECIES, packedA[a + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(SPECIES, packedA[a + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c02.add(FloatVector.fromArray(SPECIES, out, o + 2 * LANES)).intoArray(out, o + 2 * LANES);
            c03.add(FloatVector.fromArray(SPECIES, out, o + 3 * LANES)).intoArray(out, o + 3 * LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c12.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 2 * LANES)).intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 3 * LANES)).intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c22.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 2 * LANES)).intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 3 * LANES)).intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
            c32.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 2 * LANES)).intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 3 * LANES)).intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo)).intoArray(out, o + 4 * ldo);
            c41.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + LANES)).intoArray(out, o + 4 * ldo + LANES);
            c42.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 2 * LANES)).intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 3 * LANES)).intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo)).intoArray(out, o + 5 * ldo);
            c51.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + LANES)).intoArray(out, o + 5 * ldo + LANES);
            c52.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 2 * LANES)).intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 3 * LANES)).intoArray(out, o + 5 * ldo + 3 * LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c02.intoArray(out, o + 2 * LANES);
            c03.intoArray(out, o + 3 * LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c12.intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c22.intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
            c32.intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.intoArray(out, o + 4 * ldo);
            c41.intoArray(out, o + 4 * ldo + LANES);
            c42.intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.intoArray(out, o + 5 * ldo);
            c51.intoArray(out, o + 5 * ldo + LANES);
            c52.intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.intoArray(out, o + 5 * ldo + 3 * LANES);
        }
    }

    /**
     * {@link #multiply6x4} with B read where it lies, as {@link #multiply4x2Taps} reads it: depth p's
     * NR columns are the consecutive floats {@code x[taps[tapIndex + p] + pixel …]}. The offset load
     * and the bounds checks it adds to a step are few against the step's 24 fma.
     */
    static void multiply6x4Taps(int kc, float[] packedA, int aIndex, float[] x, int[] taps, int tapIndex,
                                        int pixel, float[] out, int o, int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES), c02 = FloatVector.zero(SPECIES), c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES), c12 = FloatVector.zero(SPECIES), c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES), c22 = FloatVector.zero(SPECIES), c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES), c32 = FloatVector.zero(SPECIES), c33 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES), c42 = FloatVector.zero(SPECIES), c43 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES), c52 = FloatVector.zero(SPECIES), c53 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int b = taps[tapIndex + p] + pixel;
            FloatVector b0 = FloatVector.fromArray(SPECIES, x, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, x, b + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, x, b + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, x, b + 3 * LANES);
            int a = aIndex + p * 6;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(SPECIES, packedA[a + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(SPECIES, packedA[a + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c02.add(FloatVector.fromArray(SPECIES, out, o + 2 * LANES)).intoArray(out, o + 2 * LANES);
            c03.add(FloatVector.fromArray(SPECIES, out, o + 3 * LANES)).intoArray(out, o + 3 * LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c12.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 2 * LANES)).intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 3 * LANES)).intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c22.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 2 * LANES)).intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 3 * LANES)).intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
            c32.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 2 * LANES)).intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 3 * LANES)).intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo)).intoArray(out, o + 4 * ldo);
            c41.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + LANES)).intoArray(out, o + 4 * ldo + LANES);
            c42.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 2 * LANES)).intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 3 * LANES)).intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo)).intoArray(out, o + 5 * ldo);
            c51.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + LANES)).intoArray(out, o + 5 * ldo + LANES);
            c52.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 2 * LANES)).intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 3 * LANES)).intoArray(out, o + 5 * ldo + 3 * LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c02.intoArray(out, o + 2 * LANES);
            c03.intoArray(out, o + 3 * LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c12.intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c22.intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
            c32.intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.intoArray(out, o + 4 * ldo);
            c41.intoArray(out, o + 4 * ldo + LANES);
            c42.intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.intoArray(out, o + 5 * ldo);
            c51.intoArray(out, o + 5 * ldo + LANES);
            c52.intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.intoArray(out, o + 5 * ldo + 3 * LANES);
        }
    }

    /** {@link #multiply6x4} with A's rows read in place: row r, depth p at {@code a[aIndex + r·lda + p]}. */
    static void multiply6x4Rows(int kc, float[] a, int aIndex, int lda, float[] packedB, int bIndex,
                            float[] out, int o, int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES), c02 = FloatVector.zero(SPECIES), c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES), c12 = FloatVector.zero(SPECIES), c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES), c22 = FloatVector.zero(SPECIES), c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES), c32 = FloatVector.zero(SPECIES), c33 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES), c42 = FloatVector.zero(SPECIES), c43 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES), c52 = FloatVector.zero(SPECIES), c53 = FloatVector.zero(SPECIES);
        final int nr = 4 * LANES;
        int r0 = aIndex, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
        for (int p = 0; p < kc; p++) {
            int b = bIndex + p * nr;
            FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
            FloatVector b2 = FloatVector.fromArray(SPECIES, packedB, b + 2 * LANES);
            FloatVector b3 = FloatVector.fromArray(SPECIES, packedB, b + 3 * LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0 + p]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[r1 + p]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            c12 = a1.fma(b2, c12);
            c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[r2 + p]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            c22 = a2.fma(b2, c22);
            c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[r3 + p]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            c32 = a3.fma(b2, c32);
            c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[r4 + p]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            c42 = a4.fma(b2, c42);
            c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[r5 + p]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            c52 = a5.fma(b2, c52);
            c53 = a5.fma(b3, c53);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c02.add(FloatVector.fromArray(SPECIES, out, o + 2 * LANES)).intoArray(out, o + 2 * LANES);
            c03.add(FloatVector.fromArray(SPECIES, out, o + 3 * LANES)).intoArray(out, o + 3 * LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c12.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 2 * LANES)).intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 3 * LANES)).intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c22.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 2 * LANES)).intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 3 * LANES)).intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
            c32.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 2 * LANES)).intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 3 * LANES)).intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo)).intoArray(out, o + 4 * ldo);
            c41.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + LANES)).intoArray(out, o + 4 * ldo + LANES);
            c42.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 2 * LANES)).intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 3 * LANES)).intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo)).intoArray(out, o + 5 * ldo);
            c51.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + LANES)).intoArray(out, o + 5 * ldo + LANES);
            c52.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 2 * LANES)).intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 3 * LANES)).intoArray(out, o + 5 * ldo + 3 * LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c02.intoArray(out, o + 2 * LANES);
            c03.intoArray(out, o + 3 * LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c12.intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c22.intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
            c32.intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.intoArray(out, o + 4 * ldo);
            c41.intoArray(out, o + 4 * ldo + LANES);
            c42.intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.intoArray(out, o + 5 * ldo);
            c51.intoArray(out, o + 5 * ldo + LANES);
            c52.intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.intoArray(out, o + 5 * ldo + 3 * LANES);
        }
    }

    /** {@link #multiply4x2At} for the 6 × 4 tile. */
    private static void multiply6x4At(int segments, int kc, int segmentStride, float[] a, int r0, int r1, int r2,
                                      int r3, int r4, int r5, float[] packedB, int bIndex, float[] out, int o,
                                      int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES), c02 = FloatVector.zero(SPECIES), c03 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES), c12 = FloatVector.zero(SPECIES), c13 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES), c22 = FloatVector.zero(SPECIES), c23 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES), c32 = FloatVector.zero(SPECIES), c33 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES), c42 = FloatVector.zero(SPECIES), c43 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES), c52 = FloatVector.zero(SPECIES), c53 = FloatVector.zero(SPECIES);
        final int nr = 4 * LANES;
        for (int segment = 0; segment < segments; segment++, r0 += segmentStride, r1 += segmentStride,
                r2 += segmentStride, r3 += segmentStride, r4 += segmentStride, r5 += segmentStride,
                bIndex += kc * nr) {
            for (int p = 0; p < kc; p++) {
                int b = bIndex + p * nr;
                FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
                FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
                FloatVector b2 = FloatVector.fromArray(SPECIES, packedB, b + 2 * LANES);
                FloatVector b3 = FloatVector.fromArray(SPECIES, packedB, b + 3 * LANES);
                FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0 + p]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                c02 = a0.fma(b2, c02);
                c03 = a0.fma(b3, c03);
                FloatVector a1 = FloatVector.broadcast(SPECIES, a[r1 + p]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                c12 = a1.fma(b2, c12);
                c13 = a1.fma(b3, c13);
                FloatVector a2 = FloatVector.broadcast(SPECIES, a[r2 + p]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                c22 = a2.fma(b2, c22);
                c23 = a2.fma(b3, c23);
                FloatVector a3 = FloatVector.broadcast(SPECIES, a[r3 + p]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                c32 = a3.fma(b2, c32);
                c33 = a3.fma(b3, c33);
                FloatVector a4 = FloatVector.broadcast(SPECIES, a[r4 + p]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                c42 = a4.fma(b2, c42);
                c43 = a4.fma(b3, c43);
                FloatVector a5 = FloatVector.broadcast(SPECIES, a[r5 + p]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
                c52 = a5.fma(b2, c52);
                c53 = a5.fma(b3, c53);
            }
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c02.add(FloatVector.fromArray(SPECIES, out, o + 2 * LANES)).intoArray(out, o + 2 * LANES);
            c03.add(FloatVector.fromArray(SPECIES, out, o + 3 * LANES)).intoArray(out, o + 3 * LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c12.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 2 * LANES)).intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + 3 * LANES)).intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c22.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 2 * LANES)).intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + 3 * LANES)).intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
            c32.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 2 * LANES)).intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + 3 * LANES)).intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo)).intoArray(out, o + 4 * ldo);
            c41.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + LANES)).intoArray(out, o + 4 * ldo + LANES);
            c42.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 2 * LANES)).intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + 3 * LANES)).intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo)).intoArray(out, o + 5 * ldo);
            c51.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + LANES)).intoArray(out, o + 5 * ldo + LANES);
            c52.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 2 * LANES)).intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + 3 * LANES)).intoArray(out, o + 5 * ldo + 3 * LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c02.intoArray(out, o + 2 * LANES);
            c03.intoArray(out, o + 3 * LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c12.intoArray(out, o + 1 * ldo + 2 * LANES);
            c13.intoArray(out, o + 1 * ldo + 3 * LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c22.intoArray(out, o + 2 * ldo + 2 * LANES);
            c23.intoArray(out, o + 2 * ldo + 3 * LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
            c32.intoArray(out, o + 3 * ldo + 2 * LANES);
            c33.intoArray(out, o + 3 * ldo + 3 * LANES);
            c40.intoArray(out, o + 4 * ldo);
            c41.intoArray(out, o + 4 * ldo + LANES);
            c42.intoArray(out, o + 4 * ldo + 2 * LANES);
            c43.intoArray(out, o + 4 * ldo + 3 * LANES);
            c50.intoArray(out, o + 5 * ldo);
            c51.intoArray(out, o + 5 * ldo + LANES);
            c52.intoArray(out, o + 5 * ldo + 2 * LANES);
            c53.intoArray(out, o + 5 * ldo + 3 * LANES);
        }
    }

    /**
     * {@link #multiply6x4At} one vector wide: 6 accumulators; per k step one load of packed B, 6
     * broadcasts, 6 fma (a C of at most LANES columns, {@link #vectorsFor}).
     */
    private static void multiply6x1At(int segments, int kc, int segmentStride, float[] a, int r0, int r1, int r2,
                                      int r3, int r4, int r5, float[] packedB, int bIndex, float[] out, int o,
                                      int ldo, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(SPECIES), c1 = FloatVector.zero(SPECIES), c2 = FloatVector.zero(SPECIES);
        FloatVector c3 = FloatVector.zero(SPECIES), c4 = FloatVector.zero(SPECIES), c5 = FloatVector.zero(SPECIES);
        for (int segment = 0; segment < segments; segment++, r0 += segmentStride, r1 += segmentStride,
                r2 += segmentStride, r3 += segmentStride, r4 += segmentStride, r5 += segmentStride,
                bIndex += kc * LANES) {
            for (int p = 0; p < kc; p++) {
                FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, bIndex + p * LANES);
                c0 = FloatVector.broadcast(SPECIES, a[r0 + p]).fma(b0, c0);
                c1 = FloatVector.broadcast(SPECIES, a[r1 + p]).fma(b0, c1);
                c2 = FloatVector.broadcast(SPECIES, a[r2 + p]).fma(b0, c2);
                c3 = FloatVector.broadcast(SPECIES, a[r3 + p]).fma(b0, c3);
                c4 = FloatVector.broadcast(SPECIES, a[r4 + p]).fma(b0, c4);
                c5 = FloatVector.broadcast(SPECIES, a[r5 + p]).fma(b0, c5);
            }
        }
        if (accumulate) {
            c0.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c1.add(FloatVector.fromArray(SPECIES, out, o + ldo)).intoArray(out, o + ldo);
            c2.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c3.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c4.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo)).intoArray(out, o + 4 * ldo);
            c5.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo)).intoArray(out, o + 5 * ldo);
        } else {
            c0.intoArray(out, o);
            c1.intoArray(out, o + ldo);
            c2.intoArray(out, o + 2 * ldo);
            c3.intoArray(out, o + 3 * ldo);
            c4.intoArray(out, o + 4 * ldo);
            c5.intoArray(out, o + 5 * ldo);
        }
    }

    /**
     * {@link #multiply6x4At} two vectors wide: 12 accumulators; per k step two loads of packed B, 6
     * broadcasts, 12 fma (a C of at most 2·LANES columns, {@link #vectorsFor}).
     */
    private static void multiply6x2At(int segments, int kc, int segmentStride, float[] a, int r0, int r1, int r2,
                                      int r3, int r4, int r5, float[] packedB, int bIndex, float[] out, int o,
                                      int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES), c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES), c51 = FloatVector.zero(SPECIES);
        final int nr = 2 * LANES;
        for (int segment = 0; segment < segments; segment++, r0 += segmentStride, r1 += segmentStride,
                r2 += segmentStride, r3 += segmentStride, r4 += segmentStride, r5 += segmentStride,
                bIndex += kc * nr) {
            for (int p = 0; p < kc; p++) {
                int b = bIndex + p * nr;
                FloatVector b0 = FloatVector.fromArray(SPECIES, packedB, b);
                FloatVector b1 = FloatVector.fromArray(SPECIES, packedB, b + LANES);
                FloatVector a0 = FloatVector.broadcast(SPECIES, a[r0 + p]);
                c00 = a0.fma(b0, c00);
                c01 = a0.fma(b1, c01);
                FloatVector a1 = FloatVector.broadcast(SPECIES, a[r1 + p]);
                c10 = a1.fma(b0, c10);
                c11 = a1.fma(b1, c11);
                FloatVector a2 = FloatVector.broadcast(SPECIES, a[r2 + p]);
                c20 = a2.fma(b0, c20);
                c21 = a2.fma(b1, c21);
                FloatVector a3 = FloatVector.broadcast(SPECIES, a[r3 + p]);
                c30 = a3.fma(b0, c30);
                c31 = a3.fma(b1, c31);
                FloatVector a4 = FloatVector.broadcast(SPECIES, a[r4 + p]);
                c40 = a4.fma(b0, c40);
                c41 = a4.fma(b1, c41);
                FloatVector a5 = FloatVector.broadcast(SPECIES, a[r5 + p]);
                c50 = a5.fma(b0, c50);
                c51 = a5.fma(b1, c51);
            }
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + ldo)).intoArray(out, o + ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + ldo + LANES)).intoArray(out, o + ldo + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
            c40.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo)).intoArray(out, o + 4 * ldo);
            c41.add(FloatVector.fromArray(SPECIES, out, o + 4 * ldo + LANES)).intoArray(out, o + 4 * ldo + LANES);
            c50.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo)).intoArray(out, o + 5 * ldo);
            c51.add(FloatVector.fromArray(SPECIES, out, o + 5 * ldo + LANES)).intoArray(out, o + 5 * ldo + LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c10.intoArray(out, o + ldo);
            c11.intoArray(out, o + ldo + LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
            c40.intoArray(out, o + 4 * ldo);
            c41.intoArray(out, o + 4 * ldo + LANES);
            c50.intoArray(out, o + 5 * ldo);
            c51.intoArray(out, o + 5 * ldo + LANES);
        }
    }

    /**
     * {@link #multiply4x2} with B read where it lies instead of from a packed micro-panel: depth p's
     * NR columns are the consecutive floats {@code x[taps[tapIndex + p] + pixel …]}. For a
     * convolution's forward that reads its column matrix straight from the padded input (implicit
     * im2col, {@code CpuConvolution.InPlaceColumns}): depth p is one tap of one input channel,
     * {@code taps} its offset there, {@code pixel} the tile's first pixel along the padded rows. A
     * step costs about 1.3x a packed one (an offset load and two bounds checks: C2 cannot hoist
     * checks of indices read from memory), which pays where packing costs more: few output
     * channels. A loop of its own, like {@link #multiply4x2At}'s. ({@link #multiply6x4Taps} is the
     * 6 × 4 tile's.)
     */
    static void multiply4x2Taps(int kc, float[] packedA, int aIndex, float[] x, int[] taps, int tapIndex, int pixel,
                                float[] out, int o, int ldo, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES), c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES), c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES), c31 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            int b = taps[tapIndex + p] + pixel;
            FloatVector b0 = FloatVector.fromArray(SPECIES, x, b);
            FloatVector b1 = FloatVector.fromArray(SPECIES, x, b + LANES);
            int a = aIndex + p * 4;
            FloatVector a0 = FloatVector.broadcast(SPECIES, packedA[a]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, packedA[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, packedA[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, packedA[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        if (accumulate) {
            c00.add(FloatVector.fromArray(SPECIES, out, o)).intoArray(out, o);
            c01.add(FloatVector.fromArray(SPECIES, out, o + LANES)).intoArray(out, o + LANES);
            c10.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo)).intoArray(out, o + 1 * ldo);
            c11.add(FloatVector.fromArray(SPECIES, out, o + 1 * ldo + LANES)).intoArray(out, o + 1 * ldo + LANES);
            c20.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo)).intoArray(out, o + 2 * ldo);
            c21.add(FloatVector.fromArray(SPECIES, out, o + 2 * ldo + LANES)).intoArray(out, o + 2 * ldo + LANES);
            c30.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo)).intoArray(out, o + 3 * ldo);
            c31.add(FloatVector.fromArray(SPECIES, out, o + 3 * ldo + LANES)).intoArray(out, o + 3 * ldo + LANES);
        } else {
            c00.intoArray(out, o);
            c01.intoArray(out, o + LANES);
            c10.intoArray(out, o + 1 * ldo);
            c11.intoArray(out, o + 1 * ldo + LANES);
            c20.intoArray(out, o + 2 * ldo);
            c21.intoArray(out, o + 2 * ldo + LANES);
            c30.intoArray(out, o + 3 * ldo);
            c31.intoArray(out, o + 3 * ldo + LANES);
        }
    }
}
