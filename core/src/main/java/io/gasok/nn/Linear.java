package io.gasok.nn;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.Arrays;

/**
 * {@code y = x Wᵀ + b} over the last axis: {@code weight} is {@code [out, in]}, {@code bias}
 * {@code [out]}; any leading axes are batch axes.
 *
 * <p>Initialised as PyTorch's {@code nn.Linear}: the weight Kaiming-uniform with {@code a = √5}
 * (uniform on {@code ±1/√in}), the bias uniform on {@code ±1/√in}; FLOAT32 on the default device.
 * The forward is one GEMM with the bias added in its epilogue ({@link Tensor#linear}); a
 * {@link Sequential} that follows it with a {@link ReLU} fuses that into the epilogue too.
 */
public final class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Generator.global());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this(inFeatures, outFeatures, bias, Generator.global());
    }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator generator) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear: feature counts must be positive, got in " + inFeatures
                    + ", out " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.hasBias = bias;
        Device device = Device.getDefault();
        registerParameter("weight", () -> Init.kaimingUniform(
                Tensor.zeros(device, DType.FLOAT32, outFeatures, inFeatures), Math.sqrt(5), Init.FanMode.FAN_IN,
                generator));
        if (bias) {
            double bound = 1 / Math.sqrt(inFeatures);
            registerParameter("bias", () -> Init.uniform(Tensor.zeros(device, DType.FLOAT32, outFeatures),
                    -bound, bound, generator));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(input, false);
    }

    /** The forward, with a ReLU applied in the same launch when {@code relu} (for {@link Sequential}). */
    Tensor forward(Tensor input, boolean relu) {
        if (input.rank() == 0 || input.dim(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(" + inFeatures + " -> " + outFeatures + "): input shape "
                    + Arrays.toString(input.shape()) + " does not end in " + inFeatures);
        }
        return relu ? input.linearRelu(weight(), bias()) : input.linear(weight(), bias());
    }

    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias, or null for a layer built without one. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    protected String describe() {
        return "in=" + inFeatures + ", out=" + outFeatures + ", bias=" + hasBias;
    }
}
