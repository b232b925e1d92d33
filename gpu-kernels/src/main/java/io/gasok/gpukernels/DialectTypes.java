package io.gasok.gpukernels;

import io.gasok.DType;

/** The dialect's C type names for each dtype, as the backends pass them in {@code -D} options. */
public final class DialectTypes {
    private DialectTypes() {}

    /** The C type of a buffer element: float, double, int, int64, ubyte (BOOL as 0 or 1). */
    public static String elementType(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "float";
            case FLOAT64 -> "double";
            case INT32 -> "int";
            case INT64 -> "int64";
            case BOOL -> "ubyte";
        };
    }

    /** The unsigned type of an element's width, for kernels that move bits (copies). */
    public static String bitsType(DType dtype) {
        return switch (dtype.byteSize()) {
            case 1 -> "ubyte";
            case 4 -> "uint32";
            case 8 -> "uint64";
            default -> throw new IllegalArgumentException("no bits type of " + dtype.byteSize() + " bytes");
        };
    }

    /** The type a value of {@code dtype} is computed in: floats as themselves, integers and BOOL as int64. */
    public static String valueType(DType dtype) {
        return dtype.isFloating() ? elementType(dtype) : "int64";
    }
}
