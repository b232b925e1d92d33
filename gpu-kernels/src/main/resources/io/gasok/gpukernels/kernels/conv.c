/*
 * 2-D convolution (cross-correlation) over contiguous NCHW tensors, as the reference defines it:
 * input x[n, ci, ih, iw], weights w[co, ci', kh, kw], output y[n, co, oh, ow]; output pixel
 * (oh, ow) reads input row ih = oh·strideHeight - padTop + kh·dilationHeight and column
 * iw = ow·strideWidth - padLeft + kw·dilationWidth, zero outside the input.
 *
 * The general convolution is im2col + gemm_tiled (gemm.c) + col2im:
 *   im2col:  col[s·colSampleStride + row·colRowStride + position] = x[s, ci, ih, iw] (0 in the
 *            padding), row = (ci·kernelHeight + kh)·kernelWidth + kw, position = oh·outWidth + ow;
 *            the host picks the strides: [sample][row][position] for the forward and input-gradient
 *            products, [row][sample][position] for the weight gradient (samples then join k).
 *   im2col_lines: the same columns, for CPU devices: one item writes a whole output line (the
 *            outWidth positions of one oh). im2col splits each element's index with five integer
 *            divisions, which a CPU does one vector lane at a time (PoCL vectorises across items),
 *            and that cost 30× the copy itself on PoCL (measured at 64×80×80, 3×3); per line it
 *            is paid once per outWidth elements. On a GPU neighbouring items would write lines
 *            apart, so GPUs keep im2col, whose neighbouring items write neighbouring positions.
 *   col2im:  gx[s, ci, ih, iw] = Σ_{kh, kw} col[s, row(ci, kh, kw), position(oh, ow)] over the taps
 *            whose output pixel (oh, ow) lands on (ih, iw): a gather, so each input element is
 *            written once by one item (deterministic, no atomics).
 * Depthwise convolution (groups = channels, one filter w[c, 0, kh, kw] per channel) has direct
 * kernels, since its im2col would give one-row products:
 *   depthwise_forward:         y = ACTIVATION(alpha · Σ_{kh, kw} x · w + bias[c] + beta · y_old)
 *                              (y_old read only when beta != 0)
 *   depthwise_backward_input:  gx[n, c, ih, iw] = Σ_{kh, kw} gy[n, c, oh, ow] · w[c, 0, kh, kw]
 *   depthwise_backward_weight: gw[c, 0, kh, kw] = Σ_{n, oh, ow} x[n, c, ih, iw] · gy[n, c, oh, ow]
 *
 * Options: -DT=float or -DT=double (also the accumulator), -DGROUP_SIZE (a power of two, the
 * local size of every launch), optionally -DACTIVATION(value,param)=<C form> (EpilogueOptions).
 * NDRange: im2col one item per col element (samples · channels·kernelHeight·kernelWidth ·
 * outHeight·outWidth, below 2^31: the host's column buffer has an int length, so the kernels split
 * their index in 32-bit arithmetic, as col2im does for gx's int-sized index), im2col_lines one
 * item per line (samples · channels·kernelHeight·kernelWidth · outHeight), col2im and depthwise_backward_input one item per input element,
 * depthwise_forward one per output element, each rounded up to GROUP_SIZE (items past the end do
 * nothing). depthwise_backward_weight: one work-group per weight element (global size =
 * channels·kernelHeight·kernelWidth · GROUP_SIZE); item l folds the (n, oh, ow) positions
 * l, l + GROUP_SIZE, ... in increasing order, and the group adds its GROUP_SIZE partial sums by a
 * tree in local memory (log2 GROUP_SIZE steps, one barrier each); item 0 writes the weight.
 */
#ifndef ACTIVATION
#define ACTIVATION(value, param) (value)
#endif

/* The geometry every kernel takes, in this order (OpenClConvolution passes it). */
#define CONV_GEOMETRY const int channels, const int inHeight, const int inWidth, \
        const int kernelHeight, const int kernelWidth, const int strideHeight, const int strideWidth, \
        const int padTop, const int padLeft, const int dilationHeight, const int dilationWidth, \
        const int outHeight, const int outWidth

/* The output row (or column) whose tap at `offset` = in + pad - k·dilation lands on the input
   row, or -1 when the offset is negative, not a multiple of the stride, or past the output.
   Stride 1 (most layers) skips the divisions, which CPUs do one vector lane at a time. */
