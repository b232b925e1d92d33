package io.gasok.spi;

/**
 * A 2-D convolution (cross-correlation, as in PyTorch and ONNX) over NCHW input {@code x} of
 * {@code [batch, inChannels, inHeight, inWidth]} with weights {@code [outChannels, inChannels / groups,
 * kernelHeight, kernelWidth]} into {@code [batch, outChannels, outHeight, outWidth]}.
 *
 * <p>Padding is zero and may differ per side (ONNX allows it); the output size is
 * {@code (in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride + 1}. Depthwise
 * convolution is {@code groups == inChannels == outChannels}.
 */
public record Conv2dSpec(
        int batch, int inChannels, int inHeight, int inWidth,
        int outChannels, int kernelHeight, int kernelWidth,
        int strideHeight, int strideWidth,
        int padTop, int padLeft, int padBottom, int padRight,
        int dilationHeight, int dilationWidth,
        int groups,
        Epilogue epilogue) {

    public int outHeight() {
        return (inHeight + padTop + padBottom - dilationHeight * (kernelHeight - 1) - 1) / strideHeight + 1;
    }

    public int outWidth() {
        return (inWidth + padLeft + padRight - dilationWidth * (kernelWidth - 1) - 1) / strideWidth + 1;
    }

    public boolean isDepthwise() {
        return groups == inChannels && groups == outChannels;
    }

    public long flops() {
        return 2L * batch * outChannels * outHeight() * outWidth() * (inChannels / groups) * kernelHeight * kernelWidth;
    }
}
