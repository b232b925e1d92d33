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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code .npy} files: NumPy's own files (the fixtures beside this test, made by
 * {@code make_npy_fixtures.py}, and the detection data of the team's shared folder), round trips,
 * the exact bytes {@code numpy.save} writes, and corrupt and hostile files.
 */
@ExtendWith(NoLeakedTensors.class)
class NpyTest {
    @TempDir
    Path directory;

    private final Device device = Device.reference();

    @Test
    void readsNumpysHalfPrecisionWithItsSpecialValues() throws IOException {
        try (Tensor half = fixture("f2_specials.npy")) {
            assertEquals(DType.FLOAT32, half.dtype());
            float[] values = half.toFloatArray();
            float[] expected = {0f, -0f, 1f, -2.5f, 65504f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                    Float.NaN, 0x1p-24f, 0x1p-14f, 0.0999755859375f};
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(values[i]), "element " + i);
            }
        }
    }

    @Test
    void readsBigEndianData() throws IOException {
        try (Tensor floats = fixture("be_f4.npy"); Tensor longs = fixture("be_i8.npy")) {
            assertArrayEquals(new int[] {2, 3}, floats.shape());
            assertArrayEquals(new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f}, floats.toFloatArray());
            assertEquals(DType.INT64, longs.dtype());
            assertArrayEquals(new long[] {1, -2, 1L << 40, -(1L << 62)}, longs.toLongArray());
        }
    }

    @Test
    void readsFortranOrderAsRowMajor() throws IOException {
        try (Tensor tensor = fixture("fortran_f8.npy")) {
            assertEquals(DType.FLOAT64, tensor.dtype());
            assertArrayEquals(new int[] {2, 3, 4}, tensor.shape());
            double[] expected = new double[24];
            Arrays.setAll(expected, i -> i);
            assertArrayEquals(expected, tensor.toDoubleArray());
        }
    }

    @Test
    void readsScalarsEmptyArraysAndEveryIntegerWidth() throws IOException {
        try (Scope _ = Scope.open()) {
            Tensor scalar = fixture("scalar_i8.npy");
            assertEquals(0, scalar.rank());
            assertEquals(-7, scalar.item());
            Tensor empty = fixture("empty_f4.npy");
            assertArrayEquals(new int[] {0, 3}, empty.shape());
            assertArrayEquals(new boolean[] {true, false, true}, fixture("b1.npy").toBooleanArray());
            assertArrayEquals(new int[] {0, 255, 128}, fixture("u1.npy").toIntArray());
            assertArrayEquals(new int[] {-128, 127, 0}, fixture("i1.npy").toIntArray());
            assertArrayEquals(new int[] {-32768, 32767}, fixture("i2.npy").toIntArray());
            assertArrayEquals(new int[] {65535, 1}, fixture("u2.npy").toIntArray());
            Tensor unsigned = fixture("u4.npy");
            assertEquals(DType.INT64, unsigned.dtype());
            assertArrayEquals(new long[] {4294967295L, 7}, unsigned.toLongArray());
        }
    }

    @Test
    void readsFormatVersionsTwoAndThree() throws IOException {
        try (Tensor two = fixture("v2_f4.npy"); Tensor three = fixture("v3_f4.npy")) {
            assertArrayEquals(new float[] {0, 1, 2, 3}, two.toFloatArray());
            assertArrayEquals(new int[] {2, 2}, three.shape());
            assertArrayEquals(new float[] {0, 1, 2, 3}, three.toFloatArray());
        }
    }

    @Test
    void refusesDtypesItCannotHoldExactly() throws IOException {
        rejectedFixture("object.npy", "unsupported dtype '|O'", "pickle");
        rejectedFixture("structured.npy", "structured dtypes are not supported");
        rejectedFixture("c8.npy", "unsupported dtype '<c8'");
        rejectedFixture("u8.npy", "unsupported dtype '<u8'");
    }

    @Test
    void writesExactlyWhatNumpySaveWrites() throws IOException {
        try (Scope _ = Scope.open()) {
            assertWritesLikeNumpy("numpy_f4_2x3.npy", Tensor.of(device, new float[] {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f}, 2, 3));
            assertWritesLikeNumpy("numpy_f8_0d.npy", Tensor.scalar(3.25, DType.FLOAT64));
            assertWritesLikeNumpy("numpy_i4_1.npy", Tensor.of(device, new int[] {-5}, 1));
            assertWritesLikeNumpy("numpy_i8_empty.npy", Tensor.zeros(device, DType.INT64, 0));
            assertWritesLikeNumpy("numpy_b1_2x2.npy", Tensor.of(new boolean[] {true, false, false, true}).reshape(2, 2));
            float[] ramp = new float[120];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = i;
            }
            assertWritesLikeNumpy("numpy_f4_rank5.npy", Tensor.of(device, ramp, 1, 2, 3, 4, 5));
        }
    }

    @Test
    void everyDtypeAndViewRoundTrips() throws IOException {
        Path file = directory.resolve("x.npy");
        try (Scope _ = Scope.open()) {
            List<Tensor> tensors = List.of(
                    Tensor.of(device, new float[] {Float.NaN, -0f, Float.MIN_VALUE, 3}, 2, 2),
                    Tensor.of(device, new double[] {Double.MAX_VALUE, -1e-300}, 2),
                    Tensor.of(device, new int[] {Integer.MIN_VALUE, 5}, 2, 1),
                    Tensor.of(device, new long[] {Long.MAX_VALUE}, 1, 1, 1),
                    Tensor.of(new boolean[] {false, true}),
                    Tensor.of(device, new float[] {0, 1, 2, 3, 4, 5}, 2, 3).t(),
                    Tensor.of(device, new float[] {0, 1, 2, 3, 4, 5}, 2, 3).slice(1, 1, 3));
            for (Tensor tensor : tensors) {
                Npy.save(file, tensor);
                Tensor back = Npy.load(file, device);
                assertEquals(tensor.dtype(), back.dtype());
                assertArrayEquals(tensor.shape(), back.shape());
                assertArrayEquals(tensor.toDoubleArray(), back.toDoubleArray());
            }
            try (Stream<Path> files = Files.list(directory)) {
                assertEquals(List.of(file), files.toList(), "no temporary file is left behind");
            }
        }
    }

    @Test
    void readsTheSharedDetectionArraysThatNumpyWrote() throws IOException {
        Path detect = SharedData.directory("detect");
        for (String name : List.of("3", "dog")) {
            try (Tensor input = Npy.load(detect.resolve(name + ".input.npy"), device);
                 Tensor output = Npy.load(detect.resolve(name + ".output.npy"), device)) {
                assertEquals(DType.FLOAT32, input.dtype());
                assertArrayEquals(new int[] {1, 3, 352, 352}, input.shape());
                for (float value : input.toFloatArray()) {
                    assertTrue(value >= 0 && value <= 1, name + ".input.npy: pixel " + value + " outside [0, 1]");
                }
                assertArrayEquals(new int[] {1, 85, 22, 22}, output.shape());
                float[] values = output.toFloatArray();
                int cells = 22 * 22;
                for (int cell = 0; cell < cells; cell++) {
                    float objectness = values[cell];
                    assertTrue(objectness >= 0 && objectness <= 1, name + ": objectness " + objectness);
                    double classes = 0;
                    for (int c = 5; c < 85; c++) {
                        classes += values[c * cells + cell];
                    }
                    assertEquals(1, classes, 1e-4, name + ": class probabilities of cell " + cell);
                }
            }
        }
        try (Tensor input = Npy.load(detect.resolve("3.input.npy"), device)) {
            float[] values = input.toFloatArray();
            assertEquals(0.41960785f, values[0]);
            assertEquals(0.48546657f, values[12345]);
        }
    }

    // ------------------------------------------------------------------ corrupt and hostile files

    @Test
    void aFileTruncatedAtAnyByteIsRejected() throws IOException {
        byte[] whole = readFixture("numpy_f4_2x3.npy");
        for (int length = 0; length < whole.length; length++) {
            rejected(Arrays.copyOf(whole, length));
        }
    }

    @Test
    void refusesWhatIsNotAnNpyFile() throws IOException {
        rejected(new byte[0], "not an .npy file", "nothing");
        rejected("PK\u0003\u0004 a zip".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "not an .npy file",
                "50 4b 03 04");
        byte[] header = readFixture("numpy_f4_2x3.npy");
        header[6] = 4;
        rejected(header, "unsupported .npy format version 4.0");
        header[6] = 1;
        header[7] = 1;
        rejected(header, "version 1.1");
    }

    @Test
    void refusesAHeaderLongerThanTheFileOrTheLimit() throws IOException {
        byte[] bytes = readFixture("numpy_f4_2x3.npy");
        bytes[8] = (byte) 0xFF;
        bytes[9] = (byte) 0xFF;
        rejected(bytes, "says 65535 bytes, but only");
        byte[] version2 = Bytes.concat(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0},
                new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, new byte[64]);
        rejected(version2, "says 4294967295 bytes, over the limit");
    }

    @Test
    void refusesAHeaderPromisingMoreDataThanTheFileHolds() throws IOException {
        rejected(Bytes.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new byte[8]),
                "promises array <f4 [3], 12 bytes of data, but only 8 follow");
        rejected(Bytes.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }", new byte[8]),
                "4294967296 bytes of data, but only 8 follow");
        rejected(Bytes.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", new byte[8]),
                "larger than a Gasok tensor can hold");
        rejected(Bytes.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 9223372036854775807), }",
                new byte[8]), "larger than a Gasok tensor can hold");
    }

    @Test
    void refusesBadHeaderSyntax() throws IOException {
        String valid = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        try (Tensor tensor = Npy.load(Files.write(directory.resolve("ok.npy"), Bytes.npy(valid, new byte[8])), device)) {
            assertArrayEquals(new float[2], tensor.toFloatArray());
        }
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", "'(2)' is not a tuple");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "a negative dimension");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (a,), }", "expected a dimension");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (1 2), }", "expected ',' or ')'");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large for 64 bits");
        header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }", "expected a string, a tuple, True or False");
        header("{'descr': '<f4', 'fortran_order': 'no', 'shape': (2,), }", "'fortran_order' is not True or False");
        header("{'descr': '<f4', 'shape': (2,), }", "an .npy header has exactly");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 'x', }", "an .npy header has exactly");
        header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "'descr' appears twice");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing", "after the header dict");
        header("{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", "expected ',' or '}'");
        header("{'descr': 'f4', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype 'f4'");
        header("{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '|f4'");
        header("{'descr': '<U8', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<U8'");
        header("('descr', '<f4')", "expected '{'");
        header("{'descr': '<f4', 'fortran_order': False, 'shape': (" + "1, ".repeat(65) + "), }", "more than 64 dimensions");
    }

    private void header(String dict, String... fragments) throws IOException {
        rejected(Bytes.npy(dict, new byte[8]), fragments);
    }

    private void rejectedFixture(String name, String... fragments) throws IOException {
        rejected(readFixture(name), fragments);
    }

    private void rejected(byte[] content, String... fragments) throws IOException {
        Path file = Files.write(directory.resolve("hostile.npy"), content);
        MalformedTensorFileException error = assertThrows(MalformedTensorFileException.class,
                () -> Npy.load(file, device).close(), () -> "accepted " + content.length + " bytes");
        assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
        for (String fragment : fragments) {
            assertTrue(error.getMessage().contains(fragment), () -> "'" + fragment + "' not in: " + error.getMessage());
        }
    }

    private void assertWritesLikeNumpy(String fixture, Tensor tensor) throws IOException {
        Path file = directory.resolve(fixture);
        Npy.save(file, tensor);
        assertArrayEquals(readFixture(fixture), Files.readAllBytes(file), fixture);
    }

    private Tensor fixture(String name) throws IOException {
        Path file = Files.write(directory.resolve(name), readFixture(name));
        return Npy.load(file, device);
    }

    private static byte[] readFixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource io/gasok/io/" + name);
            }
            return in.readAllBytes();
        }
    }
}
