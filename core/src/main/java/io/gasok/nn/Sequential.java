package io.gasok.nn;

import io.gasok.Tensor;

/**
 * Modules applied in order, each to the previous one's output; the children are named
 * {@code "0"}, {@code "1"}, ... as in PyTorch, so a {@code Sequential} of a {@link Linear} and a
 * {@link BatchNorm1d} has state keys {@code 0.weight}, {@code 0.bias}, {@code 1.weight}, ...,
 * {@code 1.num_batches_tracked}. It owns its modules: closing it closes them.
 */
public final class Sequential extends Module {
    private int size;

    public Sequential(Module... modules) {
        for (Module module : modules) {
            add(module);
        }
    }

    /** Appends {@code module} under the next index; returns this. */
    public Sequential add(Module module) {
        registerModule(Integer.toString(size), module);
        size++;
        return this;
    }

    /** The {@code index}-th module. */
    public Module get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Sequential of " + size + " modules has no module " + index);
        }
        return children().get(Integer.toString(index));
    }

    public int size() {
        return size;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module module : children().values()) {
            x = module.forward(x);
        }
        return x;
    }
}
