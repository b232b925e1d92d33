package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.NR;

import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, the packed im2col allocates (almost) nothing: no boxed vectors or masks (an
 * earlier masked-load version boxed its masks in some compilations, 66 KB per call and 8x slower).
 * In a JVM of its own, as every *AllocationTest (the cpu-backend pom says why).
 */
class Im2colAllocationTest {

    @Test
    void allocatesNothingPerCallOnceCompiled() {
        Conv2dSpec spec = new Conv2dSpec(1, 16, 20, 20, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, Epilogue.NONE);
        float[] x = new float[16 * 20 * 20];
        Im2col.PaddedInput padded = Im2col.PaddedInput.of(spec, new float[Im2col.PaddedInput.size(spec)]);
        Im2col.padInput(spec, x, 0, 0, 0, 16, padded);
        float[] packed = new float[16 * 9 * 400 + 16 * 9 * NR];
        AllocationProbe.assertAllocatesLessThan(1024, "im2colPacked 16×20×20",
                () -> Im2col.im2colPacked(spec, padded, 0, 16, 0, 400, packed, 0), 3000, 300);
    }
}
