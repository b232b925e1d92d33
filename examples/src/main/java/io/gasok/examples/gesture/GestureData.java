package io.gasok.examples.gesture;

import io.gasok.data.Dataset;
import io.gasok.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code gesture train} gets its rows: the embedded hand-pose generator, one keypoint CSV
 * split into training, validation and test parts, or separate training and test files (the
 * validation rows then come from the training file). Splits are stratified and seeded.
 */
public record GestureData(Dataset train, Dataset validation, Dataset test, List<String> labels, String source) {

    /** The names a labels file beside a keypoint CSV goes by in the MediaPipe projects and in ../shared/data/gesture. */
    static final List<String> LABEL_FILES = List.of("keypoint_classifier_label.csv", "labels.csv");

    /** Generated poses: {@code classes} gestures, {@code perClass} rows each. */
    public static GestureData generated(int classes, int perClass, double validationFraction, double testFraction,
                                        long seed) {
        Dataset all = HandPoses.generate(classes, perClass, seed);
        Split split = Split.stratified(all, validationFraction, testFraction, seed);
        return new GestureData(split.train(), split.validation(), split.test(), HandPoses.names(classes),
                "generated: " + classes + " gestures x " + perClass + " poses (seed " + seed + ")");
    }

    /** One CSV, split by {@code seed}. */
    public static GestureData split(Path file, Path labelsFile, double validationFraction, double testFraction, long seed)
            throws IOException {
        KeypointCsv.Keypoints keypoints = KeypointCsv.read(file);
        requireTwoClasses(keypoints, file);
        Split split = Split.stratified(keypoints.data(), validationFraction, testFraction, seed);
        List<String> labels = labels(labelsFile, file, keypoints.data().classCount());
        return new GestureData(split.train(), split.validation(), split.test(), labels,
                file + " (" + keypoints.data().size() + " rows, " + keypoints.dimensions() + "-D landmarks)");
    }

    /** Separate training and test files; the validation part is split off the training file by {@code seed}. */
    public static GestureData files(Path trainFile, Path testFile, Path labelsFile, double validationFraction, long seed)
            throws IOException {
        KeypointCsv.Keypoints train = KeypointCsv.read(trainFile);
        KeypointCsv.Keypoints test = KeypointCsv.read(testFile);
        requireTwoClasses(train, trainFile);
        if (train.data().width() != test.data().width()) {
            throw new IllegalArgumentException(testFile + " has " + test.data().width() + " values per row but "
                    + trainFile + " has " + train.data().width());
        }
        Split split = Split.stratified(train.data(), validationFraction, 0, seed);
        int classes = Math.max(train.data().classCount(), test.data().classCount());
        return new GestureData(split.train(), split.validation(), test.data(), labels(labelsFile, trainFile, classes),
                trainFile + " (" + train.data().size() + " rows) and " + testFile + " (" + test.data().size() + " rows)");
    }

    /** A classifier needs two classes at least: a file whose rows all have class id 0 trains nothing. */
    private static void requireTwoClasses(KeypointCsv.Keypoints keypoints, Path file) {
        if (keypoints.data().classCount() < 2) {
            throw new IllegalArgumentException(file + ": every row has class id 0; a classifier needs two classes or more");
        }
    }

    /** Class names: the labels file given, else one beside the data, else {@code class 0, class 1, ...}. */
    private static List<String> labels(Path labelsFile, Path dataFile, int classes) throws IOException {
        Path file = labelsFile;
        if (file == null) {
            Path folder = dataFile.toAbsolutePath().getParent();
            for (String name : LABEL_FILES) {
                if (folder != null && Files.isRegularFile(folder.resolve(name))) {
                    file = folder.resolve(name);
                    break;
                }
            }
        }
        List<String> names = new ArrayList<>(file == null ? List.of() : KeypointCsv.readLabels(file));
        if (file != null && names.size() < classes) {
            // Found beside the data or given: either way the data does not fit it (not silently replaced).
            throw new IllegalArgumentException(file + " names " + names.size() + " classes but the data has class id "
                    + (classes - 1));
        }
        for (int c = names.size(); c < classes; c++) {
            names.add("class " + c);
        }
        return List.copyOf(names.subList(0, Math.max(classes, names.size())));
    }
}
