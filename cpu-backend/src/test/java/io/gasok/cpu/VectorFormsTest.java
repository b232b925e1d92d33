package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.BinaryOp;
import io.gasok.spi.UnaryOp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The vector forms at the edges, bit for bit against the scalar definitions, after enough calls
 * that C2 has compiled the loops (the Vector API's interpreted fallback is plain Java; the
 * compiled code is the intrinsics, e.g. {@code vmaxps} and SVML, whose edge behaviour is what
 * needs checking). Edge values sit in every lane position, so no result comes from the scalar tail.
 */
class VectorFormsTest {

    private static final double[] EDGES = {Double.NaN, 0.0, -0.0, 1, -1, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 0.5, -2, 3, 1e-30, -1e-30, 8};
    private static final int LENGTH = 256;
    private static final int WARM_UP_CALLS = 2000;

    /** Every pair (a, b) of edge values, repeated to fill LENGTH elements. */
    private static final float[] PAIRS_A = new float[LENGTH];
    private static final float[] PAIRS_B = new float[LENGTH];

    @BeforeAll
    static void compileTheLoops() {
        for (int i = 0; i < LENGTH; i++) {
            PAIRS_A[i] = (float) EDGES[i % EDGES.length];
            PAIRS_B[i] = (float) EDGES[(i / EDGES.length) % EDGES.length];
        }
        float[] y = new float[LENGTH];
        double[] da = toDoubles(PAIRS_A);
        double[] db = toDoubles(PAIRS_B);
        double[] dy = new double[LENGTH];
        long[] bools = new long[LENGTH];
        for (int call = 0; call < WARM_UP_CALLS; call++) {
            for (UnaryOp op : UnaryOp.values()) {
                if (op != UnaryOp.NOT) {
                    VectorForms.unary(op, 0.125, PAIRS_A, 0, y, 0, LENGTH);
                    VectorForms.unary(op, 0.125, da, 0, dy, 0, LENGTH);
                }
            }
            for (BinaryOp op : BinaryOp.values()) {
                if (op.isBoolResult() && op != BinaryOp.AND && op != BinaryOp.OR) {
                    VectorForms.compare(op, PAIRS_A, 0, PAIRS_B, 0, bools, 0, LENGTH);
                    VectorForms.compare(op, da, 0, db, 0, bools, 0, LENGTH);
                } else if (!op.isBoolResult()) {
                    VectorForms.binary(op, PAIRS_A, 0, PAIRS_B, 0, y, 0, LENGTH);
                    VectorForms.binary(op, da, 0, db, 0, dy, 0, LENGTH);
                }
            }
        }
    }

