package io.gasok.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.data.Dataset;
import io.gasok.examples.bench.Json;
import io.gasok.examples.gesture.HandPoses;
import io.gasok.examples.gesture.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gasok gesture train|predict|bench} end to end, on small generated data and the real sample. */
class GestureCommandTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int gasok(String... args) {
        CommandLine command = GasokCli.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    private static double testAccuracy(String report) {
        Matcher m = Pattern.compile("test accuracy: ([0-9.]+)").matcher(report);
        assertTrue(m.find(), report);
        return Double.parseDouble(m.group(1));
    }

    /** Rows of {@code data} as a keypoint CSV (class id first), CRLF as upstream writes them. */
    static Path writeCsv(Dataset data, Path file) throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < data.size(); i++) {
            csv.append(data.label(i));
            for (float v : data.row(i)) {
                csv.append(',').append(String.format(Locale.ROOT, "%s", v));
            }
            csv.append("\r\n");
        }
        Files.writeString(file, csv);
        return file;
    }

    @Test
    void trainOnGeneratedPosesReachesAHighAccuracyAndWritesModelPlotAndReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("out").resolve("report.json");
        Path model = dir.resolve("model.safetensors");
        Path plot = dir.resolve("curves.png");
        int exit = gasok("gesture", "train", "--device", "cpu", "--samples", "200", "--epochs", "80", "--patience", "10",
                "--model", model.toString(), "--plot", plot.toString(), "--report", report.toString());
        assertEquals(0, exit, err.toString());
        String text = out.toString();
        assertTrue(testAccuracy(text) >= 0.95, text);
        assertTrue(text.contains("device: cpu ("), text);
        assertTrue(text.contains("confusion matrix"), text);
        assertTrue(text.contains("precision"), text);
        assertTrue(text.matches("(?s).*time per epoch: [0-9.]+ ms.*backend cpu.*"), text);
        assertTrue(Files.size(model) > 0);
        byte[] png = Files.readAllBytes(plot);
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);

        Map<?, ?> parsed = assertInstanceOf(Map.class, Json.parse(Files.readString(report)));
        for (String key : List.of("backend", "device", "epochs", "seconds_per_epoch", "test_accuracy", "per_class", "confusion")) {
            assertTrue(parsed.containsKey(key), "report has " + key + ": " + parsed.keySet());
        }
        assertEquals("cpu", parsed.get("backend"));
        List<?> perClass = assertInstanceOf(List.class, parsed.get("per_class"));
        assertEquals(6, perClass.size());
        Map<?, ?> first = assertInstanceOf(Map.class, perClass.getFirst());
        for (String key : List.of("precision", "recall", "support")) {
            assertTrue(first.containsKey(key), first.toString());
        }
        List<?> confusion = assertInstanceOf(List.class, parsed.get("confusion"));
        assertEquals(6, confusion.size());
        assertTrue(((Number) parsed.get("seconds_per_epoch")).doubleValue() > 0);
        assertTrue(((Number) parsed.get("test_accuracy")).doubleValue() >= 0.95);
    }

    @Test
    void aSavedModelPredictsFromTheFileAlone(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        assertEquals(0, gasok("gesture", "train", "--device", "cpu", "--preset", "keras", "--classes", "4", "--samples", "150",
                "--epochs", "150", "--patience", "0", "--lr", "0.01", "--quiet", "--model", model.toString(), "--plot", "none"),
                err.toString());
        double trained = testAccuracy(out.toString());
        out.getBuffer().setLength(0);

        Path csv = writeCsv(HandPoses.generate(4, 25, 99), dir.resolve("poses.csv"));
        assertEquals(0, gasok("gesture", "predict", "--model", model.toString(), "--all", csv.toString()), err.toString());
        String text = out.toString();
        assertEquals(1 + 100 + 2, text.lines().count(), text);
        assertTrue(text.lines().skip(1).limit(100).allMatch(l -> l.matches("\\s*\\d+\\s+(Open|Close|Pointer|OK)\\s+[01]\\.\\d{4}.*")),
                text);
        Matcher accuracy = Pattern.compile("accuracy: ([0-9.]+) \\(").matcher(text);
        assertTrue(accuracy.find(), text);
        assertTrue(Double.parseDouble(accuracy.group(1)) >= 0.85 && trained >= 0.85, trained + "\n" + text);
        assertTrue(text.contains("keras preset"), text);

        out.getBuffer().setLength(0);
        assertEquals(0, gasok("gesture", "predict", "--model", model.toString()), err.toString());
        assertTrue(out.toString().contains("accuracy: "), out.toString());
    }

    @Test
    void theSameSeedGivesTheSamePredictionsOnReferenceAndCpu(@TempDir Path dir) throws Exception {
        double[] accuracy = new double[2];
        String[] devices = {"reference", "cpu"};
        String[] reports = new String[2];
        for (int d = 0; d < 2; d++) {
            Path report = dir.resolve(devices[d] + ".json");
            assertEquals(0, gasok("gesture", "train", "--device", devices[d], "--classes", "4", "--samples", "120",
                    "--hidden", "32,16", "--standardise", "--epochs", "25", "--patience", "0", "--quiet", "--plot", "none",
                    "--model", dir.resolve(devices[d] + ".safetensors").toString(), "--report", report.toString()),
                    err.toString());
            Map<?, ?> parsed = (Map<?, ?>) Json.parse(Files.readString(report));
            accuracy[d] = ((Number) parsed.get("test_accuracy")).doubleValue();
            reports[d] = String.valueOf(parsed.get("confusion"));
        }
        assertEquals(accuracy[0], accuracy[1], 0.005, "reference vs cpu test accuracy");
        out.getBuffer().setLength(0);
        Path csv = writeCsv(HandPoses.generate(4, 30, 5), dir.resolve("p.csv"));
        assertEquals(0, gasok("gesture", "predict", "--device", "cpu", "--model", dir.resolve("reference.safetensors").toString(),
                csv.toString()));
        List<String> fromReference = labelsOf(out.toString());
        out.getBuffer().setLength(0);
        assertEquals(0, gasok("gesture", "predict", "--device", "cpu", "--model", dir.resolve("cpu.safetensors").toString(),
                csv.toString()));
        List<String> fromCpu = labelsOf(out.toString());
        int same = 0;
        for (int i = 0; i < fromCpu.size(); i++) {
            same += fromCpu.get(i).equals(fromReference.get(i)) ? 1 : 0;
        }
        assertTrue(same >= fromCpu.size() - 1, same + " of " + fromCpu.size() + " alike; " + reports[0] + " vs " + reports[1]);
    }

    private static List<String> labelsOf(String predictions) {
        return predictions.lines().skip(1).filter(l -> l.matches("\\s*\\d+\\s+.*")).map(l -> l.strip().split("\\s+")[1]).toList();
    }

    @Test
    void theRealSampleTrainsToASaneAccuracy(@TempDir Path dir) throws Exception {
        Path folder = SharedData.gestureFolder();
        Assumptions.assumeTrue(folder != null, "../shared/data/gesture is absent: skipped");
        assertEquals(0, gasok("gesture", "train", "--device", "cpu", "--data", folder.resolve("keypoint-sample.csv").toString(),
                "--quiet", "--plot", "none", "--model", dir.resolve("m.safetensors").toString()), err.toString());
        String text = out.toString();
        assertTrue(testAccuracy(text) >= 0.8, text);
        assertTrue(text.contains("Open, Close, Pointer, OK"), "labels.csv beside the data names the classes: " + text);
    }

    @Test
    void aClassIdBeyondTheLabelsBesideTheDataIsAnError(@TempDir Path dir) throws Exception {
        Path csv = writeCsv(HandPoses.generate(2, 3, 1), dir.resolve("keypoint.csv"));
        Files.writeString(dir.resolve("labels.csv"), "Open\nClose\n");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
        lines.set(2, lines.get(2).replaceFirst("^[0-9]+,", "99,"));
        Files.write(csv, lines);
        assertEquals(1, gasok("gesture", "train", "--data", csv.toString(), "--quiet", "--plot", "none",
                "--model", dir.resolve("m.safetensors").toString()));
        assertTrue(err.toString().contains("labels.csv names 2 classes but the data has class id 99"), err.toString());

        err.getBuffer().setLength(0);
        List<String> oneClass = lines.stream().map(l -> l.replaceFirst("^[0-9]+,", "0,")).toList();
        Path single = Files.write(dir.resolve("one.csv"), oneClass);
        assertEquals(1, gasok("gesture", "train", "--data", single.toString(), "--quiet", "--plot", "none",
                "--model", dir.resolve("m.safetensors").toString()));
        assertTrue(err.toString().contains("one.csv: every row has class id 0"), err.toString());

        err.getBuffer().setLength(0);
        lines.set(2, lines.get(2).replaceFirst("^[0-9]+,", "2147483647,"));
        Files.write(csv, lines);
        assertEquals(1, gasok("gesture", "train", "--data", csv.toString(), "--quiet", "--plot", "none",
                "--model", dir.resolve("m.safetensors").toString()));
        assertTrue(err.toString().contains("keypoint.csv, line 3: class id 2147483647 is over the limit"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void bytesThatAreNotUtf8NameTheFile(@TempDir Path dir) throws Exception {
        Path csv = writeCsv(HandPoses.generate(2, 3, 1), dir.resolve("keypoint.csv"));
        byte[] bytes = Files.readAllBytes(csv);
        bytes[bytes.length - 3] = (byte) 0xFF;
        Files.write(csv, bytes);
        assertEquals(1, gasok("gesture", "train", "--data", csv.toString(), "--quiet", "--plot", "none",
                "--model", dir.resolve("m.safetensors").toString()));
        assertTrue(err.toString().contains("keypoint.csv, line ") && err.toString().contains("not UTF-8 text"),
                err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void aModelPathUnderAFileSaysWhatIsWrong(@TempDir Path dir) throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("three.csv"), "x");
        // Checked before training: a usage error, not a run whose model is lost at its end.
        assertEquals(2, gasok("gesture", "train", "--device", "cpu", "--classes", "2", "--samples", "20", "--epochs", "1",
                "--quiet", "--plot", "none", "--model", notADirectory.resolve("m.safetensors").toString()));
        assertTrue(err.toString().contains("three.csv") && err.toString().contains(": "), err.toString());
        assertTrue(!err.toString().strip().endsWith("three.csv"), "more than the bare path: " + err);
        assertEquals(1, err.toString().lines().count(), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(1, gasok("gesture", "train", "--data", dir.toString(), "--quiet", "--plot", "none"));
        assertTrue(err.toString().contains(dir + ": a directory, not a CSV file"), err.toString());
    }

    @Test
    void outputsThatCannotBeWrittenAreRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        String[][] cases = {
            {"--plot", file.resolve("curves.png").toString(), "--plot " + file.resolve("curves.png") + ": " + file + " is a file"},
            {"--report", dir.toString(), "--report " + dir + ": a directory, not a file"},
            {"--plot", dir.resolve("curves.svg").toString(), "--plot " + dir.resolve("curves.svg") + ": the file name must end in .png"},
            {"--plot", dir.toString(), "--plot " + dir + ": a directory, not a file"},
            {"--report", dir.resolve(".").resolve("m.safetensors").toString(), "--model and --report name the same file"},
            {"--lr", "Infinity", "--lr must be finite"},
        };
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertEquals(2, gasok("gesture", "train", "--device", "cpu", "--classes", "2", "--samples", "20", "--epochs", "1",
                    "--quiet", "--model", dir.resolve("m.safetensors").toString(), c[0], c[1]), c[1]);
            assertTrue(err.toString().contains(c[2]), err.toString());
            assertEquals(1, err.toString().lines().count(), err.toString());
            assertTrue(Files.notExists(dir.resolve("m.safetensors")), "nothing ran for " + c[1]);
        }
        err.getBuffer().setLength(0);
        Path same = dir.resolve("m.png");
        assertEquals(2, gasok("gesture", "train", "--quiet", "--model", same.toString(), "--plot", same.toString()));
        assertTrue(err.toString().contains("--model and --plot name the same file"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, gasok("gesture", "train", "--quiet", "--model", ""));
        assertTrue(err.toString().contains("--model needs a file name"), err.toString());
        assertTrue(Files.notExists(same), "nothing ran");
    }

    @Test
    void thePlotsFormatFollowsItsExtension(@TempDir Path dir) throws Exception {
        Path plot = dir.resolve("deep").resolve("curves.JPG");
        assertEquals(0, gasok("gesture", "train", "--device", "cpu", "--classes", "2", "--samples", "20", "--epochs", "2",
                "--quiet", "--model", dir.resolve("m.safetensors").toString(), "--plot", plot.toString()), err.toString());
        byte[] jpeg = Files.readAllBytes(plot);
        assertEquals((byte) 0xFF, jpeg[0]);
        assertEquals((byte) 0xD8, jpeg[1]);
        assertEquals("", err.toString());
    }

    @Test
    void classesWithoutTrainingRowsAreNamedInAWarning(@TempDir Path dir) throws Exception {
        Path csv = writeCsv(HandPoses.generate(2, 12, 1), dir.resolve("keypoint.csv"));
        Files.writeString(dir.resolve("labels.csv"), "Open\nClose\nPointer\n");
        assertEquals(0, gasok("gesture", "train", "--device", "cpu", "--data", csv.toString(), "--epochs", "2", "--quiet",
                "--plot", "none", "--model", dir.resolve("m.safetensors").toString()), err.toString());
        assertEquals("warning: no training rows for class 2 (Pointer): the model cannot learn to predict it",
                err.toString().strip());
    }

    @Test
    void trainingThatDivergesStopsWithAnError(@TempDir Path dir) {
        Path model = dir.resolve("m.safetensors");
        assertEquals(1, gasok("gesture", "train", "--device", "cpu", "--classes", "4", "--samples", "40", "--epochs", "20",
                "--lr", "1e30", "--quiet", "--model", model.toString(), "--plot", "none"));
        assertTrue(err.toString().contains("training diverged at epoch "), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(Files.notExists(model), "no model is written from diverged weights");
    }

    @Test
    void aModelWhoseLabelsDoNotMatchItsOutputsIsRefused(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        assertEquals(0, gasok("gesture", "train", "--device", "cpu", "--classes", "4", "--samples", "40", "--epochs", "2",
                "--quiet", "--model", model.toString(), "--plot", "none"), err.toString());
        // Two labels instead of four, the header padded with spaces to its stored length.
        byte[] bytes = Files.readAllBytes(model);
        int headerLength = (int) java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, headerLength, java.nio.charset.StandardCharsets.UTF_8);
        String edited = header.replaceFirst("\"labels\":\"(\\\\.|[^\"\\\\])*\"",
                java.util.regex.Matcher.quoteReplacement("\"labels\":\"[\\\"Open\\\",\\\"Close\\\"]\""));
        assertTrue(!edited.equals(header) && edited.length() <= headerLength, header);
        byte[] padded = (edited + " ".repeat(headerLength - edited.length())).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(padded, 0, bytes, 8, headerLength);
        Files.write(model, bytes);
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        assertEquals(1, gasok("gesture", "predict", "--model", model.toString()));
        assertTrue(err.toString().contains("2 labels but the network has 4 outputs"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
    }

    @Test
    void aBadCsvLineIsOneLineWithItsNumber(@TempDir Path dir) throws Exception {
        Path csv = writeCsv(HandPoses.generate(2, 3, 1), dir.resolve("bad.csv"));
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv));
        lines.set(4, lines.get(4).replaceFirst(",[^,]*$", ",oops"));
        Files.write(csv, lines);
        assertEquals(1, gasok("gesture", "train", "--data", csv.toString(), "--quiet", "--plot", "none",
                "--model", dir.resolve("m.safetensors").toString()));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("bad.csv, line 5: field 43: 'oops' is not a number"), err.toString());
    }

    @Test
    void userMistakesAreOneLine(@TempDir Path dir) {
        assertEquals(1, gasok("gesture", "predict", "--model", dir.resolve("none.safetensors").toString()));
        assertTrue(err.toString().startsWith("gasok gesture predict: no model at "), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, gasok("gesture", "train", "--data", dir.resolve("missing.csv").toString()));
        assertTrue(err.toString().contains("missing.csv"), err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, gasok("gesture", "train", "--preset", "pytorch"));
        assertEquals(2, gasok("gesture", "train", "--preset", "keras", "--hidden", "8"));
        assertEquals(2, gasok("gesture", "train", "--train", "a.csv"));
        assertEquals(2, gasok("gesture", "train", "--device", "no-such-device"));
    }

    @Test
    void benchTimesEveryDeviceAskedForWithSpeedUpsOverTheReference(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("bench.json");
        assertEquals(0, gasok("gesture", "bench", "--device", "reference,cpu", "--samples", "60", "--epochs", "2",
                "--warmup", "0", "--peers", "numpy", "--python", "no-such-python", "--report", report.toString()),
                err.toString());
        String text = out.toString();
        assertTrue(text.contains("gasok-reference") && text.contains("gasok-cpu"), text);
        assertTrue(text.contains("note: numpy not present"), text);
        Map<?, ?> parsed = (Map<?, ?>) Json.parse(Files.readString(report));
        List<?> rows = (List<?>) parsed.get("rows");
        assertEquals(2, rows.size());
        Map<?, ?> reference = (Map<?, ?>) rows.getFirst();
        assertEquals(1.0, ((Number) reference.get("speedup_vs_reference")).doubleValue(), 1e-9);
        assertTrue(((Number) ((Map<?, ?>) rows.get(1)).get("seconds_per_epoch")).doubleValue() > 0);
    }

    @Test
    void theNumpyPeerTrainsTheSamePresetWhenNumpyIsPresent() throws Exception {
        assertEquals(0, gasok("gesture", "bench", "--device", "cpu", "--samples", "60", "--epochs", "2", "--warmup", "0"),
                err.toString());
        String text = out.toString();
        Assumptions.assumeFalse(text.contains("numpy not present"), "python3 with numpy is absent: skipped");
        assertTrue(text.lines().anyMatch(l -> l.startsWith("numpy ") && l.contains("x")), text);
    }
}
