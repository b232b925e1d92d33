package io.gasok.gpukernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The generated dialect source; that it compiles and computes is tested on PoCL in opencl-backend. */
class ElementwiseKernelGeneratorTest {
    private static final DType[] FLOATS = {DType.FLOAT32, DType.FLOAT32};

    private static Expr reluOfScaledPlusBias(DType t, double scale) {
        return Expr.unary(UnaryOp.RELU, Expr.add(Expr.mul(Expr.input(0, t), Expr.constant(scale, t)), Expr.input(1, t)));
    }

    @Test
    void constantsAreArgumentsSoTheCacheKeyIgnoresTheirValues() {
        Expr twice = reluOfScaledPlusBias(DType.FLOAT32, 2);
        Expr thrice = reluOfScaledPlusBias(DType.FLOAT32, 3);
        assertEquals(ElementwiseKernelGenerator.cacheKey(twice, FLOATS, DType.FLOAT32, 2),
                ElementwiseKernelGenerator.cacheKey(thrice, FLOATS, DType.FLOAT32, 2));
        assertEquals(ElementwiseKernelGenerator.generate(twice, FLOATS, DType.FLOAT32, 2),
                ElementwiseKernelGenerator.generate(thrice, FLOATS, DType.FLOAT32, 2));
        assertEquals(List.of(new ElementwiseKernelGenerator.ScalarArgument(3, DType.FLOAT32)),
                ElementwiseKernelGenerator.scalarArguments(thrice));
        assertNotEquals(ElementwiseKernelGenerator.cacheKey(twice, FLOATS, DType.FLOAT32, 2),
                ElementwiseKernelGenerator.cacheKey(twice, FLOATS, DType.FLOAT32, 1));
    }

    @Test
    void theKernelTakesStridedOperandsWithOffsetsAndComputesNodeByNode() {
        String source = ElementwiseKernelGenerator.generate(reluOfScaledPlusBias(DType.FLOAT32, 2), FLOATS, DType.FLOAT32, 2);
        assertTrue(source.contains("KERNEL void elementwise(const int64 count, const int64 extent1,"), source);
        assertTrue(source.contains("GLOBAL float* out, const int64 outOffset, const int64 outStride0, const int64 outStride1"), source);
        assertTrue(source.contains("GLOBAL const float* in1, const int64 in1Offset"), source);
        assertTrue(source.contains(", const float scalar0) {"), source);
        assertTrue(source.contains("const float input0 = in0[in0Offset + coordinate0 * in0Stride0 + coordinate1 * in0Stride1];"), source);
        assertTrue(source.contains("const float v0 = ((input0) * (scalar0));"), source);
        assertTrue(source.contains("const float v2 = ((v1) <= 0.0f ? 0.0f : (v1));"), source);
        assertTrue(source.contains("out[outOffset + coordinate0 * outStride0 + coordinate1 * outStride1] = (float)v2;"), source);
    }

    @Test
    void float64KernelsWidenEveryFloatLiteral() {
        Expr gelu = Expr.unary(UnaryOp.GELU, Expr.input(0, DType.FLOAT64));
        String source = ElementwiseKernelGenerator.generate(gelu, new DType[] {DType.FLOAT64}, DType.FLOAT64, 1);
        assertFalse(Pattern.compile("\\d(\\.\\d*)?f\\b").matcher(source).find(), source);
        assertTrue(source.contains("erf((input0) * 0.70710678118654752)"), source);
    }

    @Test
    void maximumKeepsTheRecordsNanRuleOnFloatsAndIntegersUseIntegerForms() {
        Expr floats = Expr.binary(BinaryOp.MAXIMUM, Expr.input(0, DType.FLOAT32), Expr.input(1, DType.FLOAT32));
        assertTrue(ElementwiseKernelGenerator.generate(floats, FLOATS, DType.FLOAT32, 1).contains("isnan(input0)"));
        DType[] longs = {DType.INT64, DType.INT64};
        Expr floorDivide = Expr.binary(BinaryOp.FLOOR_DIV, Expr.input(0, DType.INT64), Expr.input(1, DType.INT64));
        String source = ElementwiseKernelGenerator.generate(floorDivide, longs, DType.INT64, 1);
        assertTrue(source.contains("const int64 v0 = (int64)(floor_divide_int64(input0, input1));"), source);
    }

    @Test
    void booleansLoadAsZeroOrOneAndConversionsFollowJava() {
        Expr expr = Expr.cast(Expr.where(Expr.input(0, DType.BOOL), Expr.input(1, DType.FLOAT32),
                Expr.constant(0, DType.FLOAT32)), DType.INT32);
        String source = ElementwiseKernelGenerator.generate(expr, new DType[] {DType.BOOL, DType.FLOAT32}, DType.INT32, 1);
        assertTrue(source.contains("const int64 input0 = (int64)(in0[in0Offset + coordinate0 * in0Stride0] != 0);"), source);
        assertTrue(source.contains("(int64)FLOAT_TO_INT32(v0)"), source);
        assertTrue(source.contains("GLOBAL int* out"), source);
    }

    @Test
    void onlyTheSlotsTheExpressionReadsBecomeArguments() {
        Expr expr = Expr.add(Expr.input(2, DType.INT32), Expr.unary(UnaryOp.NEG, Expr.input(0, DType.INT32)));
        assertArrayEquals(new int[] {0, 2}, ElementwiseKernelGenerator.inputSlots(expr));
        String source = ElementwiseKernelGenerator.generate(expr, new DType[] {DType.INT32, null, DType.INT32}, DType.INT32, 0);
        assertFalse(source.contains("in1"), source);
        assertTrue(source.contains("out[outOffset] = (int)v1;"), source);
    }

    @Test
    void kernelSourcesStartWithTheApisPreludeAndTheCommonHeader() {
        String openCl = KernelSources.family(KernelSources.Api.OPENCL, "reduce");
        String cuda = KernelSources.family(KernelSources.Api.CUDA, "reduce");
        assertTrue(openCl.contains("#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)"));
        assertTrue(cuda.contains("#define BARRIER() __syncthreads()"));
        assertTrue(openCl.contains("typedef struct {") && openCl.contains("KERNEL void reduce_sum("));
        assertEquals(openCl.substring(openCl.indexOf("#define MAX_RANK")), cuda.substring(cuda.indexOf("#define MAX_RANK")));
    }
}
