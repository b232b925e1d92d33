package io.gasok.cpu;

import io.gasok.spi.BinaryOp;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of every {@link UnaryOp} and {@link BinaryOp}, as loops over a run of
 * {@code n} elements: {@code y[yi + i] = op(x[xi + i])} for i in [0, n). Lanes: i in
 * [0, loopBound(n)) in vectors of {@link CpuVectors}' species (8 floats / 4 doubles on AVX2, 16 / 8
 * on AVX-512); the tail [loopBound(n), n) is copied into a zero-padded vector and run through the
 * same vector code, so an element's value does not depend on its position in a run (a layout or a
 * thread split moves where runs end; the TCK checks that results do not move with them). No
 * threads here: {@link CpuElementwise} splits the work and calls these once per block.
 *
 * <p>Why the vector forms live here and not in the op records: core must load without the
 * incubator module (the reference backend and the GPU backends never touch it), so the records
 * hold only scalar and C forms. Each method switches over the op enum with a switch expression,
 * which must be exhaustive: adding an op without its vector form here does not compile.
 *
 * <p>Why whole loops per op rather than a {@code FloatVector op(FloatVector)} per op: a vector
 * that crosses a call C2 does not inline is boxed on the heap, which makes a loop tens of times
 * slower; a loop whose body is one straight expression keeps every vector in registers.
 *
 * <p>Semantics at the edges, as the scalar definitions: lanewise MAX/MIN follow
 * {@link Math#max}/{@link Math#min} (NaN wins, {@code max(-0, +0) = +0}); RELU and LEAKY_RELU
 * test {@code x <= 0}, so NaN stays NaN and {@code relu(-0) = +0}; SIGN keeps ±0 and NaN;
 * POW has {@link Math#pow}'s special cases and is within two ulp of it elsewhere (checked after JIT
 * compilation by VectorFormsTest): the JIT's vector pow on AVX-512 is SVML's, accurate to an ulp
 * but not always Math.pow's bits, and C's for pow(1, NaN) and pow(±1, ±inf), which are patched.
 *
 * <p>Ops computed lane by lane with their scalar definition (the whole run goes to the scalar
 * loop): FLOOR_DIV and REMAINDER (the reference floors the quotient in double, and a float32
 * quotient that rounds across an integer would move the result by a whole divisor; the Vector API
 * has no floor), and FLOAT64 ERF and GELU (the reference's series/continued fraction, about 1e-15).
 *
 * <p>EXP, LOG, TANH, SIGMOID, SILU, GELU_TANH and FLOAT32 ERF and GELU are {@link VectorMath}'s
 * loops: polynomials of exact vector operations, the same bits whether the JIT has compiled them
 * or not (the Vector API's EXP, LOG and TANH operators are SVML's once compiled and {@link Math}'s
 * before), with FLOAT32 ERF's fit described there.
 */
final class VectorForms {
    private static final VectorSpecies<Float> FLOATS = CpuVectors.FLOATS;
    private static final VectorSpecies<Double> DOUBLES = CpuVectors.DOUBLES;

    /** Per-thread vectors for the zero-padded tail of a run, so a call allocates nothing. */
    private static final ThreadLocal<TailScratch> TAILS = ThreadLocal.withInitial(TailScratch::new);

    private VectorForms() {}

    /**
     * One thread's tail vectors: two inputs and an output per element type. The loops only read
     * the inputs and write the output, so a tail never sees another call's values except through
     * {@link #padded}, which rewrites every lane.
     */
    private static final class TailScratch {
        final float[] floatA = new float[FLOATS.length()];
        final float[] floatB = new float[FLOATS.length()];
        final float[] floatOut = new float[FLOATS.length()];
        final double[] doubleA = new double[DOUBLES.length()];
        final double[] doubleB = new double[DOUBLES.length()];
        final double[] doubleOut = new double[DOUBLES.length()];

        /** {@code vector} holding {@code from[at …]}'s {@code count} values, then zeros. */
        float[] padded(float[] vector, float[] from, int at, int count) {
            System.arraycopy(from, at, vector, 0, count);
            Arrays.fill(vector, count, vector.length, 0f);
            return vector;
        }

        double[] padded(double[] vector, double[] from, int at, int count) {
            System.arraycopy(from, at, vector, 0, count);
            Arrays.fill(vector, count, vector.length, 0d);
            return vector;
        }
    }

    /** {@code y[yi + i] = op(x[xi + i], p)} in float32, for i in [0, n). */
    static void unary(UnaryOp op, double p, float[] x, int xi, float[] y, int yi, int n) {
        int bound = FLOATS.loopBound(n);
        int i = vectorUnary(op, p, x, xi, y, yi, bound);
        if (i == bound && i < n) {
            // The tail goes through the same vector code, zero padded, so an element's value never
            // depends on where a run starts (layouts and thread splits move the tail).
            int lanes = FLOATS.length();
            TailScratch tail = TAILS.get();
            float[] in = tail.padded(tail.floatA, x, xi + i, n - i);
            float[] out = tail.floatOut;
            if (vectorUnary(op, p, in, 0, out, 0, lanes) == lanes) {
                System.arraycopy(out, 0, y, yi + i, n - i);
                return;
            }
        }
        for (; i < n; i++) {
            y[yi + i] = (float) op.apply(x[xi + i], p);
        }
    }

    /**
     * {@code y[yi + i] = op(x[xi + i], p)} in float32 for the whole vectors only, i in
     * [0, loopBound(n)); returns where the caller's tail starts (loopBound(n), or 0 for an op that
     * has no vector form). For callers that finish a few tail elements with {@link UnaryOp#apply}
     * themselves (the GEMM epilogue), which must not pay for the zero-padded tail.
     */
    static int unaryWholeVectors(UnaryOp op, double p, float[] x, int xi, float[] y, int yi, int n) {
        return vectorUnary(op, p, x, xi, y, yi, FLOATS.loopBound(n));
    }

    private static int vectorUnary(UnaryOp op, double p, float[] x, int xi, float[] y, int yi, int bound) {
        return switch (op) {
            case NEG -> neg(x, xi, y, yi, bound);
            case ABS -> abs(x, xi, y, yi, bound);
            case SIGN -> sign(x, xi, y, yi, bound);
            case EXP -> exp(VectorMath.Exp.EXP, x, xi, y, yi, bound);
            case LOG -> log(x, xi, y, yi, bound);
            case SQRT -> sqrt(x, xi, y, yi, bound);
            case TANH -> exp(VectorMath.Exp.TANH, x, xi, y, yi, bound);
            case SIGMOID -> exp(VectorMath.Exp.SIGMOID, x, xi, y, yi, bound);
            case RELU -> relu(x, xi, y, yi, bound);
            case SILU -> exp(VectorMath.Exp.SILU, x, xi, y, yi, bound);
            case GELU_TANH -> exp(VectorMath.Exp.GELU_TANH, x, xi, y, yi, bound);
            case ERF -> exp(VectorMath.Exp.ERF, x, xi, y, yi, bound);
            case GELU -> exp(VectorMath.Exp.GELU, x, xi, y, yi, bound);
            case LEAKY_RELU -> leakyRelu(x, xi, y, yi, bound, (float) p);
            case NOT -> throw new IllegalArgumentException("not takes a bool operand, not float32");
        };
    }

    /** {@code y[yi + i] = op(x[xi + i], p)} in float64, for i in [0, n). */
    static void unary(UnaryOp op, double p, double[] x, int xi, double[] y, int yi, int n) {
        int bound = DOUBLES.loopBound(n);
        int i = vectorUnary(op, p, x, xi, y, yi, bound);
        if (i == bound && i < n) {
            // The tail goes through the same vector code, zero padded, so an element's value never
            // depends on where a run starts (layouts and thread splits move the tail).
            int lanes = DOUBLES.length();
            TailScratch tail = TAILS.get();
            double[] in = tail.padded(tail.doubleA, x, xi + i, n - i);
            double[] out = tail.doubleOut;
            if (vectorUnary(op, p, in, 0, out, 0, lanes) == lanes) {
                System.arraycopy(out, 0, y, yi + i, n - i);
                return;
            }
        }
        for (; i < n; i++) {
            y[yi + i] = op.apply(x[xi + i], p);
        }
    }

    private static int vectorUnary(UnaryOp op, double p, double[] x, int xi, double[] y, int yi, int bound) {
        return switch (op) {
            case NEG -> neg(x, xi, y, yi, bound);
            case ABS -> abs(x, xi, y, yi, bound);
            case SIGN -> sign(x, xi, y, yi, bound);
            case EXP -> exp(VectorMath.Exp.EXP, x, xi, y, yi, bound);
            case LOG -> log(x, xi, y, yi, bound);
            case SQRT -> sqrt(x, xi, y, yi, bound);
            case TANH -> exp(VectorMath.Exp.TANH, x, xi, y, yi, bound);
            case SIGMOID -> exp(VectorMath.Exp.SIGMOID, x, xi, y, yi, bound);
            case RELU -> relu(x, xi, y, yi, bound);
            case SILU -> exp(VectorMath.Exp.SILU, x, xi, y, yi, bound);
            case GELU_TANH -> exp(VectorMath.Exp.GELU_TANH, x, xi, y, yi, bound);
            case ERF, GELU -> 0;
            case LEAKY_RELU -> leakyRelu(x, xi, y, yi, bound, p);
            case NOT -> throw new IllegalArgumentException("not takes a bool operand, not float64");
        };
    }

    /**
     * {@code y[yi + i] = op(a[ai + i], b[bi + i])} in float32 for the arithmetic ops, for i in
     * [0, n); comparisons write BOOL and go through {@link #compare}.
     */
    static void binary(BinaryOp op, float[] a, int ai, float[] b, int bi, float[] y, int yi, int n) {
        int bound = FLOATS.loopBound(n);
        int i = vectorBinary(op, a, ai, b, bi, y, yi, bound);
        if (i == bound && i < n) {
            // The tail goes through the same vector code, zero padded, so an element's value never
            // depends on where a run starts (layouts and thread splits move the tail).
            int lanes = FLOATS.length();
            TailScratch tail = TAILS.get();
            float[] in = tail.padded(tail.floatA, a, ai + i, n - i);
            float[] other = tail.padded(tail.floatB, b, bi + i, n - i);
            float[] out = tail.floatOut;
            if (vectorBinary(op, in, 0, other, 0, out, 0, lanes) == lanes) {
                System.arraycopy(out, 0, y, yi + i, n - i);
                return;
            }
        }
        for (; i < n; i++) {
            y[yi + i] = (float) op.apply(a[ai + i], b[bi + i]);
        }
    }

    private static int vectorBinary(BinaryOp op, float[] a, int ai, float[] b, int bi, float[] y, int yi, int bound) {
        return switch (op) {
            case ADD -> add(a, ai, b, bi, y, yi, bound);
            case SUB -> subtract(a, ai, b, bi, y, yi, bound);
            case MUL -> multiply(a, ai, b, bi, y, yi, bound);
            case DIV -> divide(a, ai, b, bi, y, yi, bound);
            case POW -> pow(a, ai, b, bi, y, yi, bound);
            case MAXIMUM -> maximum(a, ai, b, bi, y, yi, bound);
            case MINIMUM -> minimum(a, ai, b, bi, y, yi, bound);
            case FLOOR_DIV, REMAINDER -> 0;
            case EQ, NE, LT, LE, GT, GE, AND, OR ->
                    throw new IllegalArgumentException(op.opName() + " gives bool: use compare");
        };
    }

    /**
     * {@code y[yi + i] = op(a[ai + i], b[bi + i])} in float64 for the arithmetic ops, for i in
     * [0, n); comparisons write BOOL and go through {@link #compare}.
     */
    static void binary(BinaryOp op, double[] a, int ai, double[] b, int bi, double[] y, int yi, int n) {
        int bound = DOUBLES.loopBound(n);
        int i = vectorBinary(op, a, ai, b, bi, y, yi, bound);
        if (i == bound && i < n) {
            // The tail goes through the same vector code, zero padded, so an element's value never
            // depends on where a run starts (layouts and thread splits move the tail).
            int lanes = DOUBLES.length();
            TailScratch tail = TAILS.get();
            double[] in = tail.padded(tail.doubleA, a, ai + i, n - i);
            double[] other = tail.padded(tail.doubleB, b, bi + i, n - i);
            double[] out = tail.doubleOut;
            if (vectorBinary(op, in, 0, other, 0, out, 0, lanes) == lanes) {
                System.arraycopy(out, 0, y, yi + i, n - i);
                return;
            }
        }
        for (; i < n; i++) {
            y[yi + i] = op.apply(a[ai + i], b[bi + i]);
        }
    }

    private static int vectorBinary(BinaryOp op, double[] a, int ai, double[] b, int bi, double[] y, int yi, int bound) {
        return switch (op) {
            case ADD -> add(a, ai, b, bi, y, yi, bound);
            case SUB -> subtract(a, ai, b, bi, y, yi, bound);
            case MUL -> multiply(a, ai, b, bi, y, yi, bound);
            case DIV -> divide(a, ai, b, bi, y, yi, bound);
            case POW -> pow(a, ai, b, bi, y, yi, bound);
            case MAXIMUM -> maximum(a, ai, b, bi, y, yi, bound);
            case MINIMUM -> minimum(a, ai, b, bi, y, yi, bound);
            case FLOOR_DIV, REMAINDER -> 0;
            case EQ, NE, LT, LE, GT, GE, AND, OR ->
                    throw new IllegalArgumentException(op.opName() + " gives bool: use compare");
        };
    }

    /**
     * {@code y[yi + i] = a[ai + i] op b[bi + i] ? 1 : 0} for the comparisons, in float32.
     *
     * <p>C2 intrinsifies a vector {@code compare} only when its operator is a constant where the
     * loop is compiled, and boxes every vector otherwise; an operator passed down as an argument
     * is a constant only if the call happens to be inlined. So each loop names its operator
     * literally, and only three are needed: {@code a > b} is {@code b < a}, {@code a >= b} is
     * {@code b <= a} (both false for NaN either way), and {@code a != b} is not {@code a == b}
     * (true for NaN, as {@link BinaryOp#NE} says).
     */
    static void compare(BinaryOp op, float[] a, int ai, float[] b, int bi, long[] y, int yi, int n) {
        int bound = switch (op) {
            case EQ -> compareEqual(a, ai, b, bi, y, yi, n, 0);
            case NE -> compareEqual(a, ai, b, bi, y, yi, n, 1);
            case LT -> compareLess(a, ai, b, bi, y, yi, n);
            case GT -> compareLess(b, bi, a, ai, y, yi, n);
            case LE -> compareLessOrEqual(a, ai, b, bi, y, yi, n);
            case GE -> compareLessOrEqual(b, bi, a, ai, y, yi, n);
            case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, FLOOR_DIV, REMAINDER, AND, OR ->
                    throw new IllegalArgumentException(op.opName() + " is not a comparison of floating operands");
        };
        for (int i = bound; i < n; i++) {
            y[yi + i] = op.apply(a[ai + i], b[bi + i]) != 0 ? 1 : 0;
        }
    }

    /** Whole vectors of {@code (a == b) ^ flip} as 0/1; returns where the scalar tail starts. */
    private static int compareEqual(float[] a, int ai, float[] b, int bi, long[] y, int yi, int n, int flip) {
        int bound = FLOATS.loopBound(n);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            VectorMask<Float> m = FloatVector.fromArray(FLOATS, a, ai + i)
                    .compare(VectorOperators.EQ, FloatVector.fromArray(FLOATS, b, bi + i));
            storeBits(m.toLong(), flip, FLOATS.length(), y, yi + i);
        }
        return bound;
    }

    private static int compareLess(float[] a, int ai, float[] b, int bi, long[] y, int yi, int n) {
        int bound = FLOATS.loopBound(n);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            VectorMask<Float> m = FloatVector.fromArray(FLOATS, a, ai + i)
                    .compare(VectorOperators.LT, FloatVector.fromArray(FLOATS, b, bi + i));
            storeBits(m.toLong(), 0, FLOATS.length(), y, yi + i);
        }
        return bound;
    }

    private static int compareLessOrEqual(float[] a, int ai, float[] b, int bi, long[] y, int yi, int n) {
        int bound = FLOATS.loopBound(n);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            VectorMask<Float> m = FloatVector.fromArray(FLOATS, a, ai + i)
                    .compare(VectorOperators.LE, FloatVector.fromArray(FLOATS, b, bi + i));
            storeBits(m.toLong(), 0, FLOATS.length(), y, yi + i);
        }
        return bound;
    }

    /** {@code y[yi + i] = a[ai + i] op b[bi + i] ? 1 : 0} for the comparisons, in float64 (as the float32 form). */
    static void compare(BinaryOp op, double[] a, int ai, double[] b, int bi, long[] y, int yi, int n) {
        int bound = switch (op) {
            case EQ -> compareEqual(a, ai, b, bi, y, yi, n, 0);
            case NE -> compareEqual(a, ai, b, bi, y, yi, n, 1);
            case LT -> compareLess(a, ai, b, bi, y, yi, n);
            case GT -> compareLess(b, bi, a, ai, y, yi, n);
            case LE -> compareLessOrEqual(a, ai, b, bi, y, yi, n);
            case GE -> compareLessOrEqual(b, bi, a, ai, y, yi, n);
            case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, FLOOR_DIV, REMAINDER, AND, OR ->
                    throw new IllegalArgumentException(op.opName() + " is not a comparison of floating operands");
        };
        for (int i = bound; i < n; i++) {
            y[yi + i] = op.apply(a[ai + i], b[bi + i]) != 0 ? 1 : 0;
        }
    }

    private static int compareEqual(double[] a, int ai, double[] b, int bi, long[] y, int yi, int n, int flip) {
        int bound = DOUBLES.loopBound(n);
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            VectorMask<Double> m = DoubleVector.fromArray(DOUBLES, a, ai + i)
                    .compare(VectorOperators.EQ, DoubleVector.fromArray(DOUBLES, b, bi + i));
            storeBits(m.toLong(), flip, DOUBLES.length(), y, yi + i);
        }
        return bound;
    }

    private static int compareLess(double[] a, int ai, double[] b, int bi, long[] y, int yi, int n) {
        int bound = DOUBLES.loopBound(n);
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            VectorMask<Double> m = DoubleVector.fromArray(DOUBLES, a, ai + i)
                    .compare(VectorOperators.LT, DoubleVector.fromArray(DOUBLES, b, bi + i));
            storeBits(m.toLong(), 0, DOUBLES.length(), y, yi + i);
        }
        return bound;
    }

    private static int compareLessOrEqual(double[] a, int ai, double[] b, int bi, long[] y, int yi, int n) {
        int bound = DOUBLES.loopBound(n);
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            VectorMask<Double> m = DoubleVector.fromArray(DOUBLES, a, ai + i)
                    .compare(VectorOperators.LE, DoubleVector.fromArray(DOUBLES, b, bi + i));
            storeBits(m.toLong(), 0, DOUBLES.length(), y, yi + i);
        }
        return bound;
    }

    /**
     * {@code out[oi + i] = a[ai + i] op b[bi + i] ? x[xi + i] : y[yi + i]} in float32 for the
     * comparisons, for i in [0, n): a vector compare and blend, the tail by the op's scalar
     * definition. As {@link #compare}, three loops with literal operators: {@code >} and
     * {@code >=} swap the compared operands, {@code !=} swaps the branches of {@code ==}.
     */
    static void select(BinaryOp op, float[] a, int ai, float[] b, int bi, float[] x, int xi, float[] y, int yi,
                       float[] out, int oi, int n) {
        int bound = switch (op) {
            case EQ -> selectEqual(a, ai, b, bi, x, xi, y, yi, out, oi, n);
            case NE -> selectEqual(a, ai, b, bi, y, yi, x, xi, out, oi, n);
            case LT -> selectLess(a, ai, b, bi, x, xi, y, yi, out, oi, n);
            case GT -> selectLess(b, bi, a, ai, x, xi, y, yi, out, oi, n);
            case LE -> selectLessOrEqual(a, ai, b, bi, x, xi, y, yi, out, oi, n);
            case GE -> selectLessOrEqual(b, bi, a, ai, x, xi, y, yi, out, oi, n);
            case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, FLOOR_DIV, REMAINDER, AND, OR ->
                    throw new IllegalArgumentException(op.opName() + " is not a comparison of floating operands");
        };
        for (int i = bound; i < n; i++) {
            out[oi + i] = op.apply(a[ai + i], b[bi + i]) != 0 ? x[xi + i] : y[yi + i];
        }
    }

    private static int selectEqual(float[] a, int ai, float[] b, int bi, float[] x, int xi, float[] y, int yi,
                                   float[] out, int oi, int n) {
        int bound = FLOATS.loopBound(n);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            VectorMask<Float> m = FloatVector.fromArray(FLOATS, a, ai + i)
                    .compare(VectorOperators.EQ, FloatVector.fromArray(FLOATS, b, bi + i));
            FloatVector.fromArray(FLOATS, y, yi + i).blend(FloatVector.fromArray(FLOATS, x, xi + i), m)
                    .intoArray(out, oi + i);
        }
        return bound;
    }

    private static int selectLess(float[] a, int ai, float[] b, int bi, float[] x, int xi, float[] y, int yi,
                                  float[] out, int oi, int n) {
        int bound = FLOATS.loopBound(n);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            VectorMask<Float> m = FloatVector.fromArray(FLOATS, a, ai + i)
                    .compare(VectorOperators.LT, FloatVector.fromArray(FLOATS, b, bi + i));
            FloatVector.fromArray(FLOATS, y, yi + i).blend(FloatVector.fromArray(FLOATS, x, xi + i), m)
                    .intoArray(out, oi + i);
        }
        return bound;
    }

    private static int selectLessOrEqual(float[] a, int ai, float[] b, int bi, float[] x, int xi, float[] y, int yi,
                                         float[] out, int oi, int n) {
        int bound = FLOATS.loopBound(n);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            VectorMask<Float> m = FloatVector.fromArray(FLOATS, a, ai + i)
                    .compare(VectorOperators.LE, FloatVector.fromArray(FLOATS, b, bi + i));
            FloatVector.fromArray(FLOATS, y, yi + i).blend(FloatVector.fromArray(FLOATS, x, xi + i), m)
                    .intoArray(out, oi + i);
        }
        return bound;
    }

    /** {@link #select} in float64. */
    static void select(BinaryOp op, double[] a, int ai, double[] b, int bi, double[] x, int xi, double[] y, int yi,
                       double[] out, int oi, int n) {
        int bound = switch (op) {
            case EQ -> selectEqual(a, ai, b, bi, x, xi, y, yi, out, oi, n);
            case NE -> selectEqual(a, ai, b, bi, y, yi, x, xi, out, oi, n);
            case LT -> selectLess(a, ai, b, bi, x, xi, y, yi, out, oi, n);
            case GT -> selectLess(b, bi, a, ai, x, xi, y, yi, out, oi, n);
            case LE -> selectLessOrEqual(a, ai, b, bi, x, xi, y, yi, out, oi, n);
            case GE -> selectLessOrEqual(b, bi, a, ai, x, xi, y, yi, out, oi, n);
            case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, FLOOR_DIV, REMAINDER, AND, OR ->
                    throw new IllegalArgumentException(op.opName() + " is not a comparison of floating operands");
        };
        for (int i = bound; i < n; i++) {
            out[oi + i] = op.apply(a[ai + i], b[bi + i]) != 0 ? x[xi + i] : y[yi + i];
        }
    }

    private static int selectEqual(double[] a, int ai, double[] b, int bi, double[] x, int xi, double[] y, int yi,
                                   double[] out, int oi, int n) {
        int bound = DOUBLES.loopBound(n);
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            VectorMask<Double> m = DoubleVector.fromArray(DOUBLES, a, ai + i)
                    .compare(VectorOperators.EQ, DoubleVector.fromArray(DOUBLES, b, bi + i));
            DoubleVector.fromArray(DOUBLES, y, yi + i).blend(DoubleVector.fromArray(DOUBLES, x, xi + i), m)
                    .intoArray(out, oi + i);
        }
        return bound;
    }

    private static int selectLess(double[] a, int ai, double[] b, int bi, double[] x, int xi, double[] y, int yi,
                                  double[] out, int oi, int n) {
        int bound = DOUBLES.loopBound(n);
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            VectorMask<Double> m = DoubleVector.fromArray(DOUBLES, a, ai + i)
                    .compare(VectorOperators.LT, DoubleVector.fromArray(DOUBLES, b, bi + i));
            DoubleVector.fromArray(DOUBLES, y, yi + i).blend(DoubleVector.fromArray(DOUBLES, x, xi + i), m)
                    .intoArray(out, oi + i);
        }
        return bound;
    }

    private static int selectLessOrEqual(double[] a, int ai, double[] b, int bi, double[] x, int xi, double[] y,
                                         int yi, double[] out, int oi, int n) {
        int bound = DOUBLES.loopBound(n);
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            VectorMask<Double> m = DoubleVector.fromArray(DOUBLES, a, ai + i)
                    .compare(VectorOperators.LE, DoubleVector.fromArray(DOUBLES, b, bi + i));
            DoubleVector.fromArray(DOUBLES, y, yi + i).blend(DoubleVector.fromArray(DOUBLES, x, xi + i), m)
                    .intoArray(out, oi + i);
        }
        return bound;
    }

    /** {@code y[yi + lane] = bit lane of bits, xor flip}, for the {@code count} lanes. */
    private static void storeBits(long bits, int flip, int count, long[] y, int yi) {
        for (int lane = 0; lane < count; lane++) {
            y[yi + lane] = ((bits >>> lane) & 1) ^ flip;
        }
    }

    // One loop per op and element type, each its own small method: C2 compiles it with every
    // vector in registers (see the class comment), and it returns the index where the tail starts.

    private static int neg(float[] x, int xi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            v.neg().intoArray(y, yi + i);
        }
        return bound;
    }

    private static int abs(float[] x, int xi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            v.abs().intoArray(y, yi + i);
        }
        return bound;
    }

    private static int sign(float[] x, int xi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f)).intoArray(y, yi + i);
        }
        return bound;
    }

    /** The kinds of {@link VectorMath}'s exp loop (see the class comment). */
    private static int exp(VectorMath.Exp kind, float[] x, int xi, float[] y, int yi, int bound) {
        VectorMath.exp(kind, x, xi, y, yi, bound);
        return bound;
    }

    private static int log(float[] x, int xi, float[] y, int yi, int bound) {
        VectorMath.log(x, xi, y, yi, bound);
        return bound;
    }

    private static int sqrt(float[] x, int xi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            v.sqrt().intoArray(y, yi + i);
        }
        return bound;
    }

    private static int relu(float[] x, int xi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            v.blend(0f, v.compare(VectorOperators.LE, 0f)).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int leakyRelu(float[] x, int xi, float[] y, int yi, int bound, float slope) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            v.blend(v.mul(slope), v.compare(VectorOperators.LE, 0f)).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int add(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            a.add(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int subtract(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            a.sub(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int multiply(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            a.mul(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int divide(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            a.div(b).intoArray(y, yi + i);
        }
        return bound;
    }

    /**
     * {@code pow} lane by lane with {@link Math#pow}'s edge cases: where the JIT uses a C-library
     * vector pow (SVML on AVX-512), {@code pow(1, NaN)} and {@code pow(±1, ±inf)} come out 1, as C99
     * defines them, where Java's are NaN; those lanes are set to NaN.
     */
    private static int pow(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            VectorMask<Float> javaNan = b.test(VectorOperators.IS_NAN)
                    .or(a.abs().eq(1f).and(b.test(VectorOperators.IS_INFINITE)));
            a.lanewise(VectorOperators.POW, b).blend(Float.NaN, javaNan).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int maximum(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            a.max(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int minimum(float[] x, int xi, float[] z, int zi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector a = FloatVector.fromArray(FLOATS, x, xi + i);
            FloatVector b = FloatVector.fromArray(FLOATS, z, zi + i);
            a.min(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int neg(double[] x, int xi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            v.neg().intoArray(y, yi + i);
        }
        return bound;
    }

    private static int abs(double[] x, int xi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            v.abs().intoArray(y, yi + i);
        }
        return bound;
    }

    private static int sign(double[] x, int xi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            v.blend(1d, v.compare(VectorOperators.GT, 0d)).blend(-1d, v.compare(VectorOperators.LT, 0d)).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int exp(VectorMath.Exp kind, double[] x, int xi, double[] y, int yi, int bound) {
        VectorMath.exp(kind, x, xi, y, yi, bound);
        return bound;
    }

    private static int log(double[] x, int xi, double[] y, int yi, int bound) {
        VectorMath.log(x, xi, y, yi, bound);
        return bound;
    }

    private static int sqrt(double[] x, int xi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            v.sqrt().intoArray(y, yi + i);
        }
        return bound;
    }

    private static int relu(double[] x, int xi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            v.blend(0d, v.compare(VectorOperators.LE, 0d)).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int leakyRelu(double[] x, int xi, double[] y, int yi, int bound, double slope) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            v.blend(v.mul(slope), v.compare(VectorOperators.LE, 0d)).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int add(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            a.add(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int subtract(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            a.sub(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int multiply(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            a.mul(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int divide(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            a.div(b).intoArray(y, yi + i);
        }
        return bound;
    }

    /** The FLOAT64 {@link #pow(float[], int, float[], int, float[], int, int)}: the same edge lanes set to NaN. */
    private static int pow(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            VectorMask<Double> javaNan = b.test(VectorOperators.IS_NAN)
                    .or(a.abs().eq(1d).and(b.test(VectorOperators.IS_INFINITE)));
            a.lanewise(VectorOperators.POW, b).blend(Double.NaN, javaNan).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int maximum(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            a.max(b).intoArray(y, yi + i);
        }
        return bound;
    }

    private static int minimum(double[] x, int xi, double[] z, int zi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector a = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector b = DoubleVector.fromArray(DOUBLES, z, zi + i);
            a.min(b).intoArray(y, yi + i);
        }
        return bound;
    }
}
