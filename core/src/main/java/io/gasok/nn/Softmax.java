package io.gasok.nn;

import io.gasok.Tensor;

/** Softmax along {@code axis} (one fused launch). */
public final class Softmax extends Module {
    private final int axis;

    public Softmax(int axis) {
        this.axis = axis;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.softmax(axis);
    }

    @Override
    protected String describe() {
        return "axis=" + axis;
    }
}
