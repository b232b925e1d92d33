package io.gasok.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoCommandTest {

    @Test
    void theDemoLearnsTheSpiralsAndNamesTheDeviceThatRan() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = GasokCli.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));

        assertEquals(0, command.execute("demo", "--device", "reference", "--points", "60", "--epochs", "300"), err.toString());

        String report = out.toString();
        assertTrue(report.startsWith("device: reference ("), report);
        Matcher accuracy = Pattern.compile("accuracy ([0-9.]+)% after 300 steps").matcher(report);
        assertTrue(accuracy.find(), report);
        assertTrue(Double.parseDouble(accuracy.group(1)) >= 85, "the model learned little: " + report);
    }

    @Test
    void badSettingsEndWithOneLine() {
        StringWriter err = new StringWriter();
        CommandLine command = GasokCli.commandLine();
        command.setOut(new PrintWriter(new StringWriter(), true));
        command.setErr(new PrintWriter(err, true));

        assertEquals(2, command.execute("demo", "--device", "reference", "--epochs", "0"));
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("--epochs") && !err.toString().contains("demo: demo:"), err.toString());
        assertEquals(2, command.execute("demo", "--device", "reference", "--points", "100000000"));
    }
}
