package io.gasok.nn;

/** {@link BatchNorm} of NCHW input. */
public final class BatchNorm2d extends BatchNorm {

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public BatchNorm2d(int features) {
        this(features, 1e-5, 0.1, true);
    }

    public BatchNorm2d(int features, double eps, double momentum, boolean affine) {
        super(features, eps, momentum, affine);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 4;
    }

    @Override
    String expectedLayout() {
        return "NCHW";
    }
}
