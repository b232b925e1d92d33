package io.gasok.cpu;

import io.gasok.cpu.VectorMath.Exp;
import java.util.Arrays;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorMath} against {@link Math} (in double, rounded to the result's type) in ulps of the
 * expected result, over sweeps of the whole range (random values of every exponent, the edges of
 * overflow and underflow, subnormal arguments and results) and the special values; the float exp's
 * scalar twin against the vector lanes, bit for bit. The runs are whole vectors of the preferred
 * species (this CPU's width), so every lane position is checked.
 */
class VectorMathTest {

    private static final int FLOAT_LANES = CpuVectors.FLOATS.length();
    private static final int DOUBLE_LANES = CpuVectors.DOUBLES.length();
    private static final int SAMPLES = 200_000;
    private static final float[] FLOAT_SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        1000f, -1000f};
    private static final double[] DOUBLE_SPECIALS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0d,
        -0d, 1e4, -1e4};

    @Test
    void floatExpIsWithinTwoUlpOfMathExpAndItsTwinIsTheSameBits() {
        float[] x = floatSamples(-110f, 95f, -103.97f, -87.34f, -87.33f, 88.72f, 88.73f, 89f, 1e-8f, -1e-8f, 0.3466f,
                -0.3466f, 1f);
        float[] y = checkFloat(Exp.EXP, x, Math::exp, 2);
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(VectorMath.exp(x[i]))) {
                throw new AssertionError("exp(" + x[i] + "): twin " + VectorMath.exp(x[i]) + ", lane " + y[i]);
            }
        }
    }

    @Test
    void floatLogIsWithinTwoUlpOfMathLogOverEveryExponent() {
        Random random = new Random(2);
        float[] x = new float[SAMPLES];
        for (int i = 0; i < x.length; i++) {
            // Every positive float, subnormals included: random bits below +inf.
            x[i] = Float.intBitsToFloat(random.nextInt(0x7f800000));
        }
        x = concat(x, new float[] {1f, Math.nextUp(1f), Math.nextDown(1f), 0.70710677f, 1.4142135f, 1.4142137f,
            Float.MIN_VALUE, Float.MIN_NORMAL, Math.nextDown(Float.MIN_NORMAL), Float.MAX_VALUE, 2f, 0.5f});
        float[] y = new float[padded(x.length, FLOAT_LANES)];
        float[] in = Arrays.copyOf(x, y.length);
        VectorMath.log(in, 0, y, 0, y.length);
        compare("log", x, y, Math::log, 2);
    }

    @Test
    void floatTanhIsWithinThreeUlpOfMathTanh() {
        checkFloat(Exp.TANH, floatSamples(-12f, 12f, 0.39999998f, 0.4f, -0.4f, 1e-20f, -1e-20f, 9f, -9f), Math::tanh, 3);
        checkFloat(Exp.TANH, floatSamples(-0.5f, 0.5f), Math::tanh, 3);
    }

    @Test
    void floatActivationsOnExpAreWithinFourUlpOfTheirDefinitions() {
        float[] x = floatSamples(-30f, 30f, 0f, -0f, 1e-6f, -1e-6f);
        checkFloat(Exp.SIGMOID, x, v -> 1 / (1 + Math.exp(-v)), 4);
        checkFloat(Exp.SILU, x, v -> v / (1 + Math.exp(-v)), 4);
        // GELU_TANH's exp takes -2u, u = √(2/π)(x + 0.044715x³) rounded in float: its few roundings,
        // amplified by |2u| (up to 88 before exp overflows), reach about 2e-5 of the result (the
        // TCK allows gelu_tanh 1e-4).
        float[] y = new float[padded(x.length, FLOAT_LANES)];
        VectorMath.exp(Exp.GELU_TANH, Arrays.copyOf(x, y.length), 0, y, 0, y.length);
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            // 0.5·x·(1 + tanh u) as x/(1 + exp(-2u)), the same function without 1 + tanh's cancellation.
            float expected = (float) (v / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
            // (Where exp(-2u) overflows float, the result is -0 for a true value below |x| / MAX_VALUE.)
            double floor = Math.abs(v) / Float.MAX_VALUE;
            if (!(Math.abs(y[i] - expected) <= 3e-5 * Math.abs(expected) + floor)) {
                throw new AssertionError("GELU_TANH(" + x[i] + ") = " + y[i] + ", Math: " + expected);
            }
        }
    }

    @Test
    void floatSpecialValuesFollowMath() {
        float[] x = FLOAT_SPECIALS;
        checkFloat(Exp.EXP, x, Math::exp, 0);
        checkFloat(Exp.TANH, x, Math::tanh, 0);
        float[] y = new float[padded(x.length, FLOAT_LANES)];
        VectorMath.log(Arrays.copyOf(x, y.length), 0, y, 0, y.length);
        compare("log", x, y, Math::log, 0);
        for (float v : x) {
            float lane = checkFloat(Exp.EXP, new float[] {v}, Math::exp, 0)[0];
            if (Float.floatToRawIntBits(lane) != Float.floatToRawIntBits(VectorMath.exp(v))) {
                throw new AssertionError("exp(" + v + "): twin " + VectorMath.exp(v) + ", lane " + lane);
            }
        }
    }

    @Test
    void doubleExpLogAndTanhAreWithinTwoOrThreeUlpOfMath() {
        Random random = new Random(3);
        double[] x = new double[SAMPLES];
        for (int i = 0; i < x.length; i++) {
            x[i] = -760 + 1480 * random.nextDouble();
        }
        x = concat(x, new double[] {-745.13, -745.14, -708.4, -708.39, 709.78, 709.79, 1e-17, -1e-17, 0.34657, 1});
        checkDouble(Exp.EXP, concat(x, DOUBLE_SPECIALS), Math::exp, 2);
        double[] positive = new double[SAMPLES];
        for (int i = 0; i < positive.length; i++) {
            positive[i] = Double.longBitsToDouble(random.nextLong(0x7ff0000000000000L));
        }
        positive = concat(positive, new double[] {1, Math.nextUp(1d), Math.nextDown(1d), Math.sqrt(0.5), Math.sqrt(2),
            Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE});
        positive = concat(positive, DOUBLE_SPECIALS);
        double[] y = new double[padded(positive.length, DOUBLE_LANES)];
        VectorMath.log(Arrays.copyOf(positive, y.length), 0, y, 0, y.length);
        compare("log", positive, y, Math::log, 2);
        double[] t = new double[SAMPLES];
        for (int i = 0; i < t.length; i++) {
            t[i] = (random.nextBoolean() ? 0.5 : 25) * (2 * random.nextDouble() - 1);
        }
        checkDouble(Exp.TANH, concat(t, new double[] {0.4, Math.nextDown(0.4), -0.4, 1e-300, 20, -20}), Math::tanh, 3);
        checkDouble(Exp.TANH, DOUBLE_SPECIALS, Math::tanh, 0);
        checkDouble(Exp.SILU, t, v -> v / (1 + Math.exp(-v)), 4);
    }

    private static float[] floatSamples(float from, float to, float... extra) {
        Random random = new Random(1);
        float[] x = new float[SAMPLES];
        for (int i = 0; i < x.length; i++) {
            x[i] = from + (to - from) * random.nextFloat();
        }
        return concat(x, extra);
    }

    private static int padded(int n, int lanes) {
        return (n + lanes - 1) / lanes * lanes;
    }

    /** kind over x (zero padded to whole vectors), checked against exact; returns the results. */
    private static float[] checkFloat(Exp kind, float[] x, DoubleUnaryOperator exact, double ulps) {
        float[] y = new float[padded(x.length, FLOAT_LANES)];
        VectorMath.exp(kind, Arrays.copyOf(x, y.length), 0, y, 0, y.length);
        compare(kind.toString(), x, y, exact, ulps);
        return y;
    }

    private static void checkDouble(Exp kind, double[] x, DoubleUnaryOperator exact, double ulps) {
        double[] y = new double[padded(x.length, DOUBLE_LANES)];
        VectorMath.exp(kind, Arrays.copyOf(x, y.length), 0, y, 0, y.length);
        compare(kind.toString(), x, y, exact, ulps);
    }

    /** Within ulps of the exact value as a float; NaN, infinities and zeros (with their sign) exactly. */
    private static void compare(String name, float[] x, float[] y, DoubleUnaryOperator exact, double ulps) {
        for (int i = 0; i < x.length; i++) {
            float expected = (float) exact.applyAsDouble(x[i]);
            boolean ok = Float.isNaN(expected) ? Float.isNaN(y[i])
                    : Float.isInfinite(expected) || expected == 0 ? Float.compare(expected, y[i]) == 0
                    : Math.abs(y[i] - expected) <= ulps * Math.ulp(expected);
            if (!ok) {
                throw new AssertionError(name + "(" + x[i] + ") = " + y[i] + ", Math: " + expected + " ("
                        + (y[i] - expected) / Math.ulp(expected) + " ulp)");
            }
        }
    }

    private static void compare(String name, double[] x, double[] y, DoubleUnaryOperator exact, double ulps) {
        for (int i = 0; i < x.length; i++) {
            double expected = exact.applyAsDouble(x[i]);
            boolean ok = Double.isNaN(expected) ? Double.isNaN(y[i])
                    : Double.isInfinite(expected) || expected == 0 ? Double.compare(expected, y[i]) == 0
                    : Math.abs(y[i] - expected) <= ulps * Math.ulp(expected);
            if (!ok) {
                throw new AssertionError(name + "(" + x[i] + ") = " + y[i] + ", Math: " + expected + " ("
                        + (y[i] - expected) / Math.ulp(expected) + " ulp)");
            }
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
