package io.gasok.reference;

import io.gasok.DType;
import io.gasok.spi.Expr;

/**
 * Interprets an {@link Expr} tree for one element at a time, node by node, each node in its own
 * dtype as the {@link Expr} contract asks:
 * <ul>
 *   <li>a floating node is computed in double with {@code UnaryOp.apply}/{@code BinaryOp.apply} and,
 *   when the node is FLOAT32, rounded through {@code (float)}, so every intermediate value is the
 *   float32 value a float32 kernel would hold;</li>
 *   <li>an integer or BOOL node is computed in 64-bit integer arithmetic with {@code applyLong}
 *   (never through double, so large int64 values stay exact); BOOL values are 0 or 1;</li>
 *   <li>the operation runs on its operands' dtype: a comparison of two floats is computed by
 *   {@code apply} and gives a BOOL node.</li>
 * </ul>
 * Inputs are read at the current element of an {@link Odometer} whose operand {@code i} is input
 * slot {@code i}.
 */
final class ExprEvaluator {
    private final HostBuffer[] inputs;

    ExprEvaluator(HostBuffer[] inputs) {
        this.inputs = inputs;
    }

    /** Evaluates {@code expr} at the walk's current element and writes it to {@code out[position]}. */
    void evaluateInto(Expr expr, Odometer element, HostBuffer out, int position) {
        if (expr.dtype().isFloating()) {
            out.setDouble(position, floating(expr, element));
        } else {
            out.setLong(position, integer(expr, element));
        }
    }

    /** The value of a FLOAT32 or FLOAT64 node. */
    private double floating(Expr node, Odometer element) {
        double value = switch (node) {
            case Expr.Input in -> inputs[in.index()].getDouble(element.position(in.index()));
            case Expr.Constant constant -> constant.value();
            case Expr.Unary unary -> unary.x().dtype().isFloating()
                    ? unary.op().apply(floating(unary.x(), element), unary.param())
                    : unary.op().applyLong(integer(unary.x(), element));
            case Expr.Binary binary -> binary.a().dtype().isFloating()
                    ? binary.op().apply(floating(binary.a(), element), floating(binary.b(), element))
                    : binary.op().applyLong(integer(binary.a(), element), integer(binary.b(), element));
            case Expr.Where where -> integer(where.condition(), element) != 0
                    ? floating(where.a(), element)
                    : floating(where.b(), element);
            case Expr.Cast cast -> cast.x().dtype().isFloating()
                    ? floating(cast.x(), element)
                    : integerToFloating(integer(cast.x(), element), node.dtype());
        };
        return node.dtype() == DType.FLOAT32 ? (float) value : value;
    }

    /** The value of an INT32, INT64 or BOOL node, in 64-bit arithmetic; a BOOL node is 0 or 1. */
    private long integer(Expr node, Odometer element) {
        long value = switch (node) {
            case Expr.Input in -> inputs[in.index()].getLong(element.position(in.index()));
            case Expr.Constant constant -> floatingToInteger(constant.value(), node.dtype());
            case Expr.Unary unary -> unary.x().dtype().isFloating()
                    ? floatingToInteger(unary.op().apply(floating(unary.x(), element), unary.param()), node.dtype())
                    : unary.op().applyLong(integer(unary.x(), element));
            case Expr.Binary binary -> binary.a().dtype().isFloating()
                    ? floatingToInteger(binary.op().apply(floating(binary.a(), element), floating(binary.b(), element)), node.dtype())
                    : binary.op().applyLong(integer(binary.a(), element), integer(binary.b(), element));
            case Expr.Where where -> integer(where.condition(), element) != 0
                    ? integer(where.a(), element)
                    : integer(where.b(), element);
            case Expr.Cast cast -> cast.x().dtype().isFloating()
                    ? floatingToInteger(floating(cast.x(), element), node.dtype())
                    : integerToInteger(integer(cast.x(), element), node.dtype());
        };
        return node.dtype() == DType.BOOL && value != 0 ? 1 : value;
    }

    /** Java's conversions, as {@link Expr#castValue}: truncation toward zero (NaN gives 0), 0/1 for BOOL. */
    private static long floatingToInteger(double value, DType to) {
        return switch (to) {
            case INT32 -> (int) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
            case FLOAT32, FLOAT64 -> throw new IllegalArgumentException("not an integer dtype: " + to);
        };
    }

    private static long integerToInteger(long value, DType to) {
        return switch (to) {
            case INT32 -> (int) value;
            case INT64 -> value;
            case BOOL -> value != 0 ? 1 : 0;
            case FLOAT32, FLOAT64 -> throw new IllegalArgumentException("not an integer dtype: " + to);
        };
    }

    /** Rounds once, straight from the integer ({@code (float) long}, not through double). */
    private static double integerToFloating(long value, DType to) {
        return to == DType.FLOAT32 ? (float) value : (double) value;
    }
}
