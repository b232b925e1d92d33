package io.gasok.nn;

import io.gasok.Tensor;

/** Flattens axes {@code start..end} (inclusive) into one; by default all but the batch axis. */
public final class Flatten extends Module {
    private final int start;
    private final int end;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int start, int end) {
        this.start = start;
        this.end = end;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.flatten(start, end);
    }

    @Override
    protected String describe() {
        return "start=" + start + ", end=" + end;
    }
}
