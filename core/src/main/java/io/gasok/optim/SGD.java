package io.gasok.optim;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.nn.Unscoped;
import io.gasok.spi.Expr;
import java.util.List;

/**
 * Stochastic gradient descent with PyTorch's {@code torch.optim.SGD} definitions: with
 * {@code g = grad + weightDecay·p},
 * <pre>
 *   buf = g                                   (first step)
 *   buf = momentum·buf + (1 - dampening)·g     (later steps)
 *   p  -= lr · (nesterov ? g + momentum·buf : buf)      (p -= lr·g without momentum)
 * </pre>
 * One launch per parameter and step: the parameter's update, and with momentum the buffer's in the
 * same launch ({@link Tensor#updateAllInPlace}; the parameter's expression is written with the new
 * buffer's, since both read the values from before the launch).
 */
public final class SGD extends Optimizer {
    private double momentum;
    private double dampening;
    private double weightDecay;
    private boolean nesterov;
    private final Tensor[] buffers;

    public SGD(List<Tensor> parameters, double learningRate) {
        super(parameters, learningRate);
        buffers = new Tensor[parameters.size()];
    }

    /** Momentum factor (0: none); returns this. */
    public SGD momentum(double value) {
        checkNonNegative("SGD", "momentum", value);
        momentum = value;
        return this;
    }

    public SGD dampening(double value) {
        checkNonNegative("SGD", "dampening", value);
        dampening = value;
        return this;
    }

    /** L2 penalty added to the gradient; returns this. */
    public SGD weightDecay(double value) {
        checkNonNegative("SGD", "weight decay", value);
        weightDecay = value;
        return this;
    }

    /** Nesterov momentum (needs momentum > 0 and no dampening); returns this. */
    public SGD nesterov(boolean value) {
        nesterov = value;
        return this;
    }

    @Override
    protected void update(int index, Tensor parameter, Tensor grad, double learningRate) {
        if (nesterov && (momentum == 0 || dampening != 0)) {
            throw new IllegalStateException("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
        }
        DType t = parameter.dtype();
        Expr lr = Expr.constant(learningRate, t);
        if (momentum == 0) {
            Expr p = Expr.input(0, t);
            parameter.updateInPlace(Expr.sub(p, Expr.mul(lr, decayed(Expr.input(1, t), p, t))), grad);
            return;
        }
        Expr mu = Expr.constant(momentum, t);
        boolean first = buffers[index] == null;
        if (first) {
            buffers[index] = Unscoped.create(() -> Tensor.zeros(parameter.device(), t, parameter.shape()));
        }
        Tensor buffer = buffers[index];
        // Input slots: 0 the parameter, 1 the buffer, 2 the gradient (all before the launch).
        Expr p = Expr.input(0, t);
        Expr g = decayed(Expr.input(2, t), p, t);
        Expr newBuffer = first ? g : Expr.add(Expr.mul(mu, Expr.input(1, t)), Expr.mul(Expr.constant(1 - dampening, t), g));
        Expr direction = nesterov ? Expr.add(g, Expr.mul(mu, newBuffer)) : newBuffer;
        Tensor.updateAllInPlace(new Tensor[] {parameter, buffer}, new Expr[] {Expr.sub(p, Expr.mul(lr, direction)),
                newBuffer}, grad);
    }

    /** {@code g + weightDecay·p}, or {@code g} without decay. */
    private Expr decayed(Expr g, Expr p, DType t) {
        return weightDecay == 0 ? g : Expr.add(g, Expr.mul(Expr.constant(weightDecay, t), p));
    }

    @Override
    protected List<Tensor> stateTensors() {
        return nonNull(buffers);
    }
}
