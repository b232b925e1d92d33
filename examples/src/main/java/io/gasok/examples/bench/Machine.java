package io.gasok.examples.bench;

import io.gasok.Device;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The {@code machine} object of a results file: what the figures were measured on. */
public final class Machine {

    private static final Pattern VECTOR_BITS = Pattern.compile("Vector API (\\d+)-bit");

    private Machine() {}

    /**
     * CPU model, cores, memory, Java and the JVM's options, OS, the CPU backend's vector size (where
     * it runs) and the date.
     */
    public static Map<String, Object> describe() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", cpuModel());
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory_gib", memoryGib());
        machine.put("java", Runtime.version().toString() + " (" + System.getProperty("java.vendor") + ")");
        machine.put("jvm_options", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        machine.put("vector_bits", vectorBits());
        machine.put("date", Instant.now().toString());
        return machine;
    }

    /** The model name from /proc/cpuinfo, else the architecture. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    private static Object memoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return Math.round(kib / 1024.0 / 1024.0 * 10) / 10.0;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // unknown
        }
        return null;
    }

    /** The CPU backend's Vector API register width in bits, from its description; null without it. */
    private static Object vectorBits() {
        try {
            Matcher m = VECTOR_BITS.matcher(Device.of("cpu").description());
            return m.find() ? Integer.valueOf(m.group(1)) : null;
        } catch (RuntimeException unavailable) {
            return null;
        }
    }
}
