package io.gasok.examples.gesture;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.nn.Dropout;
import io.gasok.nn.Generator;
import io.gasok.nn.Init;
import io.gasok.nn.Linear;
import io.gasok.nn.Module;
import io.gasok.nn.ReLU;
import io.gasok.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a gesture MLP as a layer list, written as a spec that the model file stores and
 * {@code predict} rebuilds the network from: {@code dropout:0.2,linear:20,relu,dropout:0.4,
 * linear:10,relu,linear:4}. {@code glorot} initialises each Linear as Keras' Dense does (Glorot
 * uniform weights, zero bias) instead of PyTorch's default; {@code standardise} scales each input
 * feature by the training set's mean and standard deviation before the network.
 */
public record Architecture(String name, List<String> layers, boolean glorot, boolean standardise) {

    /** The Keras MLP of the MediaPipe gesture projects: 42 → Dropout 0.2 → 20 ReLU → Dropout 0.4 → 10 ReLU → classes. */
    public static Architecture keras(int classes) {
        return new Architecture("keras", List.of("dropout:0.2", "linear:20", "relu", "dropout:0.4", "linear:10", "relu",
                "linear:" + classes), true, false);
    }

    /**
     * Gasok's preset: each hidden width as Linear → ReLU → Dropout, then the classes, optionally
     * after standardising the inputs ({@code gesture train} uses 128, 64 and dropout 0.2; the
     * README's gesture section has the measurements behind that choice).
     */
    public static Architecture mlp(String name, int[] hidden, double dropout, int classes, boolean standardise) {
        List<String> layers = new ArrayList<>();
        for (int width : hidden) {
            if (width < 1) {
                throw new IllegalArgumentException("hidden widths must be >= 1, not " + width);
            }
            layers.add("linear:" + width);
            layers.add("relu");
            if (dropout > 0) {
                layers.add("dropout:" + format(dropout));
            }
        }
        layers.add("linear:" + classes);
        return new Architecture(name, List.copyOf(layers), false, standardise);
    }

    /** The layer list as one line, for the model file. */
    public String spec() {
        return String.join(",", layers);
    }

    /** Parses {@link #spec()}; a malformed spec is an IllegalArgumentException naming the layer. */
    public static Architecture parse(String name, String spec, boolean glorot, boolean standardise) {
        List<String> layers = List.of(spec.split(","));
        for (String layer : layers) {
            checkLayer(layer);
        }
        return new Architecture(name, layers, glorot, standardise);
    }

    /** The widths of the Linear layers, input first: {@code 42, 20, 10, 4}. */
    public int[] widths(int input) {
        List<Integer> widths = new ArrayList<>(List.of(input));
        for (String layer : layers) {
            if (layer.startsWith("linear:")) {
                widths.add(Integer.parseInt(layer.substring(7)));
            }
        }
        return widths.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The network for {@code input} features on {@code device}: weights from a generator seeded
     * with {@code seed} (Philox, so every backend starts from the same weights), dropout masks from
     * one seeded with {@code seed + 1}.
     */
    public Sequential build(int input, long seed, Device device) {
        Generator weights = new Generator(seed);
        Generator masks = new Generator(seed + 1);
        Sequential network = new Sequential();
        int width = input;
        for (String layer : layers) {
            String[] parts = checkLayer(layer);
            switch (parts[0]) {
                case "linear" -> {
                    int out = Integer.parseInt(parts[1]);
                    Linear linear = new Linear(width, out, true, weights);
                    if (glorot) {
                        try (Autograd.GradMode off = Autograd.noGrad()) {
                            Init.xavierUniform(linear.weight(), 1, weights);
                            linear.bias().fill(0);
                        }
                    }
                    network.add(linear);
                    width = out;
                }
                case "relu" -> network.add(new ReLU());
                case "dropout" -> network.add(new Dropout(Double.parseDouble(parts[1]), masks));
                default -> throw new IllegalStateException(layer);
            }
        }
        Module moved = network.to(device);
        return (Sequential) moved;
    }

    /** A rough count of multiply-adds per sample, for the bench's FLOP figures. */
    public long multiplyAdds(int input) {
        int[] widths = widths(input);
        long total = 0;
        for (int i = 1; i < widths.length; i++) {
            total += (long) widths[i - 1] * widths[i];
        }
        return total;
    }

    /** How it reads in reports: {@code 42 → dropout 0.2 → 20 relu → ...}. */
    public String describe(int input) {
        StringBuilder text = new StringBuilder(Integer.toString(input));
        for (String layer : layers) {
            String[] parts = layer.split(":");
            switch (parts[0]) {
                case "linear" -> text.append(" → ").append(parts[1]);
                case "relu" -> text.append(" ReLU");
                case "dropout" -> text.append(" → Dropout ").append(parts[1]);
                default -> text.append(' ').append(layer);
            }
        }
        if (standardise) {
            text.insert(0, "standardise → ");
        }
        return text.toString();
    }

    private static String[] checkLayer(String layer) {
        String[] parts = layer.strip().split(":");
        boolean ok = switch (parts[0]) {
            case "linear" -> parts.length == 2 && parts[1].matches("[1-9][0-9]{0,6}");
            case "relu" -> parts.length == 1;
            case "dropout" -> parts.length == 2 && parts[1].matches("0(\\.[0-9]+)?|1(\\.0+)?");
            default -> false;
        };
        if (!ok) {
            throw new IllegalArgumentException("unknown layer '" + layer + "' (expected linear:WIDTH, relu or dropout:P)");
        }
        return parts;
    }

    private static String format(double value) {
        String text = String.format(Locale.ROOT, "%.6f", value).replaceAll("0+$", "");
        return text.endsWith(".") ? text + "0" : text;
    }

    /** The last layer's width: the number of classes. */
    public int classes() {
        String last = layers.getLast();
        return Integer.parseInt(last.substring(last.indexOf(':') + 1));
    }
}
