package io.gasok.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GasokCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int gasok(String... args) {
        CommandLine command = GasokCli.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    @Test
    void helpListsTheDevicesCommand() {
        assertEquals(0, gasok("--help"));
        assertTrue(out.toString().contains("devices"), out.toString());
    }

    @Test
    void versionNamesGasokAndTheJava() {
        assertEquals(0, gasok("--version"));
        assertTrue(out.toString().startsWith("gasok "), out.toString());
        assertTrue(out.toString().contains("Java " + Runtime.version()), out.toString());
    }

    @Test
    void anUnknownCommandEndsWithOneLineAndExitCodeTwo() {
        assertEquals(2, gasok("devics"));
        String message = err.toString();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("devices"), "suggests the command meant: " + message);
        assertTrue(out.toString().isEmpty());
    }

    @Test
    void anUnknownOptionOfASubcommandEndsWithOneLine() {
        assertEquals(2, gasok("devices", "--no-such-option"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().startsWith("gasok devices: "), err.toString());
    }

    @Test
    void devicesListsTheReferenceBackendAndWhatBestPicks() {
        assertEquals(0, gasok("devices"));
        String report = out.toString();
        assertTrue(report.contains("reference"), report);
        assertTrue(report.contains("Device.best() picks "), report);
        assertFalse(report.contains("Device.best() picks none"), report);
        assertTrue(err.toString().isEmpty(), err.toString());
    }

    @Test
    void aFailureIsOneLineWithItsMessage() {
        assertEquals("no such file: a.csv; try another", GasokCli.describe(new IllegalArgumentException("no such file: a.csv\n try another")));
        assertTrue(GasokCli.describe(new NullPointerException()).startsWith("NullPointerException"));
    }
}
