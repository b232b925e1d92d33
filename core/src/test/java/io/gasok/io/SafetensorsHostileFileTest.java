package io.gasok.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupt, truncated and hostile safetensors files: each gets a {@link MalformedTensorFileException}
 * that names the file and the problem, allocates nothing the file does not back, and leaks nothing.
 */
@ExtendWith(NoLeakedTensors.class)
class SafetensorsHostileFileTest {
    private static final String ONE_TENSOR = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @TempDir
    Path directory;

    @Test
    void aFileTruncatedAtAnyByteIsRejected() throws IOException {
        Path source = directory.resolve("whole.safetensors");
        try (Scope _ = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("a", Tensor.of(Device.reference(), new float[] {1, 2, 3}, 3));
            tensors.put("b", Tensor.of(Device.reference(), new long[] {4, 5}, 2));
            Safetensors.save(source, tensors, Map.of("format", "pt"));
        }
        byte[] whole = Files.readAllBytes(source);
        for (int length = 0; length < whole.length; length++) {
            byte[] prefix = Arrays.copyOf(whole, length);
            rejected(prefix, "");
        }
    }

    @Test
    void tooShortForTheHeaderLength() throws IOException {
        rejected(new byte[0], "only 0 bytes long");
        rejected(new byte[7], "only 7 bytes long");
    }

    @Test
    void aHugeHeaderLengthIsRefusedBeforeAnyAllocation() throws IOException {
        rejected(Bytes.concat(Bytes.littleEndianLong(Long.MIN_VALUE), new byte[100]), "9223372036854775808 bytes",
                "over the limit");
        rejected(Bytes.concat(Bytes.littleEndianLong(-1), new byte[100]), "18446744073709551615 bytes");
        rejected(Bytes.concat(Bytes.littleEndianLong(100_000_001), new byte[100]), "over the limit of 100000000");
    }

    @Test
    void aHeaderLengthPastTheEndOfTheFileIsRefused() throws IOException {
        rejected(Bytes.concat(Bytes.littleEndianLong(1000), "{}".getBytes(StandardCharsets.US_ASCII)),
                "says 1000 bytes, but only 2 follow");
        rejected(Bytes.concat(Bytes.littleEndianLong(1), new byte[] {'{'}), "too short for a JSON object");
    }

