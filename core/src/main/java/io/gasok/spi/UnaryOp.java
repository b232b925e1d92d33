package io.gasok.spi;

import static io.gasok.spi.Expr.add;
import static io.gasok.spi.Expr.binary;
import static io.gasok.spi.Expr.constant;
import static io.gasok.spi.Expr.div;
import static io.gasok.spi.Expr.mul;
import static io.gasok.spi.Expr.sub;
import static io.gasok.spi.Expr.unary;
import static io.gasok.spi.Expr.where;

import io.gasok.DType;

/**
 * Every unary elementwise op, each defined once: its scalar Java function (what the reference
 * backend computes), its C expression (what the CUDA and OpenCL kernel generators emit), its
 * derivative as an {@link Expr} (so a backward step is one fused launch on every backend), and its
 * behaviour at the edges.
 *
 * <p>C forms use {@code $x} for the operand and {@code $p} for the parameter; float literals carry
 * their {@code f} (the GPU dialect's rule) and the generator widens them for FLOAT64 kernels.
 * NaN propagates through every op; {@code relu(NaN)} is NaN as in PyTorch.
 */
public enum UnaryOp {
    NEG("(-($x))", "(-($x))", true) {
        @Override public double apply(double x, double p) { return -x; }
        @Override public long applyLong(long x) { return -x; }
        @Override public Expr derivative(Expr x, Expr y, double p) { return constant(-1, x.dtype()); }
    },
    ABS("fabs($x)", "(($x) < 0 ? -($x) : ($x))", true) {
        @Override public double apply(double x, double p) { return Math.abs(x); }
        @Override public long applyLong(long x) { return Math.abs(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return unary(SIGN, x); }
    },
    /** -1, 0 or 1 (0 for ±0; NaN stays NaN). */
    SIGN("(($x) > 0.0f ? 1.0f : (($x) < 0.0f ? -1.0f : ($x)))", "(($x) > 0 ? 1 : (($x) < 0 ? -1 : 0))", true) {
        @Override public double apply(double x, double p) { return Math.signum(x); }
        @Override public long applyLong(long x) { return Long.signum(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return constant(0, x.dtype()); }
    },
    EXP("exp($x)", null, false) {
        @Override public double apply(double x, double p) { return Math.exp(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return y; }
    },
    /** Natural logarithm: log(0) = -inf, log of a negative number NaN. */
    LOG("log($x)", null, false) {
        @Override public double apply(double x, double p) { return Math.log(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return div(constant(1, x.dtype()), x); }
    },
    SQRT("sqrt($x)", null, false) {
        @Override public double apply(double x, double p) { return Math.sqrt(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return div(constant(0.5, x.dtype()), y); }
    },
    TANH("tanh($x)", null, false) {
        @Override public double apply(double x, double p) { return Math.tanh(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return sub(constant(1, x.dtype()), mul(y, y)); }
    },
    /** The error function; the reference computes it to about 1e-15 (see {@link Erf}). */
    ERF("erf($x)", null, false) {
        @Override public double apply(double x, double p) { return Erf.erf(x); }
        @Override public Expr derivative(Expr x, Expr y, double p) {
            return mul(constant(2 / Math.sqrt(Math.PI), x.dtype()), unary(EXP, unary(NEG, mul(x, x))));
        }
    },
    SIGMOID("(1.0f / (1.0f + exp(-($x))))", null, false) {
        @Override public double apply(double x, double p) { return 1 / (1 + Math.exp(-x)); }
        @Override public Expr derivative(Expr x, Expr y, double p) { return mul(y, sub(constant(1, x.dtype()), y)); }
    },
    RELU("(($x) <= 0.0f ? 0.0f : ($x))", "(($x) <= 0 ? 0 : ($x))", true) {
        @Override public double apply(double x, double p) { return x <= 0 ? 0 : x; }
        @Override public long applyLong(long x) { return Math.max(x, 0); }
        @Override public Expr derivative(Expr x, Expr y, double p) {
            return where(binary(BinaryOp.GT, x, constant(0, x.dtype())), constant(1, x.dtype()), constant(0, x.dtype()));
        }
    },
    /** {@code x} for positive x, else {@code slope * x}; the slope is the parameter. */
    LEAKY_RELU("(($x) <= 0.0f ? ($p) * ($x) : ($x))", null, false) {
        @Override public double apply(double x, double p) { return x <= 0 ? p * x : x; }
        @Override public Expr derivative(Expr x, Expr y, double p) {
            return where(binary(BinaryOp.GT, x, constant(0, x.dtype())), constant(1, x.dtype()), constant(p, x.dtype()));
        }
    },
    /** {@code x * sigmoid(x)} (also called swish). */
    SILU("(($x) / (1.0f + exp(-($x))))", null, false) {
        @Override public double apply(double x, double p) { return x / (1 + Math.exp(-x)); }
        @Override public Expr derivative(Expr x, Expr y, double p) {
            Expr s = unary(SIGMOID, x);
            Expr one = constant(1, x.dtype());
            return mul(s, add(one, mul(x, sub(one, s))));
        }
    },
    /** Exact GELU, {@code x * Φ(x) = 0.5 x (1 + erf(x / √2))}. */
    GELU("(0.5f * ($x) * (1.0f + erf(($x) * 0.70710678118654752f)))", null, false) {
        @Override public double apply(double x, double p) { return 0.5 * x * (1 + Erf.erf(x * SQRT_HALF)); }
        @Override public Expr derivative(Expr x, Expr y, double p) {
            DType t = x.dtype();
            Expr cdf = mul(constant(0.5, t), add(constant(1, t), unary(ERF, mul(x, constant(SQRT_HALF, t)))));
            Expr pdf = mul(constant(1 / Math.sqrt(2 * Math.PI), t),
                    unary(EXP, mul(constant(-0.5, t), mul(x, x))));
            return add(cdf, mul(x, pdf));
        }
    },
    /** GELU's tanh approximation, {@code 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))}. */
    GELU_TANH("(0.5f * ($x) * (1.0f + tanh(0.79788456080286536f * (($x) + 0.044715f * ($x) * ($x) * ($x)))))", null, false) {
        @Override public double apply(double x, double p) {
            return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x)));
        }
        @Override public Expr derivative(Expr x, Expr y, double p) {
            DType t = x.dtype();
            Expr one = constant(1, t);
            Expr x2 = mul(x, x);
            Expr inner = mul(constant(SQRT_2_OVER_PI, t), add(x, mul(constant(GELU_CUBIC, t), mul(x2, x))));
            Expr th = unary(TANH, inner);
            Expr dInner = mul(constant(SQRT_2_OVER_PI, t), add(one, mul(constant(3 * GELU_CUBIC, t), x2)));
            return add(mul(constant(0.5, t), add(one, th)),
                    mul(mul(constant(0.5, t), x), mul(sub(one, mul(th, th)), dInner)));
        }
    },
    /** Logical not of a BOOL operand. */
    NOT("(!($x))", "(!($x))", true) {
        @Override public double apply(double x, double p) { return x == 0 ? 1 : 0; }
        @Override public long applyLong(long x) { return x == 0 ? 1 : 0; }
        @Override public Expr derivative(Expr x, Expr y, double p) { return null; }
        @Override public DType inputType(DType in) { return DType.BOOL; }
        @Override public DType resultType(DType in) { return DType.BOOL; }
    };

    static final double SQRT_HALF = Math.sqrt(0.5);
    static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    static final double GELU_CUBIC = 0.044715;

    private final String cFloat;
    private final String cInteger;
    private final boolean integerInputs;

    UnaryOp(String cFloat, String cInteger, boolean integerInputs) {
        this.cFloat = cFloat;
        this.cInteger = cInteger;
        this.integerInputs = integerInputs;
    }

    /** The scalar definition on floating values; {@code p} is the op's parameter. */
    public abstract double apply(double x, double p);

    /** The scalar definition on integer (and BOOL) values, for the ops that take them. */
    public long applyLong(long x) {
        throw new UnsupportedOperationException(name() + " is not defined on integers");
    }

    /**
     * {@code dy/dx} as an expression of the input {@code x} and the output {@code y}, or null where
     * the op has no gradient.
     */
    public abstract Expr derivative(Expr x, Expr y, double p);

    /** The C expression over {@code $x} (and {@code $p}) for a floating operand. */
    public String cFloat() {
        return cFloat;
    }

    /** The C expression for an integer operand, or null where integers are first cast to float. */
    public String cInteger() {
        return cInteger;
    }

    /** The dtype the operand is cast to before the op: integers go to FLOAT32 unless the op takes them. */
    public DType inputType(DType in) {
        if (in.isFloating()) {
            return in;
        }
        if (!integerInputs) {
            return in.toFloating();
        }
        return in == DType.BOOL ? DType.INT32 : in;
    }

    public DType resultType(DType in) {
        return in;
    }

    /** Lower-case name used in messages and by the profiler: relu, leaky_relu, ... */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
