/*
 * Indexing along one axis with INT64 indices; an index outside [0, extent) is never followed:
 * the item sets *outOfRange = 1 (every such item writes the same value) and stops, and the host
 * reads the flag after the launch and reports the first bad index as the reference does.
 *
 *   gather:      out[e] = in[inLines(e) + index[e] · inAxisStride], e over out's elements. inLines
 *                walks in with stride 0 along the axis (the start of the line the index selects
 *                in) over out's shape. PyTorch's gather, and index-select too: there the index
 *                layout has the 1-D index's stride along the axis and 0 elsewhere.
 *   scatter_add: target[t] += src[j] for every j along the axis, in increasing j, where
 *                index[j] = t's coordinate along the axis. One item per target element of the
 *                lines src covers scans its line of the index in order: the reference's order of
 *                additions (src's row-major order), without atomics, deterministic. Floats add in
 *                T (the reference's double sum of two floats rounds to the same float); integers
 *                wrap in 64 bits and BOOL is 1 when the sum is not 0, as the reference stores them.
 *
 * Options: gather: -DT=<unsigned integer of the element's width> (moves bits, like copy_strided);
 * scatter_add, compiled only when ACC is defined: -DT=<element type>, -DACC=T for floats or uint64
 * for integers and BOOL (wrapping), -DT_IS_BOOL=0 or 1.
 * NDRange: one work item per element of the domain, the count rounded up to the work-group size;
 * items past count do nothing. gather: item e in [0, count) is out's row-major element e.
 * scatter_add: the domain is (lines, slot) with slot in [0, targetAxisExtent) the coordinate along
 * the axis; item e is line e / targetAxisExtent, slot e % targetAxisExtent. The lines are the
 * elements of src's shape without the axis, and targetLines, indexLines and srcLines lay out their
 * first elements.
 */
KERNEL void gather(GLOBAL const T* in, const StridedLayout inLines, const int64 inAxisStride,
                   const int64 inAxisExtent, GLOBAL const int64* index, const StridedLayout indexLayout,
                   GLOBAL T* out, const StridedLayout outLayout, const int64 count, GLOBAL int* outOfRange) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    const int64 picked = index[strided_position(indexLayout, element)];
    if (picked < 0 || picked >= inAxisExtent) {
        *outOfRange = 1;
        return;
    }
    out[strided_position(outLayout, element)] = in[strided_position(inLines, element) + picked * inAxisStride];
}

#ifdef ACC
#if T_IS_BOOL
#define STORE(sum) ((T)((sum) != 0))
#else
#define STORE(sum) ((T)(sum))
#endif

KERNEL void scatter_add(GLOBAL T* target, const StridedLayout targetLines, const int64 targetAxisStride,
                        const int64 targetAxisExtent, GLOBAL const int64* index, const StridedLayout indexLines,
                        const int64 indexAxisStride, GLOBAL const T* src, const StridedLayout srcLines,
                        const int64 srcAxisStride, const int64 srcAxisExtent, const int64 count,
                        GLOBAL int* outOfRange) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    const int64 line = element / targetAxisExtent;
    const int64 slot = element % targetAxisExtent;
    const int64 indexStart = strided_position(indexLines, line);
    const int64 srcStart = strided_position(srcLines, line);
    const int64 at = strided_position(targetLines, line) + slot * targetAxisStride;
    ACC sum = (ACC)target[at];
    int added = 0;
    for (int64 j = 0; j < srcAxisExtent; j++) {
        const int64 picked = index[indexStart + j * indexAxisStride];
        if (picked < 0 || picked >= targetAxisExtent) {
            *outOfRange = 1;
            return;
        }
        if (picked == slot) {
            sum += (ACC)src[srcStart + j * srcAxisStride];
            added = 1;
        }
    }
    if (added) {
        target[at] = STORE(sum);
    }
}
#endif
