package io.gasok.cpu;

import static io.gasok.cpu.KernelFixtures.REFERENCE;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gasok.DType;
import io.gasok.cpu.KernelFixtures.Layout;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CpuPoolingTest {

    @Test
    void matchesTheReferenceOnRandomWindowsPaddingAndCeilMode() {
        Random random = new Random(21);
        int checked = 0;
        while (checked < 300) {
            int kernelHeight = 1 + random.nextInt(4);
            int kernelWidth = 1 + random.nextInt(4);
            int strideWidth = random.nextInt(3) == 0 ? 2 : 1 + random.nextInt(3);
            Pool2dSpec spec = new Pool2dSpec(random.nextBoolean() ? Pool2dSpec.Kind.MAX : Pool2dSpec.Kind.AVG,
                    1 + random.nextInt(2), 1 + random.nextInt(3), 1 + random.nextInt(12), 1 + random.nextInt(40),
                    kernelHeight, random.nextInt(4) == 0 ? 2 : kernelWidth, 1 + random.nextInt(3), strideWidth,
                    random.nextInt(kernelHeight / 2 + 1), random.nextInt(kernelWidth / 2 + 1),
                    random.nextInt(kernelHeight / 2 + 1), random.nextInt(kernelWidth / 2 + 1),
                    random.nextBoolean(), random.nextBoolean());
            if (spec.inHeight() + spec.padTop() + spec.padBottom() < spec.kernelHeight()
                    || spec.inWidth() + spec.padLeft() + spec.padRight() < spec.kernelWidth()
                    || 2 * Math.max(spec.padLeft(), spec.padRight()) > spec.kernelWidth()) {
                continue;
            }
            DType dtype = random.nextInt(4) == 0 ? DType.FLOAT64 : DType.FLOAT32;
            check(spec, dtype, random, random.nextBoolean(), random.nextInt(6) == 0);
            checked++;
        }
    }

    @Test
    void takesTheParallelPathsOnYoloShapes() {
        Random random = new Random(22);
        Pool2dSpec[] specs = {
            new Pool2dSpec(Pool2dSpec.Kind.MAX, 1, 64, 40, 40, 2, 2, 2, 2, 0, 0, 0, 0, false, false),
            new Pool2dSpec(Pool2dSpec.Kind.MAX, 1, 128, 20, 20, 5, 5, 1, 1, 2, 2, 2, 2, false, false),
            new Pool2dSpec(Pool2dSpec.Kind.MAX, 2, 16, 41, 39, 3, 3, 2, 2, 1, 1, 1, 1, true, false),
            new Pool2dSpec(Pool2dSpec.Kind.AVG, 1, 64, 30, 30, 3, 3, 1, 1, 1, 1, 1, 1, false, true),
            new Pool2dSpec(Pool2dSpec.Kind.MAX, 1, 32, 13, 13, 2, 2, 1, 1, 0, 0, 1, 1, false, false),
        };
        for (Pool2dSpec spec : specs) {
            check(spec, DType.FLOAT32, random, false, false);
            check(spec, DType.FLOAT32, random, true, true);
        }
    }

    @Test
    void rejectsNonContiguousOperands() {
        Pool2dSpec spec = new Pool2dSpec(Pool2dSpec.Kind.MAX, 1, 2, 4, 4, 2, 2, 2, 2, 0, 0, 0, 0, false, false);
        Operand x = new Operand(new CpuBuffer(DType.FLOAT32, 32), DType.FLOAT32, 0, new int[] {1, 2, 4, 4},
                new int[] {32, 1, 8, 2});
        Operand y = KernelFixtures.onCpu(DType.FLOAT32, new float[8], Layout.contiguous(1, 2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> CpuPooling.forward(spec, x, y, KernelFixtures.ONE_THREAD));
    }

    private static void check(Pool2dSpec spec, DType dtype, Random random, boolean ties, boolean nans) {
        Layout xLayout = offsetContiguous(random, spec.batch(), spec.channels(), spec.inHeight(), spec.inWidth());
        Layout yLayout = offsetContiguous(random, spec.batch(), spec.channels(), spec.outHeight(), spec.outWidth());
        Object x = KernelFixtures.values(dtype, xLayout.length(), random, ties);
        if (nans) {
            KernelFixtures.sprinkleNaN(x, random, 50, true);
        }
        Object y = KernelFixtures.values(dtype, yLayout.length(), random, false);
        Object gy = KernelFixtures.values(dtype, yLayout.length(), random, false);
        Object gx = KernelFixtures.values(dtype, xLayout.length(), random, false);

        Operand refX = KernelFixtures.onReference(dtype, x, xLayout);
        Operand refY = KernelFixtures.onReference(dtype, y, yLayout);
        REFERENCE.pool2d(spec, refX, refY);
        Object expectedY = KernelFixtures.contents(refY);
        Operand refGy = KernelFixtures.onReference(dtype, gy, yLayout);
        Operand refGx = KernelFixtures.onReference(dtype, gx, xLayout);
        REFERENCE.pool2dBackward(spec, refX, refGy, refGx);
        Object expectedGx = KernelFixtures.contents(refGx);
        KernelFixtures.contents(refX);
        KernelFixtures.contents(refGy);

        double eps = KernelFixtures.epsilon(dtype);
        int taps = spec.kernelHeight() * spec.kernelWidth();
        for (WorkerPool pool : new WorkerPool[] {KernelFixtures.ONE_THREAD, KernelFixtures.TWO_THREADS}) {
            String what = KernelFixtures.describe("pool2d " + dtype, spec.toString(), pool.threads());
            Operand cpuX = KernelFixtures.onCpu(dtype, x, xLayout);
            Operand cpuY = KernelFixtures.onCpu(dtype, y, yLayout);
            CpuPooling.forward(spec, cpuX, cpuY, pool);
            KernelFixtures.assertClose(expectedY, KernelFixtures.contents(cpuY),
                    KernelFixtures.relative(expectedY, 2 * taps * eps, 2 * taps * eps), what);
            Operand cpuGx = KernelFixtures.onCpu(dtype, gx, xLayout);
            CpuPooling.backward(spec, cpuX, KernelFixtures.onCpu(dtype, gy, yLayout), cpuGx, pool);
            KernelFixtures.assertClose(expectedGx, KernelFixtures.contents(cpuGx),
                    KernelFixtures.relative(expectedGx, 2 * taps * eps, 2 * taps * eps), what + " backward");
        }
    }

    private static Layout offsetContiguous(Random random, int... shape) {
        int offset = random.nextInt(3);
        return new Layout(offset, shape, Operand.rowMajorStrides(shape), offset + Operand.sizeOf(shape) + 2);
    }
}
