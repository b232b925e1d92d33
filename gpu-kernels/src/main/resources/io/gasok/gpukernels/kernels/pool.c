/*
 * Max and average pooling of NCHW images (Pool2dSpec), forward and backward: the reference
 * backend's results (ReferencePooling), bit for bit where ACC is double.
 *
 * The window of output (oh, ow) covers input rows [top, top + kernelHeight), top = oh·strideHeight −
 * padTop, and columns [left, left + kernelWidth), left = ow·strideWidth − padLeft, clipped to the
 * input: padded positions never win a max and add nothing to an average. The average's divisor is
 * the number of input pixels in the clipped window, or, with countIncludePad, the window clipped
 * to the padded input (PyTorch's rule: a ceil-mode window running past the padding does not count
 * that part).
 *   pool2d_forward:  MAX: the window's first maximum in row-major window order (a NaN beats every
 *                    number and the first NaN is final; -inf for a window without input pixels);
 *                    AVG: the window's sum in ACC over the divisor (0 for an empty window).
 *   pool2d_backward: gx[n, c, h, w] = the sum in ACC, over the windows that contain (h, w) in
 *                    row-major (oh, ow) order, of gy[n, c, oh, ow] when (h, w) is that window's
 *                    first maximum (MAX; the window is searched again), or of gy / divisor (AVG).
 *                    Every input pixel gathers its own gradient: no atomics, the same order of
 *                    additions as the reference, deterministic.
 *
 * Operands are unmerged 4-D StridedLayouts: extent[] is the shape [batch, channels, rows, columns].
 * Options: -DT=float or -DT=double; -DACC=double where the device has it (the reference computes
 * in double), else float.
 * NDRange: one work item per output element (forward) or per input element (backward), the count
 * rounded up to the work-group size; item e in [0, count) is (n, c, row, column) in row-major order
 * of that shape, items past count do nothing.
 */
typedef struct {
    int64 inHeight, inWidth;
    int64 kernelHeight, kernelWidth, strideHeight, strideWidth;
    int64 padTop, padLeft, padBottom, padRight;
    int countIncludePad;
} PoolGeometry;

/* The input rows [rowStart, rowEnd) and columns [colStart, colEnd) of a window, and its divisor. */
typedef struct {
    int64 rowStart, rowEnd, colStart, colEnd, divisor;
} PoolWindow;

DEVICE_FUNCTION PoolWindow pool_window(const PoolGeometry g, const int64 oh, const int64 ow) {
    const int64 top = oh * g.strideHeight - g.padTop;
    const int64 left = ow * g.strideWidth - g.padLeft;
    PoolWindow w;
    w.rowStart = max(top, (int64)0);
    w.rowEnd = min(top + g.kernelHeight, g.inHeight);
    w.colStart = max(left, (int64)0);
    w.colEnd = min(left + g.kernelWidth, g.inWidth);
    if (g.countIncludePad) {
        const int64 paddedBottom = min(top + g.kernelHeight, g.inHeight + g.padBottom);
        const int64 paddedRight = min(left + g.kernelWidth, g.inWidth + g.padRight);
        w.divisor = (paddedBottom - top) * (paddedRight - left);
    } else {
        w.divisor = (w.rowEnd - w.rowStart) * (w.colEnd - w.colStart);
    }
    return w;
}

DEVICE_FUNCTION int window_is_empty(const PoolWindow w) {
    return w.rowStart >= w.rowEnd || w.colStart >= w.colEnd;
}

/* The in-plane index row·inWidth + column of the window's first maximum, or -1 for an empty
   window; the plane's pixel (row, column) is x[plane + row·rowStride + column·columnStride]. */
DEVICE_FUNCTION int64 first_maximum(GLOBAL const T* x, const int64 plane, const int64 rowStride,
                                    const int64 columnStride, const PoolWindow w, const int64 inWidth) {
    int64 best = -1;
    T bestValue = -INFINITY;
    for (int64 row = w.rowStart; row < w.rowEnd; row++) {
        for (int64 col = w.colStart; col < w.colEnd; col++) {
            const T value = x[plane + row * rowStride + col * columnStride];
            if (best < 0 || (!isnan(bestValue) && (value > bestValue || isnan(value)))) {
                best = row * inWidth + col;
                bestValue = value;
            }
        }
    }
    return best;
}

#define POOL_GEOMETRY_PARAMETERS const int64 kernelHeight, const int64 kernelWidth, \
        const int64 strideHeight, const int64 strideWidth, const int64 padTop, const int64 padLeft, \
        const int64 padBottom, const int64 padRight, const int countIncludePad

