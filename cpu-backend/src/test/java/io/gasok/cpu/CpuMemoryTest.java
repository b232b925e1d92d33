package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Operand;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CpuMemoryTest {

    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    @ParameterizedTest
    @EnumSource(DType.class)
    void copiesContiguousTransposedBroadcastAndPaddedViewsLikeTheReference(DType dtype) {
        Random random = new Random(dtype.ordinal());
        for (int trial = 0; trial < 30; trial++) {
            int[] shape = randomShape(random);
            TwinOperands src = switch (trial % 3) {
                case 0 -> TwinOperands.contiguous(dtype, random, shape);
                case 1 -> transposed(dtype, shape, random);
                default -> TwinOperands.random(dtype, 5, 2, shape, broadcastStrides(shape, random), random);
            };
            TwinOperands dst = trial % 2 == 0 ? TwinOperands.contiguous(dtype, random, shape) : padded(dtype, shape, random);
            TwinOperands.REFERENCE.copy(src.reference, dst.reference);
            CpuMemory.copy(src.cpu, dst.cpu, TWO_THREADS);
            dst.assertBuffersAgree(0, 0, "copy " + Arrays.toString(shape) + " trial " + trial);
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void copiesLargeOperandsAcrossThreads(DType dtype) {
        Random random = new Random(40 + dtype.ordinal());
        int[] shape = {3, CpuMemory.PARALLEL_THRESHOLD / 2 + 5};
        TwinOperands src = transposed(dtype, shape, random);
        TwinOperands dst = TwinOperands.contiguous(dtype, random, shape);
        TwinOperands.REFERENCE.copy(src.reference, dst.reference);
        CpuMemory.copy(src.cpu, dst.cpu, TWO_THREADS);
        dst.assertBuffersAgree(0, 0, "large copy");
        TwinOperands back = TwinOperands.contiguous(dtype, random, shape);
        TwinOperands.REFERENCE.copy(dst.reference, back.reference);
        CpuMemory.copy(dst.cpu, back.cpu, TWO_THREADS);
        back.assertBuffersAgree(0, 0, "large contiguous copy");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void fillsViewsWithTheValueConvertedToTheDtype(DType dtype) {
        Random random = new Random(50 + dtype.ordinal());
        for (double value : new double[] {3.7, -2.9, 0, Double.NaN, 1e12}) {
            for (int trial = 0; trial < 6; trial++) {
                int[] shape = trial == 5 ? new int[] {2, CpuMemory.PARALLEL_THRESHOLD} : randomShape(random);
                TwinOperands dst = trial % 2 == 0 ? TwinOperands.contiguous(dtype, random, shape) : padded(dtype, shape, random);
                TwinOperands.REFERENCE.fill(dst.reference, value);
                CpuMemory.fill(dst.cpu, value, TWO_THREADS);
                dst.assertBuffersAgree(0, 0, "fill " + value + " " + Arrays.toString(shape));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void padsAndCropsAlongEveryAxisLikeTheReference(DType dtype) {
        Random random = new Random(60 + dtype.ordinal());
        for (int trial = 0; trial < 40; trial++) {
            int[] srcShape = randomShape(random);
            int[] dstShape = new int[srcShape.length];
            int[] before = new int[srcShape.length];
            for (int d = 0; d < srcShape.length; d++) {
                before[d] = random.nextInt(-3, 4);
                dstShape[d] = Math.max(0, srcShape[d] + before[d] + random.nextInt(-3, 4));
            }
            TwinOperands src = trial % 2 == 0 ? TwinOperands.contiguous(dtype, random, srcShape) : transposed(dtype, srcShape, random);
            TwinOperands dst = trial % 3 == 0 ? padded(dtype, dstShape, random) : TwinOperands.contiguous(dtype, random, dstShape);
            TwinOperands.REFERENCE.pad(src.reference, dst.reference, before, -1.5);
            CpuMemory.pad(src.cpu, dst.cpu, before, -1.5, TWO_THREADS);
            dst.assertBuffersAgree(0, 0, "pad " + Arrays.toString(srcShape) + " before " + Arrays.toString(before)
                    + " into " + Arrays.toString(dstShape));
        }
        TwinOperands scalarSrc = TwinOperands.contiguous(dtype, random);
        TwinOperands scalarDst = TwinOperands.contiguous(dtype, random);
        TwinOperands.REFERENCE.pad(scalarSrc.reference, scalarDst.reference, new int[0], 0);
        CpuMemory.pad(scalarSrc.cpu, scalarDst.cpu, new int[0], 0, TWO_THREADS);
        scalarDst.assertBuffersAgree(0, 0, "pad of a scalar");
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void concatenatesAlongEachAxisIncludingEmptyInputs(DType dtype) {
        Random random = new Random(70 + dtype.ordinal());
        for (int axis = 0; axis < 3; axis++) {
            int[] base = {2 + random.nextInt(3), 1 + random.nextInt(4), 1 + random.nextInt(9)};
            TwinOperands[] inputs = new TwinOperands[3];
            int total = 0;
            for (int k = 0; k < inputs.length; k++) {
                int[] shape = base.clone();
                shape[axis] = k == 1 ? 0 : 1 + random.nextInt(4);
                total += shape[axis];
                inputs[k] = k == 2 ? transposed(dtype, shape, random) : TwinOperands.contiguous(dtype, random, shape);
            }
            int[] outShape = base.clone();
            outShape[axis] = total;
            TwinOperands out = padded(dtype, outShape, random);
            Operand[] referenceInputs = new Operand[inputs.length];
            Operand[] cpuInputs = new Operand[inputs.length];
            for (int k = 0; k < inputs.length; k++) {
                referenceInputs[k] = inputs[k].reference;
                cpuInputs[k] = inputs[k].cpu;
            }
            TwinOperands.REFERENCE.concat(referenceInputs, axis, out.reference);
            CpuMemory.concat(cpuInputs, axis, out.cpu, TWO_THREADS);
            out.assertBuffersAgree(0, 0, "concat along " + axis);
        }
    }

    private static int[] randomShape(Random random) {
        int[] shape = new int[random.nextInt(4)];
        for (int d = 0; d < shape.length; d++) {
            shape[d] = random.nextInt(8) == 0 ? random.nextInt(2) : 1 + random.nextInt(9);
        }
        return shape;
    }

    /** Row-major strides of the reversed shape: the view of a transposed contiguous buffer. */
    private static TwinOperands transposed(DType dtype, int[] shape, Random random) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = 0; d < shape.length; d++) {
            strides[d] = stride;
            stride *= Math.max(shape[d], 1);
        }
        return TwinOperands.random(dtype, stride + 3, 3, shape, strides, random);
    }

    /** Every axis padded by one element, behind an offset of 2. */
    private static TwinOperands padded(DType dtype, int[] shape, Random random) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = stride;
            stride *= shape[d] + 1;
        }
        return TwinOperands.random(dtype, stride + 2, 2, shape, strides, random);
    }

    /** Some axes broadcast (stride 0), the others small strides into a 5-element buffer. */
    private static int[] broadcastStrides(int[] shape, Random random) {
        int[] strides = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            strides[d] = shape[d] <= 1 || random.nextBoolean() ? 0 : Math.max(0, Math.min(1, 2 / shape[d]));
        }
        return strides;
    }
}
