package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Distribution;
import io.gasok.spi.Expr;

/**
 * In train mode, zeroes each element with probability {@code p} and scales the rest by
 * {@code 1 / (1 - p)} (inverted dropout, PyTorch's); in eval mode returns its input. The mask comes
 * from {@link Tensor#random} at the generator's seed and next offset (which each call advances by
 * the input's size), so the same seed gives the same masks, call after call, on every backend.
 *
 * <p>Launches: the uniform draw {@code u}, then one fused launch {@code y = (x · [u ≥ p]) · s} with
 * {@code s = 1/(1 - p)}; the backward is one launch too, {@code gx = (gy · s) · [u ≥ p]} from the
 * saved {@code u}. Those are the values (and the order of the roundings) of the ops written out,
 * {@code x.mul(u.ge(p)).mul(s)}, and of their backward rules.
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
        DType t = input.dtype();
        Expr kept = Expr.cast(Expr.binary(BinaryOp.GE, Expr.input(1, t), Expr.constant(p, t)), t);
        Expr scale = Expr.constant(1 / (1 - p), t);
        Tensor output = Tensor.evaluate(Expr.mul(Expr.mul(Expr.input(0, t), kept), scale), input, uniform);
        if (!Autograd.needsGrad(input)) {
            uniform.close();
            return output;
        }
        Autograd.Saved savedUniform = Autograd.save(uniform);
        Expr gradient = Expr.mul(Expr.mul(Expr.input(0, t), scale), kept);
        return Autograd.record("dropout", output,
                gy -> new Tensor[] {Tensor.evaluate(gradient, gy, savedUniform.get())}, input);
    }

    public double p() {
        return p;
    }

    @Override
    protected String describe() {
        return "p=" + p;
    }
}
