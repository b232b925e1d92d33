package io.gasok.optim;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.nn.Unscoped;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.List;

/**
 * Adam with PyTorch's {@code torch.optim.Adam} definitions (no amsgrad): at step {@code t} of a
 * parameter, with {@code g = grad + weightDecay·p} (L2, coupled),
 * <pre>
 *   m = β1·m + (1 - β1)·g,   v = β2·v + (1 - β2)·g²
 *   p -= (lr / (1 - β1^t)) · m / (√v / √(1 - β2^t) + eps)
 * </pre>
 * {@link AdamW} decouples the decay instead: {@code p ← p·(1 - lr·weightDecay)} in the same update.
 *
 * <p><b>One launch per parameter and step.</b> {@code m} and {@code v} live in one state tensor of
 * shape {@code [2, ...p.shape]} (its rows are the views {@link #firstMoment} and
 * {@link #secondMoment} return), and {@link Tensor#updateAllInPlace} writes {@code p}, {@code m}
 * and {@code v} in one fused launch: three expressions over {@code (p, m, v, grad)}, the update of
 * {@code p} written with the new moments' expressions, since every expression of the launch reads
 * the values from before it.
 */
public sealed class Adam extends Optimizer permits AdamW {
    private final boolean decoupled;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private final Tensor[] moments;
    private final Tensor[] firstRows;
    private final Tensor[] secondRows;
    private final long[] parameterSteps;

    public Adam(List<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, false);
    }

    Adam(List<Tensor> parameters, double learningRate, boolean decoupled) {
        super(parameters, learningRate);
        this.decoupled = decoupled;
        moments = new Tensor[parameters.size()];
        firstRows = new Tensor[parameters.size()];
        secondRows = new Tensor[parameters.size()];
        parameterSteps = new long[parameters.size()];
    }

    /** The decay rates of the moment averages (defaults 0.9, 0.999); returns this. */
    public Adam betas(double first, double second) {
        if (!(first >= 0 && first < 1 && second >= 0 && second < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": betas must be in [0, 1), got " + first
                    + ", " + second);
        }
        beta1 = first;
        beta2 = second;
        return this;
    }

    /** The term added to the denominator (default 1e-8); returns this. */
    public Adam eps(double value) {
        checkNonNegative(getClass().getSimpleName(), "eps", value);
        eps = value;
        return this;
    }

    /** The weight decay: L2 in the gradient for Adam, decoupled for AdamW; returns this. */
    public Adam weightDecay(double value) {
        checkNonNegative(getClass().getSimpleName(), "weight decay", value);
        weightDecay = value;
        return this;
    }

    @Override
    protected void update(int index, Tensor parameter, Tensor grad, double learningRate) {
        DType t = parameter.dtype();
        if (moments[index] == null) {
            int[] shape = parameter.shape();
            int[] stateShape = new int[shape.length + 1];
            stateShape[0] = 2;
            System.arraycopy(shape, 0, stateShape, 1, shape.length);
            Tensor state = Unscoped.create(() -> Tensor.zeros(parameter.device(), t, stateShape));
            moments[index] = state;
            firstRows[index] = Unscoped.create(() -> state.select(0, 0));
            secondRows[index] = Unscoped.create(() -> state.select(0, 1));
        }
        long step = ++parameterSteps[index];

        // Input slots: 0 the parameter, 1 and 2 the moments, 3 the gradient (all before the launch).
        Expr p = Expr.input(0, t);
        Expr g = Expr.input(3, t);
        if (!decoupled && weightDecay != 0) {
            g = Expr.add(g, Expr.mul(Expr.constant(weightDecay, t), p));
        }
        Expr m = Expr.add(Expr.mul(Expr.constant(beta1, t), Expr.input(1, t)), Expr.mul(Expr.constant(1 - beta1, t), g));
        Expr v = Expr.add(Expr.mul(Expr.constant(beta2, t), Expr.input(2, t)),
                Expr.mul(Expr.constant(1 - beta2, t), Expr.mul(g, g)));
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        Expr denominator = Expr.add(Expr.div(Expr.unary(UnaryOp.SQRT, v), Expr.constant(Math.sqrt(correction2), t)),
                Expr.constant(eps, t));
        Expr change = Expr.div(Expr.mul(Expr.constant(learningRate / correction1, t), m), denominator);
        Expr kept = decoupled && weightDecay != 0 ? Expr.mul(p, Expr.constant(1 - learningRate * weightDecay, t)) : p;
        Tensor.updateAllInPlace(new Tensor[] {parameter, firstRows[index], secondRows[index]},
                new Expr[] {Expr.sub(kept, change), m, v}, grad);
    }

    /** The first moment {@code m} of {@code parameter} (a view, in the caller's scope), or null before its first step. */
    public Tensor firstMoment(Tensor parameter) {
        return momentRow(parameter, 0);
    }

    /** The second moment {@code v} of {@code parameter} (a view), or null before its first step. */
    public Tensor secondMoment(Tensor parameter) {
        return momentRow(parameter, 1);
    }

    private Tensor momentRow(Tensor parameter, int row) {
        int index = indexOf(parameter);
        if (index < 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": not one of this optimizer's parameters");
        }
        return moments[index] == null ? null : moments[index].select(0, row);
    }

    @Override
    protected List<Tensor> stateTensors() {
        List<Tensor> state = nonNull(firstRows);
        state.addAll(nonNull(secondRows));
        state.addAll(nonNull(moments));
        return state;
    }
}
