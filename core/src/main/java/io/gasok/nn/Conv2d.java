package io.gasok.nn;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import java.util.Arrays;

/**
 * 2-D convolution of NCHW input with a square kernel: {@code weight} is
 * {@code [out, in/groups, k, k]}, {@code bias} {@code [out]}; zero padding on every side. With
 * {@code groups == in == out} core runs its depthwise kernel.
 *
 * <p>Initialised as PyTorch's {@code nn.Conv2d}: Kaiming-uniform with {@code a = √5} (uniform on
 * {@code ±1/√fanIn}, {@code fanIn = in/groups · k²}), the bias uniform on the same bound.
 */
public final class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final boolean hasBias;

    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0);
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, stride, padding, 1, 1, true, Generator.global());
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, Generator generator) {
        if (inChannels <= 0 || outChannels <= 0 || kernel <= 0 || stride <= 0 || padding < 0 || dilation <= 0
                || groups <= 0) {
            throw new IllegalArgumentException("Conv2d: channels, kernel, stride, dilation and groups must be positive"
                    + " and padding >= 0");
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups " + groups + " must divide in " + inChannels
                    + " and out " + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.hasBias = bias;
        Device device = Device.getDefault();
        registerParameter("weight", () -> Init.kaimingUniform(
                Tensor.zeros(device, DType.FLOAT32, outChannels, inChannels / groups, kernel, kernel), Math.sqrt(5),
                Init.FanMode.FAN_IN, generator));
        if (bias) {
            double bound = 1 / Math.sqrt((double) inChannels / groups * kernel * kernel);
            registerParameter("bias", () -> Init.uniform(Tensor.zeros(device, DType.FLOAT32, outChannels),
                    -bound, bound, generator));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d(" + inChannels + " -> " + outChannels + "): expects NCHW input"
                    + " with " + inChannels + " channels, got shape " + Arrays.toString(input.shape()));
        }
        return input.conv2d(weight(), bias(), new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation}, groups);
    }

    public Tensor weight() {
        return parameter("weight");
    }

    /** The bias, or null for a layer built without one. */
    public Tensor bias() {
        return hasBias ? parameter("bias") : null;
    }

    @Override
    protected String describe() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kernel + ", stride=" + stride
                + ", padding=" + padding + (dilation != 1 ? ", dilation=" + dilation : "")
                + (groups != 1 ? ", groups=" + groups : "") + ", bias=" + hasBias;
    }
}
