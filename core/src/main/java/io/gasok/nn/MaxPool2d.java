package io.gasok.nn;

import io.gasok.Tensor;

/** Max pooling of NCHW input over square windows; padded positions never win. */
public final class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    /** Windows of {@code kernel}, stride {@code kernel} (PyTorch's default), no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0, false);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false);
    }

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.maxPool2d(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding},
                ceilMode);
    }

    @Override
    protected String describe() {
        return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + (ceilMode ? ", ceil" : "");
    }
}
