package io.gasok.nn;

import io.gasok.Tensor;

/** {@code x} where positive, else {@code slope · x}; PyTorch's default slope is 0.01. */
public final class LeakyReLU extends Module {
    private final double slope;

    public LeakyReLU() {
        this(0.01);
    }

    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.leakyRelu(slope);
    }

    @Override
    protected String describe() {
        return "slope=" + slope;
    }
}
