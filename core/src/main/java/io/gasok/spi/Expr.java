package io.gasok.spi;

import io.gasok.DType;

/**
 * A fused elementwise expression: a small tree over the inputs of one launch of
 * {@link Backend#elementwise}. A single op is the one-node case; {@code relu(x * scale + bias)},
 * an optimizer update or a backward rule is one tree and one launch.
 *
 * <p>Every node knows its dtype. The factories below insert the casts that type promotion asks
 * for, so a backend evaluates each node in its own dtype and never promotes by itself: floating
 * nodes in their float type, integer nodes in 64-bit integer arithmetic, {@code BOOL} nodes as
 * 0 or 1.
 */
public sealed interface Expr {

    DType dtype();

    /** The {@code index}-th input operand of the launch. */
    record Input(int index, DType dtype) implements Expr {}

    /** A scalar constant, already of the dtype it is used in. */
    record Constant(double value, DType dtype) implements Expr {}

    /** {@code op(x)}; {@code param} is the op's parameter (the slope of leaky ReLU), else 0. */
    record Unary(UnaryOp op, Expr x, double param, DType dtype) implements Expr {}

    /** {@code op(a, b)} with both operands of one compute dtype. */
    record Binary(BinaryOp op, Expr a, Expr b, DType dtype) implements Expr {}

    /** {@code condition ? a : b}, the condition a BOOL node. */
    record Where(Expr condition, Expr a, Expr b, DType dtype) implements Expr {}

    /** Conversion of {@code x} to {@code dtype} (floats to integers truncate toward zero). */
    record Cast(Expr x, DType dtype) implements Expr {}

    static Expr input(int index, DType dtype) {
        return new Input(index, dtype);
    }

    static Expr constant(double value, DType dtype) {
        return new Constant(value, dtype);
    }

    static Expr cast(Expr x, DType dtype) {
        if (x.dtype() == dtype) {
            return x;
        }
        if (x instanceof Constant c) {
            return new Constant(castValue(c.value(), dtype), dtype);
        }
        return new Cast(x, dtype);
    }

    /** {@code op(x)}, casting an integer {@code x} to FLOAT32 for the ops that need a float. */
    static Expr unary(UnaryOp op, Expr x) {
        return unary(op, x, 0.0);
    }

    static Expr unary(UnaryOp op, Expr x, double param) {
        DType in = op.inputType(x.dtype());
        Expr operand = cast(x, in);
        return new Unary(op, operand, param, op.resultType(in));
    }

    /** {@code op(a, b)} with both operands promoted to one compute type by {@link DType#promote}. */
    static Expr binary(BinaryOp op, Expr a, Expr b) {
        DType compute = op.computeType(DType.promote(a.dtype(), b.dtype()));
        return new Binary(op, cast(a, compute), cast(b, compute), op.resultType(compute));
    }

    /** {@code condition ? a : b} with a and b promoted to one type. */
    static Expr where(Expr condition, Expr a, Expr b) {
        DType type = DType.promote(a.dtype(), b.dtype());
        return new Where(cast(condition, DType.BOOL), cast(a, type), cast(b, type), type);
    }

    static Expr add(Expr a, Expr b) {
        return binary(BinaryOp.ADD, a, b);
    }

    static Expr sub(Expr a, Expr b) {
        return binary(BinaryOp.SUB, a, b);
    }

    static Expr mul(Expr a, Expr b) {
        return binary(BinaryOp.MUL, a, b);
    }

    static Expr div(Expr a, Expr b) {
        return binary(BinaryOp.DIV, a, b);
    }

    /** The number of {@link Input} slots the tree reads: one more than the highest index. */
    static int inputCount(Expr expr) {
        return switch (expr) {
            case Input in -> in.index() + 1;
            case Constant c -> 0;
            case Unary u -> inputCount(u.x());
            case Binary b -> Math.max(inputCount(b.a()), inputCount(b.b()));
            case Where w -> Math.max(inputCount(w.condition()), Math.max(inputCount(w.a()), inputCount(w.b())));
            case Cast c -> inputCount(c.x());
        };
    }

    /** The value a conversion to {@code dtype} gives: truncation for integers, 0/1 for BOOL. */
    static double castValue(double value, DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT32 -> (int) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }
}
