package io.gasok;

/**
 * The element types of a tensor.
 *
 * <p>Floating types compute; integer types hold indices and labels; {@link #BOOL} holds masks (the
 * result of a comparison, the condition of {@code where}). Mixed operands are promoted by one table,
 * {@link #promote(DType, DType)}, which follows PyTorch: a floating type wins over an integer type,
 * the wider type of the same kind wins, and {@code BOOL} is the narrowest of all.
 *
 * <p>On the host, each type is stored in one Java array type: {@code float[]}, {@code double[]},
 * {@code int[]}, {@code long[]}, and {@code byte[]} (0 or 1) for {@code BOOL}.
 */
public enum DType {
    FLOAT32(4, true, 2),
    FLOAT64(8, true, 3),
    INT32(4, false, 0),
    INT64(8, false, 1),
    BOOL(1, false, -1);

    private final int byteSize;
    private final boolean floating;
    private final int rank;
    private final String shortName;

    DType(int byteSize, boolean floating, int rank) {
        this.byteSize = byteSize;
        this.floating = floating;
        this.rank = rank;
        this.shortName = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Bytes per element on every backend. */
    public int byteSize() {
        return byteSize;
    }

    /** True for FLOAT32 and FLOAT64. */
    public boolean isFloating() {
        return floating;
    }

    /** True for INT32 and INT64. */
    public boolean isInteger() {
        return !floating && this != BOOL;
    }

    /**
     * The type two operands of a binary op are computed in: BOOL &lt; INT32 &lt; INT64 &lt;
     * FLOAT32 &lt; FLOAT64 (so INT64 with FLOAT32 gives FLOAT32, as in PyTorch).
     */
    public static DType promote(DType a, DType b) {
        return a.rank >= b.rank ? a : b;
    }

    /** The type true division and the transcendental functions give: integers become FLOAT32. */
    public DType toFloating() {
        return floating ? this : FLOAT32;
    }

    /** A new host array of this type. */
    public Object newArray(int length) {
        return switch (this) {
            case FLOAT32 -> new float[length];
            case FLOAT64 -> new double[length];
            case INT32 -> new int[length];
            case INT64 -> new long[length];
            case BOOL -> new byte[length];
        };
    }

    /** The type whose host array class is {@code array.getClass()}. */
    public static DType ofArray(Object array) {
        return switch (array) {
            case float[] a -> FLOAT32;
            case double[] a -> FLOAT64;
            case int[] a -> INT32;
            case long[] a -> INT64;
            case byte[] a -> BOOL;
            default -> throw new IllegalArgumentException(
                    "no Gasok dtype for host array " + array.getClass().getSimpleName());
        };
    }

    /** Lower-case name as used in messages and files: float32, int64, bool, ... */
    public String shortName() {
        return shortName;
    }
}
