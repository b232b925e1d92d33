package io.gasok.examples.gesture;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.data.Dataset;
import io.gasok.examples.bench.Json;
import io.gasok.io.MalformedTensorFileException;
import io.gasok.io.Safetensors;
import io.gasok.io.SafetensorsFile;
import io.gasok.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained gesture classifier: the network, what it was built from ({@link Architecture}), the
 * class names, and the input normalisation (the per-feature mean and standard deviation of the
 * training set, when the architecture standardises). {@link #save} writes all of it to one
 * safetensors file, the normalisation as tensors beside the weights and the rest as metadata, so
 * {@link #load} rebuilds the model from that file alone.
 */
public final class GestureModel implements AutoCloseable {
    static final String FORMAT = "gasok-gesture-mlp/1";
    private static final String MEAN = "normalisation.mean";
    private static final String STD = "normalisation.std";
    private static final String PREFIX = "network.";

    private final Architecture architecture;
    private final Sequential network;
    private final List<String> labels;
    private final int inputWidth;
    private final float[] mean;
    private final float[] std;

    private GestureModel(Architecture architecture, Sequential network, List<String> labels, int inputWidth,
                         float[] mean, float[] std) {
        this.architecture = architecture;
        this.network = network;
        this.labels = List.copyOf(labels);
        this.inputWidth = inputWidth;
        this.mean = mean;
        this.std = std;
    }

    /**
     * A fresh model for {@code training}'s width on {@code device}; with a standardising
     * architecture, the normalisation is fitted to {@code training} (never to validation or test rows).
     */
    public static GestureModel create(Architecture architecture, Dataset training, List<String> labels, long seed,
                                      Device device) {
        if (architecture.classes() != labels.size()) {
            throw new IllegalArgumentException("the architecture ends in " + architecture.classes() + " classes but "
                    + labels.size() + " labels were given");
        }
        int width = training.width();
        float[] mean = null;
        float[] std = null;
        if (architecture.standardise()) {
            mean = new float[width];
            std = new float[width];
            fitStandardisation(training, mean, std);
        }
        return new GestureModel(architecture, architecture.build(width, seed, device), labels, width, mean, std);
    }

    private static void fitStandardisation(Dataset data, float[] mean, float[] std) {
        int width = data.width();
        double[] sum = new double[width];
        double[] squares = new double[width];
        float[] values = data.features();
        int n = data.size();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                sum[j] += values[i * width + j];
            }
        }
        for (int j = 0; j < width; j++) {
            mean[j] = (float) (sum[j] / n);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < width; j++) {
                double d = values[i * width + j] - mean[j];
                squares[j] += d * d;
            }
        }
        for (int j = 0; j < width; j++) {
            double s = Math.sqrt(squares[j] / n);
            // The wrist is always (0, 0): a constant feature keeps scale 1 rather than dividing by 0.
            std[j] = s < 1e-6 ? 1f : (float) s;
        }
    }

    /** {@code data} as the network sees it: standardised when the model standardises, else itself. */
    public Dataset prepare(Dataset data) {
        checkWidth(data.width());
        if (mean == null) {
            return data;
        }
        float[] values = data.features();
        for (int i = 0; i < values.length; i++) {
            int j = i % inputWidth;
            values[i] = (values[i] - mean[j]) / std[j];
        }
        return new Dataset(values, data.labels(), inputWidth);
    }

    /** The class probabilities of each row of {@code data} (already {@linkplain #prepare prepared}), in eval mode. */
    public float[][] probabilities(Dataset prepared, Device device) {
        float[] logits = logits(prepared, device);
        int classes = labels.size();
        float[][] probabilities = new float[prepared.size()][classes];
        for (int i = 0; i < prepared.size(); i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[i * classes + c]);
            }
            double total = 0;
            for (int c = 0; c < classes; c++) {
                total += Math.exp(logits[i * classes + c] - max);
            }
            for (int c = 0; c < classes; c++) {
                probabilities[i][c] = (float) (Math.exp(logits[i * classes + c] - max) / total);
            }
        }
        return probabilities;
    }

    /** The logits of every row, row-major {@code [rows, classes]}, computed on {@code device} in eval mode. */
    public float[] logits(Dataset prepared, Device device) {
        boolean training = network.isTraining();
        network.eval();
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            return network.forward(prepared.features(device)).toFloatArray();
        } finally {
            network.train(training);
        }
    }

    /** Writes the model to {@code file} (atomically: a crash leaves the old file or none). */
    public void save(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (Scope scope = Scope.open()) {
            network.stateDict().forEach((name, tensor) -> tensors.put(PREFIX + name, tensor));
            if (mean != null) {
                tensors.put(MEAN, Tensor.of(Device.reference(), mean, inputWidth));
                tensors.put(STD, Tensor.of(Device.reference(), std, inputWidth));
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", FORMAT);
            metadata.put("architecture", architecture.spec());
            metadata.put("preset", architecture.name());
            metadata.put("input", Integer.toString(inputWidth));
            metadata.put("widths", Json.writeLine(Arrays.stream(architecture.widths(inputWidth)).boxed().toList()));
            metadata.put("labels", Json.writeLine(labels));
            metadata.put("init", architecture.glorot() ? "glorot" : "pytorch");
            metadata.put("preprocess", "pre_process_landmark: landmarks minus the wrist, divided by the row's max |value|");
            metadata.put("normalisation", mean != null ? "per-feature (x - mean) / std of the training set" : "none");
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Safetensors.save(file, tensors, metadata);
        }
    }

    /**
     * Reads a model written by {@link #save} onto {@code device}.
     *
     * @throws IllegalArgumentException (one line) when the file is missing, not safetensors, or not a gesture model
     */
    public static GestureModel load(Path file, Device device) throws IOException {
        SafetensorsFile stored;
        try {
            stored = Safetensors.load(file, Device.reference());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no model at " + file + ": train one with 'gasok gesture train'"
                    + " or pass --model FILE");
        } catch (MalformedTensorFileException e) {
            throw new IllegalArgumentException("not a gesture model: " + e.getMessage());
        }
        try (stored) {
            return fromFile(stored, file, device);
        } catch (RuntimeException e) {
            String message = Text.describe(e);
            throw new IllegalArgumentException(message.startsWith("not a gesture model") ? message
                    : "not a gesture model: " + file + ": " + message);
        }
    }

    private static GestureModel fromFile(SafetensorsFile stored, Path file, Device device) {
        Map<String, String> metadata = stored.metadata();
        if (!FORMAT.equals(metadata.get("format"))) {
            throw new IllegalArgumentException("not a gesture model: " + file + " has format '" + metadata.get("format")
                    + "', expected '" + FORMAT + "' (written by 'gasok gesture train')");
        }
        int input = Integer.parseInt(metadata.get("input"));
        List<String> labels = ((List<?>) Json.parse(metadata.get("labels"))).stream().map(String::valueOf).toList();
        boolean standardise = stored.tensors().containsKey(MEAN);
        Architecture architecture = Architecture.parse(metadata.getOrDefault("preset", "stored"),
                metadata.get("architecture"), "glorot".equals(metadata.get("init")), standardise);
        if (architecture.classes() != labels.size()) {
            throw new IllegalArgumentException("not a gesture model: " + file + ": " + labels.size()
                    + " labels but the network has " + architecture.classes() + " outputs");
        }
        float[] mean = standardise ? stored.tensor(MEAN).toFloatArray() : null;
        float[] std = standardise ? stored.tensor(STD).toFloatArray() : null;
        Sequential network = architecture.build(input, 0, device);
        Map<String, Tensor> state = new LinkedHashMap<>();
        stored.tensors().forEach((name, tensor) -> {
            if (name.startsWith(PREFIX)) {
                state.put(name.substring(PREFIX.length()), tensor);
            }
        });
        try {
            network.loadStateDict(state);
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        network.eval();
        return new GestureModel(architecture, network, labels, input, mean, std);
    }

    private void checkWidth(int width) {
        if (width != inputWidth) {
            throw new IllegalArgumentException("the model takes " + inputWidth + " values per row, the data has " + width);
        }
    }

    public Architecture architecture() {
        return architecture;
    }

    public Sequential network() {
        return network;
    }

    public List<String> labels() {
        return labels;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public boolean standardises() {
        return mean != null;
    }

    @Override
    public void close() {
        network.close();
    }
}
