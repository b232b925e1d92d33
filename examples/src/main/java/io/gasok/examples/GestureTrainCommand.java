package io.gasok.examples;

import io.gasok.Device;
import io.gasok.examples.bench.Json;
import io.gasok.examples.bench.Machine;
import io.gasok.examples.gesture.Architecture;
import io.gasok.examples.gesture.CurvesPlot;
import io.gasok.examples.gesture.EpochProgress;
import io.gasok.examples.gesture.GestureData;
import io.gasok.examples.gesture.GestureModel;
import io.gasok.examples.gesture.HandPoses;
import io.gasok.examples.gesture.Metrics;
import io.gasok.examples.gesture.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gasok gesture train}: trains the gesture MLP, evaluates it on held-out rows, prints the
 * test accuracy, per-class precision and recall, the confusion matrix, the time per epoch and the
 * backend that ran, plots the curves, and saves the model with its normalisation.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Trains the gesture MLP and reports how well it classifies held-out rows.",
            "Data: a keypoint CSV or, with no file, generated hand poses. Adam with early stopping on the",
            "validation loss; prints test accuracy, per-class precision/recall, the confusion matrix, the time",
            "per epoch and the backend; writes the model (safetensors) and a plot of the curves."
        },
        footer = {"",
            "Examples:",
            "  gasok gesture train",
            "  gasok gesture train --data keypoint.csv --labels keypoint_classifier_label.csv --preset keras",
            "  gasok gesture train --data ../shared/data/gesture/keypoint-sample.csv --repeats 10"})
