package io.gasok.cpu;

import static io.gasok.cpu.KernelFixtures.REFERENCE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.DType;
import io.gasok.cpu.KernelFixtures.Layout;
import io.gasok.spi.Operand;
import io.gasok.spi.Upsample2dSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CpuUpsamplingTest {

    @Test
    void matchesTheReferenceOnRandomSizesModesAndCornerAlignment() {
        Random random = new Random(31);
        for (int trial = 0; trial < 300; trial++) {
            Upsample2dSpec.Mode mode = random.nextBoolean() ? Upsample2dSpec.Mode.NEAREST : Upsample2dSpec.Mode.BILINEAR;
            int inHeight = 1 + random.nextInt(9);
            int inWidth = 1 + random.nextInt(random.nextBoolean() ? 9 : 40);
            boolean doubled = random.nextInt(3) == 0;
            int outHeight = doubled ? 2 * inHeight : 1 + random.nextInt(20);
            int outWidth = doubled ? 2 * inWidth : 1 + random.nextInt(50);
            boolean alignCorners = mode == Upsample2dSpec.Mode.BILINEAR && random.nextBoolean();
            Upsample2dSpec spec = new Upsample2dSpec(mode, 1 + random.nextInt(2), 1 + random.nextInt(3),
                    inHeight, inWidth, outHeight, outWidth, alignCorners);
            check(spec, random.nextInt(4) == 0 ? DType.FLOAT64 : DType.FLOAT32, random);
        }
    }

    @Test
    void takesTheParallelPathsOnYoloShapes() {
        Random random = new Random(32);
        Upsample2dSpec[] specs = {
            new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 128, 20, 20, 40, 40, false),
            new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 2, 64, 15, 21, 30, 42, false),
            new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 64, 20, 20, 60, 50, false),
            new Upsample2dSpec(Upsample2dSpec.Mode.BILINEAR, 1, 64, 20, 20, 40, 40, false),
            new Upsample2dSpec(Upsample2dSpec.Mode.BILINEAR, 1, 32, 33, 17, 64, 63, true),
        };
        for (Upsample2dSpec spec : specs) {
            check(spec, DType.FLOAT32, random);
        }
    }

    /** Nearest sampling copies pixels: ±inf and NaN come through as they are, in both dtypes and on every path. */
    @Test
    void nearestSamplingCopiesInfinitiesAndNaNAsTheyAre() {
        Random random = new Random(33);
        Upsample2dSpec[] specs = {
            new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 2, 5, 11, 10, 22, false),
            new Upsample2dSpec(Upsample2dSpec.Mode.NEAREST, 1, 2, 5, 11, 9, 17, false),
        };
        for (Upsample2dSpec spec : specs) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Layout xLayout = offsetContiguous(random, spec.batch(), spec.channels(), spec.inHeight(), spec.inWidth());
                Layout yLayout = offsetContiguous(random, spec.batch(), spec.channels(), spec.outHeight(), spec.outWidth());
                Object x = KernelFixtures.values(dtype, xLayout.length(), random, false);
                KernelFixtures.sprinkleNaN(x, random, 3, true);
                Object y = KernelFixtures.values(dtype, yLayout.length(), random, false);
                Operand refY = KernelFixtures.onReference(dtype, y, yLayout);
                REFERENCE.upsample2d(spec, KernelFixtures.onReference(dtype, x, xLayout), refY);
                Operand cpuY = KernelFixtures.onCpu(dtype, y, yLayout);
                CpuUpsampling.forward(spec, KernelFixtures.onCpu(dtype, x, xLayout), cpuY, KernelFixtures.ONE_THREAD);
                assertArrayEquals(doubles(KernelFixtures.contents(refY)), doubles(KernelFixtures.contents(cpuY)),
                        dtype + " " + spec);
            }
        }
    }

    private static void check(Upsample2dSpec spec, DType dtype, Random random) {
        Layout xLayout = offsetContiguous(random, spec.batch(), spec.channels(), spec.inHeight(), spec.inWidth());
        Layout yLayout = offsetContiguous(random, spec.batch(), spec.channels(), spec.outHeight(), spec.outWidth());
        Object x = KernelFixtures.values(dtype, xLayout.length(), random, false);
        Object y = KernelFixtures.values(dtype, yLayout.length(), random, false);
        Object gx = KernelFixtures.values(dtype, xLayout.length(), random, false);

        Operand refX = KernelFixtures.onReference(dtype, x, xLayout);
        Operand refY = KernelFixtures.onReference(dtype, y, yLayout);
        REFERENCE.upsample2d(spec, refX, refY);
        Object expectedY = KernelFixtures.contents(refY);
        KernelFixtures.contents(refX);
        Operand refGy = KernelFixtures.onReference(dtype, y, yLayout);
        Operand refGx = KernelFixtures.onReference(dtype, gx, xLayout);
        REFERENCE.upsample2dBackward(spec, refGy, refGx);
        Object expectedGx = KernelFixtures.contents(refGx);
        KernelFixtures.contents(refGy);

        double eps = KernelFixtures.epsilon(dtype);
        double fanIn = Math.ceil((double) spec.outHeight() / spec.inHeight() + 1)
                * Math.ceil((double) spec.outWidth() / spec.inWidth() + 1);
        for (WorkerPool pool : new WorkerPool[] {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS}) {
            String what = KernelFixtures.describe("upsample2d " + dtype, spec.toString(), pool.threads());
            Operand cpuY = KernelFixtures.onCpu(dtype, y, yLayout);
            CpuUpsampling.forward(spec, KernelFixtures.onCpu(dtype, x, xLayout), cpuY, pool);
            KernelFixtures.assertClose(expectedY, KernelFixtures.contents(cpuY),
                    KernelFixtures.relative(expectedY, 4 * eps, 4 * eps), what);
            Operand cpuGx = KernelFixtures.onCpu(dtype, gx, xLayout);
            CpuUpsampling.backward(spec, KernelFixtures.onCpu(dtype, y, yLayout), cpuGx, pool);
            KernelFixtures.assertClose(expectedGx, KernelFixtures.contents(cpuGx),
                    KernelFixtures.relative(expectedGx, 4 * fanIn * eps, 4 * eps), what + " backward");
        }
    }

    private static double[] doubles(Object array) {
        double[] values = new double[java.lang.reflect.Array.getLength(array)];
        for (int i = 0; i < values.length; i++) {
            values[i] = java.lang.reflect.Array.getDouble(array, i);
        }
        return values;
    }

    private static Layout offsetContiguous(Random random, int... shape) {
        int offset = random.nextInt(3);
        return new Layout(offset, shape, Operand.rowMajorStrides(shape), offset + Operand.sizeOf(shape) + 2);
    }
}
