package io.gasok.optim;

import io.gasok.Autograd;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters in place from their gradients. {@link #step()} runs each parameter's update
 * as one fused elementwise launch ({@link Tensor#updateInPlace}, or {@link Tensor#updateAllInPlace}
 * when the optimizer's state is updated with it) with the hyper-parameters as constants of the
 * expression (GPU backends pass constants as kernel
 * arguments, so a changing learning rate reuses the compiled kernel); nothing loops over elements
 * in Java and nothing is read back to the host. Parameters without a gradient are skipped, as in
 * PyTorch.
 *
 * <p>State tensors (momenta) belong to the optimizer, outside every scope: {@link #close()} frees
 * them. An optimizer holds the parameter tensors it was given, so build it after moving the model
 * ({@code Module.to}); {@code Module.loadStateDict} writes in place and keeps it valid.
 *
 * <p>The learning rate is fixed ({@link #learningRate(double)}) or follows a {@link Schedule}: step
 * {@code k} (counting from 0) uses {@code schedule.valueAt(k)}, which must be finite and at least 0,
 * like a fixed rate (a step given anything else throws before it updates a parameter).
 *
 * <p>Thread safety: an optimizer and its parameters belong to one thread during training.
 */
public abstract class Optimizer implements AutoCloseable {
    private final List<Tensor> parameters;
    private final Map<Tensor, Integer> indices = new IdentityHashMap<>();
    private double learningRate;
    private Schedule schedule;
    private long steps;
    private boolean closed;

    protected Optimizer(List<Tensor> parameters, double learningRate) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameters to optimize");
        }
        for (Tensor parameter : parameters) {
            if (!parameter.isLeaf() || !parameter.requiresGrad() || !parameter.dtype().isFloating()) {
                throw new IllegalArgumentException(getClass().getSimpleName()
                        + ": parameters must be floating leaf tensors that require grad, got " + parameter.dtype().shortName()
                        + java.util.Arrays.toString(parameter.shape()) + (parameter.isLeaf() ? "" : " computed by an op"));
            }
            if (indices.putIfAbsent(parameter, indices.size()) != null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": a parameter appears twice");
            }
        }
        this.parameters = List.copyOf(parameters);
        learningRate(learningRate);
    }

    /** One update of every parameter that has a gradient. */
    public final void step() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + ".step: the optimizer was closed");
        }
        if (schedule != null) {
            double value = schedule.valueAt(steps);
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ".step: the schedule's learning rate at"
                        + " step " + steps + " must be finite and >= 0, got " + value + " (no parameter was updated)");
            }
            learningRate = value;
        }
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            for (int i = 0; i < parameters.size(); i++) {
                Tensor parameter = parameters.get(i);
                Tensor grad = parameter.grad();
                if (grad != null) {
                    update(i, parameter, grad, learningRate);
                }
            }
        }
        steps++;
    }

    /**
     * Updates parameter {@code index} from {@code grad} (same shape and dtype) at
     * {@code learningRate}; runs inside a scope and with grad recording off.
     */
    protected abstract void update(int index, Tensor parameter, Tensor grad, double learningRate);

    /** Frees every parameter's gradient. */
    public final void zeroGrad() {
        for (Tensor parameter : parameters) {
            parameter.zeroGrad();
        }
    }

    public final List<Tensor> parameters() {
        return parameters;
    }

    /** The learning rate of the last step (or the one set, before any). */
    public final double learningRate() {
        return learningRate;
    }

    /** Sets a fixed learning rate (and drops any schedule); returns this. */
    public Optimizer learningRate(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": learning rate must be finite and >= 0, got "
                    + value);
        }
        learningRate = value;
        schedule = null;
        return this;
    }

    /** Makes step {@code k} use {@code schedule.valueAt(k)}; returns this. */
    public Optimizer schedule(Schedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** How many times {@link #step()} ran. */
    public final long stepCount() {
        return steps;
    }

    /** The position of {@code parameter} in {@link #parameters()}, or -1. */
    protected final int indexOf(Tensor parameter) {
        return indices.getOrDefault(parameter, -1);
    }

    /** The state tensors this optimizer owns, for {@link #close()}. */
    protected abstract List<Tensor> stateTensors();

    /** Frees the optimizer's state (not the parameters). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            for (Tensor state : new ArrayList<>(stateTensors())) {
                if (state != null) {
                    state.close();
                }
            }
        }
    }

    static void checkNonNegative(String owner, String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(owner + ": " + name + " must be finite and >= 0, got " + value);
        }
    }

    static List<Tensor> nonNull(Tensor[] tensors) {
        List<Tensor> list = new ArrayList<>();
        Collections.addAll(list, tensors);
        list.removeIf(java.util.Objects::isNull);
        return list;
    }
}
