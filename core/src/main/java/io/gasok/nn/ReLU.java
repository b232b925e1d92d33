package io.gasok.nn;

import io.gasok.Tensor;

/** {@code max(x, 0)} elementwise. */
public final class ReLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.relu();
    }
}
