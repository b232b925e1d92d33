package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gasok.DType;
import io.gasok.spi.Operand;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * gather, index-select and scatter-add on the OpenCL device against the reference backend:
 * every dtype, repeated indices, empty operands, strided and broadcast views, and out-of-range
 * indices, which must throw the reference's exception and message and leak no buffer.
 */
class IndexingKernelsTest {
    private static final DType[] ALL_DTYPES = DType.values();

    @Test
    void gatherPicksAlongTheAxisForEveryDtype() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(81);
        for (int trial = 0; trial < 50; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] inShape = shapeOfRankAtLeastOne(random, 1);
            int axis = random.nextInt(inShape.length);
            int[] indexShape = new int[inShape.length];
            for (int d = 0; d < inShape.length; d++) {
                indexShape[d] = d == axis ? random.nextInt(5) : random.nextInt(inShape[d] + 1);
            }
            if (trial < 3) {
                indexShape[axis] = 0;
            }
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin in = view(buffers, random, dtype, inShape, true);
                TwinBuffers.Twin index = indices(buffers, random, indexShape, inShape[axis]);
                TwinBuffers.Twin out = view(buffers, random, dtype, indexShape, false);
                buffers.device.gather(in.device(), axis, index.device(), out.device());
                buffers.reference.gather(in.reference(), axis, index.reference(), out.reference());
                TwinBuffers.assertExact("gather along " + axis + " of " + in.device() + " by " + index.device(), out);
            }
        }
    }

    @Test
    void indexSelectPicksWholeSlicesRepeatedOrNot() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(82);
        for (int trial = 0; trial < 40; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] inShape = shapeOfRankAtLeastOne(random, 1);
            int axis = random.nextInt(inShape.length);
            int length = trial < 3 ? 0 : random.nextInt(6);
            int[] outShape = inShape.clone();
            outShape[axis] = length;
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin in = view(buffers, random, dtype, inShape, true);
                int indexStride = random.nextInt(3);
                double[] picks = new double[Math.max(1, (length - 1) * indexStride + 1) + 1];
                for (int k = 0; k < picks.length; k++) {
                    picks[k] = random.nextInt(inShape[axis]);
                }
                TwinBuffers.Twin index = buffers.upload(DType.INT64, picks, 1, new int[] {length}, new int[] {indexStride});
                TwinBuffers.Twin out = view(buffers, random, dtype, outShape, false);
                buffers.device.indexSelect(in.device(), axis, index.device(), out.device());
                buffers.reference.indexSelect(in.reference(), axis, index.reference(), out.reference());
                TwinBuffers.assertExact("indexSelect along " + axis + " of " + in.device() + " by " + index.device(), out);
            }
        }
    }

    @Test
    void scatterAddAccumulatesRepeatedIndicesInTheReferenceOrder() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Random random = new Random(83);
        for (int trial = 0; trial < 50; trial++) {
            DType dtype = ALL_DTYPES[trial % ALL_DTYPES.length];
            int[] targetShape = shapeOfRankAtLeastOne(random, 1);
            int axis = random.nextInt(targetShape.length);
            int[] srcShape = new int[targetShape.length];
            for (int d = 0; d < srcShape.length; d++) {
                srcShape[d] = d == axis ? random.nextInt(7) : random.nextInt(targetShape[d] + 1);
            }
            if (trial % 10 == 4) {
                srcShape[axis] = 40;
            }
            try (TwinBuffers buffers = new TwinBuffers(backend)) {
                TwinBuffers.Twin target = view(buffers, random, dtype, targetShape, false);
                TwinBuffers.Twin index = indices(buffers, random, srcShape, targetShape[axis]);
                TwinBuffers.Twin src = view(buffers, random, dtype, srcShape, true);
                buffers.device.scatterAdd(target.device(), axis, index.device(), src.device());
                buffers.reference.scatterAdd(target.reference(), axis, index.reference(), src.reference());
                TwinBuffers.assertExact("scatterAdd along " + axis + " of " + src.device() + " by " + index.device()
                        + " into " + target.device(), target);
            }
        }
    }

    @Test
    void outOfRangeIndicesThrowTheReferenceMessageAndLeakNothing() {
        OpenClBackend backend = OpenClTestBackend.backend();
        long liveBefore = backend.liveBuffers();
        try (TwinBuffers buffers = new TwinBuffers(backend)) {
            TwinBuffers.Twin in = buffers.contiguous(DType.FLOAT32, new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
            TwinBuffers.Twin index = buffers.contiguous(DType.INT64, new double[] {0, 2, 1, 3, -1, 2}, 2, 3);
            TwinBuffers.Twin out = buffers.contiguous(DType.FLOAT32, new double[6], 2, 3);
            assertSameError(() -> buffers.device.gather(in.device(), 1, index.device(), out.device()),
                    () -> buffers.reference.gather(in.reference(), 1, index.reference(), out.reference()));

            TwinBuffers.Twin picks = buffers.contiguous(DType.INT64, new double[] {1, 0, 7, 2, -4}, 5);
            TwinBuffers.Twin selected = buffers.contiguous(DType.FLOAT32, new double[10], 2, 5);
            assertSameError(() -> buffers.device.indexSelect(in.device(), 1, picks.device(), selected.device()),
                    () -> buffers.reference.indexSelect(in.reference(), 1, picks.reference(), selected.reference()));

            TwinBuffers.Twin target = buffers.contiguous(DType.FLOAT32, new double[6], 3, 2);
            TwinBuffers.Twin rows = buffers.contiguous(DType.INT64, new double[] {0, 2, 1, 3, 2, 1}, 3, 2);
            TwinBuffers.Twin src = buffers.contiguous(DType.FLOAT32, new double[] {1, 1, 1, 1, 1, 1}, 3, 2);
            assertSameError(() -> buffers.device.scatterAdd(target.device(), 0, rows.device(), src.device()),
                    () -> buffers.reference.scatterAdd(target.reference(), 0, rows.reference(), src.reference()));

            Operand noRows = new Operand(target.device().buffer(), DType.FLOAT32, 0, new int[] {0, 2}, new int[] {2, 1});
            Operand noRowsReference = new Operand(target.reference().buffer(), DType.FLOAT32, 0, new int[] {0, 2},
                    new int[] {2, 1});
            assertSameError(() -> buffers.device.scatterAdd(noRows, 0, rows.device(), src.device()),
                    () -> buffers.reference.scatterAdd(noRowsReference, 0, rows.reference(), src.reference()));

            buffers.device.gather(in.device(), 0, buffers.contiguous(DType.INT64, new double[] {1, 0, 1}, 1, 3).device(),
                    buffers.contiguous(DType.FLOAT32, new double[3], 1, 3).device());
        }
        assertEquals(liveBefore, backend.liveBuffers(), "buffers left after out-of-range errors");
    }

    private static void assertSameError(org.junit.jupiter.api.function.Executable device,
                                        org.junit.jupiter.api.function.Executable reference) {
        String expected = assertThrows(IndexOutOfBoundsException.class, reference).getMessage();
        assertEquals(expected, assertThrows(IndexOutOfBoundsException.class, device).getMessage());
    }

    private static int[] shapeOfRankAtLeastOne(Random random, int minExtent) {
        int[] shape = RandomViews.shape(random, 3, minExtent);
        return shape.length == 0 ? new int[] {1 + random.nextInt(4)} : shape;
    }

    /** A strided (sometimes broadcast, for inputs) view of random values. */
    private static TwinBuffers.Twin view(TwinBuffers buffers, Random random, DType dtype, int[] shape, boolean input) {
        int[] strides = input && random.nextInt(4) == 0 ? RandomViews.broadcastStrides(random, shape)
                : RandomViews.strides(random, shape);
        int offset = random.nextInt(3);
        int length = Math.max(RandomViews.bufferLength(offset, shape, strides), offset + Operand.sizeOf(shape));
        return buffers.upload(dtype, TwinBuffers.values(random, dtype, length, input), offset, shape, strides);
    }

    /** An INT64 view of {@code shape} holding indices in [0, extent), repeats likely. */
    private static TwinBuffers.Twin indices(TwinBuffers buffers, Random random, int[] shape, int extent) {
        int[] strides = RandomViews.strides(random, shape);
        double[] values = new double[RandomViews.bufferLength(1, shape, strides)];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(Math.max(extent, 1));
        }
        return buffers.upload(DType.INT64, values, 1, shape, strides);
    }
}
