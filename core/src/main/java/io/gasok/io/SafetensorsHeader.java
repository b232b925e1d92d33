package io.gasok.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of a safetensors file: its metadata and, for each tensor, its dtype, shape and where
 * its bytes lie. {@link #read} checks the whole header against the file (sizes, offsets, that the
 * tensors tile the data section exactly, as the format requires) before a single tensor is
 * allocated, so a hostile length can never ask for memory the file does not back.
 *
 * <p>The layout: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * ({@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}},
 * possibly padded with spaces), then the data section; offsets count from the start of the data.
 */
record SafetensorsHeader(Map<String, String> metadata, List<Entry> entries, long dataStart) {
    /** The reference implementation's limit. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    /** Far above any real file; bounds what a hostile header can make us keep. */
    static final int MAX_TENSORS = 1 << 20;
    static final int MAX_METADATA_ENTRIES = 1 << 16;
    static final int MAX_RANK = 64;
    private static final String METADATA_KEY = "__metadata__";
    /** Dtypes of the format that Gasok does not load, with their sizes (the file is still checked). */
    private static final Map<String, Integer> UNLOADABLE_SIZES =
            Map.of("U64", 8, "F8_E4M3", 1, "F8_E5M2", 1, "F8_E8M0", 1, "C64", 8);

    /**
     * One tensor's place in the file. {@code type} is null for a dtype the format has but Gasok does
     * not load; {@code begin} and {@code end} count from the start of the data section.
     */
    record Entry(String name, String dtype, StoredType type, long[] shape, long begin, long end) {
        long elementCount() {
            long count = 1;
            for (long extent : shape) {
                if (extent == 0) {
                    return 0;
                }
            }
            for (long extent : shape) {
                count = Math.multiplyExact(count, extent);
            }
            return count;
        }

        String describe() {
            return "tensor '" + name + "' (" + dtype + " " + Arrays.toString(shape) + ")";
        }
    }

