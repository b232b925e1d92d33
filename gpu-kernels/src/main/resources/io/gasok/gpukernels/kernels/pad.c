/*
 * pad: dst[j] = src[j − before] where that lies inside src, else value, for every element j of dst
 * (a negative before crops src's front, a short dst crops its back). src and dst have one rank.
 *
 * PadBox says where src sits in dst's coordinates: along axis d, dst coordinates
 * [first[d], end[d]) hold src's elements 0, 1, ... (first = before, end = before + src's extent);
 * it also carries the fill value's bits. The host packs it in a StridedLayout-sized argument and
 * merges the axes it can (extent-1 axes, and neighbours that are neither padded nor cropped).
 * dstLayout is dst's view after that merging; srcLayout has src's strides for the same axes and
 * its offset moved past the front crop of the axes where src covers all of dst (its extents are
 * dst's and go unused).
 *
 * Options: -DT=<unsigned integer of the element's width> (ubyte, uint32, uint64): pad moves bits,
 * and the host passes the value converted to dst's dtype as those bits.
 * NDRange: one work item per element of dst, the count rounded up to the work-group size; item
 * e in [0, count) writes dst's row-major element e, items past count do nothing.
 */
typedef struct {
    int64 valueBits;
    int64 rank;
    int64 first[MAX_RANK];
    int64 end[MAX_RANK];
} PadBox;

KERNEL void pad(GLOBAL const T* src, const StridedLayout srcLayout, GLOBAL T* dst, const StridedLayout dstLayout,
                const PadBox box, const int64 count) {
    const int64 element = global_id(0);
    if (element >= count) {
        return;
    }
    int64 linear = element;
    int64 dstPosition = dstLayout.offset;
    int64 srcPosition = srcLayout.offset;
    int inside = 1;
    for (int axis = (int)dstLayout.rank - 1; axis >= 0; axis--) {
        const int64 coordinate = linear % dstLayout.extent[axis];
        linear /= dstLayout.extent[axis];
        dstPosition += coordinate * dstLayout.stride[axis];
        inside = inside && coordinate >= box.first[axis] && coordinate < box.end[axis];
        srcPosition += (coordinate - box.first[axis]) * srcLayout.stride[axis];
    }
    dst[dstPosition] = inside ? src[srcPosition] : (T)box.valueBits;
}
