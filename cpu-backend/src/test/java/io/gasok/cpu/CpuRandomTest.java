package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gasok.DType;
import io.gasok.spi.Distribution;
import io.gasok.spi.Operand;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CpuRandomTest {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    @ParameterizedTest
    @EnumSource(Distribution.class)
    void drawsTheReferencesNumbersIntoContiguousAndStridedViews(Distribution distribution) {
        Random random = new Random(distribution.ordinal());
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (int[] shape : new int[][] {{}, {1}, {7}, {3, 5, 11}, {2, CpuRandom.PARALLEL_THRESHOLD}}) {
                for (boolean transposed : new boolean[] {false, true}) {
                    TwinOperands out = transposed ? transposed(dtype, shape, random) : TwinOperands.contiguous(dtype, random, shape);
                    long seed = random.nextLong();
                    long offset = random.nextInt(1000);
                    TwinOperands.REFERENCE.random(distribution, seed, offset, out.reference);
                    CpuRandom.fill(distribution, seed, offset, out.cpu, TWO_THREADS);
                    String what = distribution + " " + dtype.shortName() + Arrays.toString(shape) + (transposed ? " transposed" : "");
                    if (distribution == Distribution.UNIFORM) {
                        out.assertBuffersAgree(0, 0, what);
                    } else {
                        out.assertBuffersAgree(1e-7, 1e-6, what);
                    }
                }
            }
        }
    }

    @Test
    void anySplitDrawsTheSameNumbers() {
        int size = 3 * CpuRandom.PARALLEL_THRESHOLD + 17;
        CpuBuffer serial = new CpuBuffer(DType.FLOAT32, size);
        CpuBuffer parallel = new CpuBuffer(DType.FLOAT32, size);
        CpuBuffer pieces = new CpuBuffer(DType.FLOAT32, size);
        CpuRandom.fill(Distribution.NORMAL, 42, 5, Operand.contiguous(serial, 0, size), ONE_THREAD);
        CpuRandom.fill(Distribution.NORMAL, 42, 5, Operand.contiguous(parallel, 0, size), TWO_THREADS);
        int head = 1000;
        CpuRandom.fill(Distribution.NORMAL, 42, 5, Operand.contiguous(pieces, 0, head), ONE_THREAD);
        CpuRandom.fill(Distribution.NORMAL, 42, 5 + head, Operand.contiguous(pieces, head, size - head), TWO_THREADS);
        assertArrayEquals((float[]) serial.array(), (float[]) parallel.array());
        assertArrayEquals((float[]) serial.array(), (float[]) pieces.array());
    }

    @Test
    void rejectsIntegerOutputs() {
        CpuBuffer buffer = new CpuBuffer(DType.INT32, 4);
        assertThrows(IllegalArgumentException.class,
                () -> CpuRandom.fill(Distribution.UNIFORM, 1, 0, Operand.contiguous(buffer, 0, 4), ONE_THREAD));
    }

    private static TwinOperands transposed(DType dtype, int[] shape, Random random) {
        int[] strides = new int[shape.length];
        int stride = 1;
        for (int d = 0; d < shape.length; d++) {
            strides[d] = stride;
            stride *= shape[d];
        }
        return TwinOperands.random(dtype, stride + 1, 1, shape, strides, random);
    }
}
