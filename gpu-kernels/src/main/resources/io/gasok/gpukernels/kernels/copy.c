/*
 * copy_strided: dst[e] = src[e] for every element e, each operand walked through its own layout
 * (makes any view contiguous, or writes into one). Both layouts have the same extents.
 *
 * Options: -DT=<unsigned integer of the element's width> (ubyte, uint32, uint64): a copy moves
 * bits, so float32 and int32 share one program and a NaN's payload survives.
 * NDRange: one work item per element, the count rounded up to the work-group size; item
 * e in [0, count) copies one element, items past count do nothing.
 */
KERNEL void copy_strided(GLOBAL const T* src, const StridedLayout srcLayout,
                         GLOBAL T* dst, const StridedLayout dstLayout, const int64 count) {
    const int64 element = global_id(0);
    if (element < count) {
        dst[strided_position(dstLayout, element)] = src[strided_position(srcLayout, element)];
    }
}
