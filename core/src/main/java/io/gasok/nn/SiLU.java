package io.gasok.nn;

import io.gasok.Tensor;

/** {@code x · sigmoid(x)} elementwise (also called swish). */
public final class SiLU extends Module {

    @Override
    public Tensor forward(Tensor input) {
        return input.silu();
    }
}
