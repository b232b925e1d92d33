package io.gasok.examples;

import io.gasok.Device;
import io.gasok.examples.bench.Json;
import io.gasok.examples.bench.Machine;
import io.gasok.examples.bench.Peers;
import io.gasok.examples.bench.Workload;
import io.gasok.examples.bench.Workload.Contender;
import io.gasok.examples.bench.Workload.ConvLayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gasok bench}: GEMM, YOLO-shaped conv2d layers forward and backward (one by default, a list with
 * {@code --conv}), a depthwise conv2d, softmax,
 * a large add and the per-launch overhead of a small add, on Gasok's devices and, in the same run,
 * on the peers:
 * EJML in this JVM, NumPy (OpenBLAS) in a Python process at the same thread count, and CLBlast's
 * SGEMM on the same OpenCL device as Gasok's OpenCL rows, and for conv2d Gasok's own matmul at the
 * layer's GEMM shapes ({@link Peers}: the "90% of the GEMM rate" as a ratio). Each size is measured run
 * by run in turn (Gasok, EJML, NumPy, CLBlast, Gasok, ...), so a busy neighbour slows all of them
 * alike; the median run is reported, as GFLOP/s or GB/s, with Gasok's ratio to each peer. With
 * {@code --forks N} each thread count runs in N fresh JVMs in turn and each row pools their runs
 * ({@link #pooled}), as JMH's forks do: on the 2-core Zen 4 one JVM ran a 32×160×160 → 64
 * stride-2 backward at 7.2-7.9 ms in all eleven of its runs where two others ran it at 6.0-7.0,
 * while its GEMMs ran at 6.4-7.0 in that JVM too: one JVM's layout and compiled code decided a row.
 *
 * <p>Each {@code --threads} value runs in a child JVM of its own, whose rows are merged: the CPU
 * backend sizes its thread pool once per JVM, and the child's heap is fixed and touched in full
 * before anything is timed ({@link #childHeapOptions}). Measured in the launching JVM instead, on its
 * default heap, a 128×40×40 → 256 stride-2 backward at the end of a list of nine layers took 13.5
 * ms where it took 8.1 alone and 8.8 in the list in a fixed heap (one thread): the heap grew into
 * fresh pages under the timed runs. {@code --in-process} measures in this JVM all the same (one
 * thread count; the tests use it to save the child's start).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measures GEMM, conv2d (forward and backward), depthwise conv2d, softmax, a large add and the per-launch overhead",
            "on Gasok's devices and, alternating run by run, on EJML and NumPy at the same thread count and on",
            "CLBlast (SGEMM) on the same OpenCL device as Gasok's OpenCL rows.",
            "Prints a table (median of the runs; ratio = Gasok's throughput / the peer's) and, with --report,",
            "writes the rows and the machine to a JSON file."
        },
        footer = {"", "Example: gasok bench --ops gemm --sizes 1024 --threads 1,2 --report results/bench-gemm.json"})
final class BenchCommand implements Callable<Integer> {

    static final List<String> ALL_OPS = List.of("gemm", "conv2d", "depthwise", "softmax", "add", "launch");
    private static final String THREADS_PROPERTY = "gasok.cpu.threads";
    private static final Pattern LAYER = Pattern.compile("(\\d+)x(\\d+)x(\\d+)x(\\d+)_(\\d+)k(\\d+)s(\\d+)p(\\d+)");
    private static final Pattern CPU_THREADS = Pattern.compile("(\\d+) threads");
    /** A timed run lasts at least this long: small ops are called several times per run. */
    private static final double MIN_RUN_SECONDS = 0.02;
    /** Least time of the untimed run before each timed one at more than one thread (see {@link #run}). */
    static final double REWARM_SECONDS = 0.15;
    /** The untimed run goes in about this many batches, as many calls each as the warm-up's time per call predicts. */
    private static final int REWARM_BATCHES = 5;
    /**
     * Heap a call of Gasok's own (its rows and the {@code gemm} peer's) may allocate at the end of
     * the warm-up: more, and its code is taken to be not yet compiled without boxing (such calls
     * allocate megabytes; compiled, the bench's rows read at most 304 KB), so the warm-up goes on.
     */
    static final long BOXED_BYTES_PER_CALL = 1 << 20;
    /** The longest warm-up, as a multiple of {@code --warmup}, of a call that still allocates that much. */
    static final int BOXED_WARMUP_FACTOR = 5;
    /** Rows whose calls are Gasok's own code in this JVM (see {@link #BOXED_BYTES_PER_CALL}). */
    private static final Set<String> OWN_LIBRARIES = Set.of("gasok", "gemm");
    private static final int LAUNCH_ELEMENTS = 256;

    @Spec
    private CommandSpec spec;

    @Option(names = "--ops", split = ",", paramLabel = "OP",
            description = "any of gemm, conv2d, depthwise, softmax, add, launch (default: all)")
    private List<String> ops = new ArrayList<>(ALL_OPS);

    @Option(names = "--sizes", split = ",", paramLabel = "N",
            description = "GEMM sizes N (N×N times N×N) (default: 256,512,1024,2048)")
    private List<Integer> sizes = new ArrayList<>(List.of(256, 512, 1024, 2048));

    @Option(names = "--device", converter = GasokCli.DeviceName.class, split = ",", paramLabel = "DEVICE",
            description = "Gasok devices to run: cpu, reference, opencl, cuda[:i], a list allowed (default: the best available)")
    private List<String> devices;

    @Option(names = "--threads", split = ",", paramLabel = "N",
            description = "CPU threads for Gasok's cpu backend and the peers; a list runs each (default: the cores, "
                    + "${sys:gasok.bench.cores})")
    private List<Integer> threads;

    @Option(names = "--runs", defaultValue = "5", description = "timed runs per contender; the median is reported (default: ${DEFAULT-VALUE})")
    private int runs;

    @Option(names = "--forks", defaultValue = "1", paramLabel = "N",
            description = "fresh JVMs per thread count, their runs pooled into each row (default: ${DEFAULT-VALUE});"
                    + " a JVM's memory layout and compiled code can move all of a row's runs together")
    private int forks;

    // Two seconds: with 0.5 the first workload of a JVM (GEMM 256^3) was timed before C2 had compiled
    // the Vector API kernels, at a tenth of their speed.
    @Option(names = "--warmup", defaultValue = "2", paramLabel = "SECONDS",
            description = "warm-up per contender before the runs (default: ${DEFAULT-VALUE} s, so that the JIT has"
                    + " compiled what is timed; the launch row's is at least 2.5 s unless this is 0)")
    private double warmup;

    /** Most floats in the add and the softmax: 1 GiB a tensor (a Java array holds under 2^31). */
    static final int MAX_ELEMENTS = 1 << 28;

    /** Most elements of a benchmarked layer's input (padded), output or weights: as many as --elements allows. */
    static final long MAX_LAYER_ELEMENTS = MAX_ELEMENTS;

    @Option(names = "--elements", defaultValue = "16777216",
            description = "floats in the add and the softmax (rows of 1024) (default: ${DEFAULT-VALUE}, 64 MiB)")
    private int elements;

    @Option(names = "--conv", defaultValue = "1x64x80x80_64k3s1p1", split = ",", paramLabel = "LAYER",
            description = "the conv2d layers, NxCxHxW_OCkKsSpP, a list allowed (default: ${DEFAULT-VALUE},"
                    + " a YOLOv5/v8 bottleneck at 80×80)")
    private List<String> convs;

    @Option(names = "--depthwise", defaultValue = "1x96x40x40_96k3s1p1", paramLabel = "LAYER",
            description = "the depthwise conv2d layer, NxCxHxW_CkKsSpP with as many filters as channels"
                    + " (default: ${DEFAULT-VALUE}, a MobileNet/YOLO-lite block at 40×40)")
    private String depthwise;

    @Option(names = "--peers", split = ",", paramLabel = "PEER",
            description = "ejml, numpy, clblast, gemm, or none (default: all; clblast runs beside OpenCL devices only,"
                    + " when libclblast-dev is installed; gemm is Gasok's matmul at each conv2d layer's GEMM shapes)")
    private List<String> peers;

    @Option(names = "--python", defaultValue = "python3", description = "the Python with NumPy for the numpy peer (default: ${DEFAULT-VALUE})")
    private String python;

    @Option(names = "--cc", defaultValue = "cc", paramLabel = "COMPILER",
            description = "the C compiler that builds the clblast peer on first use (default: ${DEFAULT-VALUE})")
    private String compiler;

    @Option(names = "--report", paramLabel = "FILE.json", description = "also write the rows and the machine to this JSON file")
    private Path report;

    @Option(names = "--in-process",
            description = "measure in this JVM, on its heap as it is, instead of a fresh JVM with a fixed, pre-touched heap"
                    + " for each thread count (quicker to start; heap growth can slow the timed runs)")
    private boolean inProcess;

    /** Set on the child JVMs that run one thread count each: no table, the report only. */
    @Option(names = "--child", hidden = true)
    private boolean child;

    static {
        System.setProperty("gasok.bench.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public Integer call() throws IOException {
        List<Integer> threadCounts = validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> result;
        if (child || inProcess) {
            result = measure(threadCounts.get(0), err);
        } else {
            result = null;
            List<Object> rows = new ArrayList<>();
            for (int count : threadCounts) {
                List<Map<String, Object>> forked = new ArrayList<>();
                for (int fork = 0; fork < forks; fork++) {
                    forked.add(runChild(count, fork, err));
                }
                Map<String, Object> part = forks == 1 ? forked.get(0) : pooled(forked);
                if (result == null) {
                    result = part;
                } else {
                    @SuppressWarnings("unchecked")
                    List<Object> known = (List<Object>) ((Map<String, Object>) result.get("settings")).get("devices");
                    for (Object device : (List<?>) ((Map<?, ?>) part.get("settings")).get("devices")) {
                        if (!known.contains(device)) {
                            known.add(device);
                        }
                    }
                    @SuppressWarnings("unchecked")
                    List<Object> notes = (List<Object>) result.get("notes");
                    for (Object note : (List<?>) part.get("notes")) {
                        if (!notes.contains(note)) {
                            notes.add(note);
                        }
                    }
                }
                rows.addAll((List<?>) part.get("rows"));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> settings = (Map<String, Object>) result.get("settings");
            settings.put("threads", threadCounts);
            result.put("rows", rows);
        }
        if (!child) {
            @SuppressWarnings("unchecked")
            Map<String, Object> settings = (Map<String, Object>) result.get("settings");
            settings.put("forks", forks);
        }
        result.put("command", "gasok " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        if (!child) {
            printTable(result, out);
        }
        if (report != null) {
            Path parent = report.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(report, Json.write(result) + "\n", StandardCharsets.UTF_8);
            if (!child) {
                out.println("wrote " + report);
            }
        }
        out.flush();
        return 0;
    }

    /** Checks the options; returns the thread counts. A mistake is a ParameterException (exit 2). */
    private List<Integer> validate() {
        for (String op : ops) {
            if (!ALL_OPS.contains(op)) {
                throw bad("unknown op '" + op + "' in --ops: choose from " + String.join(", ", ALL_OPS));
            }
        }
        for (String peer : peerNames()) {
            if (!Peers.NAMES.contains(peer) && !peer.equals("none")) {
                throw bad("unknown peer '" + peer + "' in --peers: choose from " + String.join(", ", Peers.NAMES) + ", none");
            }
        }
        if (peerNames().contains("none") && peerNames().size() > 1) {
            throw bad("--peers none stands alone, not with " + String.join(",", peerNames()));
        }
        if (peerNames().size() != new java.util.HashSet<>(peerNames()).size()) {
            throw bad("--peers names a peer twice: " + String.join(",", peerNames()));
        }
        for (int size : sizes) {
            if (size < 1 || size > 16384) {
                throw bad("--sizes must be between 1 and 16384, not " + size);
            }
        }
        if (runs < 1) {
            throw bad("--runs must be at least 1, not " + runs);
        }
        if (!(warmup >= 0) || Double.isInfinite(warmup)) {
            throw bad("--warmup must be a finite number of seconds, 0 or more, not " + warmup);
        }
        if (elements < 1 || elements > MAX_ELEMENTS) {
            throw bad("--elements must be between 1 and " + MAX_ELEMENTS + " (1 GiB a tensor), not " + elements);
        }
        convs.forEach(conv -> checkLayer(conv, "--conv", "1x64x80x80_64k3s1p1", false));
        ConvLayer depthwiseLayer = checkLayer(depthwise, "--depthwise", "1x96x40x40_96k3s1p1", true);
        if (depthwiseLayer.oc() != depthwiseLayer.c()) {
            throw bad("--depthwise " + depthwise + " must have as many filters as channels (the _C after the input"
                    + " shape), not " + depthwiseLayer.oc() + " for " + depthwiseLayer.c());
        }
        List<Integer> counts = threads == null
                ? List.of(Runtime.getRuntime().availableProcessors()) : List.copyOf(new LinkedHashSet<>(threads));
        for (int count : counts) {
            if (count < 1 || count > 1024) {
                throw bad("--threads must be between 1 and 1024, not " + count);
            }
        }
        if (devices != null && devices.isEmpty()) {
            throw bad("--device names no device");
        }
        if (devices != null && devices.size() != new java.util.HashSet<>(devices).size()) {
            throw bad("--device names a device twice: " + String.join(",", devices));
        }
        if (report != null) {
            GasokCli.checkOutput(spec.commandLine(), "--report", report);
        }
        if (inProcess && counts.size() > 1) {
            throw bad("--in-process measures one thread count, not " + counts.size());
        }
        if (forks < 1) {
            throw bad("--forks must be at least 1, not " + forks);
        }
        if ((inProcess || child) && forks > 1) {
            throw bad("--forks runs fresh JVMs; --in-process measures in this one");
        }
        return counts;
    }

    /** The peers asked for: --peers, or every peer. */
    private List<String> peerNames() {
        return peers == null ? Peers.NAMES : peers;
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** The layer {@code text} of {@code option}, or a usage error naming what is wrong with it. */
    /** The layer {@code text} of {@code option} (one filter a channel when {@code depthwise}), or a usage error. */
    private ConvLayer checkLayer(String text, String option, String example, boolean depthwise) {
        if (!LAYER.matcher(text).matches()) {
            throw bad(option + " must look like NxCxHxW_OCkKsSpP, e.g. " + example + ", not '" + text + "'");
        }
        ConvLayer layer = parseLayer(text, option);
        long paddedH = layer.h() + 2L * layer.pad();
        long paddedW = layer.w() + 2L * layer.pad();
        if (layer.n() < 1 || layer.c() < 1 || layer.oc() < 1 || layer.k() < 1 || layer.stride() < 1
                || paddedH < layer.k() || paddedW < layer.k()) {
            throw bad(option + " " + text + " is not a valid layer: every extent >= 1 and the kernel within the padded input");
        }
        // In double: a product of four extents can pass a long's range.
        double input = (double) layer.n() * layer.c() * paddedH * paddedW;
        double output = (double) layer.n() * layer.oc() * ((paddedH - layer.k()) / layer.stride() + 1)
                * ((paddedW - layer.k()) / layer.stride() + 1);
        double weights = (double) layer.oc() * (depthwise ? 1 : layer.c()) * layer.k() * layer.k();
        if (Math.max(input, Math.max(output, weights)) > MAX_LAYER_ELEMENTS) {
            throw bad(option + " " + text + " is too large: its input, output or weights would pass "
                    + MAX_LAYER_ELEMENTS + " elements");
        }
        return layer;
    }

    private ConvLayer parseLayer(String text, String option) {
        Matcher m = LAYER.matcher(text);
        if (!m.matches()) {
            throw bad(option + " must look like NxCxHxW_OCkKsSpP, not '" + text + "'");
        }
        int[] v = new int[8];
        for (int i = 0; i < 8; i++) {
            try {
                v[i] = Integer.parseInt(m.group(i + 1));
            } catch (NumberFormatException e) {
                throw bad(option + " " + text + ": " + m.group(i + 1) + " is too large for an extent");
            }
        }
        return new ConvLayer(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    private List<Workload> workloads() {
        List<Workload> list = new ArrayList<>();
        for (String op : ops) {
            switch (op) {
                case "gemm" -> sizes.forEach(n -> list.add(new Workload.Gemm(n)));
                case "conv2d" -> convs.forEach(conv -> {
                    list.add(new Workload.Conv2d(parseLayer(conv, "--conv"), false));
                    list.add(new Workload.Conv2d(parseLayer(conv, "--conv"), true));
                });
                case "depthwise" -> list.add(new Workload.Depthwise(parseLayer(depthwise, "--depthwise")));
                case "softmax" -> {
                    int cols = Math.min(1024, elements);
                    list.add(new Workload.Softmax(Math.max(1, elements / cols), cols));
                }
                case "add" -> list.add(new Workload.Add(elements));
                case "launch" -> list.add(new Workload.Launch(LAUNCH_ELEMENTS));
                default -> throw new IllegalStateException(op);
            }
        }
        return list;
    }

    // ------------------------------------------------------------------------------------ measuring

    /**
     * A contender of one workload: its row, samples (seconds per call), [calls per timed run, calls
     * per re-warm-up], and [heap bytes the calling thread allocated in the timed runs, their calls].
     */
    private record Entry(Map<String, Object> row, Contender contender, double[] samples, int[] callsPerRun,
                         long[] heap) {
        Entry(Map<String, Object> row, Contender contender, int runs) {
            this(row, contender, new double[runs], new int[2], new long[2]);
        }
    }

    /** Measures every workload at {@code threadCount} threads in this JVM; returns the report. */
    private Map<String, Object> measure(int threadCount, PrintWriter err) {
        System.setProperty(THREADS_PROPERTY, Integer.toString(threadCount));
        List<Device> targets = new ArrayList<>();
        if (devices == null) {
            targets.add(Device.best());
        } else {
            for (String name : devices) {
                targets.add(Device.of(name));
            }
        }
        for (Device device : targets) {
            if (device.backendName().equals("cpu")) {
                Matcher m = CPU_THREADS.matcher(device.description());
                if (m.find() && Integer.parseInt(m.group(1)) != threadCount) {
                    throw new IllegalStateException("the cpu backend already runs " + m.group(1)
                            + " threads in this JVM, not " + threadCount + "; run one --threads value per gasok process");
                }
            }
        }
        List<String> notes = new ArrayList<>();
        List<Object> rows = new ArrayList<>();
        Map<String, Object> peerInfo;
        try (Peers peerSet = Peers.start(peerNames(), peers != null && peers.contains("clblast"), threadCount, python,
                compiler, targets, notes)) {
            peerInfo = peerSet.info();
            List<Workload> work = workloads();
            for (int w = 0; w < work.size(); w++) {
                Workload workload = work.get(w);
                err.printf(Locale.ROOT, "[%d/%d] %s %s, %d thread%s ...%n", w + 1, work.size(), workload.op,
                        workload.shape, threadCount, threadCount == 1 ? "" : "s");
                err.flush();
                List<Entry> entries = new ArrayList<>();
                try {
                    for (Device device : targets) {
                        Map<String, Object> row = workload.row("gasok", "gasok-" + device.backendName(),
                                device.name(), device.description(), threadCount);
                        entries.add(new Entry(row, workload.gasok(device), runs));
                    }
                    for (Peers.Run peer : peerSet.runs(workload)) {
                        entries.add(new Entry(peer.row(), peer.contender(), runs));
                    }
                    run(workload, entries, peerSet, notes, threadCount > 1);
                    addRatios(entries.stream().map(Entry::row).toList());
                    for (Entry entry : entries) {
                        if (entry.row.containsKey("seconds")) {
                            rows.add(entry.row);
                        }
                    }
                } finally {
                    for (Entry entry : entries) {
                        entry.contender.close();
                    }
                }
            }
        }

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("ops", ops);
        settings.put("threads", List.of(threadCount));
        settings.put("devices", targets.stream().map(d -> ordered("name", d.name(), "backend", d.backendName(),
                "description", d.description())).toList());
        settings.put("peers", peerNames());
        settings.put("runs", runs);
        settings.put("warmup_seconds", warmup);
        settings.put("min_run_seconds", MIN_RUN_SECONDS);
        settings.put("rewarm_seconds_above_one_thread", REWARM_SECONDS);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("gasok_version", GasokCli.version());
        result.put("command", "");
        result.put("machine", Machine.describe());
        result.put("settings", settings);
        result.put("peers", peerInfo);
        result.put("notes", notes);
        result.put("rows", rows);
        return result;
    }

    /**
     * Warms each contender up and picks its calls per run, then times the runs in turn, contender
     * after contender, so that a noisy neighbour hits them all alike. A contender that fails is
     * dropped with a note (and a peer process that stopped, for the rest of the run).
     *
     * <p>With several threads ({@code rewarm}) each timed run is preceded by an untimed one of at
     * least {@value #REWARM_SECONDS} s of the same contender. The previous contender's workers go on
     * spinning for a while after its last call (OpenBLAS's for 2^28 cycles by default, about 0.1 s
     * here: a 2-thread 512³ matmul ran at about 43 instead of 65 GFLOP/s beside an idle NumPy), and
     * a pause instead does not help: after 250 ms of idle cores the next 2-thread runs were slower
     * still for their first 50 ms or more (52 against 85 GFLOP/s for 20 ms runs). Running the
     * contender itself through that time lets both wear off before the clock starts. The untimed run
     * goes by its own clock ({@link #rewarm}), not by a count of calls from the warm-up. On a 16-core
     * host a 16-thread 1024³ GEMM took 2.5 ms a call alone (in process) and 10-75 ms beside a NumPy
     * process running matmuls; in the bench its warm-up ended at 20 ms a call or more, so a count
     * taken from it re-warmed for 20 ms at most, and the timed calls took 6-58 ms.
     */
    private void run(Workload workload, List<Entry> entries, Peers peerSet, List<String> notes, boolean rewarm) {
        List<Entry> live = new ArrayList<>(entries);
        for (Entry entry : entries) {
            try {
                boolean own = entry.contender.inProcess() && OWN_LIBRARIES.contains(entry.row.get("library"))
                        && heapAllocated() >= 0;
                double perCall = warmUp(entry.contender, workload.warmupSeconds(warmup), own);
                entry.callsPerRun[0] = (int) Math.min(1_000_000, Math.max(1, Math.ceil(MIN_RUN_SECONDS / Math.max(perCall, 1e-9))));
                entry.callsPerRun[1] = !rewarm || perCall >= REWARM_SECONDS ? 0
                        : (int) Math.min(1_000_000, Math.ceil(REWARM_SECONDS / REWARM_BATCHES / Math.max(perCall, 1e-9)));
            } catch (RuntimeException | OutOfMemoryError e) {
                fail(entry, e, live, peerSet, notes);
            }
        }
        for (int r = 0; r < runs; r++) {
            for (Entry entry : List.copyOf(live)) {
                try {
                    if (entry.callsPerRun[1] > 0) {
                        rewarm(entry.contender, entry.callsPerRun[1]);
                    }
                    int calls = entry.callsPerRun[0];
                    long heapBefore = heapAllocated();
                    entry.samples[r] = entry.contender.time(calls) / calls;
                    entry.heap[0] += heapAllocated() - heapBefore;
                    entry.heap[1] += calls;
                } catch (RuntimeException | OutOfMemoryError e) {
                    fail(entry, e, live, peerSet, notes);
                }
            }
        }
        for (Entry entry : live) {
            double[] sorted = entry.samples.clone();
            Arrays.sort(sorted);
            double median = median(sorted);
            entry.row.put("seconds", median);
            entry.row.put("min_seconds", sorted[0]);
            entry.row.put("runs", runs);
            entry.row.put("calls_per_run", entry.callsPerRun[0]);
            entry.row.put(workload.flops > 0 ? "gflops" : "gbps", workload.throughput(median));
            entry.row.put("samples", Arrays.stream(entry.samples).boxed().toList());
            if (entry.contender.inProcess() && entry.heap[1] > 0 && heapAllocated() >= 0) {
                long perCall = entry.heap[0] / entry.heap[1];
                entry.row.put("heap_bytes_per_call", perCall);
            }
        }
    }

    /**
     * The calling thread's heap allocation ({@code com.sun.management.ThreadMXBean}), or -1 where the
     * JVM does not count it: this thread's, which the JVM counts exactly (its figure for all threads
     * together is an approximation), and which takes its share of a parallel kernel's work.
     */
    static long heapAllocated() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            return threads.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    /**
     * Runs {@code contender} for {@code seconds} in batches of about 0.1 s, and returns its time per
     * call in the last batch. With {@code watchHeap} (Gasok's own code) it goes on, up to
     * {@value #BOXED_WARMUP_FACTOR} times as long, while the last batch allocated more than
     * {@value #BOXED_BYTES_PER_CALL} bytes a call on this thread: the first layer of a two-thread
     * JVM was timed at 37 MB a call after the 2 s warm-up (C2's queue still long; the same layer read
     * 60-120 KB a call elsewhere), and its row compared boxed code with its peers.
     */
    static double warmUp(Contender contender, double seconds, boolean watchHeap) {
        double perCall = contender.time(1);
        double spent = perCall;
        long heapPerCall = Long.MAX_VALUE;
        while (spent < seconds
                || watchHeap && heapPerCall > BOXED_BYTES_PER_CALL && spent < seconds * BOXED_WARMUP_FACTOR) {
            int calls = (int) Math.min(1_000_000, Math.max(1, Math.ceil(0.1 / Math.max(perCall, 1e-9))));
            long heapBefore = heapAllocated();
            double batch = contender.time(calls);
            heapPerCall = (heapAllocated() - heapBefore) / calls;
            perCall = batch / calls;
            spent += batch;
        }
        return perCall;
    }

    /**
     * The untimed run before a timed one: {@code contender} in batches of {@code batch} calls until
     * they have taken at least {@value #REWARM_SECONDS} s by its own clock; returns the calls made.
     */
    static long rewarm(Contender contender, int batch) {
        double spent = 0;
        long calls = 0;
        while (spent < REWARM_SECONDS) {
            spent += contender.time(batch);
            calls += batch;
        }
        return calls;
    }

    private static void fail(Entry entry, Throwable e, List<Entry> live, Peers peerSet, List<String> notes) {
        live.remove(entry);
        String who = entry.row.get("backend") + " on " + entry.row.get("op") + " " + entry.row.get("shape");
        String message = e instanceof OutOfMemoryError ? "out of memory (raise -Xmx)" : GasokCli.describe(e);
        notes.add(who + " failed: " + message);
        peerSet.failed(entry.row, e);
    }

    /**
     * Gasok's throughput over each peer's, as {@code ratio_to} of each Gasok row with a time: above
     * 1, Gasok is faster. {@code rows} are one workload's (or, pooled, rows of several: a peer counts
     * for the Gasok rows of its op, shape and thread count). A peer row with {@code compares_with}
     * (CLBlast on an OpenCL device) is a peer of that device's row only.
     */
    private static void addRatios(List<Map<String, Object>> rows) {
        for (Map<String, Object> row : rows) {
            if (!"gasok".equals(row.get("library")) || !row.containsKey("seconds")) {
                continue;
            }
            Map<String, Object> ratios = new LinkedHashMap<>();
            for (Map<String, Object> peer : rows) {
                Object comparesWith = peer.get("compares_with");
                if (!"gasok".equals(peer.get("library")) && peer.containsKey("seconds")
                        && peer.get("op").equals(row.get("op")) && peer.get("shape").equals(row.get("shape"))
                        && peer.get("threads").equals(row.get("threads"))
                        && (comparesWith == null || comparesWith.equals(row.get("device")))) {
                    ratios.put((String) peer.get("library"),
                            ((Number) peer.get("seconds")).doubleValue() / ((Number) row.get("seconds")).doubleValue());
                }
            }
            row.put("ratio_to", ratios);
        }
    }

    /** The median of {@code sorted} (ascending, at least one value). */
    private static double median(double[] sorted) {
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    // ------------------------------------------------------------------------------------ child JVMs

    /**
     * The child JVMs' heap: fixed in size (-Xms = -Xmx) and touched in full at start
     * ({@code -XX:+AlwaysPreTouch}), at least 2 GiB and 32 floats per element of the add. This VM
     * faults fresh pages in slowly (the kernel zeroes them at about 0.5-1 GB/s), so any heap
     * memory a JVM touches for the first time in a timed run costs that run dearly. With the default
     * heap (1/64 of memory) the JVM grew and shrank around the add's and softmax's 64 MiB tensors and
     * the add ran at 0.9 GB/s, Gasok and EJML alike (19.7 GB/s on a fixed heap). With only
     * {@code -Xms1g}, the heap still grew past 1 GiB once the cpu backend's memory pool kept the
     * freed 64 MiB arrays: G1 expanded it to 2.4-3.5 GiB, and the last rows, the launch above all
     * (every call allocates), ran on never-touched eden pages: 9,000 page faults a second and 7-11 µs
     * a launch, EJML's 256-float add 4-5 µs instead of 0.1. A fixed, pre-touched heap is the usual JVM
     * benchmark setting; pre-touching 2 GiB takes about 2 s. On a machine with less than twice that
     * memory the heap is half of it.
     */
    private List<String> childHeapOptions() {
        long mib = Math.max(2048, 32L * elements * Float.BYTES >> 20);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            mib = Math.min(mib, Math.max(512, os.getTotalMemorySize() / 2 >> 20));
        }
        return List.of("-Xms" + mib + "m", "-Xmx" + mib + "m", "-XX:+AlwaysPreTouch");
    }

    /** Runs this bench at one thread count in a child JVM (fork {@code fork} of --forks); returns its report. */
    private Map<String, Object> runChild(int threadCount, int fork, PrintWriter err) throws IOException {
        Path file = Files.createTempFile("gasok-bench-" + threadCount + "t-", ".json");
        try {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(childHeapOptions());
            command.add("--add-modules");
            command.add("jdk.incubator.vector");
            command.add("--enable-native-access=ALL-UNNAMED");
            String classPath = System.getProperty("java.class.path", "");
            String modulePath = System.getProperty("jdk.module.path", "");
            if (!modulePath.isEmpty()) {
                command.addAll(List.of("-p", modulePath, "-m", "io.gasok.examples/io.gasok.examples.GasokCli"));
            } else {
                command.addAll(List.of("-cp", classPath, GasokCli.class.getName()));
            }
            command.addAll(List.of("bench", "--child", "--threads", Integer.toString(threadCount),
                    "--ops", String.join(",", ops), "--sizes", String.join(",", sizes.stream().map(String::valueOf).toList()),
                    "--runs", Integer.toString(runs), "--warmup", Double.toString(warmup),
                    "--elements", Integer.toString(elements), "--conv", String.join(",", convs), "--depthwise", depthwise,
                    "--python", python, "--cc", compiler, "--report", file.toString()));
            if (peers != null) {
                command.addAll(List.of("--peers", String.join(",", peers)));
            }
            if (devices != null) {
                command.addAll(List.of("--device", String.join(",", devices)));
            }
            err.println("running " + threadCount + " thread" + (threadCount == 1 ? "" : "s") + " in a fresh JVM"
                    + (forks > 1 ? " (fork " + (fork + 1) + " of " + forks + ")" : "")
                    + " (a fixed, pre-touched heap; the cpu backend sizes its pool once per JVM)");
            err.flush();
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .start();
            String lastLine = "";
            try (var lines = process.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("WARNING: Using incubator modules")) {
                        continue;
                    }
                    err.println("  " + line);
                    err.flush();
                    lastLine = line;
                }
            }
            int exit;
            try {
                exit = process.waitFor();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the " + threadCount + "-thread bench ran");
            }
            if (exit != 0) {
                throw new IllegalStateException("the " + threadCount + "-thread bench failed (exit code " + exit + "): "
                        + lastLine.strip());
            }
            Object parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            @SuppressWarnings("unchecked")
            Map<String, Object> part = (Map<String, Object>) parsed;
            return part;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The reports of one thread count's forks as one: each row (op, shape, backend, device, library)
     * with every fork's runs pooled, in the first fork's order. Its {@code seconds} is the median of
     * all the runs, {@code min_seconds} the fastest, {@code runs} their number, {@code fork_seconds}
     * each fork's median, its throughput from the pooled median, {@code heap_bytes_per_call} the
     * largest fork's; the ratios to the peers again from the pooled medians. A row some fork lacks
     * (a contender that failed there) pools the forks that have it. Devices and notes: every
     * fork's, once each.
     */
    static Map<String, Object> pooled(List<Map<String, Object>> forks) {
        Map<String, Object> result = new LinkedHashMap<>(forks.get(0));
        Map<List<Object>, Map<String, Object>> rows = new LinkedHashMap<>();
        Map<List<Object>, List<Double>> samples = new LinkedHashMap<>();
        Map<List<Object>, List<Double>> medians = new LinkedHashMap<>();
        List<Object> notes = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = new LinkedHashMap<>((Map<String, Object>) result.get("settings"));
        List<Object> devices = new ArrayList<>((List<?>) settings.get("devices"));
        for (Map<String, Object> fork : forks) {
            for (Object device : (List<?>) ((Map<?, ?>) fork.get("settings")).get("devices")) {
                if (!devices.contains(device)) {
                    devices.add(device);
                }
            }
            for (Object note : (List<?>) fork.get("notes")) {
                if (!notes.contains(note)) {
                    notes.add(note);
                }
            }
            for (Object o : (List<?>) fork.get("rows")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> row = (Map<String, Object>) o;
                List<Object> key = List.of(row.get("op"), row.get("shape"), String.valueOf(row.get("backend")),
                        String.valueOf(row.get("device")), String.valueOf(row.get("library")), row.get("threads"));
                Map<String, Object> merged = rows.computeIfAbsent(key, k -> new LinkedHashMap<>(row));
                for (Object sample : (List<?>) row.get("samples")) {
                    samples.computeIfAbsent(key, k -> new ArrayList<>()).add(((Number) sample).doubleValue());
                }
                medians.computeIfAbsent(key, k -> new ArrayList<>()).add(((Number) row.get("seconds")).doubleValue());
                if (row.get("heap_bytes_per_call") instanceof Number heap) {
                    long most = merged.get("heap_bytes_per_call") instanceof Number known
                            ? Math.max(known.longValue(), heap.longValue()) : heap.longValue();
                    merged.put("heap_bytes_per_call", most);
                }
            }
        }
        List<Map<String, Object>> merged = new ArrayList<>();
        for (Map.Entry<List<Object>, Map<String, Object>> e : rows.entrySet()) {
            Map<String, Object> row = e.getValue();
            List<Double> runs = samples.get(e.getKey());
            double[] all = runs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = median(all);
            double firstMedian = ((Number) row.get("seconds")).doubleValue();
            // Throughput is work per second: the first fork's figure scaled to the pooled median.
            for (String unit : List.of("gflops", "gbps")) {
                if (row.get(unit) instanceof Number rate) {
                    row.put(unit, rate.doubleValue() * firstMedian / median);
                }
            }
            row.put("seconds", median);
            row.put("min_seconds", all[0]);
            row.put("runs", all.length);
            row.put("fork_seconds", medians.get(e.getKey()));
            // In run order, fork after fork: run i of a row and of its peers alternated.
            row.put("samples", runs);
            merged.add(row);
        }
        addRatios(merged);
        settings.put("devices", devices);
        result.put("settings", settings);
        result.put("notes", notes);
        result.put("rows", merged);
        return result;
    }

    // ------------------------------------------------------------------------------------ the table

    /** The rows as a table, then the devices that ran, the peers, and any notes. */
    static void printTable(Map<String, Object> result, PrintWriter out) {
        List<?> rows = (List<?>) result.get("rows");
        Set<String> peerNames = new LinkedHashSet<>();
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            if (!"gasok".equals(row.get("library"))) {
                peerNames.add(String.valueOf(row.get("library")));
            }
        }
        List<String> header = new ArrayList<>(List.of("op", "shape", "backend", "device", "threads", "median",
                "throughput"));
        for (String peer : peerNames) {
            header.add("vs " + peer);
        }
        List<List<String>> table = new ArrayList<>();
        table.add(header);
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            List<String> cells = new ArrayList<>();
            cells.add(String.valueOf(row.get("op")));
            cells.add(String.valueOf(row.get("shape")));
            String backend = String.valueOf(row.get("backend"));
            if (row.get("blas_kernel") != null) {
                backend += " (" + row.get("blas_kernel") + ")";
            }
            if ("gemm".equals(row.get("library"))) {
                backend += " gemm";
            }
            cells.add(backend);
            cells.add(String.valueOf(row.get("device")));
            cells.add(String.valueOf(((Number) row.get("threads")).intValue()));
            cells.add(seconds(((Number) row.get("seconds")).doubleValue()));
            cells.add(row.get("gflops") != null
                    ? String.format(Locale.ROOT, "%.2f GFLOP/s", ((Number) row.get("gflops")).doubleValue())
                    : String.format(Locale.ROOT, "%.2f GB/s", ((Number) row.get("gbps")).doubleValue()));
            Map<?, ?> ratios = row.get("ratio_to") instanceof Map<?, ?> map ? map : Map.of();
            for (String peer : peerNames) {
                Object ratio = ratios.get(peer);
                cells.add(ratio == null ? "" : String.format(Locale.ROOT, "%.2fx", ((Number) ratio).doubleValue()));
            }
            table.add(cells);
        }
        int[] widths = new int[header.size()];
        for (List<String> cells : table) {
            for (int i = 0; i < cells.size(); i++) {
                widths[i] = Math.max(widths[i], cells.get(i).length());
            }
        }
        for (int r = 0; r < table.size(); r++) {
            StringBuilder line = new StringBuilder();
            List<String> cells = table.get(r);
            for (int i = 0; i < cells.size(); i++) {
                boolean right = i >= 4;
                String cell = cells.get(i);
                String pad = " ".repeat(widths[i] - cell.length());
                line.append(i == 0 ? "" : "  ").append(right ? pad + cell : cell + pad);
            }
            out.println(line.toString().stripTrailing());
            if (r == 0) {
                out.println("-".repeat(line.toString().stripTrailing().length()));
            }
        }
        out.println();
        Map<?, ?> settings = (Map<?, ?>) result.get("settings");
        int forkCount = settings.get("forks") instanceof Number n ? n.intValue() : 1;
        out.println("median of the runs" + (forkCount > 1 ? " of " + forkCount + " JVMs, pooled" : "")
                + "; vs PEER = Gasok's throughput / the peer's, measured alternately in this run"
                + " (above 1: Gasok is faster)");
        for (Object o : (List<?>) settings.get("devices")) {
            Map<?, ?> device = (Map<?, ?>) o;
            out.println("gasok-" + device.get("backend") + " on " + device.get("name") + ": " + device.get("description"));
        }
        Map<?, ?> peerInfo = (Map<?, ?>) result.get("peers");
        if (peerInfo.get("numpy") instanceof Map<?, ?> numpy && numpy.get("numpy") != null) {
            out.println("numpy " + numpy.get("numpy") + ": " + numpy.get("blas") + ", " + numpy.get("blas_kernel")
                    + " kernel, OPENBLAS_NUM_THREADS = --threads");
        }
        if (peerInfo.get("ejml") instanceof Map<?, ?> ejml) {
            out.println("ejml " + ejml.get("version") + ": FMatrixRMaj; CommonOps_FDRM at 1 thread,"
                    + " CommonOps_MT_FDRM for products above 1 thread");
        }
        if (peerInfo.get("gemm") instanceof Map<?, ?> gemm) {
            out.println("gemm: " + gemm.get("what"));
        }
        if (peerInfo.get("clblast") instanceof Map<?, ?> clblast) {
            for (Map.Entry<?, ?> device : clblast.entrySet()) {
                if (device.getValue() instanceof Map<?, ?> peer && peer.get("clblast") != null) {
                    out.println("clblast " + peer.get("clblast") + " beside gasok-opencl on " + device.getKey() + ": "
                            + peer.get("gemm") + ", on " + peer.get("device") + " (" + peer.get("platform") + ")");
                }
            }
        }
        Set<String> measured = new LinkedHashSet<>();
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            if (row.get("measures") != null && measured.add(String.valueOf(row.get("op")))) {
                out.println(row.get("op") + ": " + row.get("measures"));
            }
        }
        Map<?, ?> machine = (Map<?, ?>) result.get("machine");
        out.println("machine: " + machine.get("cpu") + ", " + ((Number) machine.get("cores")).intValue() + " cores, Java "
                + machine.get("java"));
        for (Object note : (List<?>) result.get("notes")) {
            out.println("note: " + note);
        }
    }

    private static String seconds(double s) {
        if (s >= 1) {
            return String.format(Locale.ROOT, "%.3f s", s);
        }
        if (s >= 1e-3) {
            return String.format(Locale.ROOT, "%.3f ms", s * 1e3);
        }
        return String.format(Locale.ROOT, "%.2f us", s * 1e6);
    }
}
