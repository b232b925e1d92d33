package io.gasok.examples;

import io.gasok.Device;
import io.gasok.data.Dataset;
import io.gasok.examples.gesture.GestureModel;
import io.gasok.examples.gesture.HandPoses;
import io.gasok.examples.gesture.KeypointCsv;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gasok gesture predict}: loads a model saved by {@code gesture train} (the file alone
 * rebuilds it) and classifies keypoint rows from a CSV or stdin, printing each row's label and
 * probability, and the accuracy when the rows carry class ids.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Classifies keypoint rows with a model saved by 'gesture train'.",
            "Rows hold 21 landmarks (42 or 63 values), optionally after a class id; prints each row's label and",
            "probability. FILE '-' reads stdin; with no FILE it classifies a few generated poses."
        },
        footer = {"", "Example: gasok gesture predict --model gesture-output/model.safetensors keypoint.csv"})
final class GesturePredictCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "keypoint CSV to classify; '-' for stdin")
    private String input;

    @Option(names = "--model", defaultValue = "gesture-output/model.safetensors", paramLabel = "FILE",
            description = "a model written by 'gasok gesture train' (default: ${DEFAULT-VALUE})")
    private Path model;

    @Option(names = "--device", converter = GasokCli.DeviceName.class, description = "reference, cpu, opencl, cuda[:i] (default: the default device)")
    private String device;

    @Option(names = "--all", description = "print every class's probability, not only the best one's")
    private boolean all;

    @Option(names = "--samples", defaultValue = "2", description = "with no FILE: generated poses per gesture (default: ${DEFAULT-VALUE})")
    private int samples;

    @Option(names = "--seed", defaultValue = "7", description = "with no FILE: the generator's seed (default: ${DEFAULT-VALUE})")
    private long seed;

    @Override
    public Integer call() throws IOException {
        Device target = device == null ? Device.getDefault() : Device.of(device);
        PrintWriter out = spec.commandLine().getOut();
        try (GestureModel classifier = GestureModel.load(model, target)) {
            KeypointCsv.Unlabelled rows = rows(classifier);
            List<String> names = classifier.labels();
            int[] known = rows.labels();
            Dataset dataset = new Dataset(flatten(rows.rows(), classifier.inputWidth()),
                    new int[rows.rows().length], classifier.inputWidth());
            float[][] probabilities = classifier.probabilities(classifier.prepare(dataset), target);
            int width = Math.max(5, names.stream().mapToInt(String::length).max().orElse(5));
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%6s  %-" + width + "s  %11s", "line",
                    "label", "probability"));
            if (known != null) {
                header.append(String.format(Locale.ROOT, "  %-" + width + "s", "true"));
            }
            if (all) {
                for (String name : names) {
                    header.append(String.format(Locale.ROOT, "  %8s", name.length() > 8 ? name.substring(0, 8) : name));
                }
            }
            out.println(header.toString().stripTrailing());
            int correct = 0;
            for (int i = 0; i < probabilities.length; i++) {
                int best = 0;
                for (int c = 1; c < names.size(); c++) {
                    if (probabilities[i][c] > probabilities[i][best]) {
                        best = c;
                    }
                }
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%6d  %-" + width + "s  %11.4f",
                        rows.lines()[i], names.get(best), probabilities[i][best]));
                if (known != null) {
                    String truth = known[i] < names.size() ? names.get(known[i]) : "class " + known[i];
                    line.append(String.format(Locale.ROOT, "  %-" + width + "s", truth));
                    if (known[i] == best) {
                        correct++;
                    }
                }
                if (all) {
                    for (float p : probabilities[i]) {
                        line.append(String.format(Locale.ROOT, "  %8.4f", p));
                    }
                }
                out.println(line.toString().stripTrailing());
            }
            if (known != null) {
                out.printf(Locale.ROOT, "accuracy: %.4f (%d of %d rows)%n", (double) correct / probabilities.length, correct,
                        probabilities.length);
            }
            out.printf(Locale.ROOT, "model: %s (%s preset, %s); device: %s, backend %s%n", model,
                    classifier.architecture().name(), classifier.architecture().describe(classifier.inputWidth()),
                    target.name(), target.backendName());
            out.flush();
        }
        return 0;
    }

    private KeypointCsv.Unlabelled rows(GestureModel classifier) throws IOException {
        int width = classifier.inputWidth();
        if (input == null) {
            if (width != 2 * KeypointCsv.LANDMARKS) {
                throw new IllegalArgumentException("the model takes x,y,z landmarks; the generator makes x,y: pass a FILE");
            }
            int classes = Math.min(classifier.labels().size(), HandPoses.maxClasses());
            Dataset poses = HandPoses.generate(Math.max(2, classes), samples, seed);
            float[][] values = new float[poses.size()][];
            int[] lines = new int[poses.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = poses.row(i);
                lines[i] = i + 1;
            }
            return new KeypointCsv.Unlabelled(values, poses.labels(), lines);
        }
        if (input.equals("-")) {
            Reader stdin = new InputStreamReader(System.in, StandardCharsets.UTF_8);
            return KeypointCsv.readForPrediction(stdin, "stdin", width);
        }
        Path file = Path.of(input);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return KeypointCsv.readForPrediction(reader, input, width);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(input + ": no such file");
        }
    }

    private static float[] flatten(float[][] rows, int width) {
        float[] flat = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * width, width);
        }
        return flat;
    }
}
