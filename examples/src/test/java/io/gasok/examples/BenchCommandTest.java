package io.gasok.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.BackendUnavailableException;
import io.gasok.Device;
import io.gasok.examples.bench.Json;
import io.gasok.examples.bench.Workload;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gasok bench} on the reference device at tiny sizes: what it writes, not how fast. */
class BenchCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** {@code gasok args}, a {@code bench} measured in this JVM ({@code --in-process}: a child JVM each would add seconds). */
    private int gasok(String... args) {
        if (args.length > 0 && args[0].equals("bench")) {
            String[] inProcess = java.util.Arrays.copyOf(args, args.length + 1);
            inProcess[args.length] = "--in-process";
            return gasokAsGiven(inProcess);
        }
        return gasokAsGiven(args);
    }

    private int gasokAsGiven(String... args) {
        CommandLine command = GasokCli.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void eachThreadCountRunsInAChildJvmWhoseRowsAreMerged(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        int exit = gasokAsGiven("bench", "--device", "reference", "--ops", "gemm", "--sizes", "8", "--runs", "1",
                "--warmup", "0", "--peers", "none", "--threads", "1,2", "--elements", "1024", "--report", report.toString());
        assertEquals(0, exit, err.toString());
        assertTrue(err.toString().contains("running 1 thread in a fresh JVM")
                && err.toString().contains("running 2 threads in a fresh JVM"), err.toString());
        List<?> rows = assertInstanceOf(List.class, assertInstanceOf(Map.class, Json.parse(Files.readString(report))).get("rows"));
        assertEquals(List.of(1, 2), rows.stream().map(row -> ((Number) ((Map<?, ?>) row).get("threads")).intValue()).toList());
        assertTrue(out.toString().contains("gasok-reference"), out.toString());
        assertEquals(2, gasokAsGiven("bench", "--threads", "1,2", "--in-process"));
        assertTrue(err.toString().contains("--in-process measures one thread count"), err.toString());
    }

    @Test
    void writesAReportWithTheMachineAndARowPerContender(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("results").resolve("bench.json");
        int exit = gasok("bench", "--device", "reference", "--ops", "gemm,add", "--sizes", "16", "--runs", "1",
                "--warmup", "0", "--elements", "4096", "--peers", "ejml", "--report", report.toString());
        assertEquals(0, exit, err.toString());

        Map<?, ?> parsed = assertInstanceOf(Map.class, Json.parse(Files.readString(report)));
        Map<?, ?> machine = assertInstanceOf(Map.class, parsed.get("machine"));
        for (String key : List.of("cpu", "cores", "java", "jvm_options", "os", "date")) {
            assertTrue(machine.containsKey(key), "machine has " + key + ": " + machine);
        }
        assertInstanceOf(List.class, machine.get("jvm_options"));
        List<?> rows = assertInstanceOf(List.class, parsed.get("rows"));
        assertEquals(4, rows.size(), "gasok and ejml for gemm and add: " + rows);
        for (Object o : rows) {
            Map<?, ?> row = assertInstanceOf(Map.class, o);
            for (String key : List.of("op", "backend", "device", "shape", "seconds", "runs", "threads")) {
                assertTrue(row.containsKey(key), "row has " + key + ": " + row);
            }
            assertTrue(row.containsKey("gflops") != row.containsKey("gbps"), "gflops or gbps: " + row);
            assertTrue(((Number) row.get("seconds")).doubleValue() > 0, row.toString());
            assertEquals(1, ((Number) row.get("runs")).intValue());
            // Both contenders run in this JVM: the calling thread's heap allocation per timed call is counted.
            assertTrue(((Number) row.get("heap_bytes_per_call")).longValue() >= 0, row.toString());
        }
        Map<?, ?> gasokGemm = (Map<?, ?>) rows.get(0);
        assertEquals("gemm", gasokGemm.get("op"));
        assertEquals("gasok-reference", gasokGemm.get("backend"));
        assertEquals("reference", gasokGemm.get("device"));
        assertTrue(gasokGemm.containsKey("gflops"));
        assertTrue(((Map<?, ?>) gasokGemm.get("ratio_to")).containsKey("ejml"), gasokGemm.toString());
        assertEquals("ejml", ((Map<?, ?>) rows.get(1)).get("backend"));
        assertTrue(((Map<?, ?>) rows.get(2)).containsKey("gbps"), "add is in GB/s");

        String table = out.toString();
        assertTrue(table.contains("gasok-reference"), table);
        assertTrue(table.contains("vs ejml"), table);
        assertTrue(table.contains("wrote " + report), table);
    }

    @Test
    void depthwiseIsOneRowInGigabytesPerSecondWithNoPeer(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        int exit = gasok("bench", "--device", "reference", "--ops", "depthwise", "--depthwise", "1x3x9x9_3k3s2p1",
                "--runs", "1", "--warmup", "0", "--peers", "ejml", "--report", report.toString());
        assertEquals(0, exit, err.toString());
        List<?> rows = assertInstanceOf(List.class,
                assertInstanceOf(Map.class, Json.parse(Files.readString(report))).get("rows"));
        assertEquals(1, rows.size(), rows.toString());
        Map<?, ?> row = assertInstanceOf(Map.class, rows.get(0));
        assertEquals("depthwise", row.get("op"));
        assertEquals("1x3x9x9*3x3x3/s2p1", row.get("shape"));
        double bytes = 4.0 * 3 * (9 * 9 + 5 * 5);
        assertEquals(bytes / ((Number) row.get("seconds")).doubleValue() / 1e9, ((Number) row.get("gbps")).doubleValue(),
                1e-9 * bytes / ((Number) row.get("seconds")).doubleValue());
    }

    @Test
    void severalConvLayersGiveAForwardAndABackwardRowEach(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        int exit = gasok("bench", "--device", "reference", "--ops", "conv2d", "--conv", "1x2x8x8_3k3s1p1,1x2x8x8_4k1s2p0",
                "--runs", "1", "--warmup", "0", "--peers", "none", "--report", report.toString());
        assertEquals(0, exit, err.toString());
        List<?> rows = assertInstanceOf(List.class,
                assertInstanceOf(Map.class, Json.parse(Files.readString(report))).get("rows"));
        List<String> shapes = rows.stream().map(row -> ((Map<?, ?>) row).get("op") + " " + ((Map<?, ?>) row).get("shape"))
                .toList();
        assertEquals(List.of("conv2d-fwd 1x2x8x8*3x3x3/s1p1", "conv2d-bwd 1x2x8x8*3x3x3/s1p1",
                "conv2d-fwd 1x2x8x8*4x1x1/s2p0", "conv2d-bwd 1x2x8x8*4x1x1/s2p0"), shapes);
        assertEquals(2, gasok("bench", "--ops", "conv2d", "--conv", "1x2x8x8_3k3s1p1,big"));
        assertTrue(err.toString().contains("--conv must look like NxCxHxW_OCkKsSpP"), err.toString());
    }

    /** The gemm peer: Gasok's matmul at the layer's GEMM shapes, on the same device, with the same flops. */
    @Test
    void theGemmPeerTimesTheLayersOwnProductsOnTheSameDevice(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        int exit = gasok("bench", "--device", "reference", "--ops", "gemm,conv2d", "--sizes", "8", "--conv",
                "2x3x9x9_5k3s2p1", "--runs", "1", "--warmup", "0", "--peers", "gemm", "--report", report.toString());
        assertEquals(0, exit, err.toString());
        List<?> rows = assertInstanceOf(List.class,
                assertInstanceOf(Map.class, Json.parse(Files.readString(report))).get("rows"));
        List<String> rowNames = rows.stream().map(row -> ((Map<?, ?>) row).get("op") + " " + ((Map<?, ?>) row).get("library"))
                .toList();
        assertEquals(List.of("gemm gasok", "conv2d-fwd gasok", "conv2d-fwd gemm", "conv2d-bwd gasok", "conv2d-bwd gemm"),
                rowNames);
        // 5 filters of 3·3·3 over 2 images of 5×5 outputs: M×N×K = 5×50×27, twice more for the backward.
        Map<?, ?> forwardGemm = (Map<?, ?>) rows.get(2);
        assertEquals("5x50x27", forwardGemm.get("gemm_shapes"));
        assertEquals("27x50x5 (Aᵀ) + 5x27x50 (Bᵀ)", ((Map<?, ?>) rows.get(4)).get("gemm_shapes"));
        assertEquals("reference", forwardGemm.get("compares_with"));
        assertEquals("gasok-reference", forwardGemm.get("backend"));
        for (int i : new int[] {1, 3}) {
            Map<?, ?> conv = (Map<?, ?>) rows.get(i);
            Map<?, ?> gemm = (Map<?, ?>) rows.get(i + 1);
            double ratio = ((Number) ((Map<?, ?>) conv.get("ratio_to")).get("gemm")).doubleValue();
            assertEquals(((Number) gemm.get("seconds")).doubleValue() / ((Number) conv.get("seconds")).doubleValue(),
                    ratio, 1e-5 * ratio);
            assertEquals(((Number) conv.get("gflops")).doubleValue() / ((Number) gemm.get("gflops")).doubleValue(),
                    ratio, 1e-5 * ratio);
        }
        assertTrue(out.toString().contains("vs gemm") && out.toString().contains("gasok-reference gemm"), out.toString());
    }

    @Test
    void aDepthwiseLayerNeedsAsManyFiltersAsChannels() {
        int exit = gasok("bench", "--device", "reference", "--ops", "depthwise", "--depthwise", "1x8x10x10_4k3s1p1");
        assertEquals(2, exit);
        assertTrue(err.toString().contains("--depthwise 1x8x10x10_4k3s1p1 must have as many filters as channels"),
                err.toString());
    }

    @Test
    void aMissingPythonIsAFootnoteNotAFailure() {
        int exit = gasok("bench", "--device", "reference", "--ops", "launch", "--runs", "1", "--warmup", "0",
                "--peers", "numpy", "--python", "no-such-python-here");
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("numpy not present"), out.toString());
    }

    @Test
    void clblastBesideNoOpenClDeviceIsANote() {
        int exit = gasok("bench", "--device", "reference", "--ops", "gemm", "--sizes", "8", "--runs", "1", "--warmup", "0",
                "--peers", "clblast");
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("note: clblast is a peer of OpenCL devices only"), out.toString());
    }

    /** Where OpenCL runs: CLBlast's row is a peer of the OpenCL row only, or a note says why it is absent. */
    @Test
    void clblastIsThePeerOfTheOpenClRowsOnly(@TempDir Path dir) throws Exception {
        try {
            Device.of("opencl");
        } catch (BackendUnavailableException e) {
            Assumptions.abort("skipped: no OpenCL device: " + e.getMessage());
        }
        Path report = dir.resolve("bench.json");
        int exit = gasok("bench", "--device", "reference,opencl", "--ops", "gemm", "--sizes", "16", "--runs", "1",
                "--warmup", "0", "--peers", "clblast", "--report", report.toString());
        assertEquals(0, exit, err.toString());
        Map<?, ?> parsed = assertInstanceOf(Map.class, Json.parse(Files.readString(report)));
        List<?> rows = assertInstanceOf(List.class, parsed.get("rows"));
        Map<?, ?> clblast = rows.stream().map(Map.class::cast).filter(r -> "clblast".equals(r.get("library")))
                .findFirst().orElse(null);
        if (clblast == null) {
            assertTrue(out.toString().contains("clblast not present"), out.toString());
            return;
        }
        assertEquals("opencl", clblast.get("compares_with"));
        for (Object o : rows) {
            Map<?, ?> row = (Map<?, ?>) o;
            if ("gasok".equals(row.get("library"))) {
                Map<?, ?> ratios = assertInstanceOf(Map.class, row.get("ratio_to"));
                assertEquals("opencl".equals(row.get("device")), ratios.containsKey("clblast"), row.toString());
            }
        }
        assertTrue(out.toString().contains("vs clblast"), out.toString());
    }

    @Test
    void theLaunchRowSaysWhatItTimes() throws Exception {
        int exit = gasok("bench", "--device", "reference", "--ops", "launch", "--runs", "1", "--warmup", "0",
                "--peers", "none");
        assertEquals(0, exit, err.toString());
        assertTrue(out.toString().contains("launch: time per a.add(b) of two 256-float tensors"), out.toString());
    }

    @Test
    void anUnknownOpIsOneLineAndExitCodeTwo() {
        assertEquals(2, gasok("bench", "--ops", "gemm,fft"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("gasok bench: unknown op 'fft'"), err.toString());
        assertTrue(out.toString().isEmpty(), out.toString());
    }

    /**
     * {@code --forks}: each row pools its forks' runs (median and fastest of all, each fork's
     * median kept), its throughput and its ratios to the peers again from the pooled medians, a row
     * one fork lacks from the others, devices and notes once each.
     */
    @Test
    void forksPoolTheirRunsIntoEachRow() {
        Map<String, Object> first = fork(List.of(row("gasok", 1.0, 2.0, 3.0), row("gemm", 2.0, 2.0, 2.0)),
                List.of("a note"));
        Map<String, Object> second = fork(List.of(row("gasok", 9.0, 7.0, 8.0), row("gemm", 4.0, 4.0, 4.0),
                row("numpy", 5.0, 5.0, 5.0)), List.of("a note", "another"));
        Map<String, Object> pooled = BenchCommand.pooled(List.of(first, second));
        List<?> rows = (List<?>) pooled.get("rows");
        assertEquals(3, rows.size());
        Map<?, ?> gasok = (Map<?, ?>) rows.get(0);
        assertEquals(5.0, ((Number) gasok.get("seconds")).doubleValue(), 1e-12);
        assertEquals(1.0, ((Number) gasok.get("min_seconds")).doubleValue(), 1e-12);
        assertEquals(6, ((Number) gasok.get("runs")).intValue());
        assertEquals(List.of(2.0, 8.0), gasok.get("fork_seconds"));
        // In run order, fork after fork (run i of a row and of its peer alternated).
        assertEquals(List.of(1.0, 2.0, 3.0, 9.0, 7.0, 8.0), gasok.get("samples"));
        // 100 flops a call: the first fork's rate at its 2 s median becomes the rate at 5 s.
        assertEquals(100 / 5.0 / 1e9, ((Number) gasok.get("gflops")).doubleValue(), 1e-18);
        assertEquals(7000L, ((Number) gasok.get("heap_bytes_per_call")).longValue());
        Map<?, ?> ratios = (Map<?, ?>) gasok.get("ratio_to");
        assertEquals(3.0 / 5.0, ((Number) ratios.get("gemm")).doubleValue(), 1e-12);
        assertEquals(5.0 / 5.0, ((Number) ratios.get("numpy")).doubleValue(), 1e-12);
        assertEquals(3, ((Number) ((Map<?, ?>) rows.get(2)).get("runs")).intValue());
        assertEquals(List.of("a note", "another"), pooled.get("notes"));
    }

    private static Map<String, Object> row(String library, double... samples) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("op", "conv2d-bwd");
        row.put("library", library);
        row.put("backend", library.equals("gasok") ? "gasok-cpu" : library);
        row.put("device", "cpu");
        row.put("shape", "1x2x3x3*2x3x3/s1p1");
        row.put("threads", 1);
        double[] sorted = samples.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        row.put("seconds", median);
        row.put("min_seconds", sorted[0]);
        row.put("runs", samples.length);
        row.put("gflops", 100 / median / 1e9);
        row.put("samples", java.util.Arrays.stream(samples).boxed().toList());
        row.put("heap_bytes_per_call", (long) (1000 * sorted[0]));
        return row;
    }

    private static Map<String, Object> fork(List<Map<String, Object>> rows, List<String> notes) {
        Map<String, Object> report = new java.util.LinkedHashMap<>();
        report.put("settings", new java.util.LinkedHashMap<>(Map.of("devices", List.of(Map.of("name", "cpu")))));
        report.put("notes", notes);
        report.put("rows", rows);
        return report;
    }

    @Test
    void aBadNumberIsOneLineAndExitCodeTwo() {
        assertEquals(2, gasok("bench", "--sizes", "256,big"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertEquals(2, gasok("bench", "--runs", "0"));
        assertEquals(2, gasok("bench", "--forks", "0"));
        // --forks runs fresh JVMs, and gasok() measures in this one.
        assertEquals(2, gasok("bench", "--forks", "2"));
        assertEquals(2, gasok("bench", "--conv", "64x80x80"));
        // An infinite warm-up would never end.
        assertEquals(2, gasok("bench", "--warmup", "Infinity"));
        assertEquals(2, gasok("gesture", "bench", "--warmup", "Infinity"));
        assertEquals(2, gasok("gesture", "bench", "--threads", "0"));
        assertEquals(2, gasok("bench", "--ops", "add", "--elements", "2147483647"));
        assertEquals(2, gasok("bench", "--peers", "none,numpy"));
        assertEquals(2, gasok("bench", "--device", "cpu,cpu"));
    }

    @Test
    void aDeviceListNamesEachDeviceOnce() {
        assertEquals(2, gasok("bench", "--device", ",", "--ops", "launch", "--peers", "none"));
        assertTrue(err.toString().contains("--device names no device"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, gasok("bench", "--device", "cpu,CPU:0", "--ops", "launch", "--peers", "none"));
        assertTrue(err.toString().contains("--device names a device twice: cpu,cpu"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, gasok("gesture", "bench", "--device", ",", "--peers", "none"));
        assertTrue(err.toString().contains("--device names no device"), err.toString());
    }

    @Test
    void aDepthwiseLayerIsBoundedByItsOwnWeights() throws Exception {
        // 6000 channels of 3×3 filters: 54,000 weights, not 6000² · 9.
        assertEquals(0, gasok("bench", "--device", "reference", "--ops", "depthwise", "--depthwise",
                "1x6000x4x4_6000k3s1p1", "--runs", "1", "--warmup", "0", "--peers", "none"), err.toString());
    }

    @Test
    void anUnknownDeviceIsAUsageErrorInEveryCommand() {
        String[][] commands = {
            {"bench", "--ops", "launch", "--peers", "none", "--device"},
            {"gesture", "bench", "--peers", "none", "--device"},
            {"gesture", "train", "--device"},
            {"gesture", "predict", "--device"},
            {"demo", "--device"},
        };
        for (String[] command : commands) {
            for (String device : List.of("no-such-device", "cpu:x", "reference:-1")) {
                err.getBuffer().setLength(0);
                String[] args = java.util.Arrays.copyOf(command, command.length + 1);
                args[command.length] = device;
                assertEquals(2, gasok(args), String.join(" ", args));
                assertEquals(1, err.toString().lines().count(), err.toString());
                assertTrue(err.toString().contains("'" + device + "'"), err.toString());
            }
        }
    }

    @Test
    void aLayerTooLargeOrAReportThatCannotBeWrittenIsRefusedBeforeRunning(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        String[][] cases = {
            {"--conv", "1x1x8x8_1k3s1p99999999999", "99999999999 is too large for an extent"},
            {"--conv", "1x1x8x8_1k3s1p2000000000", "is too large: its input, output or weights would pass"},
            {"--depthwise", "64x512x512x512_512k3s1p1", "is too large"},

            {"--report", file.resolve("r.json").toString(), file + " is a file, not a directory"},
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertEquals(2, gasok("bench", "--device", "reference", "--ops", "conv2d,depthwise", "--peers", "none",
                    c[0], c[1]), c[1]);
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(err.toString().contains(c[2]), err.toString());
        }
    }

    @Test
    void theUntimedRunLastsItsTimeWhateverTheWarmUpPredicted() {
        // The warm-up saw 20 ms a call (a batch of 2 calls), the calls now take 1 ms: 150 of them.
        int[] calls = {0};
        long made = BenchCommand.rewarm(count -> {
            calls[0] += count;
            return count * 0.001;
        }, 2);
        assertEquals(calls[0], made);
        assertTrue(made * 0.001 >= BenchCommand.REWARM_SECONDS - 1e-12, made + " calls of 1 ms");
        assertTrue(made * 0.001 < BenchCommand.REWARM_SECONDS + 0.002 + 1e-12, made + " calls of 1 ms");
        // Slower than predicted: one batch that outlasts the time is enough.
        assertEquals(30, BenchCommand.rewarm(count -> count * 0.01, 30));
    }

    /** Where a fake contender's allocations go, so that the JIT keeps them. */
    private static volatile byte[] allocated;

    /**
     * A contender whose calls "take" 5 ms and allocate 2 MB each while {@code boxedCalls} calls
     * have not been made (boxed code until C2 compiles it), nothing after.
     */
    private static Workload.Contender compilingAfter(int boxedCalls, int[] made) {
        return new Workload.Contender() {
            @Override
            public double time(int calls) {
                for (int i = 0; i < calls; i++) {
                    if (made[0]++ < boxedCalls) {
                        allocated = new byte[2 << 20];
                    }
                }
                return calls * 0.005;
            }

            @Override
            public boolean inProcess() {
                return true;
            }
        };
    }

    @Test
    void theWarmUpOfGasoksOwnCodeGoesOnWhileItsCallsAllocateLikeBoxedCode() {
        // 0.05 s of warm-up is 11 calls (one, then a batch of 20); the calls allocate until the 20th.
        int[] made = {0};
        BenchCommand.warmUp(compilingAfter(20, made), 0.05, true);
        assertEquals(41, made[0], "a second batch of 20, which allocated nothing");
        made[0] = 0;
        BenchCommand.warmUp(compilingAfter(20, made), 0.05, false);
        assertEquals(21, made[0], "a peer's warm-up: its time alone");
        // Boxed for good: it stops at BOXED_WARMUP_FACTOR times the warm-up (0.25 s, 50 calls).
        made[0] = 0;
        BenchCommand.warmUp(compilingAfter(Integer.MAX_VALUE, made), 0.05, true);
        assertEquals(61, made[0]);
    }

    @Test
    void jsonRoundTripsWithEscapes() {
        Map<?, ?> back = assertInstanceOf(Map.class,
                Json.parse(Json.write(Map.of("text", "a \"quoted\"\n\ttab \\ \u0001", "n", 1.5e-7, "list", List.of(1, true)))));
        assertEquals("a \"quoted\"\n\ttab \\ \u0001", back.get("text"));
        assertEquals(1.5e-7, ((Number) back.get("n")).doubleValue(), 1e-12);
        assertEquals(List.of(1.0, true), back.get("list"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": 1,}"));
        assertFalse(Json.writeLine(Map.of("x", Double.NaN)).contains("NaN"));
    }
}
