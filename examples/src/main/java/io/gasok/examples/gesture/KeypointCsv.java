package io.gasok.examples.gesture;

import io.gasok.data.Dataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The keypoint CSV of the MediaPipe hand-gesture projects (Kazuhito00's and its forks): no header,
 * one row per sample, the class id first, then 21 landmarks as x,y (42 values) or x,y,z (63 values),
 * as {@code pre_process_landmark} leaves them (relative to the wrist, divided by the largest absolute
 * value). Line endings may be LF or CRLF, a UTF-8 byte-order mark is skipped, blank lines are
 * ignored. Every row is put through {@link #preprocess} again, which leaves such rows unchanged and
 * makes raw landmark rows usable too.
 *
 * <p>A row that breaks the format is a {@link KeypointFormatException} naming the file, the line and
 * what is wrong; nothing is returned from a file with a bad row.
 */
public final class KeypointCsv {

    /** Landmarks per hand in MediaPipe's model. */
    public static final int LANDMARKS = 21;

    private KeypointCsv() {}

    /** The rows of a labelled keypoint CSV. */
    public record Keypoints(Dataset data, int dimensions) {}

    /** Reads {@code file} (rows with a class id first). */
    public static Keypoints read(Path file) throws IOException {
        try (Reader reader = open(file)) {
            return read(reader, file.toString());
        }
    }

    /** Reads labelled rows from {@code reader}; {@code source} names it in errors. */
    public static Keypoints read(Reader reader, String source) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int[] dimensions = {0};
        forEachRow(reader, source, (line, fields) -> {
            if (fields.length != 1 + 2 * LANDMARKS && fields.length != 1 + 3 * LANDMARKS) {
                throw new KeypointFormatException(source, line, "expected " + (1 + 2 * LANDMARKS) + " or "
                        + (1 + 3 * LANDMARKS) + " fields (a class id, then 21 landmarks as x,y or x,y,z), found "
                        + fields.length);
            }
            int label = classId(fields[0], source, line);
            rows.add(coordinates(fields, 1, source, line, dimensions));
            labels.add(label);
        });
        if (rows.isEmpty()) {
            throw new KeypointFormatException(source, 0, "no rows");
        }
        return new Keypoints(toDataset(rows, labels), dimensions[0]);
    }

    /**
     * Reads rows to classify: 21 landmarks (42 or 63 values) per row, optionally after a class id
     * (43 or 64 fields), whose ids are then returned (else null).
     */
    public static Unlabelled readForPrediction(Reader reader, String source, int width) throws IOException {
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        int[] dimensions = {width / LANDMARKS};
        boolean[] labelled = {false};
        forEachRow(reader, source, (line, fields) -> {
            boolean withId = fields.length == width + 1;
            if (fields.length != width && !withId) {
                throw new KeypointFormatException(source, line, "the model takes " + width + " values (21 landmarks"
                        + (width == 2 * LANDMARKS ? " as x,y" : " as x,y,z") + "), optionally after a class id; found "
                        + fields.length + " fields");
            }
            if (!rows.isEmpty() && withId != labelled[0]) {
                throw new KeypointFormatException(source, line, "this row " + (withId ? "has" : "lacks")
                        + " a class id, the rows before it " + (withId ? "do not" : "have one"));
            }
            labelled[0] = withId;
            if (withId) {
                labels.add(classId(fields[0], source, line));
            }
            rows.add(coordinates(fields, withId ? 1 : 0, source, line, dimensions));
            lines.add(line);
        });
        if (rows.isEmpty()) {
            throw new KeypointFormatException(source, 0, "no rows to classify");
        }
        int[] ids = labelled[0] ? labels.stream().mapToInt(Integer::intValue).toArray() : null;
        return new Unlabelled(rows.toArray(float[][]::new), ids, lines.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Rows to classify, the class ids they came with (or null) and their line numbers. */
    public record Unlabelled(float[][] rows, int[] labels, int[] lines) {}

    /**
     * The class names of a labels file (one per line, line k naming class k; Kazuhito00's
     * {@code keypoint_classifier_label.csv}), BOM and CRLF tolerated; trailing blank lines dropped.
     */
    public static List<String> readLabels(Path file) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader reader = open(file)) {
            String line;
            int number = 0;
            while ((line = readLine(reader, file.toString(), number)) != null) {
                number++;
                if (number == 1) {
                    line = stripBom(line);
                }
                String name = line.strip();
                if (name.startsWith("\"") && name.endsWith("\"") && name.length() >= 2) {
                    name = name.substring(1, name.length() - 1);
                }
                names.add(name);
            }
        }
        while (!names.isEmpty() && names.getLast().isEmpty()) {
            names.removeLast();
        }
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).isEmpty()) {
                throw new KeypointFormatException(file.toString(), i + 1, "empty class name");
            }
        }
        if (names.isEmpty()) {
            throw new KeypointFormatException(file.toString(), 0, "no class names");
        }
        return List.copyOf(names);
    }

    /**
     * Kazuhito00's {@code pre_process_landmark} on one row of {@code dimensions} values per landmark,
     * in place: every landmark minus the wrist (landmark 0), then all values divided by the largest
     * absolute value (a row of zeros stays zeros). In double, so finite values far apart (a landmark
     * at -3e38, the wrist at 3e38) do not overflow float into inf and then NaN.
     */
    public static float[] preprocess(float[] row, int dimensions) {
        double[] shifted = new double[row.length];
        double max = 0;
        for (int i = 0; i < row.length; i++) {
            shifted[i] = (double) row[i] - row[i % dimensions];
            max = Math.max(max, Math.abs(shifted[i]));
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = (float) (max > 0 ? shifted[i] / max : shifted[i]);
        }
        return row;
    }

    // ------------------------------------------------------------------------------------ parsing

    private interface RowHandler {
        void row(int line, String[] fields);
    }

    private static void forEachRow(Reader reader, String source, RowHandler handler) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader buffered ? buffered : new BufferedReader(reader);
        String line;
        int number = 0;
        while ((line = readLine(lines, source, number)) != null) {
            number++;
            if (number == 1) {
                line = stripBom(line);
            }
            if (line.isBlank()) {
                continue;
            }
            handler.row(number, line.split(",", -1));
        }
    }

    /**
     * The next line, or null at the end; bytes that are not UTF-8 stop with the file and the line
     * (the reader decodes ahead, so the bad bytes may lie a few lines further on).
     */
    private static String readLine(BufferedReader reader, String source, int linesRead) throws IOException {
        try {
            return reader.readLine();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new KeypointFormatException(source, linesRead + 1, "not UTF-8 text (here or in the lines after)");
        }
    }

    /** Largest class id a row may have: the classifier has an output for every id up to the largest. */
    public static final int MAX_CLASS_ID = 9999;

    private static int classId(String field, String source, int line) {
        String text = field.strip();
        try {
            int id = Integer.parseInt(text);
            if (id < 0) {
                throw new KeypointFormatException(source, line, "class id " + id + " is negative");
            }
            if (id > MAX_CLASS_ID) {
                throw new KeypointFormatException(source, line, "class id " + id + " is over the limit of "
                        + MAX_CLASS_ID + " (a network output per class up to it)");
            }
            return id;
        } catch (NumberFormatException e) {
            throw new KeypointFormatException(source, line, "the class id '" + abbreviate(text)
                    + "' is not a whole number");
        }
    }

    private static float[] coordinates(String[] fields, int from, String source, int line, int[] dimensions) {
        int count = fields.length - from;
        int dims = count / LANDMARKS;
        if (dimensions[0] == 0) {
            dimensions[0] = dims;
        } else if (dimensions[0] != dims) {
            throw new KeypointFormatException(source, line, "has " + count + " coordinates but the rows before it have "
                    + dimensions[0] * LANDMARKS + " (x,y and x,y,z rows cannot be mixed)");
        }
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            String text = fields[from + i].strip();
            float value;
            try {
                value = Float.parseFloat(text);
            } catch (NumberFormatException e) {
                throw new KeypointFormatException(source, line, "field " + (from + i + 1) + ": '" + abbreviate(text)
                        + "' is not a number");
            }
            if (!Float.isFinite(value) || text.endsWith("f") || text.endsWith("d") || text.endsWith("F")
                    || text.endsWith("D")) {
                throw new KeypointFormatException(source, line, "field " + (from + i + 1) + ": '" + abbreviate(text)
                        + "' is not a finite number");
            }
            values[i] = value;
        }
        return preprocess(values, dims);
    }

    private static Dataset toDataset(List<float[]> rows, List<Integer> labels) {
        return Dataset.of(rows.toArray(float[][]::new), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }

    private static String abbreviate(String text) {
        return text.length() <= 24 ? text : text.substring(0, 21) + "...";
    }

    private static BufferedReader open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new KeypointFormatException(file.toString(), 0, "a directory, not a CSV file");
        }
        try {
            return Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
    }

    /** A row that breaks the keypoint format: the message names the file and the line. */
    public static final class KeypointFormatException extends IllegalArgumentException {
        public KeypointFormatException(String source, int line, String problem) {
            super(source + (line > 0 ? ", line " + line : "") + ": " + problem);
        }
    }
}
