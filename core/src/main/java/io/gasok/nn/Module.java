package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A layer or a model: named parameters (leaf tensors that require grad), named buffers (state
 * that is saved but not trained, such as batch norm's running statistics), child modules, and a
 * train/eval mode, as in PyTorch. {@link #forward} runs op by op with ordinary tensor ops; there is
 * no tracing and no deferred execution.
 *
 * <p><b>Names.</b> Parameters, buffers and children are kept in registration order. The dotted
 * names of {@link #namedParameters()} and {@link #stateDict()} are PyTorch's ({@code 0.weight},
 * {@code fc1.bias}, {@code bn.running_mean}), so a state dict maps one to one onto a PyTorch
 * checkpoint of the same architecture.
 *
 * <p><b>Lifetimes</b> (DESIGN §5). Parameters and buffers belong to the module, never to a
 * {@link Scope}: they are created through {@link Unscoped}, so a model built inside a scope
 * outlives it, and {@link #close()} frees them (and the gradients they hold). The tensors a
 * forward pass creates belong to the caller's scope.
 *
 * <p><b>Thread safety.</b> Inference on one model from many threads at once is safe: in eval mode
 * and inside {@link Autograd#noGrad()} a forward only reads the parameters and buffers. Training
 * (train-mode forward, which updates batch-norm statistics and advances dropout's generator,
 * backward, optimizer steps), {@link #to}, {@link #loadStateDict} and {@link #close()} are for one
 * thread at a time, with no inference running alongside.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private boolean closed;

    protected Module() {}

    /** Computes this module's output; the result and temporaries belong to the caller's scope. */
    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    /**
     * Registers the parameter {@code name}, created by {@code factory} outside every scope (see
     * {@link Unscoped}) and marked as requiring grad; returns it.
     */
    protected final Tensor registerParameter(String name, Supplier<Tensor> factory) {
        checkNewName(name);
        Tensor tensor = Unscoped.create(factory);
        if (!tensor.dtype().isFloating()) {
            tensor.close();
            throw new IllegalArgumentException(getClass().getSimpleName() + ": parameter '" + name
                    + "' must be floating, got " + tensor.dtype().shortName());
        }
        parameters.put(name, tensor.requiresGrad(true));
        return tensor;
    }

    /** Registers the buffer {@code name}, created by {@code factory} outside every scope; returns it. */
    protected final Tensor registerBuffer(String name, Supplier<Tensor> factory) {
        checkNewName(name);
        Tensor tensor = Unscoped.create(factory);
        buffers.put(name, tensor);
        return tensor;
    }

    /** Registers {@code module} as the child {@code name}, which this module now owns; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkNewName(name);
        if (module == this) {
            throw new IllegalArgumentException("a module cannot be its own child");
        }
        module.train(training);
        children.put(name, module);
        return module;
    }

    private void checkNewName(String name) {
        checkOpen("register");
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": name '" + name
                    + "' must be non-empty and contain no '.'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": '" + name + "' is already registered");
        }
    }

    /** This module's own parameter {@code name} (the current tensor: {@link #to} replaces it). */
    protected final Tensor parameter(String name) {
        return own(parameters, name, "parameter");
    }

    /** This module's own buffer {@code name}. */
    protected final Tensor buffer(String name) {
        return own(buffers, name, "buffer");
    }

    private Tensor own(Map<String, Tensor> map, String name, String kind) {
        checkOpen("forward");
        Tensor tensor = map.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no " + kind + " '" + name + "'");
        }
        return tensor;
    }

    // ---------------------------------------------------------------- traversal

    /** Every parameter of this module and its descendants, in registration order (own ones first). */
    public final List<Tensor> parameters() {
        return List.copyOf(namedParameters().values());
    }

    /** Every parameter by its dotted name, in the order of {@link #parameters()}. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        collect(named, "", true, false);
        return Collections.unmodifiableMap(named);
    }

    /** Every buffer by its dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        collect(named, "", false, true);
        return Collections.unmodifiableMap(named);
    }

    /** The direct children by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** The number of trainable values. */
    public final long parameterCount() {
        long count = 0;
        for (Tensor parameter : parameters()) {
            count += parameter.numel();
        }
        return count;
    }

    private void collect(Map<String, Tensor> into, String prefix, boolean withParameters, boolean withBuffers) {
        checkOpen("read");
        if (withParameters) {
            parameters.forEach((name, tensor) -> into.put(prefix + name, tensor));
        }
        if (withBuffers) {
            buffers.forEach((name, tensor) -> into.put(prefix + name, tensor));
        }
        children.forEach((name, child) -> child.collect(into, prefix + name + ".", withParameters, withBuffers));
    }

    // ---------------------------------------------------------------- mode, gradients

    /** Sets train mode ({@code true}) or eval mode on this module and every descendant; returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) {
            child.train(mode);
        }
        return this;
    }

    public final Module train() {
        return train(true);
    }

    /** Eval mode: batch norm uses its running statistics, dropout passes its input through. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Frees every parameter's gradient. */
    public final void zeroGrad() {
        for (Tensor parameter : parameters()) {
            parameter.zeroGrad();
        }
    }

    // ---------------------------------------------------------------- state

    /**
     * Parameters, then buffers, of this module, then of each child under its name, as PyTorch's
     * {@code state_dict()} orders them: e.g. {@code 0.weight}, {@code 0.bias},
     * {@code 1.running_mean}, {@code 1.num_batches_tracked} (INT64). The values are the module's own
     * tensors, not copies: do not close them; they stay valid until the module is closed or moved
     * ({@link #to}). To change them, use {@link #loadStateDict}.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        collectState(state, "");
        return Collections.unmodifiableMap(state);
    }

    private void collectState(Map<String, Tensor> into, String prefix) {
        checkOpen("stateDict");
        parameters.forEach((name, tensor) -> into.put(prefix + name, tensor));
        buffers.forEach((name, tensor) -> into.put(prefix + name, tensor));
        children.forEach((name, child) -> child.collectState(into, prefix + name + "."));
    }

    /** What a non-strict {@link #loadStateDict(Map, boolean)} left out. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {}

    /** {@link #loadStateDict(Map, boolean)} with {@code strict}: every key must match. */
    public final LoadResult loadStateDict(Map<String, Tensor> state) {
        return loadStateDict(state, true);
    }

    /**
     * Copies {@code state}'s tensors into this module's parameters and buffers (in place, so an
     * optimizer holding the parameters keeps working), from any device. Shapes and dtypes must
     * match exactly. With {@code strict}, a key this module lacks or a key missing from
     * {@code state} is an error; without it, those keys are skipped and reported in the result.
     * Everything is checked before anything is copied: on an error the module is unchanged.
     *
     * @throws IllegalArgumentException naming every missing and unexpected key and every shape or
     *     dtype mismatch
     */
    public final LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        for (String key : own.keySet()) {
            if (!state.containsKey(key)) {
                missing.add(key);
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : state.keySet()) {
            if (!own.containsKey(key)) {
                unexpected.add(key);
            }
        }
        List<String> problems = new ArrayList<>();
        if (strict && !missing.isEmpty()) {
            problems.add("missing keys " + missing);
        }
        if (strict && !unexpected.isEmpty()) {
            problems.add("unexpected keys " + unexpected);
        }
        for (Map.Entry<String, Tensor> entry : own.entrySet()) {
            Tensor source = state.get(entry.getKey());
            if (source == null) {
                continue;
            }
            Tensor target = entry.getValue();
            if (!Arrays.equals(source.shape(), target.shape())) {
                problems.add("'" + entry.getKey() + "' has shape " + Arrays.toString(source.shape())
                        + " but the module expects " + Arrays.toString(target.shape()));
            }
            if (source.dtype() != target.dtype()) {
                problems.add("'" + entry.getKey() + "' has dtype " + source.dtype().shortName()
                        + " but the module expects " + target.dtype().shortName());
            }
            if (source.isClosed()) {
                problems.add("'" + entry.getKey() + "' was already closed");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict into " + getClass().getSimpleName() + ": "
                    + String.join("; ", problems));
        }
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> entry : own.entrySet()) {
                Tensor source = state.get(entry.getKey());
                if (source != null) {
                    Tensor target = entry.getValue();
                    target.copyFrom(source.to(target.device()));
                }
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ---------------------------------------------------------------- moving, closing

    /**
     * Moves every parameter and buffer to {@code device} (new tensors, the old ones freed, gradients
     * dropped); returns this. Build an optimizer after moving its model: it holds the tensors.
     */
    public Module to(Device device) {
        return convert(tensor -> tensor.device() != device, tensor -> tensor.to(device));
    }

    /**
     * Converts every floating parameter and buffer to the floating {@code dtype} (integer buffers
     * such as {@code num_batches_tracked} keep theirs); returns this.
     */
    public Module to(DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".to: parameters need a floating dtype, got "
                    + dtype.shortName());
        }
        return convert(tensor -> tensor.dtype().isFloating() && tensor.dtype() != dtype, tensor -> tensor.to(dtype));
    }

    private Module convert(Predicate<Tensor> needed, UnaryOperator<Tensor> conversion) {
        checkOpen("to");
        replaceAll(parameters, needed, conversion, true);
        replaceAll(buffers, needed, conversion, false);
        for (Module child : children.values()) {
            child.convert(needed, conversion);
        }
        return this;
    }

    private static void replaceAll(Map<String, Tensor> map, Predicate<Tensor> needed, UnaryOperator<Tensor> conversion,
                                   boolean requiresGrad) {
        for (Map.Entry<String, Tensor> entry : map.entrySet()) {
            Tensor old = entry.getValue();
            if (needed.test(old)) {
                Tensor converted = Unscoped.create(() -> conversion.apply(old));
                entry.setValue(requiresGrad ? converted.requiresGrad(true) : converted);
                old.close();
            }
        }
    }

    /** Frees every parameter, buffer and gradient of this module and its descendants. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        parameters.values().forEach(Tensor::close);
        buffers.values().forEach(Tensor::close);
        for (Module child : children.values()) {
            child.close();
        }
    }

    public final boolean isClosed() {
        return closed;
    }

    private void checkOpen(String what) {
        if (closed) {
            throw new IllegalStateException(what + ": " + getClass().getSimpleName() + " was already closed");
        }
    }

    /** The class name and children, indented, like PyTorch's module printout. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(getClass().getSimpleName()).append('(').append(describe());
        if (!children.isEmpty()) {
            text.append('\n');
            children.forEach((name, child) -> text.append("  (").append(name).append("): ")
                    .append(child.toString().replace("\n", "\n  ")).append('\n'));
        }
        return text.append(')').toString();
    }

    /** The module's settings for {@link #toString()}, e.g. {@code in=4, out=2}. */
    protected String describe() {
        return "";
    }
}
