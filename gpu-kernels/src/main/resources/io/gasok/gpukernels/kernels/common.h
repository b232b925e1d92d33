/*
 * Shared by every kernel, compiled after the API's prelude: the strided operand layout every
 * kernel takes, and the conversions and integer operations whose semantics are decided once in
 * core (Java's conversions, Python's floor division).
 *
 * A StridedLayout is passed by value as one kernel argument: the host packs it as 2 + 2·MAX_RANK
 * int64 values (offset, rank, extents, strides; no padding) after merging the dimensions it can,
 * so most operands arrive with rank 1.
 */
#define MAX_RANK 8

typedef struct {
    int64 offset;
    int64 rank;
    int64 extent[MAX_RANK];
    int64 stride[MAX_RANK];
} StridedLayout;

/* The buffer index of the element at row-major linear index `linear` of a strided operand. */
DEVICE_FUNCTION int64 strided_position(const StridedLayout layout, int64 linear) {
    int64 position = layout.offset;
    for (int axis = (int)layout.rank - 1; axis >= 0; axis--) {
        const int64 extent = layout.extent[axis];
        position += (linear % extent) * layout.stride[axis];
        linear /= extent;
    }
    return position;
}

/* Java's floating-to-integer conversions: truncation toward zero, saturation, NaN gives 0.
   The bounds are powers of two, exact in float and in double. */
#define FLOAT_TO_INT32(x) (isnan(x) ? 0 : ((x) >= 2147483648.0f ? 2147483647 \
        : ((x) <= -2147483648.0f ? (-2147483647 - 1) : (int)(x))))
#define FLOAT_TO_INT64(x) (isnan(x) ? (int64)0 : ((x) >= 9223372036854775808.0f ? (int64)9223372036854775807 \
        : ((x) <= -9223372036854775808.0f ? (-(int64)9223372036854775807 - 1) : (int64)(x))))

/* Python's a // b on integers; division by zero gives 0 (kernels cannot throw), and the one
   overflowing quotient, MIN // -1, wraps as Java's Math.floorDiv does. */
DEVICE_FUNCTION int64 floor_divide_int64(int64 a, int64 b) {
    if (b == 0) {
        return 0;
    }
    if (b == -1) {
        return (int64)((uint64)0 - (uint64)a);
    }
    int64 quotient = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) {
        quotient -= 1;
    }
    return quotient;
}

/* Python's a % b on integers: the result has the divisor's sign; b = 0 gives 0. */
DEVICE_FUNCTION int64 floor_modulo_int64(int64 a, int64 b) {
    if (b == 0 || b == -1) {
        return 0;
    }
    const int64 remainder = a % b;
    return remainder != 0 && ((remainder < 0) != (b < 0)) ? remainder + b : remainder;
}
