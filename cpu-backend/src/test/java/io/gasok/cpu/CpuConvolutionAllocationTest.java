package io.gasok.cpu;

import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once compiled, the FP32 convolution forward of narrow output rows allocates only a call's few
 * small objects (its tile split, the tap planes' offsets: about 1.1-1.4 KB a call here), on the
 * 6 × 4 tile through the tap planes, with 128-bit lanes (the 4 × 2 tile, NR = 8) through im2col or,
 * with 16 channels, in place. A micro-kernel whose vectors box allocates tens of kilobytes a call
 * and more. (The im2col path at rows of 70 on the 6 × 4 tile, 2.2-2.5 KB a call in a JVM of its
 * own, once read 72 KB a call after these cases in one JVM, int[]s that JFR did not place: left
 * out until that is understood.)
 */
class CpuConvolutionAllocationTest {

    private static final double BOUND_BYTES = 8 * 1024;

    static Stream<Arguments> specs() {
        Epilogue silu = Epilogue.activation(UnaryOp.SILU, 0);
        return Stream.of(
                Arguments.of("24x14x14 -> 24, 3x3 s1, silu", spec(24, 14, 14, 24, 1, silu)),
                Arguments.of("32x40x40 -> 32, 3x3 s1", spec(32, 40, 40, 32, 1, Epilogue.NONE)),
                Arguments.of("24x28x28 -> 32, 3x3 s2, relu, beta",
                        spec(24, 28, 28, 32, 2, new Epilogue(1, 0.5, UnaryOp.RELU, 0))),
                Arguments.of("16x12x12 -> 16, 3x3 s1, relu", spec(16, 12, 12, 16, 1, Epilogue.activation(UnaryOp.RELU, 0))));
    }

    private static Conv2dSpec spec(int channels, int height, int width, int outChannels, int stride, Epilogue epilogue) {
        return new Conv2dSpec(1, channels, height, width, outChannels, 3, 3, stride, stride, 1, 1, 1, 1, 1, 1, 1,
                epilogue);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void allocatesOnlyACallsSmallObjectsOnceCompiled(String name, Conv2dSpec spec) {
        Operand x = KernelFixtures.patterned(1, spec.inChannels(), spec.inHeight(), spec.inWidth());
        Operand w = KernelFixtures.patterned(spec.outChannels(), spec.inChannels(), spec.kernelHeight(), spec.kernelWidth());
        Operand bias = KernelFixtures.patterned(spec.outChannels());
        Operand y = KernelFixtures.patterned(1, spec.outChannels(), spec.outHeight(), spec.outWidth());
        WorkerPool serial = new WorkerPool(1);
        AllocationProbe.assertAllocatesLessThan(BOUND_BYTES, name,
                () -> CpuConvolution.forward(spec, x, w, bias, y, serial), 3000, 300);
    }
}
