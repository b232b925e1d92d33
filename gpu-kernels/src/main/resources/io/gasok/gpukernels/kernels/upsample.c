/*
 * Nearest and bilinear resizing of NCHW images (Upsample2dSpec), forward and backward: the
 * reference backend's results (ReferenceUpsampling), bit for bit where ACC is double.
 *
 * Source coordinates, the formulas of Upsample2dSpec evaluated in ACC as Java does in double:
 *   nearest:  min(floor(dst · in / out), in − 1)
 *   bilinear: alignCorners: dst · (in − 1) / (out − 1) (0 when out = 1);
 *             else max(0, (dst + 0.5) · in / out − 0.5);
 *             taps low = floor(s), high = min(low + 1, in − 1), weights 1 − λ and λ = s − low.
 *   upsample2d_forward:  y = x at the nearest source, or the weighted sum of the four taps,
 *                        rows outside, columns inside, in the reference's order of operations.
 *   upsample2d_backward: gx[n, c, h, w] = the sum in ACC of the gradients of the outputs that read
 *                        (h, w), in row-major (oh, ow) order and, within one output, in the order
 *                        (low, low), (low, high), (high, low), (high, high) of its taps: the
 *                        reference's order of additions, without atomics. Source coordinates never
 *                        decrease with dst, so the outputs reading row h are one range of rows,
 *                        found by binary search with the same formulas (likewise for columns).
 *
 * Operands are unmerged 4-D StridedLayouts: extent[] is the shape [batch, channels, rows, columns].
 * Options: -DT=float or -DT=double; -DACC=double where the device has it, else float.
 * NDRange: one work item per output element (forward) or per input element (backward), the count
 * rounded up to the work-group size; item e in [0, count) is (n, c, row, column) in row-major order
 * of that shape, items past count do nothing.
 */
#define NEAREST_TAP 0
#define LOW_TAP 1
#define HIGH_TAP 2

DEVICE_FUNCTION int64 nearest_source(const int64 dst, const int64 in, const int64 out) {
    return min((int64)floor((ACC)dst * (ACC)in / (ACC)out), in - 1);
}

DEVICE_FUNCTION ACC bilinear_source(const int64 dst, const int64 in, const int64 out, const int alignCorners) {
    if (alignCorners) {
        return out > 1 ? (ACC)dst * (ACC)(in - 1) / (ACC)(out - 1) : (ACC)0;
    }
    const ACC source = ((ACC)dst + (ACC)0.5f) * (ACC)in / (ACC)out - (ACC)0.5f;
    return source > 0 ? source : (ACC)0;
}

/* One output row's (or column's) two bilinear taps and their weights. */
typedef struct {
    int64 low, high;
    ACC lowWeight, highWeight;
} Taps;

DEVICE_FUNCTION Taps bilinear_taps(const int64 dst, const int64 in, const int64 out, const int alignCorners) {
    const ACC source = bilinear_source(dst, in, out, alignCorners);
    Taps taps;
    taps.low = (int64)floor(source);
    taps.high = min(taps.low + 1, in - 1);
    taps.highWeight = source - (ACC)taps.low;
    taps.lowWeight = 1 - taps.highWeight;
    return taps;
}

DEVICE_FUNCTION int64 source_tap(const int tap, const int64 dst, const int64 in, const int64 out,
                                 const int alignCorners) {
    if (tap == NEAREST_TAP) {
        return nearest_source(dst, in, out);
    }
    const Taps taps = bilinear_taps(dst, in, out, alignCorners);
    return tap == LOW_TAP ? taps.low : taps.high;
}

