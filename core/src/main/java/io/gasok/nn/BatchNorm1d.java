package io.gasok.nn;

/** {@link BatchNorm} of {@code [N, C]} or {@code [N, C, L]} input. */
public final class BatchNorm1d extends BatchNorm {

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine. */
    public BatchNorm1d(int features) {
        this(features, 1e-5, 0.1, true);
    }

    public BatchNorm1d(int features, double eps, double momentum, boolean affine) {
        super(features, eps, momentum, affine);
    }

    @Override
    boolean acceptsRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    String expectedLayout() {
        return "[N, C] or [N, C, L]";
    }
}
