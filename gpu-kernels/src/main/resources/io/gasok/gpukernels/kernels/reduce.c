/*
 * Reductions over any set of axes: out[g] = op over the K input elements of output element g.
 *
 * The host orders the input's axes as (kept axes..., reduced axes...), so output element g owns the
 * input elements at row-major linear indices [g·K, g·K + K) of inLayout, and k in [0, K) is the
 * index along the reduced axes (for argmax/argmin, the one reduced axis).
 *   reduce_sum:     SUM, accumulated in ACC; an empty window (K = 0) gives 0.
 *   reduce_extreme: MAX/MIN (writeIndex = 0) or ARGMAX/ARGMIN (writeIndex = 1): NaN beats every
 *                   number, and the first index wins ties (the first NaN among NaNs).
 *
 * Options: -DT (input element type), -DT_IS_FLOATING (0 or 1), -DACC (sum accumulator: the float
 * type itself, int64 for integers and bool), -DOUT_T (output element type), -DGROUP_SIZE (a power
 * of two; the host launches with exactly this local size).
 * NDRange: one work-group of GROUP_SIZE items per output element, global size = outputs ·
 * GROUP_SIZE. Item l of group g folds k = l, l + GROUP_SIZE, ... in increasing order; the group
 * then combines its GROUP_SIZE partial results by a tree in local memory (log2 GROUP_SIZE steps,
 * one barrier each), and item 0 writes out[strided_position(outLayout, g)].
 */
#if T_IS_FLOATING
#define VALUE_IS_NAN(x) isnan(x)
#else
#define VALUE_IS_NAN(x) 0
#endif

/* Marks a partial result that saw no element (K < GROUP_SIZE): it loses to everything. */
#define NO_INDEX ((int64)-1)

KERNEL void reduce_sum(GLOBAL const T* in, const StridedLayout inLayout, const int64 reducedCount,
                       GLOBAL OUT_T* out, const StridedLayout outLayout) {
    LOCAL_ARRAY(ACC, partialSums, GROUP_SIZE);
    const int64 group = group_id(0);
    const int item = local_id(0);
    const int64 first = group * reducedCount;
    ACC sum = 0;
    for (int64 k = item; k < reducedCount; k += GROUP_SIZE) {
        sum += (ACC)in[strided_position(inLayout, first + k)];
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
        out[strided_position(outLayout, group)] = (OUT_T)partialSums[0];
    }
}

/* True when the candidate (value, index) beats the best so far under the rules above. */
DEVICE_FUNCTION int beats(const T candidate, const int64 candidateIndex, const T best, const int64 bestIndex,
                          const int wantMinimum) {
    if (candidateIndex == NO_INDEX) {
        return 0;
    }
    if (bestIndex == NO_INDEX) {
        return 1;
    }
    if (VALUE_IS_NAN(candidate)) {
        return !VALUE_IS_NAN(best) || candidateIndex < bestIndex;
    }
    if (VALUE_IS_NAN(best)) {
        return 0;
    }
    if (candidate == best) {
        return candidateIndex < bestIndex;
    }
    return wantMinimum ? candidate < best : candidate > best;
}

KERNEL void reduce_extreme(GLOBAL const T* in, const StridedLayout inLayout, const int64 reducedCount,
                           GLOBAL OUT_T* out, const StridedLayout outLayout,
                           const int wantMinimum, const int writeIndex) {
    LOCAL_ARRAY(T, partialValues, GROUP_SIZE);
    LOCAL_ARRAY(int64, partialIndices, GROUP_SIZE);
    const int64 group = group_id(0);
    const int item = local_id(0);
    const int64 first = group * reducedCount;
    T best = 0;
    int64 bestIndex = NO_INDEX;
    for (int64 k = item; k < reducedCount; k += GROUP_SIZE) {
        const T value = in[strided_position(inLayout, first + k)];
        if (beats(value, k, best, bestIndex, wantMinimum)) {
            best = value;
            bestIndex = k;
        }
    }
    partialValues[item] = best;
    partialIndices[item] = bestIndex;
    BARRIER();
    for (int width = GROUP_SIZE / 2; width > 0; width /= 2) {
        if (item < width && beats(partialValues[item + width], partialIndices[item + width],
                                  partialValues[item], partialIndices[item], wantMinimum)) {
            partialValues[item] = partialValues[item + width];
            partialIndices[item] = partialIndices[item + width];
        }
        BARRIER();
    }
    if (item == 0) {
        const int64 position = strided_position(outLayout, group);
        out[position] = writeIndex ? (OUT_T)partialIndices[0] : (OUT_T)partialValues[0];
    }
}