    @Test
    void maximumAndMinimumPropagateNanAndOrderSignedZerosLikeMathMaxAndMin() {
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MAXIMUM, BinaryOp.MINIMUM}) {
            assertBinaryBitwise(op);
        }
    }

    /**
     * POW has {@link Math#pow}'s special cases exactly (NaN, infinities, zeros with their sign, and
     * the NaN of {@code pow(1, NaN)} and {@code pow(±1, ±inf)}, which C's pow makes 1) and is within
     * two ulp of it elsewhere: on AVX-512 the JIT's vector pow is SVML's, not bitwise Math.pow.
     */
    @Test
    void powHasMathPowsSpecialCasesAndIsWithinTwoUlpOfIt() {
        float[] y = new float[LENGTH];
        VectorForms.binary(BinaryOp.POW, PAIRS_A, 0, PAIRS_B, 0, y, 0, LENGTH);
        double[] da = toDoubles(PAIRS_A);
        double[] db = toDoubles(PAIRS_B);
        double[] dy = new double[LENGTH];
        VectorForms.binary(BinaryOp.POW, da, 0, db, 0, dy, 0, LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            double exact = BinaryOp.POW.apply(da[i], db[i]);
            float expected = (float) exact;
            String where = "POW(" + da[i] + ", " + db[i] + ")";
            if (Float.isNaN(expected) || Float.isInfinite(expected) || expected == 0) {
                assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(y[i]), where + " float32");
            } else {
                assertEquals(expected, y[i], 2 * Math.ulp(expected), where + " float32");
            }
            if (Double.isNaN(exact) || Double.isInfinite(exact) || exact == 0) {
                assertEquals(Double.doubleToLongBits(exact), Double.doubleToLongBits(dy[i]), where + " float64");
            } else {
                assertEquals(exact, dy[i], 2 * Math.ulp(exact), where + " float64");
            }
        }
    }

    @Test
    void exactOpsAreBitwiseTheScalarDefinitionIncludingReluOfNegativeZeroAndNan() {
        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.SQRT, UnaryOp.RELU,
                UnaryOp.LEAKY_RELU}) {
            assertUnaryBitwise(op);
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV,
                BinaryOp.FLOOR_DIV, BinaryOp.REMAINDER}) {
            assertBinaryBitwise(op);
        }
    }

    @Test
    void comparisonsGiveZeroOrOneAndNanComparesUnequal() {
        long[] y = new long[LENGTH];
        double[] da = toDoubles(PAIRS_A);
        double[] db = toDoubles(PAIRS_B);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT,
                BinaryOp.GE}) {
            VectorForms.compare(op, PAIRS_A, 0, PAIRS_B, 0, y, 0, LENGTH);
            for (int i = 0; i < LENGTH; i++) {
                assertEquals((long) op.apply(PAIRS_A[i], PAIRS_B[i]), y[i], op + " float32 at " + i);
            }
            VectorForms.compare(op, da, 0, db, 0, y, 0, LENGTH);
            for (int i = 0; i < LENGTH; i++) {
                assertEquals((long) op.apply(da[i], db[i]), y[i], op + " float64 at " + i);
            }
        }
    }

    @Test
    void transcendentalOpsKeepNanInfinityAndZeroBehaviour() {
        for (UnaryOp op : new UnaryOp[] {UnaryOp.EXP, UnaryOp.LOG, UnaryOp.TANH, UnaryOp.ERF, UnaryOp.SIGMOID,
                UnaryOp.SILU, UnaryOp.GELU, UnaryOp.GELU_TANH}) {
            float[] y = new float[LENGTH];
            VectorForms.unary(op, 0, PAIRS_A, 0, y, 0, LENGTH);
            for (int i = 0; i < LENGTH; i++) {
                float expected = (float) op.apply(PAIRS_A[i], 0);
                boolean agree = Float.isNaN(expected) ? Float.isNaN(y[i])
                        : Float.isInfinite(expected) || expected == 0 ? Float.compare(expected, y[i]) == 0
                        : Math.abs(y[i] - expected) <= 2e-7 + 2e-6 * Math.abs(expected);
                assertTrue(agree, op + "(" + PAIRS_A[i] + ") = " + y[i] + ", scalar definition " + expected);
            }
        }
    }

    /**
     * The float32 erf fit over [-6, 6] in steps of 2⁻¹², against the double-precision reference
     * (measured on a finer grid: 1.20e-7 absolute and 2.33 ulp at most).
     */
    @Test
    void float32ErfIsWithinAFewUlpOfTheDoubleReference() {
        int count = 12 * 4096 + 1;
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = -6 + i / 4096f;
        }
        float[] y = new float[count];
        double worstAbsolute = 0;
        double worstUlpsBelowOne = 0;
        for (int repeat = 0; repeat < 20; repeat++) {
            VectorForms.unary(UnaryOp.ERF, 0, x, 0, y, 0, count);
        }
        for (int i = 0; i < count; i++) {
            double exact = UnaryOp.ERF.apply(x[i], 0);
            worstAbsolute = Math.max(worstAbsolute, Math.abs(y[i] - exact));
            if (Math.abs(x[i]) < 1 && exact != 0) {
                worstUlpsBelowOne = Math.max(worstUlpsBelowOne, Math.abs(y[i] - exact) / Math.ulp((float) exact));
            }
        }
        assertTrue(worstAbsolute <= 1.5e-7, "max absolute error " + worstAbsolute);
        assertTrue(worstUlpsBelowOne <= 3, "max relative error below 1: " + worstUlpsBelowOne + " ulp");
    }

    private static void assertUnaryBitwise(UnaryOp op) {
        float[] y = new float[LENGTH];
        VectorForms.unary(op, 0.125, PAIRS_A, 0, y, 0, LENGTH);
        double[] dy = new double[LENGTH];
        double[] da = toDoubles(PAIRS_A);
        VectorForms.unary(op, 0.125, da, 0, dy, 0, LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            assertEquals(Float.floatToIntBits((float) op.apply(PAIRS_A[i], 0.125)), Float.floatToIntBits(y[i]),
                    op + "(" + PAIRS_A[i] + ") float32");
            assertEquals(Double.doubleToLongBits(op.apply(da[i], 0.125)), Double.doubleToLongBits(dy[i]),
                    op + "(" + da[i] + ") float64");
        }
    }

    private static void assertBinaryBitwise(BinaryOp op) {
        float[] y = new float[LENGTH];
        VectorForms.binary(op, PAIRS_A, 0, PAIRS_B, 0, y, 0, LENGTH);
        double[] da = toDoubles(PAIRS_A);
        double[] db = toDoubles(PAIRS_B);
        double[] dy = new double[LENGTH];
        VectorForms.binary(op, da, 0, db, 0, dy, 0, LENGTH);
        for (int i = 0; i < LENGTH; i++) {
            assertEquals(Float.floatToIntBits((float) op.apply(PAIRS_A[i], PAIRS_B[i])), Float.floatToIntBits(y[i]),
                    op + "(" + PAIRS_A[i] + ", " + PAIRS_B[i] + ") float32");
            assertEquals(Double.doubleToLongBits(op.apply(da[i], db[i])), Double.doubleToLongBits(dy[i]),
                    op + "(" + da[i] + ", " + db[i] + ") float64");
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }
}
