package io.gasok.nn;

import io.gasok.Tensor;

/** Log of the softmax along {@code axis}, computed stably in one fused launch. */
public final class LogSoftmax extends Module {
    private final int axis;

    public LogSoftmax(int axis) {
        this.axis = axis;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.logSoftmax(axis);
    }

    @Override
    protected String describe() {
        return "axis=" + axis;
    }
}
