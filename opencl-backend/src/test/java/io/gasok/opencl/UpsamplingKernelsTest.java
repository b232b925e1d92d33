package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.Upsample2dSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Nearest and bilinear resizing (up and down, alignCorners on and off), forward and backward, on
 * the OpenCL device against the reference backend. The device evaluates the coordinates and the
 * blend in double as the reference does, so every element must be equal.
 */
class UpsamplingKernelsTest {
    @Test
    void upsamplingForwardAndBackwardMatchTheReferenceExactly() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(71);
        for (int trial = 0; trial < 60; trial++) {
            Upsample2dSpec.Mode mode = trial % 3 == 0 ? Upsample2dSpec.Mode.NEAREST : Upsample2dSpec.Mode.BILINEAR;
            boolean alignCorners = mode == Upsample2dSpec.Mode.BILINEAR && trial % 3 == 2;
            int inHeight = 1 + random.nextInt(5);
            int inWidth = 1 + random.nextInt(5);
            int outHeight = trial % 5 == 0 ? 1 + random.nextInt(3) : inHeight * (1 + random.nextInt(3)) + random.nextInt(3);
            int outWidth = 1 + random.nextInt(9);
            Upsample2dSpec spec = new Upsample2dSpec(mode, 1 + random.nextInt(2), 1 + random.nextInt(2),
                    inHeight, inWidth, outHeight, outWidth, alignCorners);
            DType dtype = trial % 4 == 3 ? DType.FLOAT64 : DType.FLOAT32;
            int[] xShape = {spec.batch(), spec.channels(), inHeight, inWidth};
            int[] yShape = {spec.batch(), spec.channels(), outHeight, outWidth};
            int[] xStrides = RandomViews.strides(random, xShape);
            int[] yStrides = RandomViews.strides(random, yShape);
            String what = spec + " " + dtype;
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin x = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(1, xShape, xStrides), false), 1, xShape, xStrides);
                TwinBuffers.Twin y = buffers.upload(dtype, new double[RandomViews.bufferLength(0, yShape, yStrides)],
                        0, yShape, yStrides);
                buffers.device.upsample2d(spec, x.device(), y.device());
                buffers.reference.upsample2d(spec, x.reference(), y.reference());
                TwinBuffers.assertExact("upsample2d " + what, y);

                TwinBuffers.Twin gx = buffers.upload(dtype, new double[RandomViews.bufferLength(2, xShape, xStrides)],
                        2, xShape, xStrides);
                buffers.device.upsample2dBackward(spec, y.device(), gx.device());
                buffers.reference.upsample2dBackward(spec, y.reference(), gx.reference());
                TwinBuffers.assertExact("upsample2dBackward " + what, gx);
            }
        }
    }
}
