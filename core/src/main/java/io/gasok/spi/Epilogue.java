package io.gasok.spi;

/**
 * What a GEMM or convolution does to each result while it is still in registers:
 * {@code out = activation(alpha * acc + beta * out + bias)}. The activation is one of the
 * {@link UnaryOp}s (null for none) with its parameter, so the epilogue reuses the single
 * definition of each op.
 */
public record Epilogue(double alpha, double beta, UnaryOp activation, double activationParam) {

    public static final Epilogue NONE = new Epilogue(1, 0, null, 0);

    public static Epilogue activation(UnaryOp op, double param) {
        return new Epilogue(1, 0, op, param);
    }

    /** Applies the activation to one value, as the reference does. */
    public double activate(double value) {
        return activation == null ? value : activation.apply(value, activationParam);
    }
}
