package io.gasok.tck;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.Map;

/**
 * Every tolerance of the TCK, in one place (DESIGN §6).
 *
 * <ul>
 *   <li><b>Elementwise</b>: {@code |got - ref| <= atol + rtol·|ref|}, with per-dtype constants
 *   (float32: atol 1e-6, rtol 1e-5; float64: atol 1e-12, rtol 1e-10). Transcendental ops may be
 *   loosened only through {@link #ELEMENTWISE_RTOL_FLOAT32}, which says why for each.</li>
 *   <li><b>Accumulations</b> (GEMM, convolution, sums, pooling averages, scatter-add):
 *   {@code |got - ref| <= c·eps(dtype)·√K·Σ|a|·|b| + atol}, where {@code Σ|a|·|b|} is the same op
 *   run on the magnitudes of the inputs on the reference backend and K the number of terms per
 *   result: cancellation makes a relative bound fail, this one does not. {@code c = 4}.</li>
 *   <li><b>Exact</b> (selections, copies, integer arithmetic, comparisons, layout invariance of
 *   non-accumulating ops): bit-for-bit, NaN equal to NaN.</li>
 *   <li><b>Fused expressions</b> (kernel-level trees of several ops): each node within its
 *   elementwise tolerance, the error carried up the tree by how much each op can amplify it
 *   ({@link #fusedBound}), so a difference of two inexact values is not held to a relative bound.</li>
 * </ul>
 */
public final class Tolerance {
    private Tolerance() {}

    /** The constant c of the accumulation bound. */
    public static final double ACCUMULATION_FACTOR = 4;

    /**
     * Float32 relative tolerances of the transcendental ops, loosened from 1e-5 because a
     * backend may use fast float approximations (GPU intrinsics, polynomial Vector API forms):
     * <ul>
     *   <li>exp, log, tanh, sigmoid, silu: 2e-5, a couple of ulps more than a correctly rounded
     *   result plus the argument's own rounding amplified by the function's slope;</li>
     *   <li>erf, gelu, geluTanh: 1e-4: erf has no float intrinsic everywhere and is computed by a
     *   rational approximation good to about 1e-7 absolute, relative near the zero crossing;</li>
     *   <li>pow: 1e-4: {@code exp(b·log a)} in float loses {@code |b·log a|·eps} relative.</li>
     * </ul>
     */
    public static final Map<String, Double> ELEMENTWISE_RTOL_FLOAT32 = Map.of(
            "exp", 2e-5, "log", 2e-5, "tanh", 2e-5, "sigmoid", 2e-5, "silu", 2e-5,
            "erf", 1e-4, "gelu", 1e-4, "gelu_tanh", 1e-4, "pow", 1e-4);

    /** Float64 relative tolerances of the same ops (libm-quality results are expected). */
    public static final Map<String, Double> ELEMENTWISE_RTOL_FLOAT64 = Map.of(
            "erf", 1e-9, "gelu", 1e-9, "gelu_tanh", 1e-9, "pow", 1e-9);

    /** A bound on the difference allowed at one element, given the expected value there. */
    @FunctionalInterface
    public interface Bound {
        double at(int index, double expected);

        /** A human-readable description for failure messages. */
        default String describe() {
            return "tolerance";
        }
    }

