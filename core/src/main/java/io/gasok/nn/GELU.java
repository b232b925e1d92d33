package io.gasok.nn;

import io.gasok.Tensor;

/** GELU, {@code x Φ(x)}: exact (erf) by default, or the tanh approximation (PyTorch's {@code approximate='tanh'}). */
public final class GELU extends Module {
    private final boolean tanhApproximation;

    public GELU() {
        this(false);
    }

    public GELU(boolean tanhApproximation) {
        this.tanhApproximation = tanhApproximation;
    }

    @Override
    public Tensor forward(Tensor input) {
        return tanhApproximation ? input.geluTanh() : input.gelu();
    }

    @Override
    protected String describe() {
        return tanhApproximation ? "approximate=tanh" : "";
    }
}
