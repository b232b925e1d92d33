package io.gasok.nn;

import io.gasok.Tensor;

/**
 * Average pooling of NCHW input over square windows; padded positions count in the divisor when
 * {@code countIncludePad} (PyTorch's default, true).
 */
public final class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** Windows of {@code kernel}, stride {@code kernel}, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0, false, true);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true);
    }

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor input) {
        return input.avgPool2d(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding},
                ceilMode, countIncludePad);
    }

    @Override
    protected String describe() {
        return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}
