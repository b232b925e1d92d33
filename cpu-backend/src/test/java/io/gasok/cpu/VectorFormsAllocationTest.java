package io.gasok.cpu;


import io.gasok.spi.BinaryOp;
import io.gasok.spi.UnaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compiled, a comparison or choice between values allocates nothing: its vectors and masks stay in
 * registers; nor do the transcendental ops and the activations built on them, whose loops are the
 * longest. In a JVM of its own, as every *AllocationTest (the cpu-backend pom says why).
 */
class VectorFormsAllocationTest {

    @Test
    void comparisonsAndChoicesAllocateNothingOnceCompiled() {
        float[] a = new float[256];
        float[] b = new float[256];
        float[] out = new float[256];
        long[] bits = new long[256];
        Random random = new Random(14);
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
            b[i] = random.nextFloat();
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT,
            BinaryOp.GE}) {
            AllocationProbe.assertAllocatesLessThan(1, op + " select",
                    () -> VectorForms.select(op, a, 0, b, 0, a, 0, b, 0, out, 0, out.length), 20_000, 2_000);
            AllocationProbe.assertAllocatesLessThan(1, op + " compare",
                    () -> VectorForms.compare(op, a, 0, b, 0, bits, 0, bits.length), 20_000, 2_000);
        }
    }

    @Test
    void transcendentalOpsAllocateNothingOnceCompiled() {
        float[] x = new float[256];
        float[] y = new float[256];
        double[] dx = new double[256];
        double[] dy = new double[256];
        Random random = new Random(15);
        for (int i = 0; i < x.length; i++) {
            x[i] = 4 * random.nextFloat() - 2;
            dx[i] = x[i];
        }
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.SILU,
            UnaryOp.GELU_TANH, UnaryOp.ERF, UnaryOp.GELU}) {
            AllocationProbe.assertAllocatesLessThan(1, op + " float32",
                    () -> VectorForms.unary(op, 0, x, 0, y, 0, x.length), 20_000, 2_000);
            // float64 LOG blends lanes of two doubles (its special values, subnormals), which C2 on
            // x86 does not compile at 128 bits (the neon-lanes runs: "not supported: op=blend vlen=2
            // etype=double"), so there it runs, right but allocating, in the Vector API's Java code.
            if (op != UnaryOp.LOG || CpuVectors.DOUBLES.length() >= 4) {
                AllocationProbe.assertAllocatesLessThan(1, op + " float64",
                        () -> VectorForms.unary(op, 0, dx, 0, dy, 0, dx.length), 20_000, 2_000);
            }
        }
    }
}