    static SafetensorsHeader read(FileChannel channel, Path file) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new MalformedTensorFileException(file, "only " + fileSize
                    + " bytes long; a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0, file);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new MalformedTensorFileException(file, "the header length (the first 8 bytes) says "
                    + Long.toUnsignedString(headerLength) + " bytes, over the limit of " + MAX_HEADER_BYTES
                    + " (not a safetensors file, or a corrupt one)");
        }
        if (headerLength > fileSize - 8) {
            throw new MalformedTensorFileException(file, "the header length (the first 8 bytes) says " + headerLength
                    + " bytes, but only " + (fileSize - 8) + " follow (a truncated file?)");
        }
        if (headerLength < 2) {
            throw new MalformedTensorFileException(file, "the header is " + headerLength
                    + " bytes long, too short for a JSON object");
        }
        byte[] json = new byte[(int) headerLength];
        readFully(channel, ByteBuffer.wrap(json), 8, file);
        long dataStart = 8 + headerLength;
        SafetensorsHeader header = parse(new Json.Reader(file, json, 0, json.length, 8), file, dataStart);
        checkLayout(header.entries(), fileSize - dataStart, dataStart, file);
        return header;
    }

    private static SafetensorsHeader parse(Json.Reader json, Path file, long dataStart) throws IOException {
        Map<String, String> metadata = null;
        List<Entry> entries = new ArrayList<>();
        json.beginObject();
        while (json.hasNext()) {
            long at = json.fileOffset();
            String name = json.nextName();
            if (name.equals(METADATA_KEY)) {
                if (metadata != null) {
                    throw new MalformedTensorFileException(file, "header JSON at byte " + at + ": a second "
                            + METADATA_KEY + " member");
                }
                metadata = parseMetadata(json, file);
            } else {
                if (entries.size() == MAX_TENSORS) {
                    throw new MalformedTensorFileException(file, "header JSON at byte " + at + ": more than "
                            + MAX_TENSORS + " tensors");
                }
                entries.add(parseEntry(json, name, file));
            }
        }
        json.endObject();
        json.endOfInput();
        checkNamesDiffer(entries, file);
        return new SafetensorsHeader(metadata == null ? Map.of() : Collections.unmodifiableMap(metadata),
                Collections.unmodifiableList(entries), dataStart);
    }

    /** By sorting rather than hashing: a million names cost no hash table on top of the entries. */
    private static void checkNamesDiffer(List<Entry> entries, Path file) throws MalformedTensorFileException {
        List<Entry> byName = new ArrayList<>(entries);
        byName.sort(Comparator.comparing(Entry::name));
        for (int i = 1; i < byName.size(); i++) {
            if (byName.get(i).name().equals(byName.get(i - 1).name())) {
                throw new MalformedTensorFileException(file, "tensor name '" + byName.get(i).name()
                        + "' appears twice in the header");
            }
        }
    }

    private static Map<String, String> parseMetadata(Json.Reader json, Path file) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        json.beginObject();
        while (json.hasNext()) {
            long at = json.fileOffset();
            String key = json.nextName();
            if (metadata.containsKey(key)) {
                throw new MalformedTensorFileException(file, "header JSON at byte " + at + ": metadata key '" + key
                        + "' appears twice");
            }
            if (metadata.size() == MAX_METADATA_ENTRIES) {
                throw new MalformedTensorFileException(file, "header JSON at byte " + at + ": more than "
                        + MAX_METADATA_ENTRIES + " metadata entries");
            }
            metadata.put(key, json.nextString());
        }
        json.endObject();
        return metadata;
    }

    private static Entry parseEntry(Json.Reader json, String name, Path file) throws IOException {
        long entryStart = json.fileOffset();
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        json.beginObject();
        while (json.hasNext()) {
            long at = json.fileOffset();
            String field = json.nextName();
            boolean repeated = switch (field) {
                case "dtype" -> dtype != null;
                case "shape" -> shape != null;
                case "data_offsets" -> offsets != null;
                default -> false;
            };
            if (repeated) {
                throw new MalformedTensorFileException(file, "header JSON at byte " + at + ": tensor '" + name
                        + "' has '" + field + "' twice");
            }
            switch (field) {
                case "dtype" -> dtype = json.nextString();
                case "shape" -> shape = longs(json, MAX_RANK, "shape of tensor '" + name + "'");
                case "data_offsets" -> offsets = longs(json, 2, "data_offsets of tensor '" + name + "'");
                default -> json.skipValue(); // the reference implementation ignores unknown fields too
            }
        }
        json.endObject();
        String where = "header JSON at byte " + entryStart + ": tensor '" + name + "' ";
        if (dtype == null || shape == null || offsets == null) {
            throw new MalformedTensorFileException(file, where + "lacks "
                    + (dtype == null ? "'dtype'" : shape == null ? "'shape'" : "'data_offsets'"));
        }
        if (offsets.length != 2) {
            throw new MalformedTensorFileException(file, where + "has data_offsets " + Arrays.toString(offsets)
                    + "; expected [begin, end]");
        }
        for (long extent : shape) {
            if (extent < 0) {
                throw new MalformedTensorFileException(file, where + "has a negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        StoredType type = storedType(dtype);
        if (type == null && !UNLOADABLE_SIZES.containsKey(dtype)) {
            throw new MalformedTensorFileException(file, where + "has unsupported dtype '" + dtype + "' (Gasok reads "
                    + Arrays.toString(StoredType.values()) + ")");
        }
        String shared = type != null ? type.name() : dtype; // one String per dtype, not one per tensor
        return new Entry(name, shared, type, shape, offsets[0], offsets[1]);
    }

    private static long[] longs(Json.Reader json, int limit, String what) throws IOException {
        long[] values = new long[4];
        int count = 0;
        json.beginArray();
        while (json.hasNext()) {
            if (count == limit) {
                throw json.error(what + " has more than " + limit + " elements");
            }
            if (count == values.length) {
                values = Arrays.copyOf(values, 2 * count);
            }
            values[count++] = json.nextLong();
        }
        json.endArray();
        return count == values.length ? values : Arrays.copyOf(values, count);
    }

    /** Each tensor's byte count fits its dtype and shape; together the tensors tile the data exactly. */
    private static void checkLayout(List<Entry> entries, long dataLength, long dataStart, Path file)
            throws MalformedTensorFileException {
        for (Entry entry : entries) {
            String what = entry.describe() + " with data_offsets [" + entry.begin() + ", " + entry.end() + "]";
            if (entry.begin() < 0 || entry.end() < entry.begin()) {
                throw new MalformedTensorFileException(file, what + ": offsets must satisfy 0 <= begin <= end");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(entry.elementCount(), (long) byteSize(entry.dtype()));
            } catch (ArithmeticException e) {
                throw new MalformedTensorFileException(file, what + ": the shape holds more bytes than 2^63");
            }
            if (entry.end() - entry.begin() != bytes) {
                throw new MalformedTensorFileException(file, what + ": the offsets span " + (entry.end() - entry.begin())
                        + " bytes, but the dtype and shape need " + bytes);
            }
            if (entry.end() > dataLength) {
                throw new MalformedTensorFileException(file, what + ": reaches past the end of the file (its data "
                        + "section holds " + dataLength + " bytes, from byte " + dataStart + ")");
            }
        }
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry entry : byOffset) {
            if (entry.begin() > covered) {
                throw new MalformedTensorFileException(file, "bytes [" + covered + ", " + entry.begin()
                        + ") of the data section belong to no tensor (a gap before " + entry.describe() + ")");
            }
            if (entry.begin() < covered) {
                throw new MalformedTensorFileException(file, entry.describe() + " at data_offsets [" + entry.begin()
                        + ", " + entry.end() + "] overlaps " + previous.describe() + " at [" + previous.begin() + ", "
                        + previous.end() + "]");
            }
            covered = entry.end();
            previous = entry;
        }
        if (covered != dataLength) {
            throw new MalformedTensorFileException(file, "the last " + (dataLength - covered)
                    + " bytes of the file belong to no tensor (the data section must hold exactly the tensors)");
        }
    }

    /** The header bytes for these entries, padded with spaces so that the data starts 8-aligned. */
    static byte[] encode(Map<String, String> metadata, List<Entry> entries) {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append(Json.quote(METADATA_KEY)).append(":{");
            String separator = "";
            for (Map.Entry<String, String> item : metadata.entrySet()) {
                json.append(separator).append(Json.quote(item.getKey())).append(':').append(Json.quote(item.getValue()));
                separator = ",";
            }
            json.append('}');
        }
        for (Entry entry : entries) {
            json.append(json.length() > 1 ? "," : "").append(Json.quote(entry.name())).append(":{\"dtype\":")
                    .append(Json.quote(entry.dtype())).append(",\"shape\":[");
            for (int axis = 0; axis < entry.shape().length; axis++) {
                json.append(axis > 0 ? "," : "").append(entry.shape()[axis]);
            }
            json.append("],\"data_offsets\":[").append(entry.begin()).append(',').append(entry.end()).append("]}");
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(text, padded);
        Arrays.fill(header, text.length, padded, (byte) ' ');
        return header;
    }

    private static StoredType storedType(String dtype) {
        for (StoredType type : StoredType.values()) {
            if (type.name().equals(dtype)) {
                return type;
            }
        }
        return null;
    }

    private static int byteSize(String dtype) {
        StoredType type = storedType(dtype);
        return type != null ? type.byteSize() : UNLOADABLE_SIZES.get(dtype);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, at);
            if (read < 0) {
                throw new MalformedTensorFileException(file, "the file ends at byte " + at + ", inside its header");
            }
            at += read;
        }
    }
}
