package io.gasok.io;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The strict subset of JSON a safetensors header uses: objects, arrays, strings (with every JSON
 * escape) and integers. Anything else (floats, {@code true}, {@code false}, {@code null}, trailing
 * commas, invalid UTF-8, control characters in strings, nesting deeper than {@link #MAX_DEPTH}) is
 * refused with the byte offset in the file where it was found.
 *
 * <p>{@link Reader} is a pull parser: the caller walks the structure it expects, so nothing is built
 * that the header does not need, and memory stays proportional to what is kept.
 */
final class Json {
    /** Deep enough for any header (3 levels), shallow enough that recursion never runs out of stack. */
    static final int MAX_DEPTH = 64;

    private Json() {}

    /** {@code value} as a JSON string literal: quotes, escapes for '"', '\' and control characters. */
    static String quote(String value) {
        CharsetEncoder strict = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        if (!strict.canEncode(value)) {
            throw new IllegalArgumentException("not valid Unicode (a lone surrogate?): " + value);
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Walks JSON held in {@code bytes[start, end)}, which begin at {@code fileOffset} in {@code file}. */
    static final class Reader {
        private final byte[] bytes;
        private final int end;
        private final long fileOffset;
        private final int start;
        private final Path file;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        /** For each open object or array: whether its next element is its first. */
        private final boolean[] first = new boolean[MAX_DEPTH + 1];
        private int depth;
        private int position;

        Reader(Path file, byte[] bytes, int start, int end, long fileOffset) {
            this.file = file;
            this.bytes = bytes;
            this.start = start;
            this.end = end;
            this.fileOffset = fileOffset;
            this.position = start;
        }

        void beginObject() throws MalformedTensorFileException {
            open('{', "an object");
        }

        void endObject() throws MalformedTensorFileException {
            close('}');
        }

        void beginArray() throws MalformedTensorFileException {
            open('[', "an array");
        }

        void endArray() throws MalformedTensorFileException {
            close(']');
        }

        /** True when the open object or array has another element; consumes the ',' before it. */
        boolean hasNext() throws MalformedTensorFileException {
            skipWhitespace();
            int c = peek();
            boolean closing = c == '}' || c == ']';
            if (first[depth]) {
                if (!closing) {
                    first[depth] = false;
                }
                return !closing;
            }
            if (closing) {
                return false;
            }
            expect(',', "',' between elements");
            skipWhitespace();
            if (peek() == '}' || peek() == ']') {
                throw error("a trailing ',' (JSON allows none)");
            }
            return true;
        }

        /** The next member name of the open object, and the ':' after it. */
        String nextName() throws MalformedTensorFileException {
            String name = nextString();
            skipWhitespace();
            expect(':', "':' after a member name");
            return name;
        }

        String nextString() throws MalformedTensorFileException {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string, found " + describe());
            }
            int open = position++;
            int plainEnd = position;
            while (plainEnd < end && bytes[plainEnd] >= 0x20 && bytes[plainEnd] != '"' && bytes[plainEnd] != '\\') {
                plainEnd++;
            }
            if (plainEnd < end && bytes[plainEnd] == '"') {
                position = plainEnd + 1;
                return new String(bytes, open + 1, plainEnd - open - 1, StandardCharsets.ISO_8859_1);
            }
            StringBuilder text = new StringBuilder();
            int run = position;
            while (true) {
                if (position >= end) {
                    position = open;
                    throw error("a string that is never closed");
                }
                int b = bytes[position] & 0xFF;
                if (b == '"') {
                    appendUtf8(text, run, position);
                    position++;
                    break;
                }
                if (b < 0x20) {
                    throw error("a control character (0x" + Integer.toHexString(b) + ") inside a string");
                }
                if (b == '\\') {
                    appendUtf8(text, run, position);
                    position++;
                    text.append(escape());
                    run = position;
                } else {
                    position++;
                }
            }
            checkSurrogates(text, open);
            return text.toString();
        }

        /** The next value, which must be an integer that fits a long. */
        long nextLong() throws MalformedTensorFileException {
            skipWhitespace();
            int begin = position;
            boolean negative = peek() == '-';
            if (negative) {
                position++;
            }
            if (!isDigit(peek())) {
                position = begin;
                throw error("expected an integer, found " + describe());
            }
            if (peek() == '0' && position + 1 < end && isDigit(bytes[position + 1])) {
                throw error("an integer with a leading zero");
            }
            long value = 0;
            while (isDigit(peek())) {
                int digit = bytes[position] - '0';
                if (value < (Long.MIN_VALUE + digit) / 10) {
                    position = begin;
                    throw error("an integer too large for 64 bits");
                }
                value = value * 10 - digit;
                position++;
            }
            int c = peek();
            if (c == '.' || c == 'e' || c == 'E') {
                position = begin;
                throw error("a number that is not an integer (a safetensors header holds only integers)");
            }
            if (!negative) {
                if (value == Long.MIN_VALUE) {
                    position = begin;
                    throw error("an integer too large for 64 bits");
                }
                value = -value;
            }
            return value;
        }

        /** Skips one value of the accepted kinds, however nested (up to the depth limit). */
        void skipValue() throws MalformedTensorFileException {
            skipWhitespace();
            switch (peek()) {
                case '{' -> {
                    beginObject();
                    while (hasNext()) {
                        nextName();
                        skipValue();
                    }
                    endObject();
                }
                case '[' -> {
                    beginArray();
                    while (hasNext()) {
                        skipValue();
                    }
                    endArray();
                }
                case '"' -> nextString();
                case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> nextLong();
                default -> throw error("expected a value (an object, array, string or integer), found " + describe());
            }
        }

        /** Fails unless only whitespace is left. */
        void endOfInput() throws MalformedTensorFileException {
            skipWhitespace();
            if (position < end) {
                throw error("unexpected " + describe() + " after the end of the header object");
            }
        }

        /** The offset in the file of the next byte to read, for messages. */
        long fileOffset() {
            return fileOffset + (position - start);
        }

        MalformedTensorFileException error(String problem) {
            return new MalformedTensorFileException(file, "header JSON at byte " + fileOffset() + ": " + problem);
        }

        private void open(char bracket, String what) throws MalformedTensorFileException {
            skipWhitespace();
            if (peek() != bracket) {
                throw error("expected " + what + ", found " + describe());
            }
            if (depth == MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH + " levels");
            }
            position++;
            first[++depth] = true;
        }

        private void close(char bracket) throws MalformedTensorFileException {
            skipWhitespace();
            if (peek() != bracket) {
                throw error("expected '" + bracket + "', found " + describe());
            }
            position++;
            depth--;
        }

        private char escape() throws MalformedTensorFileException {
            if (position >= end) {
                throw error("a string that ends inside an escape");
            }
            char c = (char) bytes[position++];
            return switch (c) {
                case '"', '\\', '/' -> c;
                case 'b' -> '\b';
                case 'f' -> '\f';
                case 'n' -> '\n';
                case 'r' -> '\r';
                case 't' -> '\t';
                case 'u' -> {
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = position < end ? Character.digit(bytes[position], 16) : -1;
                        if (digit < 0) {
                            throw error("a \\u escape without four hexadecimal digits");
                        }
                        code = code * 16 + digit;
                        position++;
                    }
                    yield (char) code;
                }
                default -> {
                    position--;
                    throw error("an unknown escape '\\" + printable(c) + "'");
                }
            };
        }

        private void appendUtf8(StringBuilder text, int from, int to) throws MalformedTensorFileException {
            if (from == to) {
                return;
            }
            try {
                text.append(utf8.decode(ByteBuffer.wrap(bytes, from, to - from)));
            } catch (CharacterCodingException e) {
                position = from;
                throw error("a string that is not valid UTF-8");
            }
        }

        private void checkSurrogates(CharSequence text, int stringStart) throws MalformedTensorFileException {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    position = stringStart;
                    throw error("a string with an unpaired surrogate escape (not valid Unicode)");
                }
            }
        }

        private void expect(char c, String what) throws MalformedTensorFileException {
            if (peek() != c) {
                throw error("expected " + what + ", found " + describe());
            }
            position++;
        }

        private void skipWhitespace() {
            while (position < end) {
                byte b = bytes[position];
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                    return;
                }
                position++;
            }
        }

        /** The next byte, or -1 at the end of the input. */
        private int peek() {
            return position < end ? bytes[position] & 0xFF : -1;
        }

        private String describe() {
            int c = peek();
            if (c < 0) {
                return "the end of the header";
            }
            return switch (c) {
                case 't', 'f', 'n' -> "'" + (char) c + "' (true, false and null are not allowed)";
                default -> "'" + printable((char) c) + "'";
            };
        }

        private static String printable(char c) {
            return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c & 0xFF);
        }

        private static boolean isDigit(int c) {
            return c >= '0' && c <= '9';
        }
    }
}
