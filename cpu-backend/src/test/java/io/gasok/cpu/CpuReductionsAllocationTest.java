package io.gasok.cpu;


import io.gasok.DType;
import io.gasok.spi.Operand;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiled, softmax and log-softmax allocate no more than their few per-call arrays on each float32
 * path (lines shorter than a vector, contiguous lines, strided columns): no boxed vectors in their
 * loops of exp and log. (Those arrays grow with the shape: the line path's offsets, two ints a
 * line, and the other paths' block of 2·extent + 1 vectors; a few dozen lines of 6 keep them under
 * the bound. With 128-bit lanes, 6 is no longer shorter than a vector, and the "short lines" take
 * the line path.) In a JVM of its own, as every *AllocationTest (the cpu-backend pom says why).
 */
class CpuReductionsAllocationTest {

    private static final double BOUND_BYTES = 1024;

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("short lines [64, 6]", new int[] {64, 6}, false),
                Arguments.of("short lines [64, 6], log", new int[] {64, 6}, true),
                Arguments.of("lines [64, 1000]", new int[] {64, 1000}, false),
                Arguments.of("lines [64, 1000], log", new int[] {64, 1000}, true),
                Arguments.of("columns [8, 6, 64]", new int[] {8, 6, 64}, false),
                Arguments.of("columns [8, 6, 64], log", new int[] {8, 6, 64}, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void softmaxAllocatesOnlyItsArraysOnceCompiled(String name, int[] shape, boolean log) {
        Operand in = operand(shape, new Random(16));
        Operand out = operand(shape, new Random(17));
        WorkerPool serial = new WorkerPool(1);
        AllocationProbe.assertAllocatesLessThan(BOUND_BYTES, name, () -> CpuReductions.softmax(in, 1, log, out, serial),
                3000, 300);
    }

    private static Operand operand(int[] shape, Random random) {
        Operand operand = new Operand(new CpuBuffer(DType.FLOAT32, Operand.sizeOf(shape)), DType.FLOAT32, 0, shape,
                Operand.rowMajorStrides(shape));
        float[] values = CpuBuffer.floats(operand);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 3;
        }
        return operand;
    }
}
