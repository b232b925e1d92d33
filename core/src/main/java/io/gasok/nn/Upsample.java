package io.gasok.nn;

import io.gasok.Tensor;
import java.util.Arrays;

/**
 * Upsampling of NCHW input by an integer factor, nearest-neighbour or bilinear (with PyTorch's
 * {@code align_corners} choice); the coordinate rules are core's ({@link io.gasok.spi.Upsample2dSpec}).
 */
public final class Upsample extends Module {
    /** How new pixels are computed. */
    public enum Mode {
        NEAREST,
        BILINEAR
    }

    private final int scale;
    private final Mode mode;
    private final boolean alignCorners;

    /** Nearest-neighbour upsampling by {@code scale}. */
    public Upsample(int scale) {
        this(scale, Mode.NEAREST, false);
    }

    public Upsample(int scale, Mode mode, boolean alignCorners) {
        if (scale <= 0) {
            throw new IllegalArgumentException("Upsample: scale must be positive, got " + scale);
        }
        this.scale = scale;
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("Upsample: expects NCHW input, got shape " + Arrays.toString(input.shape()));
        }
        int height = input.dim(2) * scale;
        int width = input.dim(3) * scale;
        return mode == Mode.NEAREST ? input.upsampleNearest(height, width)
                : input.upsampleBilinear(height, width, alignCorners);
    }

    @Override
    protected String describe() {
        return "scale=" + scale + ", mode=" + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (mode == Mode.BILINEAR ? ", alignCorners=" + alignCorners : "");
    }
}