    /** Machine epsilon of a floating dtype (0 for exact dtypes). */
    public static double eps(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> Math.ulp(1.0f);
            case FLOAT64 -> Math.ulp(1.0);
            default -> 0;
        };
    }

    public static double atol(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 1e-6;
            case FLOAT64 -> 1e-12;
            default -> 0;
        };
    }

    public static double rtol(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 1e-5;
            case FLOAT64 -> 1e-10;
            default -> 0;
        };
    }

    /** Bit-for-bit equality. */
    public static Bound exact() {
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return 0;
            }

            @Override
            public String describe() {
                return "exact";
            }
        };
    }

    /** The relative tolerance of elementwise op {@code op} (its {@code opName()}) in {@code dtype}. */
    public static double elementwiseRtol(String op, DType dtype) {
        if (!dtype.isFloating()) {
            return 0;
        }
        return (dtype == DType.FLOAT32 ? ELEMENTWISE_RTOL_FLOAT32 : ELEMENTWISE_RTOL_FLOAT64)
                .getOrDefault(op, rtol(dtype));
    }

    /** {@code atol + rtol·|ref|} for elementwise op {@code op} (its {@code opName()}). */
    public static Bound elementwise(String op, DType dtype) {
        if (!dtype.isFloating()) {
            return exact();
        }
        double atol = atol(dtype);
        double rtol = elementwiseRtol(op, dtype);
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return atol + rtol * Math.abs(expected);
            }

            @Override
            public String describe() {
                return "atol " + atol + " + rtol " + rtol + "·|ref|";
            }
        };
    }

    /**
     * {@code c·eps·√K·magnitude[i] + atol}: the bound of an accumulation of K terms whose
     * magnitudes sum to {@code magnitude[i]} (the op applied to |inputs|).
     */
    public static Bound accumulated(DType dtype, int terms, HostTensor magnitude) {
        double scale = ACCUMULATION_FACTOR * eps(dtype) * Math.sqrt(Math.max(terms, 1));
        double atol = atol(dtype) * 1e-3;
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return scale * magnitude.get(index) + atol;
            }

            @Override
            public String describe() {
                return "c·eps·√K·Σ|a||b| with c=" + ACCUMULATION_FACTOR + ", K=" + terms + ", eps=" + eps(dtype);
            }
        };
    }

    /** The accumulation bound with an extra relative term (ops that round their result once more). */
    public static Bound accumulatedPlusRelative(DType dtype, int terms, HostTensor magnitude) {
        Bound accumulated = accumulated(dtype, terms, magnitude);
        double rtol = rtol(dtype);
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return accumulated.at(index, expected) + rtol * Math.abs(expected);
            }

            @Override
            public String describe() {
                return accumulated.describe() + " + rtol " + rtol + "·|ref|";
            }
        };
    }

    /**
     * Softmax: each output is {@code exp(x_i - max) / Σ}, so its relative error grows with the
     * argument {@code |x_i - max|} (rounded once) and with the K-term sum: bound
     * {@code c·eps·√K·|ref|·(1 + spread[i])} where {@code spread[i] = |x_i - max|}, plus atol.
     * Log-softmax: absolute error {@code c·eps·√K·(|x_i| + |max| + 1)}, given in {@code spread}.
     */
    public static Bound softmax(DType dtype, int terms, HostTensor spread, boolean log) {
        double scale = ACCUMULATION_FACTOR * eps(dtype) * Math.sqrt(Math.max(terms, 1));
        double atol = atol(dtype);
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return log ? scale * (spread.get(index) + Math.abs(expected) + 1) + atol
                        : scale * Math.abs(expected) * (1 + spread.get(index)) + atol;
            }

            @Override
            public String describe() {
                return (log ? "logSoftmax" : "softmax") + " bound c·eps·√K·(...) with K=" + terms;
            }
        };
    }

    // ---------------------------------------------------------------- fused expressions

    /**
     * The bound of a fused elementwise expression when every node of it is within its own
     * {@link #elementwise} tolerance of the reference: each node's own error, plus its operands'
     * errors carried through by as much as the node's op can amplify them. It is returned as an
     * expression over the same inputs, for the reference to evaluate in FLOAT64 (one bound per
     * element, like the magnitudes of {@link #accumulated}), or {@code null} when the expression
     * must come out exact. With {@code v(n)} the reference's value of node n, {@code B(n)} its bound
     * and {@code own(n) = atol + rtol·(|v(n)| + carried)} (the constants of n's op and dtype):
     * <ul>
     *   <li>inputs, constants, integer and BOOL nodes: exact. A comparison, a where condition and a
     *   conversion to an integer dtype need exact operands (the smallest error could flip them);
     *   integer values stay small enough to convert to float exactly;</li>
     *   <li>neg, abs, relu, maximum, minimum, where and widening conversions move an error by at
     *   most its size; narrowing to float32 adds float32's rounding;</li>
     *   <li>add, sub: {@code B(a) + B(b) + own}; mul: {@code (|v(a)| + B(a))·(|v(b)| + B(b)) - |v(a)|·|v(b)|
     *   + own}; div: {@code (|v(a)| + B(a)) / (|v(b)| - B(b)) - |v(a)| / |v(b)| + own}, for divisors
     *   kept further from 0 than their bound;</li>
     *   <li>tanh: {@code B(x) + own}; sigmoid: {@code B(x)/4 + own}; exp:
     *   {@code exp(v(x) + B(x)) - exp(v(x)) + own}; sqrt of an x that is non-negative on every
     *   backend: {@code √|v(x)| - √max(|v(x)| - B(x), 0) + own}.</li>
     * </ul>
     * Each bound is written so that it reads its operands' bounds once (the tree stays linear in
     * size); its float64 cancellations are far below the tolerances it adds up.
     * Any other op is rejected with an IllegalArgumentException, as is an inexact operand where an
     * exact one is needed: the generators of {@link Exprs} build only what this can bound.
     */
    public static Expr fusedBound(Expr expr) {
        return switch (expr) {
            case Expr.Input in -> null;
            case Expr.Constant c -> null;
            case Expr.Where w -> {
                requireExact(w.condition(), expr);
                Expr a = fusedBound(w.a());
                Expr b = fusedBound(w.b());
                yield a == null && b == null ? null : Expr.where(w.condition(), orZero(a), orZero(b));
            }
            case Expr.Cast c -> {
                if (!c.dtype().isFloating() || !c.x().dtype().isFloating()) {
                    requireExact(c.x(), expr);
                    yield null;
                }
                Expr carried = fusedBound(c.x());
                double eps = eps(DType.FLOAT32);
                yield carried == null || c.dtype() == DType.FLOAT64 ? carried
                        : Expr.add(Expr.mul(constant(1 + eps), carried), Expr.mul(constant(eps), magnitude(c.x())));
            }
            case Expr.Unary u -> unaryBound(u);
            case Expr.Binary b -> binaryBound(b);
        };
    }

    /** The bound of {@link #fusedBound} as the reference evaluated it, per element; exact when null. */
    public static Bound fused(HostTensor bound) {
        if (bound == null) {
            return exact();
        }
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return bound.get(index);
            }

            @Override
            public String describe() {
                return "fused-expression bound: each node's elementwise tolerance, carried up the tree";
            }
        };
    }

    private static Expr unaryBound(Expr.Unary u) {
        if (!u.dtype().isFloating()) {
            requireExact(u.x(), u);
            return null;
        }
        Expr carried = fusedBound(u.x());
        return switch (u.op()) {
            case NEG, ABS, RELU -> carried;
            case TANH -> withOwn(u, u.op().opName(), carried);
            case SIGMOID -> withOwn(u, u.op().opName(), carried == null ? null : Expr.mul(constant(0.25), carried));
            case EXP -> withOwn(u, u.op().opName(), carried == null ? null
                    : Expr.sub(Expr.unary(UnaryOp.EXP, Expr.add(value(u.x()), carried)), Expr.unary(UnaryOp.EXP, value(u.x()))));
            case SQRT -> withOwn(u, u.op().opName(), carried == null ? null
                    : Expr.sub(Expr.unary(UnaryOp.SQRT, magnitude(u.x())),
                    Expr.unary(UnaryOp.SQRT, Expr.unary(UnaryOp.RELU, Expr.sub(magnitude(u.x()), carried)))));
            default -> throw new IllegalArgumentException("fused bound: no error bound for " + u.op().opName()
                    + " in " + Exprs.describe(u));
        };
    }

    private static Expr binaryBound(Expr.Binary b) {
        if (!b.dtype().isFloating()) {
            requireExact(b.a(), b);
            requireExact(b.b(), b);
            return null;
        }
        Expr ba = fusedBound(b.a());
        Expr bb = fusedBound(b.b());
        String op = b.op().opName();
        return switch (b.op()) {
            case MAXIMUM, MINIMUM -> ba == null ? bb : bb == null ? ba : Expr.binary(BinaryOp.MAXIMUM, ba, bb);
            case ADD, SUB -> withOwn(b, op, plus(ba, bb));
            case MUL -> withOwn(b, op, ba == null && bb == null ? null
                    : Expr.sub(Expr.mul(plus(magnitude(b.a()), ba), plus(magnitude(b.b()), bb)),
                    Expr.mul(magnitude(b.a()), magnitude(b.b()))));
            case DIV -> withOwn(b, op, ba == null && bb == null ? null
                    : Expr.sub(Expr.div(plus(magnitude(b.a()), ba), bb == null ? magnitude(b.b())
                    : Expr.sub(magnitude(b.b()), bb)), Expr.div(magnitude(b.a()), magnitude(b.b()))));
            default -> throw new IllegalArgumentException("fused bound: no error bound for " + op + " in "
                    + Exprs.describe(b));
        };
    }

    /**
     * {@code carried + atol + rtol·(|v(node)| + carried)} with the constants of {@code op} in node's
     * dtype, reading {@code carried} once.
     */
    private static Expr withOwn(Expr node, String op, Expr carried) {
        DType t = node.dtype();
        double rtol = elementwiseRtol(op, t);
        Expr own = Expr.add(constant(atol(t)), Expr.mul(constant(rtol), magnitude(node)));
        return carried == null ? own : Expr.add(Expr.mul(constant(1 + rtol), carried), own);
    }

    private static void requireExact(Expr operand, Expr node) {
        if (fusedBound(operand) != null) {
            throw new IllegalArgumentException("fused bound: " + Exprs.describe(node) + " needs an exact operand, "
                    + Exprs.describe(operand) + " is not");
        }
    }

    /** The reference's value of a node, widened. */
    private static Expr value(Expr node) {
        return Expr.cast(node, DType.FLOAT64);
    }

    private static Expr magnitude(Expr node) {
        return Expr.unary(UnaryOp.ABS, value(node));
    }

    private static Expr constant(double value) {
        return Expr.constant(value, DType.FLOAT64);
    }

    private static Expr orZero(Expr bound) {
        return bound == null ? constant(0) : bound;
    }

    /** A sum of bounds, null (exact) when both are. */
    private static Expr plus(Expr a, Expr b) {
        return a == null ? b : b == null ? a : Expr.add(a, b);
    }
}
