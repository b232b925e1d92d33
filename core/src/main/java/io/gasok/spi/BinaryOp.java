package io.gasok.spi;

import static io.gasok.spi.Expr.binary;
import static io.gasok.spi.Expr.constant;
import static io.gasok.spi.Expr.div;
import static io.gasok.spi.Expr.mul;
import static io.gasok.spi.Expr.unary;
import static io.gasok.spi.Expr.where;

import io.gasok.DType;

/**
 * Every binary elementwise op, each defined once: scalar Java functions on floating and on integer
 * values (the reference), the C expression for the GPU kernel generators ({@code $a}, {@code $b}),
 * the partial derivatives as {@link Expr}s, and the edge semantics.
 *
 * <p>Decided once: {@code maximum}/{@code minimum} propagate NaN like {@link Math#max} (so the C
 * form is not a bare {@code fmaxf}) and split the gradient evenly on ties, as PyTorch does; true
 * division and {@code pow} compute in a floating type; {@code floorDiv} and {@code remainder}
 * follow Python's sign rule (the remainder takes the divisor's sign); integer division by zero gives
 * 0 on every backend (kernels cannot throw). Comparisons give BOOL.
 */
public enum BinaryOp {
    ADD("(($a) + ($b))", false) {
        @Override public double apply(double a, double b) { return a + b; }
        @Override public long applyLong(long a, long b) { return a + b; }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) { return new Expr[] {one(a), one(a)}; }
    },
    SUB("(($a) - ($b))", false) {
        @Override public double apply(double a, double b) { return a - b; }
        @Override public long applyLong(long a, long b) { return a - b; }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) { return new Expr[] {one(a), constant(-1, a.dtype())}; }
    },
    MUL("(($a) * ($b))", false) {
        @Override public double apply(double a, double b) { return a * b; }
        @Override public long applyLong(long a, long b) { return a * b; }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) { return new Expr[] {b, a}; }
    },
    /** True division; integers are divided as FLOAT32. */
    DIV("(($a) / ($b))", false) {
        @Override public double apply(double a, double b) { return a / b; }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) {
            return new Expr[] {div(one(a), b), unary(UnaryOp.NEG, div(y, b))};
        }
        @Override public DType computeType(DType promoted) { return promoted.toFloating(); }
    },
    /**
     * {@code a^b} in a floating type, as {@link Math#pow}: the C form makes C's {@code pow(1, NaN)}
     * and {@code pow(±1, ±inf)}, which are 1, NaN as in Java. The gradient for b is 0 where a is 0,
     * and for a where b is 0 ({@code a^0} is the constant 1: {@code b·a^(b-1)} would be 0·inf = NaN
     * at a = 0).
     */
    POW("(isnan($b) ? ($b) : ((fabs($a) == 1 && isinf($b)) ? (($b) - ($b)) : pow($a, $b)))", false) {
        @Override public double apply(double a, double b) { return Math.pow(a, b); }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) {
            Expr da = where(binary(EQ, b, constant(0, b.dtype())), constant(0, a.dtype()),
                    mul(b, binary(POW, a, binary(SUB, b, one(a)))));
            Expr db = where(binary(EQ, a, constant(0, a.dtype())), constant(0, a.dtype()), mul(y, unary(UnaryOp.LOG, a)));
            return new Expr[] {da, db};
        }
        @Override public DType computeType(DType promoted) { return promoted.toFloating(); }
    },
    MAXIMUM("((isnan($a) || isnan($b)) ? (($a) + ($b)) : (($a) > ($b) ? ($a) : ($b)))", false) {
        @Override public double apply(double a, double b) { return Math.max(a, b); }
        @Override public long applyLong(long a, long b) { return Math.max(a, b); }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) { return tieSplit(GT, a, b); }
    },
    MINIMUM("((isnan($a) || isnan($b)) ? (($a) + ($b)) : (($a) < ($b) ? ($a) : ($b)))", false) {
        @Override public double apply(double a, double b) { return Math.min(a, b); }
        @Override public long applyLong(long a, long b) { return Math.min(a, b); }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) { return tieSplit(LT, a, b); }
    },
    /** Floor of the quotient (Python's {@code //}). */
    FLOOR_DIV("floor(($a) / ($b))", false) {
        @Override public double apply(double a, double b) { return Math.floor(a / b); }
        @Override public long applyLong(long a, long b) { return b == 0 ? 0 : Math.floorDiv(a, b); }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) { return new Expr[] {constant(0, a.dtype()), constant(0, a.dtype())}; }
    },
    /** {@code a - floor(a / b) * b}: the result has the divisor's sign (Python's {@code %}). */
    REMAINDER("(($a) - floor(($a) / ($b)) * ($b))", false) {
        @Override public double apply(double a, double b) { return a - Math.floor(a / b) * b; }
        @Override public long applyLong(long a, long b) { return b == 0 ? 0 : Math.floorMod(a, b); }
        @Override public Expr[] partials(Expr a, Expr b, Expr y) {
            return new Expr[] {one(a), unary(UnaryOp.NEG, binary(FLOOR_DIV, a, b))};
        }
    },
    EQ("(($a) == ($b))", true) {
        @Override public double apply(double a, double b) { return a == b ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a == b ? 1 : 0; }
    },
    NE("(($a) != ($b))", true) {
        @Override public double apply(double a, double b) { return a != b ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a != b ? 1 : 0; }
    },
    LT("(($a) < ($b))", true) {
        @Override public double apply(double a, double b) { return a < b ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a < b ? 1 : 0; }
    },
    LE("(($a) <= ($b))", true) {
        @Override public double apply(double a, double b) { return a <= b ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a <= b ? 1 : 0; }
    },
    GT("(($a) > ($b))", true) {
        @Override public double apply(double a, double b) { return a > b ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a > b ? 1 : 0; }
    },
    GE("(($a) >= ($b))", true) {
        @Override public double apply(double a, double b) { return a >= b ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a >= b ? 1 : 0; }
    },
    /** Logical and of two BOOL operands. */
    AND("(($a) && ($b))", true) {
        @Override public double apply(double a, double b) { return a != 0 && b != 0 ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a != 0 && b != 0 ? 1 : 0; }
        @Override public DType computeType(DType promoted) { return DType.BOOL; }
    },
    /** Logical or of two BOOL operands. */
    OR("(($a) || ($b))", true) {
        @Override public double apply(double a, double b) { return a != 0 || b != 0 ? 1 : 0; }
        @Override public long applyLong(long a, long b) { return a != 0 || b != 0 ? 1 : 0; }
        @Override public DType computeType(DType promoted) { return DType.BOOL; }
    };

    private final String c;
    private final boolean boolResult;

    BinaryOp(String c, boolean boolResult) {
        this.c = c;
        this.boolResult = boolResult;
    }

    /** The scalar definition on floating values. */
    public abstract double apply(double a, double b);

    /** The scalar definition on integer and BOOL values. */
    public long applyLong(long a, long b) {
        throw new UnsupportedOperationException(name() + " is not defined on integers");
    }

    /**
     * {@code {∂y/∂a, ∂y/∂b}} as expressions of the operands and the output, or null where the op has
     * no gradient (comparisons, logic).
     */
    public Expr[] partials(Expr a, Expr b, Expr y) {
        return null;
    }

    /** The C expression over {@code $a} and {@code $b}. */
    public String c() {
        return c;
    }

    /** True for comparisons and logic, whose result is BOOL. */
    public boolean isBoolResult() {
        return boolResult;
    }

    /** The dtype both operands are cast to, given their promoted type. */
    public DType computeType(DType promoted) {
        return promoted;
    }

    public DType resultType(DType compute) {
        return boolResult ? DType.BOOL : compute;
    }

    /** Lower-case name used in messages and by the profiler. */
    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Expr one(Expr like) {
        return constant(1, like.dtype());
    }

    private static Expr[] tieSplit(BinaryOp wins, Expr a, Expr b) {
        DType t = a.dtype();
        Expr half = constant(0.5, t);
        Expr zero = constant(0, t);
        Expr tie = binary(EQ, a, b);
        Expr da = where(binary(wins, a, b), one(a), where(tie, half, zero));
        Expr db = where(binary(wins, b, a), one(a), where(tie, half, zero));
        return new Expr[] {da, db};
    }
}
