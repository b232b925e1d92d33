package io.gasok.nn;

import io.gasok.Tensor;
import io.gasok.spi.Distribution;

/**
 * In train mode, zeroes each element with probability {@code p} and scales the rest by
 * {@code 1 / (1 - p)} (inverted dropout, PyTorch's); in eval mode returns its input. The mask comes
 * from {@link Tensor#random} at the generator's seed and next offset (which each call advances by
 * the input's size), so the same seed gives the same masks, call after call, on every backend.
 * Launches: the uniform draw, the comparison, and two multiplies.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator generator;

    /** Dropout drawing from {@link Generator#global()}. */
    public Dropout(double p) {
        this(p, Generator.global());
    }

    public Dropout(double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        }
        this.p = p;
        this.generator = generator;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0) {
            return input;
        }
        if (!input.dtype().isFloating()) {
            throw new IllegalArgumentException("Dropout: needs a floating input, got " + input.dtype().shortName());
        }
        if (p == 1) {
            return input.mul(0);
        }
        long offset = generator.advance(input.numel());
        Tensor uniform = Tensor.random(input.device(), Distribution.UNIFORM, input.dtype(), generator.seed(), offset,
                input.shape());
        return input.mul(uniform.ge(p)).mul(1 / (1 - p));
    }

    public double p() {
        return p;
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