DEVICE_FUNCTION int output_index(const int offset, const int stride, const int outExtent) {
    if (stride == 1) {
        return offset >= 0 && offset < outExtent ? offset : -1;
    }
    if (offset < 0 || offset % stride != 0 || offset / stride >= outExtent) {
        return -1;
    }
    return offset / stride;
}

KERNEL void im2col(GLOBAL const T* x, const int64 xOffset, const int samples, CONV_GEOMETRY,
                   GLOBAL T* col, const int64 colSampleStride, const int64 colRowStride) {
    const int positions = outHeight * outWidth;
    const int rows = channels * kernelHeight * kernelWidth;
    if (global_id(0) >= (int64)samples * rows * positions) {
        return;
    }
    const int element = (int)global_id(0);
    const int position = element % positions;
    const int sampleRow = element / positions;
    const int row = sampleRow % rows;
    const int sample = sampleRow / rows;
    const int kw = row % kernelWidth;
    const int channelTap = row / kernelWidth;
    const int kh = channelTap % kernelHeight;
    const int channel = channelTap / kernelHeight;
    const int oh = position / outWidth;
    const int ih = oh * strideHeight - padTop + kh * dilationHeight;
    const int iw = (position - oh * outWidth) * strideWidth - padLeft + kw * dilationWidth;
    T value = 0;
    if (ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth) {
        value = x[xOffset + (((int64)sample * channels + channel) * inHeight + ih) * inWidth + iw];
    }
    col[sample * colSampleStride + row * colRowStride + position] = value;
}

KERNEL void im2col_lines(GLOBAL const T* x, const int64 xOffset, const int samples, CONV_GEOMETRY,
                         GLOBAL T* col, const int64 colSampleStride, const int64 colRowStride) {
    const int rows = channels * kernelHeight * kernelWidth;
    if (global_id(0) >= (int64)samples * rows * outHeight) {
        return;
    }
    const int line = (int)global_id(0);
    const int oh = line % outHeight;
    const int sampleRow = line / outHeight;
    const int row = sampleRow % rows;
    const int sample = sampleRow / rows;
    const int kw = row % kernelWidth;
    const int channelTap = row / kernelWidth;
    const int kh = channelTap % kernelHeight;
    const int channel = channelTap / kernelHeight;
    const int ih = oh * strideHeight - padTop + kh * dilationHeight;
    const int iwStart = kw * dilationWidth - padLeft;
    GLOBAL T* out = col + sample * colSampleStride + row * colRowStride + (int64)oh * outWidth;
    if (ih < 0 || ih >= inHeight) {
        for (int ow = 0; ow < outWidth; ow++) {
            out[ow] = 0;
        }
        return;
    }
    GLOBAL const T* in = x + xOffset + (((int64)sample * channels + channel) * inHeight + ih) * inWidth;
    for (int ow = 0; ow < outWidth; ow++) {
        const int iw = ow * strideWidth + iwStart;
        out[ow] = iw >= 0 && iw < inWidth ? in[iw] : 0;
    }
}

KERNEL void col2im(GLOBAL const T* col, const int64 colSampleStride, const int64 colRowStride,
                   const int samples, CONV_GEOMETRY, GLOBAL T* gx, const int64 gxOffset) {
    if (global_id(0) >= (int64)samples * channels * inHeight * inWidth) {
        return;
    }
    const int element = (int)global_id(0);
    const int iw = element % inWidth;
    const int imageRow = element / inWidth;
    const int ih = imageRow % inHeight;
    const int image = imageRow / inHeight;
    const int64 channel = image % channels;
    const int64 sample = image / channels;
    T sum = 0;
    for (int kh = 0; kh < kernelHeight; kh++) {
        const int oh = output_index(ih + padTop - kh * dilationHeight, strideHeight, outHeight);
        for (int kw = 0; kw < kernelWidth; kw++) {
            const int ow = output_index(iw + padLeft - kw * dilationWidth, strideWidth, outWidth);
            if (oh >= 0 && ow >= 0) {
                const int64 row = (channel * kernelHeight + kh) * kernelWidth + kw;
                sum += col[sample * colSampleStride + row * colRowStride + (int64)oh * outWidth + ow];
            }
        }
    }
    gx[gxOffset + element] = sum;
}

