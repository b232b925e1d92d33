package io.gasok.nn;

import io.gasok.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied in order, each to the previous one's output; the children are named
 * {@code "0"}, {@code "1"}, ... as in PyTorch, so a {@code Sequential} of a {@link Linear} and a
 * {@link BatchNorm1d} has state keys {@code 0.weight}, {@code 0.bias}, {@code 1.weight}, ...,
 * {@code 1.num_batches_tracked}. It owns its modules: closing it closes them.
 *
 * <p>A {@link Linear} directly followed by a {@link ReLU} runs as one launch, the ReLU applied in
 * the GEMM's epilogue ({@link Tensor#linearRelu}): the same values, one launch and one tensor fewer.
 */
public final class Sequential extends Module {
    private final List<Module> modules = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module module : modules) {
            add(module);
        }
    }

    /** Appends {@code module} under the next index; returns this. */
    public Sequential add(Module module) {
        registerModule(Integer.toString(modules.size()), module);
        modules.add(module);
        return this;
    }

    /** The {@code index}-th module. */
    public Module get(int index) {
        if (index < 0 || index >= modules.size()) {
            throw new IndexOutOfBoundsException("Sequential of " + modules.size() + " modules has no module " + index);
        }
        return modules.get(index);
    }

    public int size() {
        return modules.size();
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (int i = 0; i < modules.size(); i++) {
            Module module = modules.get(i);
            if (module instanceof Linear linear && i + 1 < modules.size() && modules.get(i + 1) instanceof ReLU) {
                x = linear.forward(x, true);
                i++;
            } else {
                x = module.forward(x);
            }
        }
        return x;
    }
}