final class GestureTrainCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE", description = "keypoint CSV (class id, then 42 or 63 values), split by --test-fraction")
    private Path data;

    @Option(names = "--train", paramLabel = "FILE", description = "training CSV (with --test instead of --data)")
    private Path trainFile;

    @Option(names = "--test", paramLabel = "FILE", description = "test CSV (with --train)")
    private Path testFile;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "class names, one per line (default: labels.csv or keypoint_classifier_label.csv beside the data)")
    private Path labels;

    @Option(names = "--test-fraction", defaultValue = "0.25", description = "test rows of --data, stratified (default: ${DEFAULT-VALUE})")
    private double testFraction;

    @Option(names = "--validation-fraction", defaultValue = "0.15",
            description = "rows held out for early stopping, stratified (default: ${DEFAULT-VALUE})")
    private double validationFraction;

    @Option(names = "--classes", defaultValue = "6", description = "generated gestures, 2 to 6 (default: ${DEFAULT-VALUE})")
    private int classes;

    @Option(names = "--samples", defaultValue = "600", description = "generated poses per gesture (default: ${DEFAULT-VALUE})")
    private int samples;

    @Option(names = "--preset", defaultValue = "gasok",
            description = "gasok (a wider MLP: 128 and 64 ReLU units, dropout 0.2 after each) or keras (the MediaPipe projects' MLP) (default: ${DEFAULT-VALUE})")
    private String preset;

    @Option(names = "--hidden", split = ",", paramLabel = "WIDTH", description = "hidden widths of the gasok preset (default: 128,64)")
    private List<Integer> hidden;

    @Option(names = "--dropout", paramLabel = "P", description = "dropout after each hidden layer of the gasok preset (default: 0.2)")
    private Double dropout;

    @Option(names = "--standardise", description = "gasok preset: also scale each feature by the training rows' mean and sd"
            + " (saved with the model; off by default: it did not help on the real sample, see the README)")
    private boolean standardise;

    @Option(names = "--epochs", defaultValue = "1000", description = "most epochs (default: ${DEFAULT-VALUE})")
    private int epochs;

    @Option(names = "--patience", defaultValue = "20", description = "early stopping: epochs without a better validation loss; 0 = off (default: ${DEFAULT-VALUE})")
    private int patience;

    @Option(names = "--batch-size", defaultValue = "128", description = "(default: ${DEFAULT-VALUE})")
    private int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
    private double learningRate;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the split, the weights, dropout and shuffling (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--repeats", defaultValue = "1",
            description = "train on this many stratified splits (seeds SEED, SEED+1, ...) and report the mean ± sd (default: ${DEFAULT-VALUE})")
    private int repeats;

    @Option(names = "--device", converter = GasokCli.DeviceName.class, description = "reference, cpu, opencl, cuda[:i] (default: the default device, cpu where available)")
    private String device;

    @Option(names = "--model", defaultValue = "gesture-output/model.safetensors", paramLabel = "FILE",
            description = "where the model goes (default: ${DEFAULT-VALUE})")
    private Path model;

    @Option(names = "--plot", defaultValue = "gesture-output/curves.png", paramLabel = "FILE",
            description = "the loss and accuracy curves as .png, .jpg, .gif or .bmp, by the extension (default: ${DEFAULT-VALUE}); 'none' for no plot")
    private String plot;

    @Option(names = "--report", paramLabel = "FILE.json", description = "also write the metrics to this JSON file")
    private Path report;

    @Option(names = "--quiet", description = "no progress display")
    private boolean quiet;

    /** One training run's outcome. */
    private record Run(long seed, GestureData data, Trainer.History history, Metrics.Evaluation test) {}

    @Override
    public Integer call() throws IOException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Device target = device == null ? Device.getDefault() : Device.of(device);
        Trainer.Settings settings = new Trainer.Settings(batchSize, epochs, patience, learningRate, seed);

        List<Run> runs = new ArrayList<>();
        GestureModel kept = null;
        try {
            for (int r = 0; r < repeats; r++) {
                long runSeed = seed + r;
                GestureData rows = load(runSeed);
                if (rows.train().size() == 0 || rows.test().size() == 0) {
                    throw new IllegalArgumentException("too few rows: " + rows.train().size() + " for training and "
                            + rows.test().size() + " for testing");
                }
                if (r == 0) {
                    printHeader(out, target, rows);
                    warnOfUntrainedClasses(err, rows);
                }
                Architecture architecture = architecture(rows.labels().size());
                GestureModel trained = GestureModel.create(architecture, rows.train(), rows.labels(), runSeed, target);
                Trainer.History history;
                String task = repeats > 1 ? "run " + (r + 1) + "/" + repeats : "train";
                try (EpochProgress progress = new EpochProgress(task, EpochProgress.onTerminal() ? null : err,
                        quiet ? 0 : (repeats > 1 ? 0 : 25))) {
                    history = Trainer.train(trained, rows.train(), rows.validation(),
                            new Trainer.Settings(batchSize, epochs, patience, learningRate, runSeed), target, progress);
                }
                Metrics.Evaluation test = Metrics.evaluate(trained, trained.prepare(rows.test()), target);
                runs.add(new Run(runSeed, rows, history, test));
                if (repeats > 1) {
                    out.printf(Locale.ROOT, "  run %2d (seed %d): test accuracy %.4f after %d epochs (best %d)%n", r + 1,
                            runSeed, test.accuracy(), history.epochs().size(), history.bestEpoch());
                    out.flush();
                }
                if (r == 0) {
                    kept = trained;
                } else {
                    trained.close();
                }
            }
            Run first = runs.getFirst();
            printResults(out, first, kept, target);
            if (repeats > 1) {
                double[] accuracies = runs.stream().mapToDouble(run -> run.test().accuracy()).toArray();
                out.printf(Locale.ROOT, "test accuracy over %d stratified splits: %.4f ± %.4f (mean ± sd; min %.4f, max %.4f)%n",
                        repeats, mean(accuracies), sd(accuracies), java.util.Arrays.stream(accuracies).min().orElse(0),
                        java.util.Arrays.stream(accuracies).max().orElse(0));
            }
            kept.save(model);
            out.println("model: " + model);
            if (!plot.equals("none")) {
                CurvesPlot.write(first.history(), kept.architecture().name() + " on " + target.name(), Path.of(plot));
                out.println("plot: " + plot);
            }
            if (report != null) {
                writeReport(first, runs, kept, target, settings);
                out.println("report: " + report);
            }
            out.flush();
        } finally {
            if (kept != null) {
                kept.close();
            }
        }
        return 0;
    }

    private void validate() {
        if (data != null && (trainFile != null || testFile != null)) {
            throw bad("--data and --train/--test exclude each other");
        }
        if ((trainFile == null) != (testFile == null)) {
            throw bad("--train and --test go together");
        }
        if (!(testFraction > 0 && testFraction < 1) || !(validationFraction >= 0 && validationFraction < 1)
                || testFraction + validationFraction >= 1) {
            throw bad("--test-fraction must be in (0, 1), --validation-fraction in [0, 1), and together below 1");
        }
        if (!preset.equals("gasok") && !preset.equals("keras")) {
            throw bad("unknown preset '" + preset + "': choose gasok or keras");
        }
        if (preset.equals("keras") && (hidden != null || dropout != null)) {
            throw bad("the keras preset is fixed (42 → Dropout 0.2 → 20 → Dropout 0.4 → 10 → classes); "
                    + "--hidden and --dropout shape the gasok preset");
        }
        if (hidden != null && hidden.stream().anyMatch(w -> w < 1 || w > 1_000_000)) {
            throw bad("--hidden widths must be between 1 and 1000000");
        }
        if (dropout != null && !(dropout >= 0 && dropout < 1)) {
            throw bad("--dropout must be in [0, 1), not " + dropout);
        }
        if (classes < 2 || classes > HandPoses.maxClasses()) {
            throw bad("--classes must be between 2 and " + HandPoses.maxClasses() + ", not " + classes);
        }
        if (samples < 4) {
            throw bad("--samples must be at least 4, not " + samples);
        }
        if (epochs < 1 || patience < 0 || batchSize < 1 || !(learningRate > 0) || repeats < 1) {
            throw bad("--epochs >= 1, --patience >= 0, --batch-size >= 1, --lr > 0 and --repeats >= 1 are required");
        }
        if (!Double.isFinite(learningRate)) {
            throw bad("--lr must be finite, not " + learningRate);
        }
        GasokCli.checkOutput(spec.commandLine(), "--model", model);
        Path plotFile = plot.equals("none") ? null : Path.of(plot);
        if (plotFile != null) {
            GasokCli.checkOutput(spec.commandLine(), "--plot", plotFile);
            try {
                CurvesPlot.format(plotFile);
            } catch (IllegalArgumentException e) {
                throw bad("--plot " + plot + ": the file name must end in .png, .jpg, .jpeg, .gif or .bmp (the image format)");
            }
        }
        if (report != null) {
            GasokCli.checkOutput(spec.commandLine(), "--report", report);
        }
        GasokCli.checkDistinctOutputs(spec.commandLine(), "--model", model, "--plot", plotFile, "--report", report);
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private GestureData load(long runSeed) throws IOException {
        if (data != null) {
            return GestureData.split(data, labels, validationFraction, testFraction, runSeed);
        }
        if (trainFile != null) {
            return GestureData.files(trainFile, testFile, labels, validationFraction, runSeed);
        }
        return GestureData.generated(classes, samples, validationFraction, testFraction, runSeed);
    }

    private Architecture architecture(int classCount) {
        if (preset.equals("keras")) {
            return Architecture.keras(classCount);
        }
        int[] widths = hidden == null ? new int[] {128, 64} : hidden.stream().mapToInt(Integer::intValue).toArray();
        return Architecture.mlp("gasok", widths, dropout == null ? 0.2 : dropout, classCount, standardise);
    }

    private void printHeader(PrintWriter out, Device target, GestureData rows) {
        out.printf(Locale.ROOT, "device: %s (%s)%n", target.name(), target.description());
        out.println("data: " + rows.source());
        out.printf(Locale.ROOT, "rows: %d training, %d validation, %d test; classes: %s%n", rows.train().size(),
                rows.validation().size(), rows.test().size(), String.join(", ", rows.labels()));
        Architecture architecture = architecture(rows.labels().size());
        out.printf(Locale.ROOT, "model: %s preset, %s%n", architecture.name(), architecture.describe(rows.train().width()));
        out.printf(Locale.ROOT, "training: Adam lr %s, batch %d, at most %d epochs, %s%n", learningRate, batchSize, epochs,
                patience > 0 ? "early stopping with patience " + patience : "no early stopping");
        out.flush();
    }

    /**
     * Says which classes have no training rows: a labels file with more names than the data uses, a
     * class id the data skips, or one only the test file has. The network still gets an output for
     * each (the model file keeps every label), but cannot learn to predict them.
     */
    private static void warnOfUntrainedClasses(PrintWriter err, GestureData rows) {
        int[] counts = rows.train().classCounts();
        List<String> untrained = new ArrayList<>();
        for (int c = 0; c < rows.labels().size(); c++) {
            if (c >= counts.length || counts[c] == 0) {
                untrained.add(c + " (" + rows.labels().get(c) + ")");
            }
        }
        if (!untrained.isEmpty()) {
            err.println("warning: no training rows for class" + (untrained.size() > 1 ? "es " : " ")
                    + String.join(", ", untrained) + ": the model cannot learn to predict "
                    + (untrained.size() > 1 ? "them" : "it"));
            err.flush();
        }
    }

    private void printResults(PrintWriter out, Run run, GestureModel trained, Device target) {
        Trainer.History history = run.history();
        Trainer.Epoch last = history.epochs().getLast();
        out.printf(Locale.ROOT, "epochs: %d%s, weights of epoch %d kept; last epoch: %s%n", history.epochs().size(),
                history.stoppedEarly() ? " (stopped early)" : "", history.bestEpoch(), messageOf(last));
        out.printf(Locale.ROOT, "time per epoch: %.2f ms (median; mean %.2f ms) on %s, backend %s%n",
                1e3 * history.secondsPerEpoch(), 1e3 * history.meanSecondsPerEpoch(), target.name(), target.backendName());
        out.printf(Locale.ROOT, "test accuracy: %.4f on %d rows%n", run.test().accuracy(), run.data().test().size());
        List<String> names = trained.labels();
        int width = Math.max(8, names.stream().mapToInt(String::length).max().orElse(5));
        out.printf(Locale.ROOT, "%-" + width + "s  %9s  %6s  %7s%n", "class", "precision", "recall", "support");
        for (Map<String, Object> row : run.test().perClass(names)) {
            out.printf(Locale.ROOT, "%-" + width + "s  %9.3f  %6.3f  %7d%n", row.get("label"), row.get("precision"),
                    row.get("recall"), row.get("support"));
        }
        out.println("confusion matrix (rows: true class, columns: predicted):");
        int[][] confusion = run.test().confusion();
        StringBuilder header = new StringBuilder(" ".repeat(width));
        for (int c = 0; c < confusion.length; c++) {
            header.append(String.format(Locale.ROOT, " %7s", shortName(names.get(c))));
        }
        out.println(header);
        for (int c = 0; c < confusion.length; c++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + width + "s", names.get(c)));
            for (int value : confusion[c]) {
                line.append(String.format(Locale.ROOT, " %7d", value));
            }
            out.println(line);
        }
    }

    private static String messageOf(Trainer.Epoch epoch) {
        String text = String.format(Locale.ROOT, "loss %.4f, accuracy %.4f", epoch.loss(), epoch.accuracy());
        if (!Double.isNaN(epoch.validationLoss())) {
            text += String.format(Locale.ROOT, "; validation loss %.4f, accuracy %.4f", epoch.validationLoss(),
                    epoch.validationAccuracy());
        }
        return text;
    }

    private static String shortName(String name) {
        return name.length() <= 7 ? name : name.substring(0, 7);
    }

    private void writeReport(Run first, List<Run> runs, GestureModel trained, Device target, Trainer.Settings settings)
            throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("command", "gasok " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        result.put("gasok_version", GasokCli.version());
        result.put("backend", target.backendName());
        result.put("device", target.name());
        result.put("device_description", target.description());
        result.put("data", first.data().source());
        result.put("rows", ordered("train", first.data().train().size(), "validation", first.data().validation().size(),
                "test", first.data().test().size()));
        result.put("labels", trained.labels());
        result.put("preset", trained.architecture().name());
        result.put("architecture", trained.architecture().describe(trained.inputWidth()));
        result.put("settings", ordered("batch_size", settings.batchSize(), "max_epochs", settings.maxEpochs(),
                "patience", settings.patience(), "learning_rate", settings.learningRate(), "seed", seed));
        result.put("epochs", first.history().epochs().size());
        result.put("best_epoch", first.history().bestEpoch());
        result.put("stopped_early", first.history().stoppedEarly());
        result.put("seconds_per_epoch", first.history().secondsPerEpoch());
        result.put("seconds_per_epoch_mean", first.history().meanSecondsPerEpoch());
        result.put("test_accuracy", first.test().accuracy());
        result.put("test_loss", first.test().loss());
        result.put("per_class", first.test().perClass(trained.labels()));
        result.put("confusion", first.test().confusionRows());
        List<Object> curve = new ArrayList<>();
        for (Trainer.Epoch epoch : first.history().epochs()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("epoch", epoch.epoch());
            point.put("loss", epoch.loss());
            point.put("accuracy", epoch.accuracy());
            point.put("validation_loss", epoch.validationLoss());
            point.put("validation_accuracy", epoch.validationAccuracy());
            point.put("seconds", epoch.seconds());
            curve.add(point);
        }
        result.put("history", curve);
        if (runs.size() > 1) {
            double[] accuracies = runs.stream().mapToDouble(run -> run.test().accuracy()).toArray();
            Map<String, Object> repeated = new LinkedHashMap<>();
            repeated.put("runs", runs.size());
            repeated.put("seeds", runs.stream().map(Run::seed).toList());
            repeated.put("test_accuracies", java.util.Arrays.stream(accuracies).boxed().toList());
            repeated.put("mean", mean(accuracies));
            repeated.put("sd", sd(accuracies));
            result.put("repeats", repeated);
        }
        result.put("model", model.toString());
        result.put("machine", Machine.describe());
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(report, Json.write(result) + "\n", StandardCharsets.UTF_8);
    }

    static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElse(Double.NaN);
    }

    /** The sample standard deviation (n - 1). */
    static double sd(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double m = mean(values);
        double sum = 0;
        for (double v : values) {
            sum += (v - m) * (v - m);
        }
        return Math.sqrt(sum / (values.length - 1));
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
