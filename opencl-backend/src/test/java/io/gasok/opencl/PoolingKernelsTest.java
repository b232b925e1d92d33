package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.Pool2dSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Max and average pooling, forward and backward, on the OpenCL device against the reference
 * backend: random windows, strides, asymmetric padding, ceil mode and countIncludePad, ties and
 * NaN, and strided views. The device sums in double as the reference does, so every element must
 * be equal.
 */
class PoolingKernelsTest {
    @Test
    void poolingForwardAndBackwardMatchTheReferenceExactly() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(61);
        for (int trial = 0; trial < 80; trial++) {
            Pool2dSpec spec = randomSpec(random, trial);
            DType dtype = trial % 3 == 2 ? DType.FLOAT64 : DType.FLOAT32;
            int[] xShape = {spec.batch(), spec.channels(), spec.inHeight(), spec.inWidth()};
            int[] yShape = {spec.batch(), spec.channels(), spec.outHeight(), spec.outWidth()};
            int[] xStrides = RandomViews.strides(random, xShape);
            int[] yStrides = RandomViews.strides(random, yShape);
            int[] gyStrides = RandomViews.strides(random, yShape);
            int[] gxStrides = RandomViews.strides(random, xShape);
            String what = spec + " " + dtype;
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin x = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(1, xShape, xStrides), trial % 4 == 1), 1, xShape, xStrides);
                TwinBuffers.Twin y = buffers.upload(dtype, new double[RandomViews.bufferLength(0, yShape, yStrides)],
                        0, yShape, yStrides);
                buffers.device.pool2d(spec, x.device(), y.device());
                buffers.reference.pool2d(spec, x.reference(), y.reference());
                TwinBuffers.assertExact("pool2d " + what, y);

                TwinBuffers.Twin gy = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(2, yShape, gyStrides), false), 2, yShape, gyStrides);
                TwinBuffers.Twin gx = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(0, xShape, gxStrides), false), 0, xShape, gxStrides);
                buffers.device.pool2dBackward(spec, x.device(), gy.device(), gx.device());
                buffers.reference.pool2dBackward(spec, x.reference(), gy.reference(), gx.reference());
                TwinBuffers.assertExact("pool2dBackward " + what, gx);
            }
        }
    }

    /** A spec core accepts: padding at most half the kernel per side, the window fitting the padded input. */
    private static Pool2dSpec randomSpec(Random random, int trial) {
        Pool2dSpec.Kind kind = trial % 2 == 0 ? Pool2dSpec.Kind.MAX : Pool2dSpec.Kind.AVG;
        int kernelHeight = 1 + random.nextInt(3);
        int kernelWidth = 1 + random.nextInt(3);
        int[] pads = new int[4];
        for (int side = 0; side < 4; side++) {
            pads[side] = random.nextInt((side % 2 == 0 ? kernelHeight : kernelWidth) / 2 + 1);
        }
        int inHeight = Math.max(1, kernelHeight - pads[0] - pads[2]) + random.nextInt(5);
        int inWidth = Math.max(1, kernelWidth - pads[1] - pads[3]) + random.nextInt(5);
        int batch = trial == 7 ? 0 : 1 + random.nextInt(2);
        return new Pool2dSpec(kind, batch, 1 + random.nextInt(3), inHeight, inWidth, kernelHeight, kernelWidth,
                1 + random.nextInt(3), 1 + random.nextInt(3), pads[0], pads[1], pads[2], pads[3],
                random.nextBoolean(), random.nextBoolean());
    }
}
