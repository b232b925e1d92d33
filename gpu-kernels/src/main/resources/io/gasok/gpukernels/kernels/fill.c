/*
 * fill: out[e] = value for every element e of a strided operand (any view: offset and strides).
 *
 * Options: -DT=<element type> (float, double, int, int64, ubyte); the host converts the value to T.
 * NDRange: one work item per element, the count rounded up to the work-group size; item
 * e in [0, count) writes out[strided_position(layout, e)], items past count do nothing.
 */
KERNEL void fill(GLOBAL T* out, const StridedLayout layout, const int64 count, const T value) {
    const int64 element = global_id(0);
    if (element < count) {
        out[strided_position(layout, element)] = value;
    }
}
