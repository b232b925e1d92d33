package io.gasok.spi;

/**
 * Nearest or bilinear resizing of NCHW {@code [batch, channels, inHeight, inWidth]} to
 * {@code [batch, channels, outHeight, outWidth]}.
 *
 * <p>Nearest: source index {@code floor(dst * in / out)} (PyTorch's {@code nearest}, ONNX's
 * {@code asymmetric} + {@code floor}). Bilinear: with {@code alignCorners} the corner pixels of
 * input and output coincide ({@code src = dst * (in - 1) / (out - 1)}); without, pixel centres are
 * aligned ({@code src = (dst + 0.5) * in / out - 0.5}, clamped at 0), as PyTorch and ONNX's
 * {@code half_pixel}.
 */
public record Upsample2dSpec(Mode mode, int batch, int channels, int inHeight, int inWidth,
                             int outHeight, int outWidth, boolean alignCorners) {

    public enum Mode { NEAREST, BILINEAR }

    /** The source coordinate of output row or column {@code dst} for bilinear sampling. */
    public double bilinearSource(int dst, int in, int out) {
        if (alignCorners) {
            return out > 1 ? (double) dst * (in - 1) / (out - 1) : 0;
        }
        return Math.max(0, (dst + 0.5) * in / out - 0.5);
    }

    /** The source index of output row or column {@code dst} for nearest sampling. */
    public int nearestSource(int dst, int in, int out) {
        return Math.min((int) Math.floor((double) dst * in / out), in - 1);
    }
}