/* The first dst in [0, out) whose source tap is at least target, or out: taps never decrease. */
DEVICE_FUNCTION int64 first_reading_at_least(const int tap, const int64 target, const int64 in, const int64 out,
                                             const int alignCorners) {
    int64 low = 0;
    int64 high = out;
    while (low < high) {
        const int64 middle = low + (high - low) / 2;
        if (source_tap(tap, middle, in, out, alignCorners) >= target) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    return low;
}

KERNEL void upsample2d_forward(GLOBAL const T* x, const StridedLayout xLayout,
                               GLOBAL T* y, const StridedLayout yLayout, const int64 count,
                               const int bilinear, const int alignCorners) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    const int64 inHeight = xLayout.extent[2];
    const int64 inWidth = xLayout.extent[3];
    const int64 outHeight = yLayout.extent[2];
    const int64 outWidth = yLayout.extent[3];
    const int64 ow = element % outWidth;
    const int64 oh = (element / outWidth) % outHeight;
    const int64 c = (element / (outWidth * outHeight)) % yLayout.extent[1];
    const int64 n = element / (outWidth * outHeight * yLayout.extent[1]);
    const int64 plane = xLayout.offset + n * xLayout.stride[0] + c * xLayout.stride[1];
    const int64 rowStride = xLayout.stride[2];
    const int64 colStride = xLayout.stride[3];
    T value;
    if (!bilinear) {
        value = x[plane + nearest_source(oh, inHeight, outHeight) * rowStride
                  + nearest_source(ow, inWidth, outWidth) * colStride];
    } else {
        const Taps rows = bilinear_taps(oh, inHeight, outHeight, alignCorners);
        const Taps cols = bilinear_taps(ow, inWidth, outWidth, alignCorners);
        const ACC lowLow = (ACC)x[plane + rows.low * rowStride + cols.low * colStride];
        const ACC lowHigh = (ACC)x[plane + rows.low * rowStride + cols.high * colStride];
        const ACC highLow = (ACC)x[plane + rows.high * rowStride + cols.low * colStride];
        const ACC highHigh = (ACC)x[plane + rows.high * rowStride + cols.high * colStride];
        value = (T)(rows.lowWeight * (cols.lowWeight * lowLow + cols.highWeight * lowHigh)
                    + rows.highWeight * (cols.lowWeight * highLow + cols.highWeight * highHigh));
    }
    y[yLayout.offset + n * yLayout.stride[0] + c * yLayout.stride[1] + oh * yLayout.stride[2]
      + ow * yLayout.stride[3]] = value;
}

KERNEL void upsample2d_backward(GLOBAL const T* gy, const StridedLayout gyLayout,
                                GLOBAL T* gx, const StridedLayout gxLayout, const int64 count,
                                const int bilinear, const int alignCorners) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    const int64 inHeight = gxLayout.extent[2];
    const int64 inWidth = gxLayout.extent[3];
    const int64 outHeight = gyLayout.extent[2];
    const int64 outWidth = gyLayout.extent[3];
    const int64 w = element % inWidth;
    const int64 h = (element / inWidth) % inHeight;
    const int64 c = (element / (inWidth * inHeight)) % gxLayout.extent[1];
    const int64 n = element / (inWidth * inHeight * gxLayout.extent[1]);
    const int64 plane = gyLayout.offset + n * gyLayout.stride[0] + c * gyLayout.stride[1];
    const int64 rowStride = gyLayout.stride[2];
    const int64 colStride = gyLayout.stride[3];

    /* Outputs reading row h: nearest, source = h; bilinear, low <= h <= high. */
    const int firstTap = bilinear ? HIGH_TAP : NEAREST_TAP;
    const int endTap = bilinear ? LOW_TAP : NEAREST_TAP;
    const int64 firstRow = first_reading_at_least(firstTap, h, inHeight, outHeight, alignCorners);
    const int64 endRow = first_reading_at_least(endTap, h + 1, inHeight, outHeight, alignCorners);
    const int64 firstCol = first_reading_at_least(firstTap, w, inWidth, outWidth, alignCorners);
    const int64 endCol = first_reading_at_least(endTap, w + 1, inWidth, outWidth, alignCorners);
    ACC sum = 0;
    for (int64 oh = firstRow; oh < endRow; oh++) {
        if (!bilinear) {
            for (int64 ow = firstCol; ow < endCol; ow++) {
                sum += (ACC)gy[plane + oh * rowStride + ow * colStride];
            }
            continue;
        }
        const Taps rows = bilinear_taps(oh, inHeight, outHeight, alignCorners);
        for (int64 ow = firstCol; ow < endCol; ow++) {
            const Taps cols = bilinear_taps(ow, inWidth, outWidth, alignCorners);
            const ACC gradient = (ACC)gy[plane + oh * rowStride + ow * colStride];
            if (rows.low == h && cols.low == w) {
                sum += gradient * rows.lowWeight * cols.lowWeight;
            }
            if (rows.low == h && cols.high == w) {
                sum += gradient * rows.lowWeight * cols.highWeight;
            }
            if (rows.high == h && cols.low == w) {
                sum += gradient * rows.highWeight * cols.lowWeight;
            }
            if (rows.high == h && cols.high == w) {
                sum += gradient * rows.highWeight * cols.highWeight;
            }
        }
    }
    gx[gxLayout.offset + n * gxLayout.stride[0] + c * gxLayout.stride[1] + h * gxLayout.stride[2]
       + w * gxLayout.stride[3]] = (T)sum;
}
