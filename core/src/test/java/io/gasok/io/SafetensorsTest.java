package io.gasok.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors files written and read back: every dtype, names, order, metadata, views, half
 * precision, files laid out the way PyTorch lays them out, and the atomic save.
 */
@ExtendWith(NoLeakedTensors.class)
class SafetensorsTest {
    @TempDir
    Path directory;

    private final Device device = Device.reference();

    @Test
    void everyDtypeRoundTripsExactlyWithItsNameAndShape() throws IOException {
        Path file = directory.resolve("model.safetensors");
        float[] floats = {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY};
        double[] doubles = {Math.PI, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY};
        int[] ints = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 42};
        long[] longs = {Long.MIN_VALUE, -1, 0, 1L << 53 | 1, Long.MAX_VALUE, 7};
        boolean[] bools = {true, false, false, true};
        try (Scope _ = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("f32", Tensor.of(device, floats, 7));
            tensors.put("f64", Tensor.of(device, doubles, 2, 3));
            tensors.put("i32", Tensor.of(device, ints, 3, 1, 2));
            tensors.put("i64", Tensor.of(device, longs, 6));
            tensors.put("bool", Tensor.of(bools).reshape(2, 2));
            Safetensors.save(file, tensors);

            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertEquals(List.of("f32", "f64", "i32", "i64", "bool"), List.copyOf(loaded.tensors().keySet()));
                assertTensor(loaded.tensor("f32"), DType.FLOAT32, new int[] {7});
                assertArrayEquals(floats, loaded.tensor("f32").toFloatArray());
                assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(loaded.tensor("f32").toFloatArray()[1]));
                assertTensor(loaded.tensor("f64"), DType.FLOAT64, new int[] {2, 3});
                assertArrayEquals(doubles, loaded.tensor("f64").toDoubleArray());
                assertTensor(loaded.tensor("i32"), DType.INT32, new int[] {3, 1, 2});
                assertArrayEquals(ints, loaded.tensor("i32").toIntArray());
                assertTensor(loaded.tensor("i64"), DType.INT64, new int[] {6});
                assertArrayEquals(longs, loaded.tensor("i64").toLongArray());
                assertTensor(loaded.tensor("bool"), DType.BOOL, new int[] {2, 2});
                assertArrayEquals(bools, loaded.tensor("bool").toBooleanArray());
                assertEquals(StoredType.I64, loaded.storedTypes().get("i64"));
                assertEquals(Map.of(), loaded.metadata());
            }
        }
    }

    @Test
    void theWrittenBytesAreExactlyWhatTheSpecificationDescribes() throws IOException {
        Path file = directory.resolve("small.safetensors");
        try (Scope _ = Scope.open()) {
            Safetensors.save(file, Map.of("a", Tensor.of(device, new float[] {1, 2}, 2)), Map.of("format", "pt"));
        }
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        String padded = json + " ".repeat((8 - json.length() % 8) % 8);
        assertArrayEquals(Bytes.safetensors(padded, Bytes.floats(1, 2)), Files.readAllBytes(file));
    }

    @Test
    void namesOrderAndMetadataSurviveEscapesAndUnicode() throws IOException {
        Path file = directory.resolve("names.safetensors");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("quote\" back\\slash", "line\nbreak\ttab\u0001control");
        metadata.put("unicode ü 模型 \uD83D\uDE00", "");
        List<String> names = List.of("z.weight", "a.bias", "layers.10.attn/proj", "ñame \"quoted\"", "m");
        try (Scope _ = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                tensors.put(names.get(i), Tensor.of(device, new int[] {i}, 1));
            }
            Safetensors.save(file, tensors, metadata);
            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertEquals(names, List.copyOf(loaded.tensors().keySet()));
                assertEquals(List.copyOf(metadata.entrySet()), List.copyOf(loaded.metadata().entrySet()));
                for (int i = 0; i < names.size(); i++) {
                    assertArrayEquals(new int[] {i}, loaded.tensor(names.get(i)).toIntArray());
                }
            }
        }
    }

    @Test
    void viewsAreWrittenAsTheirRowMajorValues() throws IOException {
        Path file = directory.resolve("views.safetensors");
        try (Scope _ = Scope.open()) {
            Tensor base = Tensor.of(device, new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("transposed", base.t());
            tensors.put("strided", base.slice(1, 0, 3, 2));
            tensors.put("broadcast", Tensor.of(device, new double[] {7, 8}, 2, 1).expand(2, 3));
            Safetensors.save(file, tensors);
            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertTensor(loaded.tensor("transposed"), DType.FLOAT32, new int[] {3, 2});
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, loaded.tensor("transposed").toFloatArray());
                assertArrayEquals(new float[] {0, 2, 3, 5}, loaded.tensor("strided").toFloatArray());
                assertArrayEquals(new double[] {7, 7, 7, 8, 8, 8}, loaded.tensor("broadcast").toDoubleArray());
            }
        }
    }

    @Test
    void scalarsEmptyTensorsAndAnEmptyFileRoundTrip() throws IOException {
        Path file = directory.resolve("edge.safetensors");
        try (Scope _ = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("scalar", Tensor.scalar(2.5, DType.FLOAT64));
            tensors.put("empty", Tensor.zeros(device, DType.INT64, 0, 3));
            tensors.put("after", Tensor.of(device, new long[] {9}, 1));
            Safetensors.save(file, tensors);
            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertTensor(loaded.tensor("scalar"), DType.FLOAT64, new int[0]);
                assertEquals(2.5, loaded.tensor("scalar").item());
                assertTensor(loaded.tensor("empty"), DType.INT64, new int[] {0, 3});
                assertArrayEquals(new long[] {9}, loaded.tensor("after").toLongArray());
            }
            Safetensors.save(file, Map.of());
            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertTrue(loaded.tensors().isEmpty());
            }
        }
    }

    @Test
    void halfPrecisionKeepsRepresentableValuesExactlyAndSpecialValues() throws IOException {
        Path file = directory.resolve("half.safetensors");
        float smallestSubnormal = 0x1p-24f;
        float[] exact = {0f, -0f, 1f, -2.5f, 65504f, 0x1p-14f, smallestSubnormal, 3 * smallestSubnormal,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -(1 + 0x1p-10f), 0.5f + 0x1p-11f};
        try (Scope _ = Scope.open()) {
            Safetensors.save(file, Map.of("h", Tensor.of(device, exact, exact.length)), Map.of(), StoredType.F16);
            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertEquals(StoredType.F16, loaded.storedTypes().get("h"));
                assertTensor(loaded.tensor("h"), DType.FLOAT32, new int[] {exact.length});
                float[] back = loaded.tensor("h").toFloatArray();
                for (int i = 0; i < exact.length; i++) {
                    assertEquals(Float.floatToIntBits(exact[i]), Float.floatToIntBits(back[i]), "element " + i);
                }
            }
            assertEquals(8 + headerLength(file) + 2L * exact.length, Files.size(file));
        }
    }

    @Test
    void halfPrecisionRoundsToNearestEvenAndOverflowsToInfinity() throws IOException {
        Path file = directory.resolve("rounding.safetensors");
        float[] inputs = {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 1 + 0x1p-11f + 0x1p-20f, 65519f, 65520f, 0x1p-25f,
                0x1p-25f + 0x1p-40f, -0x1p-26f, 0.1f, 1e-3f};
        float[] expectedHalf = {1f, 1 + 0x1p-9f, 1 + 0x1p-10f, 65504f, Float.POSITIVE_INFINITY, 0f, 0x1p-24f, -0f,
                0.0999755859375f, 0.0010004043579101562f};
        float[] bfloatInputs = {1 + 0x1p-8f, 1 + 3 * 0x1p-8f, Float.MAX_VALUE, -Float.MAX_VALUE, 3.14159265f, Float.NaN};
        float[] expectedBfloat = {1f, 1 + 0x1p-6f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3.140625f, Float.NaN};
        try (Scope _ = Scope.open()) {
            Safetensors.save(file, Map.of("h", Tensor.of(device, inputs, inputs.length)), Map.of(), StoredType.F16);
            assertBitsEqual(expectedHalf, load(file, "h"));
            Safetensors.save(file, Map.of("b", Tensor.of(device, bfloatInputs, bfloatInputs.length)), Map.of(),
                    StoredType.BF16);
            assertBitsEqual(expectedBfloat, load(file, "b"));
        }
    }

    @Test
    void doublesRoundOnceToHalfPrecisionNotTwice() throws IOException {
        Path file = directory.resolve("double.safetensors");
        // Just above the half-way point between two halves: via a float it would land on the tie and
        // round to even (down); rounded directly it goes up.
        double[] inputs = {1 + 0x1p-11 + 0x1p-40, 1 + 0x1p-8 + 0x1p-40, -(1 + 0x1p-11 + 0x1p-40)};
        try (Scope _ = Scope.open()) {
            Tensor tensor = Tensor.of(device, inputs, 3);
            Safetensors.save(file, Map.of("d", tensor), Map.of(), StoredType.F16);
            assertBitsEqual(new float[] {1 + 0x1p-10f, 1 + 0x1p-8f, -(1 + 0x1p-10f)}, load(file, "d"));
            Safetensors.save(file, Map.of("d", tensor), Map.of(), StoredType.BF16);
            assertBitsEqual(new float[] {1f, 1 + 0x1p-7f, -1f}, load(file, "d"));
        }
    }

    @Test
    void halfPrecisionStaysWithinHalfAnUlpAndLeavesIntegerTensorsAlone() throws IOException {
        Path file = directory.resolve("mixed.safetensors");
        float[] values = new float[1000];
        java.util.Random random = new java.util.Random(6);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
        }
        try (Scope _ = Scope.open()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("weights", Tensor.of(device, values, 10, 100));
            tensors.put("steps", Tensor.of(device, new long[] {1L << 40}, 1));
            Safetensors.save(file, tensors, Map.of(), StoredType.F16);
            try (SafetensorsFile loaded = Safetensors.load(file, device)) {
                assertEquals(StoredType.I64, loaded.storedTypes().get("steps"));
                assertArrayEquals(new long[] {1L << 40}, loaded.tensor("steps").toLongArray());
                float[] back = loaded.tensor("weights").toFloatArray();
                for (int i = 0; i < values.length; i++) {
                    float tolerance = Math.max(Math.abs(values[i]) * 0x1p-11f, 0x1p-25f);
                    assertEquals(values[i], back[i], tolerance, "element " + i);
                }
            }
        }
    }

    @Test
    void readsAFileLaidOutAsPytorchWritesIt() throws IOException {
        // PyTorch's writer sorts tensors by alignment, then name; this header also lists them in an
        // order of its own, pads with spaces and spreads over lines.
        String header = """
                {
                  "__metadata__": {"format": "pt"},
                  "fc.weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [16, 32]},
                  "fc.bias": {"dtype": "F32", "shape": [2], "data_offsets": [32, 40]},
                  "step": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]},
                  "mask": {"dtype": "BOOL", "shape": [3], "data_offsets": [44, 47]},
                  "half": {"dtype": "F16", "shape": [2], "data_offsets": [40, 44]},
                  "scale": {"dtype": "F64", "shape": [1], "data_offsets": [8, 16]}
                }    \
                """;
        byte[] data = Bytes.concat(Bytes.longs(12), Bytes.doubles(0.5), Bytes.floats(1, 2, 3, 4), Bytes.floats(-1, 1),
                Bytes.shorts(0x3C00, 0xC000), new byte[] {1, 0, 7});
        Path file = Files.write(directory.resolve("torch.safetensors"), Bytes.safetensors(header, data));
        try (SafetensorsFile loaded = Safetensors.load(file, device)) {
            assertEquals(List.of("fc.weight", "fc.bias", "step", "mask", "half", "scale"),
                    List.copyOf(loaded.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), loaded.metadata());
            assertArrayEquals(new float[] {1, 2, 3, 4}, loaded.tensor("fc.weight").toFloatArray());
            assertArrayEquals(new int[] {2, 2}, loaded.tensor("fc.weight").shape());
            assertArrayEquals(new float[] {-1, 1}, loaded.tensor("fc.bias").toFloatArray());
            assertEquals(0, loaded.tensor("step").rank());
            assertEquals(12, loaded.tensor("step").item());
            assertArrayEquals(new boolean[] {true, false, true}, loaded.tensor("mask").toBooleanArray(),
                    "any non-zero byte is true");
            assertArrayEquals(new float[] {1, -2}, loaded.tensor("half").toFloatArray());
            assertArrayEquals(new double[] {0.5}, loaded.tensor("scale").toDoubleArray());
        }
    }

    @Test
    void readsEveryJsonEscapeInNamesAndMetadata() throws IOException {
        String header = "{\"__metadata__\":{\"k\\u00e9\":\"a\\/b\\ud83d\\ude00\\b\\f\\n\\r\\t\\\"\\\\\"},"
                + "\"w\\u0000\u00fc\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path file = Files.write(directory.resolve("escapes.safetensors"), Bytes.safetensors(header, Bytes.floats(5)));
        try (SafetensorsFile loaded = Safetensors.load(file, device)) {
            assertEquals(Map.of("k\u00e9", "a/b\uD83D\uDE00\b\f\n\r\t\"\\"), loaded.metadata());
            assertArrayEquals(new float[] {5}, loaded.tensor("w\u0000\u00fc").toFloatArray());
        }
    }

    @Test
    void narrowAndUnsignedIntegersLoadWidenedWithoutLoss() throws IOException {
        String header = "{\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[2,4]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"u16\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[8,10]},"
                + "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[10,14]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[14,16]}}";
        byte[] data = Bytes.concat(new byte[] {(byte) 255, 7, (byte) -128, 127}, Bytes.shorts(-32768, 32767),
                Bytes.shorts(65535), new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, Bytes.shorts(0x4049));
        Path file = Files.write(directory.resolve("narrow.safetensors"), Bytes.safetensors(header, data));
        try (SafetensorsFile loaded = Safetensors.load(file, device)) {
            assertArrayEquals(new int[] {255, 7}, loaded.tensor("u8").toIntArray());
            assertEquals(DType.INT32, loaded.tensor("u8").dtype());
            assertArrayEquals(new int[] {-128, 127}, loaded.tensor("i8").toIntArray());
            assertArrayEquals(new int[] {-32768, 32767}, loaded.tensor("i16").toIntArray());
            assertArrayEquals(new int[] {65535}, loaded.tensor("u16").toIntArray());
            assertEquals(DType.INT64, loaded.tensor("u32").dtype());
            assertArrayEquals(new long[] {4294967295L}, loaded.tensor("u32").toLongArray());
            assertArrayEquals(new float[] {3.140625f}, loaded.tensor("bf16").toFloatArray());
            assertEquals(StoredType.BF16, loaded.storedTypes().get("bf16"));
        }
    }

    @Test
    void loadsOnlyTheTensorsAskedFor() throws IOException {
        String header = "{\"big\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Path file = Files.write(directory.resolve("subset.safetensors"),
                Bytes.safetensors(header, Bytes.concat(Bytes.longs(-1), Bytes.floats(3))));
        try (SafetensorsFile loaded = Safetensors.load(file, device, name -> name.equals("small"))) {
            assertEquals(List.of("small"), List.copyOf(loaded.tensors().keySet()));
            assertArrayEquals(new float[] {3}, loaded.tensor("small").toFloatArray());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> loaded.tensor("big"));
            assertTrue(missing.getMessage().contains("has no tensor 'big'"), missing.getMessage());
        }
        MalformedTensorFileException unsupported = assertThrows(MalformedTensorFileException.class,
                () -> Safetensors.load(file, device));
        assertTrue(unsupported.getMessage().contains("does not load dtype U64"), unsupported.getMessage());
    }

    @Test
    void aSaveThatFailsHalfWayLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path file = directory.resolve("model.safetensors");
        try (Scope _ = Scope.open()) {
            Safetensors.save(file, Map.of("w", Tensor.of(device, new float[] {1, 2, 3}, 3)));
            byte[] before = Files.readAllBytes(file);

            Tensor closed = Tensor.of(device, new float[] {4, 5}, 2);
            closed.close();
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            tensors.put("fine", Tensor.of(device, new float[4096], 4096));
            tensors.put("closed", closed);
            assertThrows(IllegalStateException.class, () -> Safetensors.save(file, tensors));

            assertArrayEquals(before, Files.readAllBytes(file));
            try (Stream<Path> files = Files.list(directory)) {
                assertEquals(List.of(file), files.toList());
            }
        }
    }

    @Test
    void aSaveReplacesTheFileWholeAndRefusesAMissingDirectory() throws IOException {
        Path file = directory.resolve("model.safetensors");
        try (Scope _ = Scope.open()) {
            Safetensors.save(file, Map.of("w", Tensor.of(device, new float[1000], 1000)));
            Safetensors.save(file, Map.of("w", Tensor.of(device, new float[] {1}, 1)));
            assertArrayEquals(new float[] {1}, load(file, "w"));
            Path nowhere = directory.resolve("missing").resolve("model.safetensors");
            NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                    () -> Safetensors.save(nowhere, Map.of("w", Tensor.of(device, new float[] {1}, 1))));
            assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        }
    }

    @Test
    void refusesWhatCannotBeWritten() {
        Path file = directory.resolve("bad.safetensors");
        try (Scope _ = Scope.open()) {
            Tensor tensor = Tensor.of(device, new float[] {1}, 1);
            assertThrows(IllegalArgumentException.class, () -> Safetensors.save(file, Map.of("__metadata__", tensor)));
            assertThrows(IllegalArgumentException.class,
                    () -> Safetensors.save(file, Map.of("t", tensor), Map.of(), StoredType.I32));
            assertThrows(IllegalArgumentException.class, () -> Safetensors.save(file, Map.of("\uD800", tensor)));
        }
        assertTrue(Files.notExists(file));
    }

    private float[] load(Path file, String name) throws IOException {
        try (SafetensorsFile loaded = Safetensors.load(file, device)) {
            return loaded.tensor(name).toFloatArray();
        }
    }

    private static long headerLength(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static void assertTensor(Tensor tensor, DType dtype, int[] shape) {
        assertEquals(dtype, tensor.dtype());
        assertArrayEquals(shape, tensor.shape());
    }

    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
