package io.gasok.nn;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing axes {@code normalizedShape}, PyTorch's definition:
 * {@code y = (x - mean) / √(var + eps) · weight + bias}, mean and biased variance over those axes of
 * each sample; {@code weight} (ones) and {@code bias} (zeros) have shape {@code normalizedShape}.
 * No running statistics: train and eval compute the same.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final double eps;
    private final boolean affine;

    public LayerNorm(int... normalizedShape) {
        this(normalizedShape, 1e-5, true);
    }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(n -> n <= 0) || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: needs a non-empty shape of positive extents and eps > 0, got "
                    + Arrays.toString(normalizedShape) + ", eps " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.affine = elementwiseAffine;
        Device device = Device.getDefault();
        if (elementwiseAffine) {
            registerParameter("weight", () -> Tensor.ones(device, DType.FLOAT32, this.normalizedShape));
            registerParameter("bias", () -> Tensor.zeros(device, DType.FLOAT32, this.normalizedShape));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        int k = normalizedShape.length;
        int[] shape = input.shape();
        if (shape.length < k || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length),
                normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm" + Arrays.toString(normalizedShape) + ": input shape "
                    + Arrays.toString(shape) + " does not end in " + Arrays.toString(normalizedShape));
        }
        int[] axes = new int[k];
        for (int i = 0; i < k; i++) {
            axes[i] = shape.length - k + i;
        }
        Tensor centred = input.sub(input.mean(axes, true));
        Tensor variance = centred.mul(centred).mean(axes, true);
        Tensor normalised = centred.div(variance.add(eps).sqrt());
        return affine ? normalised.mul(parameter("weight")).add(parameter("bias")) : normalised;
    }

    /** The scale, or null without elementwise affine parameters. */
    public Tensor weight() {
        return affine ? parameter("weight") : null;
    }

    public Tensor bias() {
        return affine ? parameter("bias") : null;
    }

    @Override
    protected String describe() {
        return Arrays.toString(normalizedShape) + ", eps=" + eps + ", affine=" + affine;
    }
}
