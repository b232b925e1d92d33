package io.gasok.io;

import io.gasok.DType;

/**
 * An element type as a file stores it, named as safetensors names it.
 *
 * <p>Files hold more types than Gasok computes in; each loads as the Gasok {@link DType} that holds
 * every one of its values exactly ({@link #loadsAs()}): F16 and BF16 become FLOAT32, the narrow
 * integers INT32, U32 becomes INT64. Types that no Gasok dtype holds exactly (U64, the 8-bit floats,
 * complex) are refused with a clear error rather than converted with a loss.
 *
 * <p>Gasok writes F64, F32, I64, I32 and BOOL (a tensor's own dtype), and F16 or BF16 when asked to
 * store floating tensors in half precision (rounding to nearest, ties to even).
 */
public enum StoredType {
    F64(8, DType.FLOAT64),
    F32(4, DType.FLOAT32),
    F16(2, DType.FLOAT32),
    BF16(2, DType.FLOAT32),
    I64(8, DType.INT64),
    I32(4, DType.INT32),
    I16(2, DType.INT32),
    I8(1, DType.INT32),
    U32(4, DType.INT64),
    U16(2, DType.INT32),
    U8(1, DType.INT32),
    BOOL(1, DType.BOOL);

    private final int byteSize;
    private final DType loadsAs;

    StoredType(int byteSize, DType loadsAs) {
        this.byteSize = byteSize;
        this.loadsAs = loadsAs;
    }

    /** Bytes per element in the file. */
    public int byteSize() {
        return byteSize;
    }

    /** The Gasok dtype a tensor stored with this type loads as (holding every value exactly). */
    public DType loadsAs() {
        return loadsAs;
    }

    /** True for F64, F32, F16 and BF16. */
    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The type that stores a Gasok dtype without loss (FLOAT32 → F32, BOOL → BOOL, ...). */
    public static StoredType of(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> F32;
            case FLOAT64 -> F64;
            case INT32 -> I32;
            case INT64 -> I64;
            case BOOL -> BOOL;
        };
    }
}
