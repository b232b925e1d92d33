package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.gasok.DType;
import io.gasok.spi.Distribution;
import io.gasok.spi.Operand;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** fill, strided copy and random fill on the OpenCL device against the reference backend. */
class MemoryKernelsTest {
    private static final DType[] ALL_DTYPES = DType.values();

    @Test
    void fillWritesEveryElementOfAViewAndLeavesTheGapsAlone() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(11);
        for (int trial = 0; trial < 60; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] shape = RandomViews.shape(random, 4, 0);
            int[] strides = RandomViews.strides(random, shape);
            int offset = random.nextInt(3);
            double value = new double[] {-2.75, 3e9, Double.NaN, 1}[random.nextInt(4)];
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                int length = RandomViews.bufferLength(offset, shape, strides);
                TwinBuffers.Twin out = buffers.upload(dtype, TwinBuffers.values(random, dtype, length, false), offset, shape, strides);
                buffers.device.fill(out.device(), value);
                buffers.reference.fill(out.reference(), value);
                TwinBuffers.assertExact("fill " + value + " into " + out.device(), out);
            }
        }
    }

    @Test
    void copyMovesEveryElementBetweenAnyTwoViews() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(12);
        for (int trial = 0; trial < 60; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] shape = RandomViews.shape(random, 5, 0);
            int[] srcStrides = random.nextInt(4) == 0 ? RandomViews.broadcastStrides(random, shape) : RandomViews.strides(random, shape);
            int[] dstStrides = RandomViews.strides(random, shape);
            int srcOffset = random.nextInt(3);
            int dstOffset = random.nextInt(3);
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                int srcLength = Math.max(RandomViews.bufferLength(srcOffset, shape, srcStrides),
                        srcOffset + Operand.sizeOf(shape));
                int dstLength = RandomViews.bufferLength(dstOffset, shape, dstStrides);
                TwinBuffers.Twin src = buffers.upload(dtype, TwinBuffers.values(random, dtype, srcLength, true), srcOffset, shape, srcStrides);
                TwinBuffers.Twin dst = buffers.upload(dtype, TwinBuffers.values(random, dtype, dstLength, true), dstOffset, shape, dstStrides);
                buffers.device.copy(src.device(), dst.device());
                buffers.reference.copy(src.reference(), dst.reference());
                TwinBuffers.assertExact("copy " + src.device() + " to " + dst.device(), dst);
            }
        }
    }

    @Test
    void randomFillsDrawTheReferencePhiloxNumbers() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(13);
        for (int trial = 0; trial < 40; trial++) {
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            Distribution distribution = trial % 4 < 2 ? Distribution.UNIFORM : Distribution.NORMAL;
            int[] shape = RandomViews.shape(random, 3, 0);
            int[] strides = RandomViews.strides(random, shape);
            long seed = random.nextLong();
            long offset = random.nextLong(1L << 40);
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                int length = RandomViews.bufferLength(1, shape, strides);
                TwinBuffers.Twin out = buffers.upload(dtype, new double[length], 1, shape, strides);
                buffers.device.random(distribution, seed, offset, out.device());
                buffers.reference.random(distribution, seed, offset, out.reference());
                String what = distribution + " " + dtype + " seed " + seed + " offset " + offset;
                if (distribution == Distribution.UNIFORM) {
                    TwinBuffers.assertExact(what, out);
                } else {
                    TwinBuffers.assertClose(what, out, dtype == DType.FLOAT32 ? 1e-6 : 1e-12, dtype == DType.FLOAT32 ? 2e-5 : 1e-12);
                }
            }
        }
    }

    @Test
    void writesAndReadsHonourHostAndDeviceOffsets() {
        OpenClBackend backend = OpenClTestBackend.backend();
        var buffer = backend.allocate(DType.INT64, 6);
        try {
            backend.write(new long[] {9, 1, 2, 3, 9}, 1, buffer, 2, 3);
            long[] back = new long[5];
            backend.read(buffer, 2, back, 1, 3);
            assertEquals(java.util.List.of(0L, 1L, 2L, 3L, 0L), java.util.Arrays.stream(back).boxed().toList());
        } finally {
            backend.free(buffer);
        }
    }
}
