package io.gasok.io;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;

/**
 * Elements between files and host arrays, a bounded chunk at a time (so that reading never needs a
 * second copy of a tensor in bytes), with the conversions to and from half precision.
 */
final class ElementCodec {
    /** Bytes moved per read or write; a multiple of every element size. */
    private static final int CHUNK_BYTES = 1 << 20;

    private ElementCodec() {}

    /**
     * Reads {@code count} elements of {@code type} stored from {@code position} on into a new host
     * array of {@code type.loadsAs()}. The caller has checked {@code count} against the file size.
     */
    static Object read(FileChannel channel, long position, StoredType type, int count, ByteOrder order, Path file,
                       String what) throws IOException {
        Object array = type.loadsAs().newArray(count);
        int size = type.byteSize();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) count * size)).order(order);
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, buffer.capacity() / size);
            buffer.clear().limit(n * size);
            readFully(channel, buffer, position + (long) done * size, file, what);
            buffer.flip();
            decode(buffer, type, array, done, n);
            done += n;
        }
        return array;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file, String what)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new MalformedTensorFileException(file, what + ": the file ends at byte " + at
                        + ", before the data does (was it truncated while being read?)");
            }
            at += read;
        }
    }

    private static void decode(ByteBuffer buffer, StoredType type, Object array, int at, int n) {
        switch (type) {
            case F32 -> buffer.asFloatBuffer().get((float[]) array, at, n);
            case F64 -> buffer.asDoubleBuffer().get((double[]) array, at, n);
            case I32 -> buffer.asIntBuffer().get((int[]) array, at, n);
            case I64 -> buffer.asLongBuffer().get((long[]) array, at, n);
            case F16 -> {
                float[] values = (float[]) array;
                for (int i = at; i < at + n; i++) {
                    values[i] = Float.float16ToFloat(buffer.getShort());
                }
            }
            case BF16 -> {
                float[] values = (float[]) array;
                for (int i = at; i < at + n; i++) {
                    values[i] = Float.intBitsToFloat(buffer.getShort() << 16);
                }
            }
            case I16, U16, I8, U8 -> {
                int[] values = (int[]) array;
                for (int i = at; i < at + n; i++) {
                    values[i] = switch (type) {
                        case I16 -> buffer.getShort();
                        case U16 -> buffer.getShort() & 0xFFFF;
                        case I8 -> buffer.get();
                        default -> buffer.get() & 0xFF;
                    };
                }
            }
            case U32 -> {
                long[] values = (long[]) array;
                for (int i = at; i < at + n; i++) {
                    values[i] = buffer.getInt() & 0xFFFF_FFFFL;
                }
            }
            case BOOL -> {
                byte[] values = (byte[]) array;
                for (int i = at; i < at + n; i++) {
                    values[i] = (byte) (buffer.get() != 0 ? 1 : 0);
                }
            }
        }
    }

    /**
     * The elements of {@code tensor} in row-major order, as the host array that {@link #write} takes
     * for {@code type}: floats (or doubles, for FLOAT64 going to half precision, so they are rounded
     * once), ints, longs or booleans.
     */
    static Object hostArray(Tensor tensor, StoredType type) {
        return switch (type) {
            case F32 -> tensor.toFloatArray();
            case F64 -> tensor.toDoubleArray();
            case F16, BF16 -> tensor.dtype() == DType.FLOAT64 ? tensor.toDoubleArray() : tensor.toFloatArray();
            case I32 -> tensor.toIntArray();
            case I64 -> tensor.toLongArray();
            case BOOL -> tensor.toBooleanArray();
            default -> throw new IllegalArgumentException("Gasok does not write " + type + " elements");
        };
    }

    /** Writes a host array from {@link #hostArray} as little-endian elements of {@code type}. */
    static void write(WritableByteChannel out, Object array, StoredType type) throws IOException {
        int size = type.byteSize();
        int length = java.lang.reflect.Array.getLength(array);
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) length * size))
                .order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < length) {
            int n = Math.min(length - done, buffer.capacity() / size);
            buffer.clear();
            encode(array, type, done, n, buffer);
            buffer.position(n * size).flip();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            done += n;
        }
    }

    private static void encode(Object array, StoredType type, int at, int n, ByteBuffer buffer) {
        switch (array) {
            case float[] values when type == StoredType.F32 -> buffer.asFloatBuffer().put(values, at, n);
            case double[] values when type == StoredType.F64 -> buffer.asDoubleBuffer().put(values, at, n);
            case int[] values when type == StoredType.I32 -> buffer.asIntBuffer().put(values, at, n);
            case long[] values when type == StoredType.I64 -> buffer.asLongBuffer().put(values, at, n);
            case float[] values -> {
                for (int i = 0; i < n; i++) {
                    buffer.putShort(2 * i, toHalf(values[at + i], type));
                }
            }
            case double[] values -> {
                for (int i = 0; i < n; i++) {
                    buffer.putShort(2 * i, toHalf(toFloatRoundingToOdd(values[at + i]), type));
                }
            }
            case boolean[] values -> {
                for (int i = 0; i < n; i++) {
                    buffer.put(i, (byte) (values[at + i] ? 1 : 0));
                }
            }
            default -> throw new IllegalArgumentException(
                    "cannot write a " + array.getClass().getSimpleName() + " as " + type);
        }
    }

    private static short toHalf(float value, StoredType type) {
        return type == StoredType.BF16 ? floatToBfloat16(value) : Float.floatToFloat16(value);
    }

    /** Round to nearest, ties to even; NaN stays a (quiet) NaN, overflow becomes infinity. */
    static short floatToBfloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * The float next to {@code value} whose last mantissa bit is odd when the conversion is inexact
     * ("round to odd"). Rounding that float again to half precision then equals rounding the double
     * directly, which rounding to nearest twice would not (a double just above a half-way point
     * could first land on it, then round to even, the wrong way).
     */
    static float toFloatRoundingToOdd(double value) {
        float rounded = (float) value;
        if (Float.isFinite(rounded) && rounded != value && (Float.floatToRawIntBits(rounded) & 1) == 0) {
            return rounded < value ? Math.nextUp(rounded) : Math.nextDown(rounded);
        }
        return rounded;
    }

    /** A tensor on {@code device} holding {@code array} with {@code shape}, rank 0 included. */
    static Tensor toTensor(Device device, Object array, int[] shape) {
        if (shape.length > 0) {
            return Tensor.of(device, array, shape);
        }
        Tensor single = Tensor.of(device, array, 1);
        Tensor scalar = single.reshape();
        if (scalar != single) {
            single.close();
        }
        return scalar;
    }

    /** The elements of a column-major ("Fortran order") array of {@code shape}, reordered row-major. */
    static Object columnMajorToRowMajor(Object array, int[] shape) {
        int count = java.lang.reflect.Array.getLength(array);
        if (shape.length < 2 || count == 0) {
            return array;
        }
        int[] source = columnMajorPositions(shape, count);
        return switch (array) {
            case float[] from -> {
                float[] to = new float[count];
                for (int i = 0; i < count; i++) {
                    to[i] = from[source[i]];
                }
                yield to;
            }
            case double[] from -> {
                double[] to = new double[count];
                for (int i = 0; i < count; i++) {
                    to[i] = from[source[i]];
                }
                yield to;
            }
            case int[] from -> {
                int[] to = new int[count];
                for (int i = 0; i < count; i++) {
                    to[i] = from[source[i]];
                }
                yield to;
            }
            case long[] from -> {
                long[] to = new long[count];
                for (int i = 0; i < count; i++) {
                    to[i] = from[source[i]];
                }
                yield to;
            }
            case byte[] from -> {
                byte[] to = new byte[count];
                for (int i = 0; i < count; i++) {
                    to[i] = from[source[i]];
                }
                yield to;
            }
            default -> throw new IllegalArgumentException("not a host array: " + array.getClass());
        };
    }

    /** For each row-major index of {@code shape}, the position of that element in column-major order. */
    private static int[] columnMajorPositions(int[] shape, int count) {
        int[] columnStrides = new int[shape.length];
        columnStrides[0] = 1;
        for (int axis = 1; axis < shape.length; axis++) {
            columnStrides[axis] = columnStrides[axis - 1] * shape[axis - 1];
        }
        int[] positions = new int[count];
        int[] index = new int[shape.length];
        int position = 0;
        for (int i = 0; i < count; i++) {
            positions[i] = position;
            int axis = shape.length - 1;
            while (axis >= 0 && ++index[axis] == shape[axis]) {
                position -= (shape[axis] - 1) * columnStrides[axis];
                index[axis] = 0;
                axis--;
            }
            if (axis >= 0) {
                position += columnStrides[axis];
            }
        }
        return positions;
    }
}
