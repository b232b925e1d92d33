package io.gasok.spi;

/**
 * Max or average pooling over NCHW {@code x} of {@code [batch, channels, inHeight, inWidth]}.
 *
 * <p>Padding may differ per side; padded positions never win a max and, for average pooling,
 * count in the divisor only when {@code countIncludePad}. Output size:
 * {@code (in + padBefore + padAfter - kernel) / stride + 1}, or rounded up when {@code ceilMode}
 * (a window must still start inside the input or the leading padding). Max-pool backward sends
 * each gradient to the first maximum of its window, as the forward chose it.
 */
public record Pool2dSpec(
        Kind kind, int batch, int channels, int inHeight, int inWidth,
        int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
        int padTop, int padLeft, int padBottom, int padRight,
        boolean ceilMode, boolean countIncludePad) {

    public enum Kind { MAX, AVG }

    public int outHeight() {
        return outSize(inHeight, kernelHeight, strideHeight, padTop, padBottom);
    }

    public int outWidth() {
        return outSize(inWidth, kernelWidth, strideWidth, padLeft, padRight);
    }

    private int outSize(int in, int kernel, int stride, int before, int after) {
        int span = in + before + after - kernel;
        int out = (ceilMode ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceilMode && (out - 1) * stride >= in + before) {
            out--;
        }
        return out;
    }
}
