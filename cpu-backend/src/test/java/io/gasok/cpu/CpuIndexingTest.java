package io.gasok.cpu;

import static io.gasok.cpu.KernelFixtures.REFERENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gasok.DType;
import io.gasok.cpu.KernelFixtures.Layout;
import io.gasok.spi.Operand;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CpuIndexingTest {

    private static final DType[] DTYPES = {DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.BOOL};

    private enum Kernel { GATHER, INDEX_SELECT, SCATTER_ADD }

    @Test
    void matchesTheReferenceOnRandomShapesLayoutsAndDtypes() {
        Random random = new Random(41);
        for (int trial = 0; trial < 400; trial++) {
            int rank = 1 + random.nextInt(4);
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = random.nextInt(random.nextBoolean() ? 3 : 9);
            }
            int axis = random.nextInt(rank);
            if (shape[axis] == 0) {
                shape[axis] = 1;
            }
            Kernel kernel = Kernel.values()[random.nextInt(3)];
            check(kernel, DTYPES[random.nextInt(DTYPES.length)], shape, axis, random, random.nextBoolean());
        }
    }

    @Test
    void takesTheParallelPathsOnLargeTensors() {
        Random random = new Random(42);
        int[][] shapes = {{64, 300, 16}, {5000, 32}, {40, 2000}};
        int[] axes = {1, 0, 1};
        for (int i = 0; i < shapes.length; i++) {
            for (Kernel kernel : Kernel.values()) {
                check(kernel, DType.FLOAT32, shapes[i], axes[i], random, false);
                check(kernel, DType.INT64, shapes[i], axes[i], random, true);
            }
        }
    }

    @Test
    void namesTheKernelAxisIndexAndExtentForAnIndexOutOfRange() {
        Operand in = KernelFixtures.onCpu(DType.FLOAT32, new float[6], Layout.contiguous(2, 3));
        Operand out = KernelFixtures.onCpu(DType.FLOAT32, new float[6], Layout.contiguous(2, 3));
        Operand index = KernelFixtures.onCpu(DType.INT64, new long[] {0, 1, 3, 0, 0, 0}, Layout.contiguous(2, 3));
        Operand negative = KernelFixtures.onCpu(DType.INT64, new long[] {-1, 0}, Layout.contiguous(2));
        var gather = assertThrows(IndexOutOfBoundsException.class,
                () -> CpuIndexing.gather(in, 1, index, out, KernelFixtures.ONE_THREAD));
        assertEquals("gather: index 3 is out of range for axis 1 with extent 3", gather.getMessage());
        var select = assertThrows(IndexOutOfBoundsException.class, () -> CpuIndexing.indexSelect(in, 0, negative,
                KernelFixtures.onCpu(DType.FLOAT32, new float[6], Layout.contiguous(2, 3)), KernelFixtures.ONE_THREAD));
        assertEquals("indexSelect: index -1 is out of range for axis 0 with extent 2", select.getMessage());
        var scatter = assertThrows(IndexOutOfBoundsException.class,
                () -> CpuIndexing.scatterAdd(out, 1, index, in, KernelFixtures.TWO_THREADS));
        assertEquals("scatterAdd: index 3 is out of range for axis 1 with extent 3", scatter.getMessage());
    }

    /**
     * One kernel on both backends: in (or target) of {@code shape}, an index with at most its
     * extents (repeated indices likely), and the out (or src) side in a random layout.
     */
    private static void check(Kernel kernel, DType dtype, int[] shape, int axis, Random random, boolean strided) {
        int[] indexShape = shape.clone();
        if (kernel == Kernel.INDEX_SELECT) {
            indexShape = new int[] {random.nextInt(2 * shape[axis] + 1)};
        } else {
            for (int d = 0; d < shape.length; d++) {
                indexShape[d] = d == axis ? random.nextInt(2 * shape[d] + 1) : random.nextInt(shape[d] + 1);
            }
        }
        int[] sideShape = indexShape.clone();
        if (kernel == Kernel.INDEX_SELECT) {
            sideShape = shape.clone();
            sideShape[axis] = indexShape[0];
        }
        Layout inLayout = strided ? Layout.random(shape, random, kernel != Kernel.SCATTER_ADD) : Layout.contiguous(shape);
        Layout indexLayout = strided ? Layout.random(indexShape, random, true) : Layout.contiguous(indexShape);
        Layout sideLayout = strided ? Layout.random(sideShape, random, kernel == Kernel.SCATTER_ADD)
                : Layout.contiguous(sideShape);
        Object in = KernelFixtures.values(dtype, inLayout.length(), random, false);
        Object side = KernelFixtures.values(dtype, sideLayout.length(), random, false);
        long[] index = new long[indexLayout.length()];
        for (int i = 0; i < index.length; i++) {
            index[i] = random.nextInt(shape[axis]);
        }

        Operand refIn = KernelFixtures.onReference(dtype, in, inLayout);
        Operand refIndex = KernelFixtures.onReference(DType.INT64, index, indexLayout);
        Operand refSide = KernelFixtures.onReference(dtype, side, sideLayout);
        run(kernel, refIn, axis, refIndex, refSide, null);
        Object expected = KernelFixtures.contents(kernel == Kernel.SCATTER_ADD ? refIn : refSide);
        KernelFixtures.contents(kernel == Kernel.SCATTER_ADD ? refSide : refIn);
        KernelFixtures.contents(refIndex);

        for (WorkerPool pool : new WorkerPool[] {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS,
            KernelFixtures.THREE_THREADS}) {
            Operand cpuIn = KernelFixtures.onCpu(dtype, in, inLayout);
            Operand cpuSide = KernelFixtures.onCpu(dtype, side, sideLayout);
            run(kernel, cpuIn, axis, KernelFixtures.onCpu(DType.INT64, index, indexLayout), cpuSide, pool);
            Object actual = KernelFixtures.contents(kernel == Kernel.SCATTER_ADD ? cpuIn : cpuSide);
            KernelFixtures.assertClose(expected, actual, new double[java.lang.reflect.Array.getLength(expected)],
                    KernelFixtures.describe(kernel + " " + dtype, shape, inLayout.strides(), indexShape, axis,
                            pool.threads()));
        }
    }

    private static void run(Kernel kernel, Operand in, int axis, Operand index, Operand side, WorkerPool pool) {
        switch (kernel) {
            case GATHER -> {
                if (pool == null) {
                    REFERENCE.gather(in, axis, index, side);
                } else {
                    CpuIndexing.gather(in, axis, index, side, pool);
                }
            }
            case INDEX_SELECT -> {
                if (pool == null) {
                    REFERENCE.indexSelect(in, axis, index, side);
                } else {
                    CpuIndexing.indexSelect(in, axis, index, side, pool);
                }
            }
            case SCATTER_ADD -> {
                if (pool == null) {
                    REFERENCE.scatterAdd(in, axis, index, side);
                } else {
                    CpuIndexing.scatterAdd(in, axis, index, side, pool);
                }
            }
        }
    }
}
