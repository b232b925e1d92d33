package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.BinaryOp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Compiled, a comparison or choice between values allocates nothing: its vectors and masks stay in
 * registers. In a JVM of its own, as every *AllocationTest (the cpu-backend pom says why).
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
            double select = AllocationProbe.bytesPerCall(
                    () -> VectorForms.select(op, a, 0, b, 0, a, 0, b, 0, out, 0, out.length), 20_000, 2_000, 1);
            double compare = AllocationProbe.bytesPerCall(
                    () -> VectorForms.compare(op, a, 0, b, 0, bits, 0, bits.length), 20_000, 2_000, 1);
            assertTrue(select < 1 && compare < 1,
                    op + ": select allocates " + select + " bytes a call, compare " + compare);
        }
    }
}
