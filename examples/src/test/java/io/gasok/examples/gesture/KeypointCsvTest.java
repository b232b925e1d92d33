package io.gasok.examples.gesture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeypointCsvTest {

    /** A preprocessed row of {@code dims} values per landmark: the wrist at 0, the largest |value| 1. */
    static String row(int label, int dims, double shift) {
        StringBuilder text = new StringBuilder(Integer.toString(label));
        for (int i = 0; i < 21 * dims; i++) {
            double value = i < dims ? 0 : i == dims ? -1 : Math.sin(i + shift) * 0.9;
            text.append(',').append(String.format(Locale.ROOT, "%s", value));
        }
        return text.toString();
    }

    @Test
    void readsRowsOfFortyTwoValuesWithCrlfAndTheClassIdFirst() throws Exception {
        String csv = row(0, 2, 0) + "\r\n" + row(3, 2, 1) + "\r\n" + row(1, 2, 2) + "\r\n";
        KeypointCsv.Keypoints keypoints = KeypointCsv.read(new StringReader(csv), "k.csv");
        assertEquals(3, keypoints.data().size());
        assertEquals(42, keypoints.data().width());
        assertEquals(2, keypoints.dimensions());
        assertArrayEquals(new int[] {0, 3, 1}, keypoints.data().labels());
        assertEquals(-1f, keypoints.data().row(1)[2]);
        assertEquals((float) (Math.sin(5 + 2) * 0.9), keypoints.data().row(2)[5], 1e-7);
    }

    @Test
    void readsRowsOfSixtyThreeValues() throws Exception {
        KeypointCsv.Keypoints keypoints = KeypointCsv.read(new StringReader(row(2, 3, 0) + "\n" + row(0, 3, 1) + "\n"), "k");
        assertEquals(63, keypoints.data().width());
        assertEquals(3, keypoints.dimensions());
    }

    @Test
    void preprocessingMakesRawLandmarksWristRelativeAndScaled() {
        float[] raw = new float[42];
        for (int i = 0; i < 21; i++) {
            raw[2 * i] = 100 + i;
            raw[2 * i + 1] = 200 - 2 * i;
        }
        float[] row = KeypointCsv.preprocess(raw, 2);
        assertEquals(0f, row[0]);
        assertEquals(0f, row[1]);
        assertEquals(-1f, row[41]);
        assertEquals(0.5f, row[40]);
    }

    @Test
    void preprocessingFiniteValuesFarApartStaysFinite() {
        float[] raw = new float[42];
        raw[0] = 3e38f;
        raw[2] = -3e38f;
        float[] row = KeypointCsv.preprocess(raw, 2);
        for (float value : row) {
            assertTrue(Float.isFinite(value), java.util.Arrays.toString(row));
        }
        assertEquals(-1f, row[2]);
        assertEquals(0f, row[0]);
    }

    @Test
    void aMalformedRowNamesItsLine() {
        String csv = row(0, 2, 0) + "\n\n" + row(1, 2, 1).replace(",0.0,", ",abc,") + "\n";
        KeypointCsv.KeypointFormatException error = assertThrows(KeypointCsv.KeypointFormatException.class,
                () -> KeypointCsv.read(new StringReader(csv), "keypoint.csv"));
        assertTrue(error.getMessage().startsWith("keypoint.csv, line 3: field 2: 'abc' is not a number"), error.getMessage());

        String shortRow = row(0, 2, 0) + "\n0,0.1,0.2\n";
        assertTrue(assertThrows(KeypointCsv.KeypointFormatException.class,
                () -> KeypointCsv.read(new StringReader(shortRow), "k.csv")).getMessage()
                .startsWith("k.csv, line 2: expected 43 or 64 fields"));

        String badId = "x" + row(0, 2, 0) + "\n";
        assertTrue(assertThrows(KeypointCsv.KeypointFormatException.class,
                () -> KeypointCsv.read(new StringReader(badId), "k.csv")).getMessage()
                .contains("line 1: the class id 'x0' is not a whole number"));

        String mixed = row(0, 2, 0) + "\n" + row(0, 3, 0) + "\n";
        assertTrue(assertThrows(KeypointCsv.KeypointFormatException.class,
                () -> KeypointCsv.read(new StringReader(mixed), "k.csv")).getMessage().contains("line 2: has 63 coordinates"));
        String nan = row(0, 2, 0).replace(",-1.0,", ",NaN,") + "\n";
        assertTrue(assertThrows(KeypointCsv.KeypointFormatException.class,
                () -> KeypointCsv.read(new StringReader(nan), "k.csv")).getMessage().contains("not a finite number"));
        assertThrows(KeypointCsv.KeypointFormatException.class, () -> KeypointCsv.read(new StringReader("\n\n"), "empty"));
    }

    @Test
    void aLabelsFileWithAByteOrderMarkAndCrlfNamesTheClasses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("labels.csv");
        Files.write(file, "\uFEFFOpen\r\nClose\r\nPointer\r\nOK\r\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("Open", "Close", "Pointer", "OK"), KeypointCsv.readLabels(file));
    }

    @Test
    void aByteOrderMarkBeforeTheFirstRowIsSkipped() throws Exception {
        KeypointCsv.Keypoints keypoints = KeypointCsv.read(new StringReader("\uFEFF" + row(1, 2, 0) + "\r\n"), "k");
        assertArrayEquals(new int[] {1}, keypoints.data().labels());
    }

    @Test
    void rowsToClassifyMayCarryAClassId() throws Exception {
        String plain = row(0, 2, 0).substring(2) + "\n";
        KeypointCsv.Unlabelled unlabelled = KeypointCsv.readForPrediction(new StringReader(plain), "in", 42);
        assertEquals(null, unlabelled.labels());
        assertEquals(1, unlabelled.rows().length);
        KeypointCsv.Unlabelled labelled = KeypointCsv.readForPrediction(new StringReader(row(2, 2, 0) + "\n"), "in", 42);
        assertArrayEquals(new int[] {2}, labelled.labels());
        assertTrue(assertThrows(KeypointCsv.KeypointFormatException.class,
                () -> KeypointCsv.readForPrediction(new StringReader(row(2, 3, 0)), "in", 42)).getMessage()
                .contains("the model takes 42 values"));
    }

    @Test
    void theRealSampleParses() throws Exception {
        Path sample = SharedData.gestureFolder();
        org.junit.jupiter.api.Assumptions.assumeTrue(sample != null, "../shared/data/gesture is absent: skipped");
        KeypointCsv.Keypoints keypoints = KeypointCsv.read(sample.resolve("keypoint-sample.csv"));
        assertEquals(160, keypoints.data().size());
        assertArrayEquals(new int[] {40, 40, 40, 40}, keypoints.data().classCounts());
        assertEquals(List.of("Open", "Close", "Pointer", "OK"), KeypointCsv.readLabels(sample.resolve("labels.csv")));
    }
}
