package io.gasok.examples;

import io.gasok.Device;
import io.gasok.data.Dataset;
import io.gasok.examples.bench.Json;
import io.gasok.examples.bench.Machine;
import io.gasok.examples.bench.PeerUnavailableException;
import io.gasok.examples.gesture.Architecture;
import io.gasok.examples.gesture.GestureModel;
import io.gasok.examples.gesture.HandPoses;
import io.gasok.examples.gesture.NumpyMlpPeer;
import io.gasok.examples.gesture.Trainer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
 * {@code gasok gesture bench}: the same training, the Keras preset on generated poses, on every
 * device that can run here and, in the same run, on NumPy; a table of the time per epoch and the
 * speed-up over the reference backend, as in the lecture. The contenders train epoch by epoch in
 * turn (Gasok on each device, NumPy, again), so a busy neighbour slows them alike; the median epoch
 * after the warm-up is reported.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Times an epoch of the gesture MLP on every available device and on NumPy.",
            "The Keras preset on generated rows, contenders alternating epoch by epoch; prints ms per epoch",
            "and the speed-up over the reference backend."
        },
        footer = {"", "Example: gasok gesture bench --epochs 30 --report results/gesture-bench.json"})
final class GestureBenchCommand implements Callable<Integer> {

    /** Least time of the untimed epochs before each timed one (see {@link #measure}). */
    private static final double REWARM_SECONDS = 0.15;

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", converter = GasokCli.DeviceName.class, split = ",", paramLabel = "DEVICE",
            description = "devices to time (default: every available one, see 'gasok devices')")
    private List<String> devices;

    @Option(names = "--samples", defaultValue = "600", description = "generated poses per gesture (default: ${DEFAULT-VALUE}: 3,600 rows)")
    private int samples;

    @Option(names = "--classes", defaultValue = "6", description = "gestures (default: ${DEFAULT-VALUE})")
    private int classes;

    @Option(names = "--epochs", defaultValue = "20", description = "timed epochs per contender (default: ${DEFAULT-VALUE})")
    private int epochs;

    @Option(names = "--warmup", defaultValue = "6", paramLabel = "SECONDS",
            description = "untimed epochs first, per contender, for at least this long: the JIT compiles the Vector API"
                    + " kernels only after many calls (default: ${DEFAULT-VALUE} s)")
    private double warmup;

    @Option(names = "--batch-size", defaultValue = "128", description = "(default: ${DEFAULT-VALUE})")
    private int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "(default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--peers", defaultValue = "numpy", description = "numpy or none (default: ${DEFAULT-VALUE})")
    private String peers;

    @Option(names = "--python", defaultValue = "python3", description = "the Python with NumPy (default: ${DEFAULT-VALUE})")
    private String python;

    @Option(names = "--threads", description = "BLAS threads of the NumPy peer (default: the cores, as Gasok's cpu backend)")
    private Integer threads;

    @Option(names = "--report", paramLabel = "FILE.json", description = "also write the rows and the machine to this JSON file")
    private Path report;

    /** One contender: what it is, and one epoch at a time. */
    private record Contender(String library, String backend, String device, String description,
                             java.util.function.IntFunction<double[]> epochs,
                             java.util.function.DoubleSupplier lastAccuracy, AutoCloseable resources) {}

    @Override
    public Integer call() throws Exception {
        if (samples < 2 || classes < 2 || classes > HandPoses.maxClasses() || epochs < 1 || !(warmup >= 0)
                || Double.isInfinite(warmup) || batchSize < 1 || (threads != null && threads < 1)) {
            throw new ParameterException(spec.commandLine(), "--samples >= 2, --classes 2.." + HandPoses.maxClasses()
                    + ", --epochs >= 1, a finite --warmup >= 0, --batch-size >= 1 and --threads >= 1 are required");
        }
        if (!peers.equals("numpy") && !peers.equals("none")) {
            throw new ParameterException(spec.commandLine(), "--peers must be numpy or none, not '" + peers + "'");
        }
        if (devices != null && devices.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--device names no device");
        }
        if (devices != null && devices.size() != new java.util.HashSet<>(devices).size()) {
            throw new ParameterException(spec.commandLine(), "--device names a device twice: " + String.join(",", devices));
        }
        if (report != null) {
            GasokCli.checkOutput(spec.commandLine(), "--report", report);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Dataset rows = HandPoses.generate(classes, samples, seed);
        List<String> names = HandPoses.names(classes);
        Architecture preset = Architecture.keras(classes);
        Trainer.Settings settings = new Trainer.Settings(batchSize, 1, 0, 1e-3, seed);
        List<String> notes = new ArrayList<>();
        List<Contender> contenders = new ArrayList<>();
        try {
            for (Device device : targets(notes)) {
                GestureModel model = GestureModel.create(preset, rows, names, seed, device);
                Trainer.Session session = new Trainer.Session(model, rows, settings, device);
                double[] accuracy = {Double.NaN};
                contenders.add(new Contender("gasok", "gasok-" + device.backendName(), device.name(), device.description(),
                        n -> {
                            double[] times = new double[n];
                            for (int i = 0; i < n; i++) {
                                Trainer.Epoch epoch = session.epoch();
                                times[i] = epoch.seconds();
                                accuracy[0] = epoch.accuracy();
                            }
                            return times;
                        }, () -> accuracy[0], () -> {
                            session.close();
                            model.close();
                        }));
            }
            int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            if (peers.equals("numpy")) {
                try {
                    NumpyMlpPeer numpy = NumpyMlpPeer.start(python, threadCount, rows, classes, batchSize, 1e-3, seed);
                    contenders.add(new Contender("numpy", "numpy", "cpu", "NumPy " + numpy.numpyVersion() + ", "
                            + threadCount + " BLAS threads on " + Machine.cpuModel(), numpy::epochs, numpy::lastAccuracy, numpy));
                } catch (PeerUnavailableException e) {
                    notes.add(e.getMessage());
                }
            }
            err.printf(Locale.ROOT, "gesture bench: %d rows, %s, %.1f s of warm-up + %d timed epochs per contender ...%n",
                    rows.size(), preset.describe(rows.width()), warmup, epochs);
            err.flush();
            Map<Contender, double[]> samplesOf = measure(contenders, notes);
            Map<String, Object> result = result(rows, preset, samplesOf, notes, threadCount);
            printTable(result, out);
            if (report != null) {
                Path parent = report.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                Files.writeString(report, Json.write(result) + "\n", StandardCharsets.UTF_8);
                out.println("wrote " + report);
            }
            out.flush();
        } finally {
            for (Contender contender : contenders) {
                contender.resources().close();
            }
        }
        return 0;
    }

    private List<Device> targets(List<String> notes) {
        List<Device> targets = new ArrayList<>();
        if (devices != null) {
            for (String name : devices) {
                targets.add(Device.of(name));
            }
            return targets;
        }
        for (Device.Candidate candidate : Device.survey()) {
            if (candidate.available()) {
                targets.add(Device.of(candidate.name()));
            } else {
                notes.add(candidate.name() + " unavailable: " + candidate.reason());
            }
        }
        return targets;
    }

    /**
     * Warm-up, then the timed epochs one by one in turn; a contender that fails is dropped with a
     * note. Each timed epoch follows untimed epochs of the same contender, at least
     * {@value #REWARM_SECONDS} s of them: the previous contender's workers go on spinning after its
     * last call (NumPy's OpenBLAS threads these small products, and its threads spin about 0.1 s),
     * and would otherwise take a core from this one (as in {@code gasok bench}).
     */
    private Map<Contender, double[]> measure(List<Contender> contenders, List<String> notes) {
        List<Contender> live = new ArrayList<>(contenders);
        Map<Contender, double[]> samplesOf = new LinkedHashMap<>();
        Map<Contender, Integer> rewarmEpochs = new LinkedHashMap<>();
        for (Contender contender : contenders) {
            samplesOf.put(contender, new double[epochs]);
            long start = System.nanoTime();
            double epochSeconds = Double.NaN;
            do {
                double[] seconds = run(contender, 1, live, notes);
                if (seconds != null) {
                    epochSeconds = seconds[0];
                }
            } while (live.contains(contender) && (System.nanoTime() - start) / 1e9 < warmup);
            rewarmEpochs.put(contender, epochSeconds >= REWARM_SECONDS ? 0
                    : (int) Math.min(1000, Math.ceil(REWARM_SECONDS / Math.max(epochSeconds, 1e-6))));
        }
        for (int epoch = 0; epoch < epochs; epoch++) {
            for (Contender contender : List.copyOf(live)) {
                int rewarm = rewarmEpochs.get(contender);
                if (rewarm > 0) {
                    run(contender, rewarm, live, notes);
                }
                double[] seconds = run(contender, 1, live, notes);
                if (seconds != null) {
                    samplesOf.get(contender)[epoch] = seconds[0];
                }
            }
        }
        samplesOf.keySet().retainAll(live);
        return samplesOf;
    }

    private static double[] run(Contender contender, int n, List<Contender> live, List<String> notes) {
        if (!live.contains(contender)) {
            return null;
        }
        try {
            return contender.epochs().apply(n);
        } catch (RuntimeException | OutOfMemoryError e) {
            live.remove(contender);
            notes.add(contender.backend() + " on " + contender.device() + " failed: " + GasokCli.describe(e));
            return null;
        }
    }

    private Map<String, Object> result(Dataset rows, Architecture preset, Map<Contender, double[]> samplesOf,
                                       List<String> notes, int threadCount) {
        double referenceSeconds = Double.NaN;
        double numpySeconds = Double.NaN;
        for (Map.Entry<Contender, double[]> entry : samplesOf.entrySet()) {
            if (entry.getKey().backend().equals("gasok-reference")) {
                referenceSeconds = median(entry.getValue());
            }
            if (entry.getKey().library().equals("numpy")) {
                numpySeconds = median(entry.getValue());
            }
        }
        List<Object> table = new ArrayList<>();
        for (Map.Entry<Contender, double[]> entry : samplesOf.entrySet()) {
            Contender contender = entry.getKey();
            double median = median(entry.getValue());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("library", contender.library());
            row.put("backend", contender.backend());
            row.put("device", contender.device());
            row.put("device_description", contender.description());
            row.put("seconds_per_epoch", median);
            row.put("min_seconds_per_epoch", Arrays.stream(entry.getValue()).min().orElse(Double.NaN));
            row.put("speedup_vs_reference", referenceSeconds / median);
            row.put("ratio_to_numpy", numpySeconds / median);
            row.put("final_training_accuracy", contender.lastAccuracy().getAsDouble());
            row.put("samples", Arrays.stream(entry.getValue()).boxed().toList());
            table.add(row);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("command", "gasok " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        result.put("gasok_version", GasokCli.version());
        result.put("workload", ordered("rows", rows.size(), "model", preset.describe(rows.width()), "batch_size", batchSize,
                "optimizer", "Adam lr 0.001", "epochs", epochs, "warmup_seconds", warmup, "rewarm_seconds", REWARM_SECONDS,
                "numpy_threads", threadCount));
        result.put("machine", Machine.describe());
        result.put("notes", notes);
        result.put("rows", table);
        return result;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void printTable(Map<String, Object> result, PrintWriter out) {
        out.printf(Locale.ROOT, "%-16s  %-10s  %12s  %12s  %14s  %9s  %9s%n", "backend", "device", "ms/epoch", "min ms",
                "vs reference", "vs numpy", "train acc");
        out.println("-".repeat(16 + 2 + 10 + 2 + 12 + 2 + 12 + 2 + 14 + 2 + 9 + 2 + 9));
        for (Object o : (List<?>) result.get("rows")) {
            Map<?, ?> row = (Map<?, ?>) o;
            out.printf(Locale.ROOT, "%-16s  %-10s  %12.3f  %12.3f  %14s  %9s  %9.3f%n", row.get("backend"), row.get("device"),
                    1e3 * (Double) row.get("seconds_per_epoch"), 1e3 * (Double) row.get("min_seconds_per_epoch"),
                    ratio((Double) row.get("speedup_vs_reference")), ratio((Double) row.get("ratio_to_numpy")),
                    (Double) row.get("final_training_accuracy"));
        }
        out.println();
        out.println("median epoch (one pass over the rows: forward, backward, Adam, running loss and accuracy);"
                + " vs X = X's time / this one's (above 1: faster than X)");
        out.println("train acc: the last epoch's running training accuracy (the contenders ran different numbers of"
                + " warm-up epochs)");
        Map<?, ?> workload = (Map<?, ?>) result.get("workload");
        out.println("workload: " + workload.get("rows") + " generated rows, " + workload.get("model") + ", batch "
                + workload.get("batch_size") + ", Adam");
        for (Object o : (List<?>) result.get("rows")) {
            Map<?, ?> row = (Map<?, ?>) o;
            out.println(row.get("backend") + " on " + row.get("device") + ": " + row.get("device_description"));
        }
        Map<?, ?> machine = (Map<?, ?>) result.get("machine");
        out.println("machine: " + machine.get("cpu") + ", " + machine.get("cores") + " cores, Java " + machine.get("java"));
        for (Object note : (List<?>) result.get("notes")) {
            out.println("note: " + note);
        }
    }

    private static String ratio(Double value) {
        return value == null || value.isNaN() ? "" : String.format(Locale.ROOT, "%.2fx", value);
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
