package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.spi.Distribution;
import io.gasok.spi.Expr;
import java.util.Arrays;

/**
 * Weight initialisation in place, with PyTorch's definitions ({@code torch.nn.init}). Every draw
 * comes from {@link Tensor#random} with a {@link Generator}'s seed and offset, so the same
 * generator state gives the same weights on every backend. Each method draws {@code numel}
 * counters and writes the tensor in one fused launch after the draw; it returns the tensor.
 *
 * <p>Fans follow PyTorch: for a weight of shape {@code [out, in, k...]},
 * {@code fanIn = in · Πk} and {@code fanOut = out · Πk}.
 */
public final class Init {
    private Init() {}

    /** Which fan Kaiming initialisation preserves the variance of. */
    public enum FanMode {
        /** The forward pass's activations (PyTorch's default). */
        FAN_IN,
        /** The backward pass's gradients. */
        FAN_OUT
    }

    /** Uniform on {@code [low, high)}. */
    public static Tensor uniform(Tensor tensor, double low, double high, Generator generator) {
        if (!(low <= high)) {
            throw new IllegalArgumentException("Init.uniform: low " + low + " is greater than high " + high);
        }
        return draw(tensor, Distribution.UNIFORM, low, high - low, generator);
    }

    /** Normal with {@code mean} and standard deviation {@code std}. */
    public static Tensor normal(Tensor tensor, double mean, double std, Generator generator) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("Init.normal: std must be >= 0, got " + std);
        }
        return draw(tensor, Distribution.NORMAL, mean, std, generator);
    }

    /**
     * He et al.: uniform on {@code ±gain·√(3 / fan)} with {@code gain = √(2 / (1 + a²))}, the gain
     * of leaky ReLU with negative slope {@code a} ({@code a = 0} is ReLU's √2).
     */
    public static Tensor kaimingUniform(Tensor tensor, double a, FanMode mode, Generator generator) {
        double bound = Math.sqrt(3.0) * kaimingStd(tensor, a, mode, "kaimingUniform");
        return uniform(tensor, -bound, bound, generator);
    }

    /** He et al.: normal with standard deviation {@code gain / √fan} (gain as in {@link #kaimingUniform}). */
    public static Tensor kaimingNormal(Tensor tensor, double a, FanMode mode, Generator generator) {
        return normal(tensor, 0, kaimingStd(tensor, a, mode, "kaimingNormal"), generator);
    }

    /** Glorot and Bengio: uniform on {@code ±gain·√(6 / (fanIn + fanOut))}. */
    public static Tensor xavierUniform(Tensor tensor, double gain, Generator generator) {
        int[] shape = tensor.shape();
        double bound = gain * Math.sqrt(6.0 / (fanIn(shape, "xavierUniform") + fanOut(shape, "xavierUniform")));
        return uniform(tensor, -bound, bound, generator);
    }

    /** Glorot and Bengio: normal with standard deviation {@code gain·√(2 / (fanIn + fanOut))}. */
    public static Tensor xavierNormal(Tensor tensor, double gain, Generator generator) {
        int[] shape = tensor.shape();
        double std = gain * Math.sqrt(2.0 / (fanIn(shape, "xavierNormal") + fanOut(shape, "xavierNormal")));
        return normal(tensor, 0, std, generator);
    }

    /** {@code shape[1] · Πshape[2..]}, the inputs each output sums over. */
    public static int fanIn(int[] shape, String op) {
        checkFans(shape, op);
        return shape[1] * receptiveField(shape);
    }

    /** {@code shape[0] · Πshape[2..]}. */
    public static int fanOut(int[] shape, String op) {
        checkFans(shape, op);
        return shape[0] * receptiveField(shape);
    }

    private static double kaimingStd(Tensor tensor, double a, FanMode mode, String op) {
        int[] shape = tensor.shape();
        int fan = mode == FanMode.FAN_IN ? fanIn(shape, op) : fanOut(shape, op);
        if (fan == 0) {
            throw new IllegalArgumentException("Init." + op + ": zero fan for shape " + Arrays.toString(shape));
        }
        return Math.sqrt(2.0 / (1 + a * a)) / Math.sqrt(fan);
    }

    private static void checkFans(int[] shape, String op) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("Init." + op + ": fans need a tensor of rank >= 2, got shape "
                    + Arrays.toString(shape));
        }
    }

    private static int receptiveField(int[] shape) {
        int size = 1;
        for (int d = 2; d < shape.length; d++) {
            size *= shape[d];
        }
        return size;
    }

    /** {@code tensor = shift + scale · draw}, the draw at the generator's next counters. */
    private static Tensor draw(Tensor tensor, Distribution distribution, double shift, double scale,
                               Generator generator) {
        DType dtype = tensor.dtype();
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Init: needs a floating tensor, got " + dtype.shortName());
        }
        long offset = generator.advance(tensor.numel());
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            Tensor values = Tensor.random(tensor.device(), distribution, dtype, generator.seed(), offset,
                    tensor.shape());
            Expr affine = Expr.add(Expr.constant(shift, dtype),
                    Expr.mul(Expr.constant(scale, dtype), Expr.input(1, dtype)));
            tensor.updateInPlace(affine, values);
        }
        return tensor;
    }
}
