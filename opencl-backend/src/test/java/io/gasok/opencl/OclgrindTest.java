package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link OclgrindWorkload} in a child JVM whose only OpenCL platform is oclgrind (its ICD,
 * named by {@code OCL_ICD_VENDORS}) with data-race and uninitialised-value checks on, and fails
 * on any error oclgrind reports. PoCL runs a work-group's items as loops between barriers, so a
 * missing barrier can pass there; oclgrind simulates the items and catches it. Skipped with a
 * message where oclgrind is not installed (Debian package {@code oclgrind}); CI installs it.
 *
 * <p>Why an ICD and not {@code oclgrind java ...}: the oclgrind command preloads its runtime with
 * {@code LD_PRELOAD}, but JOCL opens libOpenCL.so with dlopen and resolves every function through
 * that handle, so it would never see the preloaded symbols.
 */
class OclgrindTest {
    private static final Path OCLGRIND_ICD = Path.of("/usr/lib/oclgrind/liboclgrind-rt-icd.so");
    /** oclgrind's diagnostics: invalid accesses, uninitialised values, data races, and its own errors. */
    private static final Pattern DIAGNOSTIC = Pattern.compile(
            "(?i)(invalid (read|write)|uninitiali[sz]ed|data race|oclgrind.*error|error.*oclgrind)");

    @Test
    void implementedKernelsHaveNoDataRaceNorUninitialisedRead(@TempDir Path vendors) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.exists(OCLGRIND_ICD),
                "skipped: oclgrind is not installed (" + OCLGRIND_ICD + "); 'sudo apt-get install oclgrind'");
        Files.writeString(vendors.resolve("oclgrind.icd"), OCLGRIND_ICD + "\n");
        Path log = vendors.resolve("oclgrind.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), OclgrindWorkload.class.getName()))
                .redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("OCL_ICD_VENDORS", vendors.toString());
        environment.put("OCLGRIND_DATA_RACES", "1");
        environment.put("OCLGRIND_UNINITIALIZED", "1");
        environment.put("OCLGRIND_LOG", log.toString());
        // oclgrind 21.10 cannot check the freeze instruction that LLVM optimisation emits for a
        // division next to its remainder (strided_position); unoptimised builds have none.
        environment.put("OCLGRIND_BUILD_OPTIONS", "-cl-opt-disable");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the workload under oclgrind took over 2 minutes");
        String diagnostics = Files.exists(log) ? Files.readString(log) : "";
        assertEquals(0, process.exitValue(), "the workload failed under oclgrind:\n" + output + diagnostics);
        assertFalse(DIAGNOSTIC.matcher(diagnostics + output).find(), "oclgrind reported:\n" + diagnostics + output);
    }
}