    @Test
    void jsonGarbageIsRefusedWithItsByteOffset() throws IOException {
        header("not json", "at byte 8: expected an object, found 'n'");
        header("[]", "at byte 8: expected an object");
        header("{\"t\":}", "at byte 13: expected an object, found '}'");
        header("{\"t\" 1}", "':' after a member name");
        header("{\"__metadata__\":{\"a\":\"x\",}}", "trailing ','");
        header("{} {}", "after the end of the header object");
        header("{\"__metadata__\":{\"k\":true}}", "true, false and null are not allowed");
        header("{\"__metadata__\":{\"k\":null}}", "expected a string, found 'n'");
        header("{\"__metadata__\":{\"k\":1}}", "expected a string, found '1'");
        header("{\"__metadata__\":{\"k\":\"unterminated}}", "never closed");
        header("{\"__metadata__\":{\"k\":\"bad \\q escape\"}}", "unknown escape '\\q'");
        header("{\"__metadata__\":{\"k\":\"\\u12\"}}", "four hexadecimal digits");
        header("{\"__metadata__\":{\"k\":\"\\ud800\"}}", "unpaired surrogate");
        header("{\"__metadata__\":{\"k\":\"tab\tinside\"}}", "control character");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}", "not an integer");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[1e3],\"data_offsets\":[0,8]}}", "not an integer");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[02],\"data_offsets\":[0,8]}}", "leading zero");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", "too large for 64 bits");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"extra\":nul}}", "expected a value");
        byte[] invalidUtf8 = Bytes.concat("{\"__metadata__\":{\"k\":\"".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}}".getBytes(StandardCharsets.US_ASCII));
        rejected(Bytes.concat(Bytes.littleEndianLong(invalidUtf8.length), invalidUtf8), "not valid UTF-8");
    }

    @Test
    void deepNestingIsRefusedWithoutRecursingIntoIt() throws IOException {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":" + deep + "}}",
                "nesting deeper than 64 levels");
        String shallow = "[".repeat(10) + "]".repeat(10);
        try (SafetensorsFile loaded = load(Bytes.safetensors(
                "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":" + shallow + "}}",
                Bytes.floats(1, 2)))) {
            assertEquals(1, loaded.tensors().size(), "unknown fields are skipped, as the reference reader does");
        }
    }

    @Test
    void offsetsMustTileTheDataSectionExactly() throws IOException {
        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%d,%d]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[%d,%d]}}";
        byte[] eight = new byte[8];
        rejected(Bytes.safetensors(String.format(two, 0, 4, 2, 6), eight), "overlaps tensor 'a'");
        rejected(Bytes.safetensors(String.format(two, 0, 4, 0, 4), eight), "overlaps");
        rejected(Bytes.safetensors(String.format(two, 0, 4, 8, 12), Bytes.concat(eight, new byte[4])),
                "bytes [4, 8) of the data section belong to no tensor");
        rejected(Bytes.safetensors(String.format(two, 0, 4, 4, 8), Bytes.concat(eight, new byte[3])),
                "the last 3 bytes of the file belong to no tensor");
        rejected(Bytes.safetensors(String.format(two, 0, 4, 4, 8), new byte[6]), "reaches past the end of the file");
        rejected(Bytes.safetensors(String.format(two, 0, 4, 8, 4), eight), "0 <= begin <= end");
        rejected(Bytes.safetensors(String.format(two, 0, 4, -4, 0), eight), "0 <= begin <= end");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", "expected [begin, end]");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", "more than 2 elements");
    }

    @Test
    void shapesThatDoNotMatchTheirBytesAreRefused() throws IOException {
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "span 8 bytes, but the dtype and shape need 12");
        header("{\"t\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", "need 16");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "negative dimension");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}",
                "more bytes than 2^63");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}",
                "need 17179869184");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[" + "2,".repeat(64) + "2],\"data_offsets\":[0,8]}}",
                "more than 64 elements");
    }

    @Test
    void aFourGigabyteClaimInATinyFileIsRefusedWithoutAllocatingIt() throws IOException {
        rejected(Bytes.safetensors("{\"t\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[0,4294967296]}}",
                new byte[16]), "reaches past the end of the file", "holds 16 bytes");
        rejected(Bytes.safetensors("{\"t\":{\"dtype\":\"F32\",\"shape\":[1073741824],\"data_offsets\":[0,16]}}",
                new byte[16]), "need 4294967296");
    }

    @Test
    void aConsistentFileWithATensorTooLargeForGasokIsRefusedBeforeReadingIt() throws IOException {
        String json = "{\"t\":{\"dtype\":\"U8\",\"shape\":[2147483648],\"data_offsets\":[0,2147483648]}}";
        Path file = Files.write(directory.resolve("sparse.safetensors"), Bytes.safetensors(json, new byte[0]));
        try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(sparse.length() + (1L << 31));
        }
        MalformedTensorFileException error = assertThrows(MalformedTensorFileException.class,
                () -> Safetensors.load(file, Device.reference()).close());
        assertTrue(error.getMessage().contains("larger than a Gasok tensor can hold"), error.getMessage());
    }

    @Test
    void duplicatesAreRefused() throws IOException {
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", "tensor name 't' appears twice");
        header("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", "metadata key 'k' appears twice");
        header("{\"__metadata__\":{},\"__metadata__\":{}}", "a second __metadata__");
        header("{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "'dtype' twice");
    }

    @Test
    void missingFieldsAndUnknownDtypesAreRefused() throws IOException {
        header("{\"t\":{\"shape\":[2],\"data_offsets\":[0,8]}}", "lacks 'dtype'");
        header("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", "lacks 'shape'");
        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", "lacks 'data_offsets'");
        header("{\"t\":{\"dtype\":\"F99\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unsupported dtype 'F99'");
        header("{\"t\":{\"dtype\":\"F8_E4M3\",\"shape\":[8],\"data_offsets\":[0,8]}}", "does not load dtype F8_E4M3");
        header("{\"t\":[1,2]}", "expected an object, found '['");
    }

    /** A file with {@link #ONE_TENSOR}'s 8 data bytes and the given header. */
    private void header(String json, String... fragments) throws IOException {
        rejected(Bytes.safetensors(json, new byte[8]), fragments);
    }

    private void rejected(byte[] content, String... fragments) throws IOException {
        Path file = Files.write(directory.resolve("hostile.safetensors"), content);
        MalformedTensorFileException error = assertThrows(MalformedTensorFileException.class,
                () -> Safetensors.load(file, Device.reference()).close(), () -> "accepted " + content.length + " bytes");
        assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
        assertEquals(file, error.file());
        for (String fragment : fragments) {
            assertTrue(error.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + error.getMessage());
        }
    }

    private SafetensorsFile load(byte[] content) throws IOException {
        return Safetensors.load(Files.write(directory.resolve("file.safetensors"), content), Device.reference());
    }

    @Test
    void theValidFileTheseTestsCorruptLoads() throws IOException {
        try (SafetensorsFile loaded = load(Bytes.safetensors(ONE_TENSOR, Bytes.floats(1, 2)))) {
            assertEquals(2, loaded.tensor("t").numel());
        }
    }
}
