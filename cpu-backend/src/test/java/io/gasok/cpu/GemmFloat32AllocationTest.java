package io.gasok.cpu;


import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.UnaryOp;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once compiled, an FP32 GEMM allocates (almost) nothing per call on every path: small and blocked,
 * one and several k-blocks, with and without bias, beta and a vectorised activation. A vector
 * boxed in the epilogue costs kilobytes to megabytes per call; the bound of 1 KB leaves room for
 * the few small objects a call creates (layouts, the epilogue, the parallel-for lambda).
 */
class GemmFloat32AllocationTest {

    private static final double BOUND_BYTES = 1024;

    static Stream<Arguments> shapes() {
        Epilogue relu = Epilogue.activation(UnaryOp.RELU, 0);
        return Stream.of(
                Arguments.of("64x64x64 relu (blocked)", 64, 64, 64, relu, false),
                Arguments.of("64x64x64 no epilogue", 64, 64, 64, Epilogue.NONE, false),
                Arguments.of("32x32x32 relu (small)", 32, 32, 32, relu, false),
                Arguments.of("gesture MLP 128x20x42 bias relu", 128, 20, 42, relu, true),
                Arguments.of("70x70x600 tanh, beta, bias (two k-blocks)", 70, 70, 600,
                        new Epilogue(1.5, 0.5, UnaryOp.TANH, 0), true),
                // exp in the epilogue: SILU (YOLO's activation), and GELU, whose erf fit around it
                // is VectorForms' longest loop (the likeliest to outgrow C2's inlining budget there).
                Arguments.of("70x70x600 silu, bias (two k-blocks)", 70, 70, 600,
                        Epilogue.activation(UnaryOp.SILU, 0), true),
                Arguments.of("70x33x600 gelu (column tail)", 70, 33, 600, Epilogue.activation(UnaryOp.GELU, 0), false),
                Arguments.of("40x33x20 leaky relu, beta (small, column tail)", 40, 33, 20,
                        new Epilogue(1, 1, UnaryOp.LEAKY_RELU, 0.1), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void allocatesNothingPerCallOnceCompiled(String name, int m, int n, int k, Epilogue epilogue, boolean withBias) {
        Random random = new Random(5);
        float[] a = values(m * k, random);
        float[] b = values(k * n, random);
        float[] c = values(m * n, random);
        float[] bias = withBias ? values(n, random) : null;
        GemmSpec spec = new GemmSpec(1, m, n, k, false, false, epilogue);
        GemmLayout aLayout = GemmLayout.rowMajor(0, m, k);
        GemmLayout bLayout = GemmLayout.rowMajor(0, k, n);
        GemmLayout cLayout = GemmLayout.rowMajor(0, m, n);
        WorkerPool serial = new WorkerPool(1);
        AllocationProbe.assertAllocatesLessThan(BOUND_BYTES, name,
                () -> GemmFloat32.gemm(spec, a, aLayout, b, bLayout, c, cLayout, bias, 0, serial), 3000, 500);
    }

    private static float[] values(int size, Random random) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = random.nextFloat() - 0.5f;
        }
        return values;
    }
}
