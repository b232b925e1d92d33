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
 * Once compiled, the FP32 depthwise forward allocates (almost) nothing per call, with and without
 * an activation and beta, on the stride-1 padded-plane path and the phased path (stride 2, and rows
 * narrower than a vector). The bound of 1 KB leaves room for the few small objects of a call.
 */
class CpuDepthwiseAllocationTest {

    private static final double BOUND_BYTES = 1024;

    static Stream<Arguments> specs() {
        Epilogue relu = Epilogue.activation(UnaryOp.RELU, 0);
        return Stream.of(
                Arguments.of("3x3 s1 relu", spec(20, 3, 1, 1, relu)),
                Arguments.of("3x3 s1 none", spec(20, 3, 1, 1, Epilogue.NONE)),
                Arguments.of("5x5 s1 silu, beta", spec(20, 5, 1, 2, new Epilogue(1, 0.5, UnaryOp.SILU, 0))),
                Arguments.of("3x3 s2 relu", spec(20, 3, 2, 1, relu)),
                Arguments.of("3x3 s1 relu, 6 wide (phased)", spec(6, 3, 1, 1, relu)));
    }

    private static Conv2dSpec spec(int size, int kernel, int stride, int pad, Epilogue epilogue) {
        return new Conv2dSpec(1, 16, size, size, 16, kernel, kernel, stride, stride, pad, pad, pad, pad, 1, 1, 16,
                epilogue);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void allocatesNothingPerCallOnceCompiled(String name, Conv2dSpec spec) {
        int channels = spec.inChannels();
        Operand x = KernelFixtures.patterned(1, channels, spec.inHeight(), spec.inWidth());
        Operand w = KernelFixtures.patterned(channels, 1, spec.kernelHeight(), spec.kernelWidth());
        Operand bias = KernelFixtures.patterned(channels);
        Operand y = KernelFixtures.patterned(1, channels, spec.outHeight(), spec.outWidth());
        WorkerPool serial = new WorkerPool(1);
        AllocationProbe.assertAllocatesLessThan(BOUND_BYTES, name,
                () -> CpuDepthwise.forward(spec, x, w, bias, y, serial), 3000, 300);
    }
}
