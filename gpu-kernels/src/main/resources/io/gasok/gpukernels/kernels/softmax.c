/*
 * softmax: along one axis of extent K, for every line x of the input,
 *   out = exp(x - max) / Σ exp(x - max)          (logarithm = 0)
 *   out = x - max - log Σ exp(x - max)            (logarithm = 1)
 * Subtracting the line's maximum keeps every exponent at most 0; a NaN anywhere in a line makes
 * the whole line NaN, as in the reference.
 *
 * inLines/outLines lay out the lines' first elements (the shape without the axis); element k of
 * line g sits at strided_position(inLines, g) + k · inAxisStride (likewise for out).
 * Options: -DT=float or -DT=double (also the accumulator), -DGROUP_SIZE (a power of two; the host
 * launches with exactly this local size).
 * NDRange: one work-group of GROUP_SIZE items per line, global size = lines · GROUP_SIZE. Item l
 * handles k = l, l + GROUP_SIZE, ...; the line's maximum and then its sum are combined by trees
 * in local memory (log2 GROUP_SIZE barriers each), then every item writes its own elements.
 */
DEVICE_FUNCTION T nan_propagating_max(const T a, const T b) {
    return (isnan(a) || isnan(b)) ? a + b : (a > b ? a : b);
}

KERNEL void softmax(GLOBAL const T* in, const StridedLayout inLines, const int64 inAxisStride,
                    GLOBAL T* out, const StridedLayout outLines, const int64 outAxisStride,
                    const int64 extent, const int logarithm) {
    LOCAL_ARRAY(T, partial, GROUP_SIZE);
    const int64 line = group_id(0);
    const int item = local_id(0);
    const int64 inStart = strided_position(inLines, line);
    const int64 outStart = strided_position(outLines, line);

    T max = -INFINITY;
    for (int64 k = item; k < extent; k += GROUP_SIZE) {
        max = nan_propagating_max(max, in[inStart + k * inAxisStride]);
    }
    partial[item] = max;
    BARRIER();
    for (int width = GROUP_SIZE / 2; width > 0; width /= 2) {
        if (item < width) {
            partial[item] = nan_propagating_max(partial[item], partial[item + width]);
        }
        BARRIER();
    }
    max = partial[0];
    BARRIER();

    T sum = 0;
    for (int64 k = item; k < extent; k += GROUP_SIZE) {
        sum += exp(in[inStart + k * inAxisStride] - max);
    }
    partial[item] = sum;
    BARRIER();
    for (int width = GROUP_SIZE / 2; width > 0; width /= 2) {
        if (item < width) {
            partial[item] += partial[item + width];
        }
        BARRIER();
    }
    sum = partial[0];

    const T logSum = log(sum);
    for (int64 k = item; k < extent; k += GROUP_SIZE) {
        const T shifted = in[inStart + k * inAxisStride] - max;
        out[outStart + k * outAxisStride] = logarithm ? shifted - logSum : exp(shifted) / sum;
    }
}