DEVICE_FUNCTION PoolGeometry pool_geometry(const StridedLayout input, POOL_GEOMETRY_PARAMETERS) {
    PoolGeometry g;
    g.inHeight = input.extent[2];
    g.inWidth = input.extent[3];
    g.kernelHeight = kernelHeight;
    g.kernelWidth = kernelWidth;
    g.strideHeight = strideHeight;
    g.strideWidth = strideWidth;
    g.padTop = padTop;
    g.padLeft = padLeft;
    g.padBottom = padBottom;
    g.padRight = padRight;
    g.countIncludePad = countIncludePad;
    return g;
}

KERNEL void pool2d_forward(GLOBAL const T* x, const StridedLayout xLayout,
                           GLOBAL T* y, const StridedLayout yLayout, const int64 count,
                           POOL_GEOMETRY_PARAMETERS, const int isMax) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    const PoolGeometry g = pool_geometry(xLayout, kernelHeight, kernelWidth, strideHeight, strideWidth,
                                         padTop, padLeft, padBottom, padRight, countIncludePad);
    const int64 ow = element % yLayout.extent[3];
    const int64 oh = (element / yLayout.extent[3]) % yLayout.extent[2];
    const int64 c = (element / (yLayout.extent[3] * yLayout.extent[2])) % yLayout.extent[1];
    const int64 n = element / (yLayout.extent[3] * yLayout.extent[2] * yLayout.extent[1]);
    const int64 plane = xLayout.offset + n * xLayout.stride[0] + c * xLayout.stride[1];
    const PoolWindow w = pool_window(g, oh, ow);
    T value;
    if (isMax) {
        const int64 at = first_maximum(x, plane, xLayout.stride[2], xLayout.stride[3], w, g.inWidth);
        value = at < 0 ? (T)(-INFINITY)
                : x[plane + (at / g.inWidth) * xLayout.stride[2] + (at % g.inWidth) * xLayout.stride[3]];
    } else if (window_is_empty(w)) {
        value = 0;
    } else {
        ACC sum = 0;
        for (int64 row = w.rowStart; row < w.rowEnd; row++) {
            for (int64 col = w.colStart; col < w.colEnd; col++) {
                sum += (ACC)x[plane + row * xLayout.stride[2] + col * xLayout.stride[3]];
            }
        }
        value = (T)(sum / (ACC)w.divisor);
    }
    y[yLayout.offset + n * yLayout.stride[0] + c * yLayout.stride[1] + oh * yLayout.stride[2]
      + ow * yLayout.stride[3]] = value;
}

KERNEL void pool2d_backward(GLOBAL const T* x, const StridedLayout xLayout,
                            GLOBAL const T* gy, const StridedLayout gyLayout,
                            GLOBAL T* gx, const StridedLayout gxLayout, const int64 count,
                            POOL_GEOMETRY_PARAMETERS, const int isMax) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    const PoolGeometry g = pool_geometry(gxLayout, kernelHeight, kernelWidth, strideHeight, strideWidth,
                                         padTop, padLeft, padBottom, padRight, countIncludePad);
    const int64 w = element % g.inWidth;
    const int64 h = (element / g.inWidth) % g.inHeight;
    const int64 c = (element / (g.inWidth * g.inHeight)) % gxLayout.extent[1];
    const int64 n = element / (g.inWidth * g.inHeight * gxLayout.extent[1]);
    const int64 xPlane = xLayout.offset + n * xLayout.stride[0] + c * xLayout.stride[1];
    const int64 gyPlane = gyLayout.offset + n * gyLayout.stride[0] + c * gyLayout.stride[1];

    /* Windows containing row h: top <= h < top + kernelHeight, top = oh·strideHeight − padTop. */
    const int64 firstRow = max(floor_divide_int64(h + padTop - kernelHeight, strideHeight) + 1, (int64)0);
    const int64 lastRow = min((h + padTop) / strideHeight, gyLayout.extent[2] - 1);
    const int64 firstCol = max(floor_divide_int64(w + padLeft - kernelWidth, strideWidth) + 1, (int64)0);
    const int64 lastCol = min((w + padLeft) / strideWidth, gyLayout.extent[3] - 1);
    const int64 self = h * g.inWidth + w;
    ACC sum = 0;
    for (int64 oh = firstRow; oh <= lastRow; oh++) {
        for (int64 ow = firstCol; ow <= lastCol; ow++) {
            const PoolWindow window = pool_window(g, oh, ow);
            const ACC gradient = (ACC)gy[gyPlane + oh * gyLayout.stride[2] + ow * gyLayout.stride[3]];
            if (isMax) {
                if (first_maximum(x, xPlane, xLayout.stride[2], xLayout.stride[3], window, g.inWidth) == self) {
                    sum += gradient;
                }
            } else {
                sum += gradient / (ACC)window.divisor;
            }
        }
    }
    gx[gxLayout.offset + n * gxLayout.stride[0] + c * gxLayout.stride[1] + h * gxLayout.stride[2]
       + w * gxLayout.stride[3]] = (T)sum;
}
