package io.gasok.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The header of an {@code .npy} file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. {@link #parse} reads the
 * few literal forms NumPy writes (strings, {@code True}/{@code False}, tuples of non-negative
 * integers) and nothing else: it never evaluates Python.
 */
record NpyHeader(String descr, StoredType type, boolean bigEndian, boolean fortranOrder, long[] shape) {
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
    /** NumPy's spare room after the dict, so that a writer can grow the first axis in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int ALIGNMENT = 64;

    static NpyHeader parse(String text, Path file, long fileOffset) throws MalformedTensorFileException {
        Map<String, Object> dict = new Literal(text, file, fileOffset).dict();
        if (!dict.keySet().equals(KEYS)) {
            throw new MalformedTensorFileException(file, "the header has keys " + dict.keySet()
                    + "; an .npy header has exactly 'descr', 'fortran_order' and 'shape'");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw new MalformedTensorFileException(file, "'descr' is not a string: structured dtypes are not supported");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw new MalformedTensorFileException(file, "'fortran_order' is not True or False");
        }
        if (!(dict.get("shape") instanceof long[] shape)) {
            throw new MalformedTensorFileException(file, "'shape' is not a tuple of integers");
        }
        StoredType type = storedType(descr);
        if (type == null) {
            throw new MalformedTensorFileException(file, "unsupported dtype '" + descr + "'"
                    + (descr.endsWith("O") ? " (Python objects, which need pickle, which Gasok never runs)" : "")
                    + "; Gasok reads <f8 <f4 <f2 <i8 <i4 <i2 |i1 <u4 <u2 |u1 |b1, little- or big-endian");
        }
        return new NpyHeader(descr, type, descr.charAt(0) == '>', fortranOrder, shape);
    }

    /** The descr NumPy writes for a little-endian type. */
    static String descr(StoredType type) {
        return switch (type) {
            case F64 -> "<f8";
            case F32 -> "<f4";
            case F16 -> "<f2";
            case I64 -> "<i8";
            case I32 -> "<i4";
            case I16 -> "<i2";
            case U32 -> "<u4";
            case U16 -> "<u2";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case BOOL -> "|b1";
            case BF16 -> throw new IllegalArgumentException("NumPy has no bfloat16");
        };
    }

    private static StoredType storedType(String descr) {
        if (descr.length() < 3) {
            return null;
        }
        char order = descr.charAt(0);
        if (order != '<' && order != '>' && order != '|') {
            return null;
        }
        for (StoredType type : StoredType.values()) {
            if (type != StoredType.BF16 && descr(type).substring(1).equals(descr.substring(1))
                    && (order != '|' || type.byteSize() == 1)) {
                return type;
            }
        }
        return null;
    }

    /**
     * The whole header as NumPy writes it for a C-order array: magic, version, length, the dict,
     * NumPy's spare room, then spaces and a newline up to a multiple of 64 bytes. Version 1.0 unless
     * the header needs the 4-byte length of version 2.0.
     */
    static byte[] encode(StoredType type, int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr(type))
                .append("', 'fortran_order': False, 'shape': (");
        for (int axis = 0; axis < shape.length; axis++) {
            dict.append(axis > 0 ? ", " : "").append(shape[axis]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            dict.repeat(" ", GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
        }
        int withNewline = dict.length() + 1;
        int lengthBytes = 2;
        int headerLength = paddedLength(8 + lengthBytes, withNewline);
        if (headerLength > 0xFFFF) {
            lengthBytes = 4;
            headerLength = paddedLength(8 + lengthBytes, withNewline);
        }
        int prefix = 8 + lengthBytes;
        byte[] bytes = new byte[prefix + headerLength];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) (lengthBytes == 2 ? 1 : 2), 0};
        System.arraycopy(magic, 0, bytes, 0, 8);
        for (int i = 0; i < lengthBytes; i++) {
            bytes[8 + i] = (byte) (headerLength >>> (8 * i));
        }
        byte[] text = dict.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, bytes, prefix, text.length);
        Arrays.fill(bytes, prefix + text.length, bytes.length - 1, (byte) ' ');
        bytes[bytes.length - 1] = '\n';
        return bytes;
    }

    /** NumPy's rule: pad so that the data starts 64-aligned, adding a whole 64 when already aligned. */
    private static int paddedLength(int prefix, int withNewline) {
        return withNewline + ALIGNMENT - (prefix + withNewline) % ALIGNMENT;
    }

    /** A reader of the Python literals an .npy header holds. */
    private static final class Literal {
        private final String text;
        private final Path file;
        private final long fileOffset;
        private int position;

        Literal(String text, Path file, long fileOffset) {
            this.text = text;
            this.file = file;
            this.fileOffset = fileOffset;
        }

        Map<String, Object> dict() throws MalformedTensorFileException {
            Map<String, Object> dict = new HashMap<>();
            expect('{');
            while (true) {
                skipWhitespace();
                if (peek() == '}') {
                    break;
                }
                String key = string();
                expect(':');
                Object value = value();
                if (dict.put(key, value) != null) {
                    throw error("key '" + key + "' appears twice");
                }
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else if (peek() != '}') {
                    throw error("expected ',' or '}' in the header dict, found " + describe());
                }
            }
            position++;
            skipWhitespace();
            if (position < text.length()) {
                throw error("unexpected " + describe() + " after the header dict");
            }
            return dict;
        }

        private Object value() throws MalformedTensorFileException {
            skipWhitespace();
            int c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (text.startsWith("True", position) || text.startsWith("False", position)) {
                boolean value = peek() == 'T';
                position += value ? 4 : 5;
                return value;
            }
            if (c == '[') {
                throw error("a list (structured dtypes are not supported)");
            }
            throw error("expected a string, a tuple, True or False, found " + describe());
        }

        private String string() throws MalformedTensorFileException {
            skipWhitespace();
            int quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("expected a quoted string, found " + describe());
            }
            int close = text.indexOf(quote, position + 1);
            if (close < 0) {
                throw error("a string that is never closed");
            }
            String value = text.substring(position + 1, close);
            if (value.indexOf('\\') >= 0 || value.indexOf('\n') >= 0) {
                throw error("a string with an escape or a line break, which no .npy header has");
            }
            position = close + 1;
            return value;
        }

        private long[] tuple() throws MalformedTensorFileException {
            int open = position;
            expect('(');
            long[] values = new long[8];
            int count = 0;
            boolean trailingComma = false;
            while (true) {
                skipWhitespace();
                if (peek() == ')') {
                    break;
                }
                if (count == SafetensorsHeader.MAX_RANK) {
                    throw error("a shape with more than " + SafetensorsHeader.MAX_RANK + " dimensions");
                }
                if (count == values.length) {
                    values = Arrays.copyOf(values, 2 * count);
                }
                values[count++] = integer();
                skipWhitespace();
                trailingComma = peek() == ',';
                if (trailingComma) {
                    position++;
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in the shape, found " + describe());
                }
            }
            position++;
            if (count == 1 && !trailingComma) {
                position = open;
                throw error("'" + text.substring(open, text.indexOf(')', open) + 1)
                        + "' is not a tuple (a one-element tuple needs a trailing comma)");
            }
            return Arrays.copyOf(values, count);
        }

        private long integer() throws MalformedTensorFileException {
            if (peek() == '-') {
                throw error("a negative dimension");
            }
            int start = position;
            long value = 0;
            while (peek() >= '0' && peek() <= '9') {
                int digit = peek() - '0';
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    position = start;
                    throw error("a dimension too large for 64 bits");
                }
                value = value * 10 + digit;
                position++;
            }
            if (position == start) {
                throw error("expected a dimension (a non-negative integer), found " + describe());
            }
            if (peek() == 'L') {
                position++; // Python 2 wrote long integers with a suffix
            }
            return value;
        }

        private void expect(char c) throws MalformedTensorFileException {
            skipWhitespace();
            if (peek() != c) {
                throw error("expected '" + c + "', found " + describe());
            }
            position++;
        }

        private void skipWhitespace() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        private int peek() {
            return position < text.length() ? text.charAt(position) : -1;
        }

        private String describe() {
            int c = peek();
            return c < 0 ? "the end of the header" : c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("U+%04X", c);
        }

        private MalformedTensorFileException error(String problem) {
            return new MalformedTensorFileException(file, "header at character " + position + " (the header starts at byte "
                    + fileOffset + "): " + problem);
        }
    }
}
