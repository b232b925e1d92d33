package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.MR;
import static io.gasok.cpu.GemmFloat32MicroKernels.NR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * GEMM's packing against its definition: a B micro-panel holds {@code packed[at + (j/NR)·kc·NR +
 * p·NR + j%NR] = B(p, j)} (from any start {@code at}: callers start it on a cache line), an A
 * micro-panel {@code packed[(i/MR)·kc·MR + p·MR + i%MR] = A(i, p)}, zeros past the operand's edge, for B as stored (row-major) and transposed (its columns contiguous along the
 * depth: the in-register 8 × 8 transpose for whole panels' whole eights of depth, the scalar loop
 * for the rest), and every packed float written (the buffer starts as NaN).
 */
class GemmFloat32PackingTest {

    @Property(tries = 300)
    void packedBIsTheOperandInPanelOrder(
            @ForAll @IntRange(min = 1, max = 75) int kc,
            @ForAll @IntRange(min = 1, max = 150) int nc,
            @ForAll @IntRange(min = 0, max = 9) int slack,
            @ForAll boolean transposed,
            @ForAll @IntRange(min = 0, max = 3) int firstPanel,
            @ForAll @IntRange(min = 0, max = 3) int panelsLeftOut,
            @ForAll @IntRange(min = 0, max = 2) int extraDepth,
            @ForAll @IntRange(min = 0, max = 15) int at,
            @ForAll @IntRange(min = 1, max = 4) int vectors) {
        // Panels of NR columns, or narrower ones (whole vectors, for the narrow micro-kernels).
        int nr = extraDepth == 0 ? NR : Math.min(NR, vectors * GemmFloat32MicroKernels.LANES);
        int panels = (nc + nr - 1) / nr;
        // Panels [first, end) of panels of panelDepth steps: what one thread of several packs, and
        // the convolution's panels with room for a row of ones after the kc steps.
        int first = Math.min(firstPanel, panels - 1);
        int end = Math.max(first + 1, panels - panelsLeftOut);
        int panelDepth = kc + extraDepth;
        // B(p, j) at base + p·rowStep + j·colStep, with unused floats between rows or columns.
        int base = 5;
        int rowStep = transposed ? 1 : nc + slack;
        int colStep = transposed ? kc + slack : 1;
        float[] b = new float[base + (kc - 1) * rowStep + (nc - 1) * colStep + 1 + 3];
        for (int i = 0; i < b.length; i++) {
            b[i] = -i - 1;
        }
        for (int p = 0; p < kc; p++) {
            for (int j = 0; j < nc; j++) {
                b[base + p * rowStep + j * colStep] = p * 1000 + j;
            }
        }
        float[] packed = new float[at + panels * panelDepth * nr + 4];
        Arrays.fill(packed, Float.NaN);
        if (extraDepth == 0) {
            GemmFloat32Packing.packB(kc, nc, b, base, rowStep, colStep, packed, at, first, end);
        } else {
            GemmFloat32Packing.packB(kc, panelDepth, nc, nr, b, base, rowStep, colStep, packed, at, first, end);
        }
        String where = "kc " + kc + ", panel depth " + panelDepth + ", nc " + nc + ", width " + nr + ", panels [" + first + ", " + end
                + "), from " + at + (transposed ? ", transposed" : "");
        for (int i = 0; i < packed.length; i++) {
            int panel = (i - at) / (panelDepth * nr);
            int p = (i - at) % (panelDepth * nr) / nr;
            int j = panel * nr + (i - at) % nr;
            boolean written = i >= at && panel >= first && panel < end && p < kc;
            float expected = !written ? Float.NaN : j < nc ? p * 1000 + j : 0f;
            assertEquals(expected, packed[i], "packed[" + i + "]: " + (written ? "B(" + p + ", " + j + ")"
                    : "not written") + ", " + where);
        }
    }

    @Property(tries = 200)
    void packedAIsTheOperandInPanelOrder(
            @ForAll @IntRange(min = 1, max = 40) int mc,
            @ForAll @IntRange(min = 1, max = 70) int kc,
            @ForAll @IntRange(min = 0, max = 5) int slack,
            @ForAll boolean transposed,
            @ForAll @IntRange(min = 0, max = 9) int offset) {
        int base = 3;
        int rowStep = transposed ? 1 : kc + slack;
        int colStep = transposed ? mc + slack : 1;
        float[] a = new float[base + (mc - 1) * rowStep + (kc - 1) * colStep + 1];
        for (int i = 0; i < mc; i++) {
            for (int p = 0; p < kc; p++) {
                a[base + i * rowStep + p * colStep] = i * 1000 + p;
            }
        }
        int panels = (mc + MR - 1) / MR;
        // The panels from packed[offset], with guard floats around them that packing must not write.
        int end = offset + panels * kc * MR;
        float[] packed = new float[end + 9];
        Arrays.fill(packed, Float.NaN);
        GemmFloat32Packing.packA(mc, kc, a, base, rowStep, colStep, packed, offset);
        for (int i = 0; i < panels * MR; i++) {
            for (int p = 0; p < kc; p++) {
                float expected = i < mc ? i * 1000 + p : 0f;
                assertEquals(expected, packed[offset + (i / MR) * kc * MR + p * MR + i % MR],
                        "A(" + i + ", " + p + "), mc " + mc + ", kc " + kc + (transposed ? ", transposed" : ""));
            }
        }
        for (int i = 0; i < packed.length; i++) {
            if (i < offset || i >= end) {
                assertEquals(Float.NaN, packed[i], "a float outside the panels is not written: " + i);
            }
        }
    }
}
