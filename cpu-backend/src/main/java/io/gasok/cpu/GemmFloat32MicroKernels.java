package io.gasok.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FP32 GEMM micro-kernels: one {@code MR × NR} tile of {@code packedA · packedB} over a k-block,
 * all in vector registers, then written to a row-major scratch tile (NR floats a row, in L1) that
 * {@link GemmFloat32Epilogue} stores into C.
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
 * (Zen 3, Java 25: 40 against 85 GFLOP/s on L1-resident panels); C2 does not keep it in registers.
 * 4 × 2 still hides the FMA latency: 8 independent chains = 2 FMA units × 4 cycles.
 */
final class GemmFloat32MicroKernels {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    private static final boolean WIDE_REGISTER_FILE = hasThirtyTwoVectorRegisters();
    /** Rows of a tile. */
    static final int MR = WIDE_REGISTER_FILE ? 6 : 4;
    /** Vectors across a tile. */
    static final int VECTORS_WIDE = WIDE_REGISTER_FILE ? 4 : 2;
    /** Columns of a tile. */
    static final int NR = VECTORS_WIDE * LANES;

    private GemmFloat32MicroKernels() {
    }

    private static boolean hasThirtyTwoVectorRegisters() {
        String arch = System.getProperty("os.arch", "");
        return SPECIES.vectorBitSize() >= 512 || arch.equals("aarch64") || arch.equals("riscv64");
    }

    /** The tile {@code packedA[aIndex…] · packedB[bIndex…]} over {@code kc} steps into {@code tile}. */
    static void multiply(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex, float[] tile) {
        if (WIDE_REGISTER_FILE) {
            multiply6x4(kc, packedA, aIndex, packedB, bIndex, tile);
        } else {
            multiply4x2(kc, packedA, aIndex, packedB, bIndex, tile);
        }
    }

    /** 4 rows × 2 vectors: 8 accumulators; per k step 2 loads of packed B, 4 broadcasts of packed A, 8 fma. */
    static void multiply4x2(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex, float[] tile) {
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
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 0 + LANES);
        c10.intoArray(tile, 1 * nr);
        c11.intoArray(tile, 1 * nr + LANES);
        c20.intoArray(tile, 2 * nr);
        c21.intoArray(tile, 2 * nr + LANES);
        c30.intoArray(tile, 3 * nr);
        c31.intoArray(tile, 3 * nr + LANES);
    }

    /** 6 rows × 4 vectors: 24 accumulators; per k step 4 loads of packed B, 6 broadcasts of packed A, 24 fma. */
    static void multiply6x4(int kc, float[] packedA, int aIndex, float[] packedB, int bIndex, float[] tile) {
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
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 0 + LANES);
        c02.intoArray(tile, 0 + 2 * LANES);
        c03.intoArray(tile, 0 + 3 * LANES);
        c10.intoArray(tile, 1 * nr);
        c11.intoArray(tile, 1 * nr + LANES);
        c12.intoArray(tile, 1 * nr + 2 * LANES);
        c13.intoArray(tile, 1 * nr + 3 * LANES);
        c20.intoArray(tile, 2 * nr);
        c21.intoArray(tile, 2 * nr + LANES);
        c22.intoArray(tile, 2 * nr + 2 * LANES);
        c23.intoArray(tile, 2 * nr + 3 * LANES);
        c30.intoArray(tile, 3 * nr);
        c31.intoArray(tile, 3 * nr + LANES);
        c32.intoArray(tile, 3 * nr + 2 * LANES);
        c33.intoArray(tile, 3 * nr + 3 * LANES);
        c40.intoArray(tile, 4 * nr);
        c41.intoArray(tile, 4 * nr + LANES);
        c42.intoArray(tile, 4 * nr + 2 * LANES);
        c43.intoArray(tile, 4 * nr + 3 * LANES);
        c50.intoArray(tile, 5 * nr);
        c51.intoArray(tile, 5 * nr + LANES);
        c52.intoArray(tile, 5 * nr + 2 * LANES);
        c53.intoArray(tile, 5 * nr + 3 * LANES);
    }
}
