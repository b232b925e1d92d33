package io.gasok.optim;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.nn.Unscoped;
import io.gasok.spi.Expr;
import java.util.Arrays;
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
 * <p><b>Two launches per parameter and step.</b> {@code m} and {@code v} live in one state tensor of
 * shape {@code [2, ...p.shape]}, so one fused launch updates both: its expression picks the row by a
 * constant {@code [2, 1, ...]} BOOL selector, {@code where(first, β1·s + (1-β1)·g, β2·s + (1-β2)·g²)},
 * with {@code g} broadcast along the new axis. A second launch updates {@code p} from the new
 * {@code m} and {@code v} (views of the state, no copy). One launch in all would need a
 * fused elementwise launch that writes several outputs, which core's
 * {@link Tensor#updateInPlace} (one target) does not offer.
 */
public sealed class Adam extends Optimizer permits AdamW {
    private final boolean decoupled;
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private final Tensor[] moments;
    private final Tensor[] selectors;
    private final long[] parameterSteps;

    public Adam(List<Tensor> parameters, double learningRate) {
        this(parameters, learningRate, false);
    }

    Adam(List<Tensor> parameters, double learningRate, boolean decoupled) {
        super(parameters, learningRate);
        this.decoupled = decoupled;
        moments = new Tensor[parameters.size()];
        selectors = new Tensor[parameters.size()];
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
            int[] selectorShape = new int[stateShape.length];
            Arrays.fill(selectorShape, 1);
            selectorShape[0] = 2;
            moments[index] = Unscoped.create(() -> Tensor.zeros(parameter.device(), t, stateShape));
            selectors[index] = Unscoped.create(() -> Tensor.of(parameter.device(), new byte[] {1, 0}, 2)
                    .reshape(selectorShape));
        }
        long step = ++parameterSteps[index];
        Tensor state = moments[index];

        Expr s = Expr.input(0, t);
        Expr g = Expr.input(1, t);
        boolean l2 = !decoupled && weightDecay != 0;
        if (l2) {
            g = Expr.add(g, Expr.mul(Expr.constant(weightDecay, t), Expr.input(3, t)));
        }
        Expr firstMoment = Expr.add(Expr.mul(Expr.constant(beta1, t), s), Expr.mul(Expr.constant(1 - beta1, t), g));
        Expr secondMoment = Expr.add(Expr.mul(Expr.constant(beta2, t), s),
                Expr.mul(Expr.constant(1 - beta2, t), Expr.mul(g, g)));
        Expr moment = Expr.where(Expr.input(2, DType.BOOL), firstMoment, secondMoment);
        if (l2) {
            state.updateInPlace(moment, grad.unsqueeze(0), selectors[index], parameter.unsqueeze(0));
        } else {
            state.updateInPlace(moment, grad.unsqueeze(0), selectors[index]);
        }

        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        Expr p = Expr.input(0, t);
        Expr denominator = Expr.add(Expr.div(Expr.unary(io.gasok.spi.UnaryOp.SQRT, Expr.input(2, t)),
                Expr.constant(Math.sqrt(correction2), t)), Expr.constant(eps, t));
        Expr change = Expr.div(Expr.mul(Expr.constant(learningRate / correction1, t), Expr.input(1, t)), denominator);
        Expr kept = decoupled && weightDecay != 0 ? Expr.mul(p, Expr.constant(1 - learningRate * weightDecay, t)) : p;
        parameter.updateInPlace(Expr.sub(kept, change), state.select(0, 0), state.select(0, 1));
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
        List<Tensor> state = nonNull(moments);
        state.addAll(nonNull(selectors));
        return state;
    }
}
