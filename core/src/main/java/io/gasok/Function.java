package io.gasok;

/**
 * A user-defined differentiable op, in the style of PyTorch's {@code autograd.Function}: write the
 * forward with tensor ops (it runs with grad recording off) and the backward with tensor ops, and
 * {@link #apply} records it in the graph through {@link Autograd#record}, the same mechanism every
 * built-in op uses.
 *
 * <pre>{@code
 * Function softplus = new Function("softplus") {
 *     protected Tensor forward(Context ctx, Tensor... in) {
 *         ctx.save(in[0]);
 *         return in[0].exp().add(1).log();
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor gradOutput) {
 *         return new Tensor[] {gradOutput.mul(ctx.saved(0).sigmoid())};
 *     }
 * };
 * Tensor y = softplus.apply(x);
 * }</pre>
 */
public abstract class Function {
    private final String name;

    protected Function(String name) {
        this.name = name;
    }

    /** Computes the output; tensors the backward needs go to {@link Context#save}. */
    protected abstract Tensor forward(Context ctx, Tensor... inputs);

    /** One gradient per input (null where none), each of that input's shape. */
    protected abstract Tensor[] backward(Context ctx, Tensor gradOutput);

    /** Runs the forward and, when a gradient is needed, records the backward. */
    public final Tensor apply(Tensor... inputs) {
        Context ctx = new Context();
        Tensor output;
        try (Autograd.GradMode off = Autograd.noGrad()) {
            output = forward(ctx, inputs);
        }
        if (output == null) {
            throw new IllegalStateException(name + ": forward returned null");
        }
        for (Tensor input : inputs) {
            if (output == input) {
                output = input.detach();
                break;
            }
        }
        return Autograd.record(name, output, gradOutput -> backward(ctx, gradOutput), inputs);
    }

    public String name() {
        return name;
    }

    /** What a forward keeps for its backward, checked against in-place changes. */
    public static final class Context {
        private final java.util.List<Autograd.Saved> saved = new java.util.ArrayList<>();

        public void save(Tensor... tensors) {
            for (Tensor tensor : tensors) {
                saved.add(Autograd.save(tensor));
            }
        }

        /** The {@code index}-th saved tensor; fails if it was changed in place since. */
        public Tensor saved(int index) {
            return saved.get(index).get();
        }
    }
}
