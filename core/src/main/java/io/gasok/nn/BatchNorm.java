package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import io.gasok.spi.Expr;
import java.util.Arrays;

/**
 * Batch normalisation over axis 1 (channels), PyTorch's definition. In train mode the batch's mean
 * and biased variance normalise the input, and the running statistics move towards the batch's by
 * {@code momentum}: {@code running = (1 - momentum)·running + momentum·batch}, with the
 * <em>unbiased</em> variance ({@code n / (n - 1)}) going into {@code running_var}, and
 * {@code num_batches_tracked} (INT64) counts the updates. In eval mode the running statistics
 * normalise, folded into one scale and shift per channel.
 *
 * <p>Parameters {@code weight} (ones) and {@code bias} (zeros) when affine; buffers
 * {@code running_mean}, {@code running_var}, {@code num_batches_tracked}.
 */
public abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d {
    private final int features;
    private final double eps;
    private final double momentum;
    private final boolean affine;

    BatchNorm(int features, double eps, double momentum, boolean affine) {
        if (features <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": features must be positive, got "
                    + features);
        }
        if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": needs eps > 0 and momentum in [0, 1], got eps "
                    + eps + ", momentum " + momentum);
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        Device device = Device.getDefault();
        if (affine) {
            registerParameter("weight", () -> Tensor.ones(device, DType.FLOAT32, features));
            registerParameter("bias", () -> Tensor.zeros(device, DType.FLOAT32, features));
        }
        registerBuffer("running_mean", () -> Tensor.zeros(device, DType.FLOAT32, features));
        registerBuffer("running_var", () -> Tensor.ones(device, DType.FLOAT32, features));
        registerBuffer("num_batches_tracked", () -> Tensor.zeros(device, DType.INT64));
    }

    /** The input ranks this variant accepts. */
    abstract boolean acceptsRank(int rank);

    abstract String expectedLayout();

    @Override
    public Tensor forward(Tensor input) {
        if (!acceptsRank(input.rank()) || input.dim(1) != features) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + features + "): expects "
                    + expectedLayout() + " input with " + features + " channels, got shape "
                    + Arrays.toString(input.shape()));
        }
        int[] statShape = new int[input.rank()];
        Arrays.fill(statShape, 1);
        statShape[1] = features;
        if (!isTraining()) {
            Tensor scale = runningVar().add(eps).sqrt().rdiv(1);
            Tensor shift = runningMean().mul(scale).neg();
            if (affine) {
                scale = scale.mul(weight());
                shift = shift.mul(weight()).add(bias());
            }
            return input.mul(scale.reshape(statShape)).add(shift.reshape(statShape));
        }
        int[] axes = new int[input.rank() - 1];
        for (int i = 0, axis = 0; axis < input.rank(); axis++) {
            if (axis != 1) {
                axes[i++] = axis;
            }
        }
        int count = input.numel() / features;
        if (count <= 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": training needs more than one value per"
                    + " channel, got input shape " + Arrays.toString(input.shape()));
        }
        Tensor mean = input.mean(axes, true);
        Tensor centred = input.sub(mean);
        Tensor variance = centred.mul(centred).mean(axes, true);
        Tensor normalised = centred.div(variance.add(eps).sqrt());
        updateRunningStatistics(mean, variance, count);
        return affine ? normalised.mul(weight().reshape(statShape)).add(bias().reshape(statShape)) : normalised;
    }

    private void updateRunningStatistics(Tensor mean, Tensor variance, int count) {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor runningMean = runningMean();
            DType t = runningMean.dtype();
            Expr old = Expr.input(0, t);
            Expr batch = Expr.input(1, t);
            Expr keep = Expr.constant(1 - momentum, t);
            runningMean.updateInPlace(Expr.add(Expr.mul(keep, old), Expr.mul(Expr.constant(momentum, t), batch)),
                    mean.reshape(features).to(t));
            double unbiased = momentum * count / (count - 1.0);
            runningVar().updateInPlace(Expr.add(Expr.mul(keep, old), Expr.mul(Expr.constant(unbiased, t), batch)),
                    variance.reshape(features).to(t));
            Tensor tracked = buffer("num_batches_tracked");
            tracked.updateInPlace(Expr.add(Expr.input(0, DType.INT64), Expr.constant(1, DType.INT64)));
        }
    }

    /** The scale, or null without affine parameters. */
    public Tensor weight() {
        return affine ? parameter("weight") : null;
    }

    /** The shift, or null without affine parameters. */
    public Tensor bias() {
        return affine ? parameter("bias") : null;
    }

    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** How many train-mode batches updated the running statistics. */
    public long numBatchesTracked() {
        return (long) buffer("num_batches_tracked").item();
    }

    @Override
    protected String describe() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine;
    }
}
