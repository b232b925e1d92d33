package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.Operand;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** pad (padding and cropping) and concat on the OpenCL device against the reference backend, every dtype. */
class PaddingKernelsTest {
    private static final DType[] ALL_DTYPES = DType.values();

    @Test
    void padWritesTheValueAroundSrcAndCropsWhereBeforeIsNegative() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(51);
        for (int trial = 0; trial < 80; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] srcShape = RandomViews.shape(random, 4, trial < 10 ? 0 : 1);
            int[] before = new int[srcShape.length];
            int[] dstShape = new int[srcShape.length];
            for (int d = 0; d < srcShape.length; d++) {
                before[d] = random.nextInt(4) == 0 ? 0 : random.nextInt(5) - 2;
                int after = random.nextInt(4) == 0 ? 0 : random.nextInt(5) - 2;
                dstShape[d] = Math.max(0, srcShape[d] + before[d] + after);
            }
            double value = new double[] {-2.75, 3e9, Double.NaN, 1, 0}[random.nextInt(5)];
            int[] srcStrides = RandomViews.strides(random, srcShape);
            int[] dstStrides = RandomViews.strides(random, dstShape);
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin src = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(1, srcShape, srcStrides), true), 1, srcShape, srcStrides);
                TwinBuffers.Twin dst = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(2, dstShape, dstStrides), false), 2, dstShape, dstStrides);
                buffers.device.pad(src.device(), dst.device(), before, value);
                buffers.reference.pad(src.reference(), dst.reference(), before, value);
                TwinBuffers.assertExact("pad " + src.device() + " by " + Arrays.toString(before) + " with " + value
                        + " into " + dst.device(), dst);
            }
        }
    }

    @Test
    void padOfAnImageMergesItsUnpaddedAxesAndStillMatches() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(52);
        int[] srcShape = {1, 3, 5, 4};
        int[] dstShape = {1, 3, 7, 7};
        try (TwinBuffers buffers = new TwinBuffers(backend)) {
            TwinBuffers.Twin src = buffers.contiguous(DType.FLOAT32, TwinBuffers.values(random, DType.FLOAT32, 60, false), srcShape);
            TwinBuffers.Twin dst = buffers.contiguous(DType.FLOAT32, new double[147], dstShape);
            int[] before = {0, 0, 1, 2};
            buffers.device.pad(src.device(), dst.device(), before, -1);
            buffers.reference.pad(src.reference(), dst.reference(), before, -1);
            TwinBuffers.assertExact("pad of an image", dst);
        }
    }

    @Test
    void concatPlacesEveryInputInItsSliceOfOut() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(53);
        for (int trial = 0; trial < 40; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] shape = RandomViews.shape(random, 3, 0);
            if (shape.length == 0) {
                shape = new int[] {2};
            }
            int axis = random.nextInt(shape.length);
            int parts = 1 + random.nextInt(3);
            int[][] partShapes = new int[parts][];
            int total = 0;
            for (int k = 0; k < parts; k++) {
                partShapes[k] = shape.clone();
                partShapes[k][axis] = random.nextInt(4);
                total += partShapes[k][axis];
            }
            int[] outShape = shape.clone();
            outShape[axis] = total;
            int[] outStrides = RandomViews.strides(random, outShape);
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                Operand[] deviceParts = new Operand[parts];
                Operand[] referenceParts = new Operand[parts];
                for (int k = 0; k < parts; k++) {
                    int[] strides = RandomViews.strides(random, partShapes[k]);
                    TwinBuffers.Twin part = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                            RandomViews.bufferLength(k, partShapes[k], strides), true), k, partShapes[k], strides);
                    deviceParts[k] = part.device();
                    referenceParts[k] = part.reference();
                }
                TwinBuffers.Twin out = buffers.upload(dtype, TwinBuffers.values(random, dtype,
                        RandomViews.bufferLength(1, outShape, outStrides), false), 1, outShape, outStrides);
                buffers.device.concat(deviceParts, axis, out.device());
                buffers.reference.concat(referenceParts, axis, out.reference());
                TwinBuffers.assertExact("concat along " + axis + " into " + out.device(), out);
            }
        }
    }
}