KERNEL void depthwise_forward(GLOBAL const T* x, const int64 xOffset, GLOBAL const T* w, const int64 wOffset,
                              GLOBAL const T* bias, const int64 biasOffset, const int64 biasStride, const int hasBias,
                              GLOBAL T* y, const int64 yOffset, const int samples, CONV_GEOMETRY,
                              const T alpha, const T beta, const T activationParam) {
    const int64 element = global_id(0);
    if (element >= (int64)samples * channels * outHeight * outWidth) {
        return;
    }
    const int ow = (int)(element % outWidth);
    const int oh = (int)((element / outWidth) % outHeight);
    const int64 plane = element / ((int64)outWidth * outHeight);
    const int64 channel = plane % channels;
    GLOBAL const T* input = x + xOffset + plane * inHeight * inWidth;
    GLOBAL const T* filter = w + wOffset + channel * kernelHeight * kernelWidth;
    T sum = 0;
    for (int kh = 0; kh < kernelHeight; kh++) {
        const int ih = oh * strideHeight - padTop + kh * dilationHeight;
        for (int kw = 0; kw < kernelWidth; kw++) {
            const int iw = ow * strideWidth - padLeft + kw * dilationWidth;
            if (ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth) {
                sum += input[ih * inWidth + iw] * filter[kh * kernelWidth + kw];
            }
        }
    }
    T value = alpha * sum;
    if (hasBias) {
        value += bias[biasOffset + channel * biasStride];
    }
    if (beta != 0) {
        value += beta * y[yOffset + element];
    }
    y[yOffset + element] = ACTIVATION(value, activationParam);
}

KERNEL void depthwise_backward_input(GLOBAL const T* gy, const int64 gyOffset, GLOBAL const T* w, const int64 wOffset,
                                     GLOBAL T* gx, const int64 gxOffset, const int samples, CONV_GEOMETRY) {
    const int64 element = global_id(0);
    if (element >= (int64)samples * channels * inHeight * inWidth) {
        return;
    }
    const int iw = (int)(element % inWidth);
    const int ih = (int)((element / inWidth) % inHeight);
    const int64 plane = element / ((int64)inWidth * inHeight);
    const int64 channel = plane % channels;
    GLOBAL const T* gradient = gy + gyOffset + plane * outHeight * outWidth;
    GLOBAL const T* filter = w + wOffset + channel * kernelHeight * kernelWidth;
    T sum = 0;
    for (int kh = 0; kh < kernelHeight; kh++) {
        const int oh = output_index(ih + padTop - kh * dilationHeight, strideHeight, outHeight);
        for (int kw = 0; kw < kernelWidth; kw++) {
            const int ow = output_index(iw + padLeft - kw * dilationWidth, strideWidth, outWidth);
            if (oh >= 0 && ow >= 0) {
                sum += gradient[oh * outWidth + ow] * filter[kh * kernelWidth + kw];
            }
        }
    }
    gx[gxOffset + element] = sum;
}

KERNEL void depthwise_backward_weight(GLOBAL const T* x, const int64 xOffset, GLOBAL const T* gy, const int64 gyOffset,
                                      GLOBAL T* gw, const int64 gwOffset, const int samples, CONV_GEOMETRY) {
    LOCAL_ARRAY(T, partialSums, GROUP_SIZE);
    const int64 weight = group_id(0);
    const int item = local_id(0);
    const int kw = (int)(weight % kernelWidth);
    const int kh = (int)((weight / kernelWidth) % kernelHeight);
    const int64 channel = weight / ((int64)kernelWidth * kernelHeight);
    const int64 positions = (int64)outHeight * outWidth;
    T sum = 0;
    for (int64 j = item; j < samples * positions; j += GROUP_SIZE) {
        const int64 plane = (j / positions) * channels + channel;
        const int64 position = j % positions;
        const int oh = (int)(position / outWidth);
        const int ow = (int)(position % outWidth);
        const int ih = oh * strideHeight - padTop + kh * dilationHeight;
        const int iw = ow * strideWidth - padLeft + kw * dilationWidth;
        if (ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth) {
            sum += x[xOffset + (plane * inHeight + ih) * inWidth + iw] * gy[gyOffset + plane * positions + position];
        }
    }
    partialSums[item] = sum;
    BARRIER();
    for (int width = GROUP_SIZE / 2; width > 0; width /= 2) {
        if (item < width) {
            partialSums[item] += partialSums[item + width];
        }
        BARRIER();
    }
    if (item == 0) {
        gw[gwOffset + weight] = partialSums[0];
    }
}
