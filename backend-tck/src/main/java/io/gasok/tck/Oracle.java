package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.UnaryOp;

/**
 * Host-side definitions the contracts compare with: the Tensor method behind each op record,
 * rounding to a dtype, and elementwise evaluation with NumPy broadcasting, all written with plain
 * index arithmetic so they share nothing with a backend.
 */
public final class Oracle {
    private Oracle() {}

    /** A value converted to {@code dtype} as a kernel stores it: float rounding, truncation, 0/1. */
    public static double round(DType dtype, double value) {
        return switch (dtype) {
            case FLOAT32 -> (float) value;
            case FLOAT64 -> value;
            case INT32 -> (int) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }

    /** The public Tensor method of a unary op. */
    public static Tensor unary(UnaryOp op, Tensor x, double param) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case SIGN -> x.sign();
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case TANH -> x.tanh();
            case ERF -> x.erf();
            case SIGMOID -> x.sigmoid();
            case RELU -> x.relu();
            case LEAKY_RELU -> x.leakyRelu(param);
            case SILU -> x.silu();
            case GELU -> x.gelu();
            case GELU_TANH -> x.geluTanh();
            case NOT -> x.logicalNot();
        };
    }

    /** The public Tensor method of a binary op. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case POW -> a.pow(b);
            case MAXIMUM -> a.maximum(b);
            case MINIMUM -> a.minimum(b);
            case FLOOR_DIV -> a.floorDiv(b);
            case REMAINDER -> a.remainder(b);
            case EQ -> a.eq(b);
            case NE -> a.ne(b);
            case LT -> a.lt(b);
            case LE -> a.le(b);
            case GT -> a.gt(b);
            case GE -> a.ge(b);
            case AND -> a.logicalAnd(b);
            case OR -> a.logicalOr(b);
        };
    }

    /** {@code f(a[i], b[i])} over the broadcast of a and b, rounded to {@code resultType}. */
    public static HostTensor broadcast(HostTensor a, HostTensor b, DType resultType,
                                       java.util.function.DoubleBinaryOperator f) {
        int[] shape = HostTensor.broadcast(a.shape(), b.shape());
        double[] out = new double[io.gasok.spi.Operand.sizeOf(shape)];
        for (int i = 0; i < out.length; i++) {
            int[] index = HostTensor.multiIndex(shape, i);
            out[i] = round(resultType, f.applyAsDouble(a.broadcastAt(index), b.broadcastAt(index)));
        }
        return new HostTensor(resultType, shape, out);
    }

    /** {@code condition ? a : b} over the broadcast of all three. */
    public static HostTensor where(HostTensor condition, HostTensor a, HostTensor b, DType resultType) {
        int[] shape = HostTensor.broadcast(HostTensor.broadcast(condition.shape(), a.shape()), b.shape());
        double[] out = new double[io.gasok.spi.Operand.sizeOf(shape)];
        for (int i = 0; i < out.length; i++) {
            int[] index = HostTensor.multiIndex(shape, i);
            out[i] = round(resultType, condition.broadcastAt(index) != 0 ? a.broadcastAt(index) : b.broadcastAt(index));
        }
        return new HostTensor(resultType, shape, out);
    }
}
