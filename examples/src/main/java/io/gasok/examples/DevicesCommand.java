package io.gasok.examples;

import io.gasok.Device;
import io.gasok.Device.Candidate;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gasok devices}: every backend found, in the order {@code Device.best()} considers them,
 * whether it can run here (its device, or why not and what to do), and which one
 * {@code Device.best()} picks and why the others were passed over.
 */
@Command(name = "devices",
        description = {
            "Lists the backends found and which one Device.best() picks.",
            "For each: whether it can run here, with its device or the reason it cannot;",
            "then which one Device.best() picks and why the others were passed over."
        })
final class DevicesCommand implements Callable<Integer> {

    private static final String BEST_MARK = "*";
    private static final String AVAILABLE = "available";
    private static final String UNAVAILABLE = "unavailable";

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    private boolean help;

    @Override
    public Integer call() {
        List<Candidate> candidates = Device.survey();
        if (candidates.isEmpty()) {
            throw new IllegalStateException("no backend found, not even the reference backend:"
                    + " gasok-core is missing from the class path or broken");
        }
        PrintWriter out = spec.commandLine().getOut();
        print(candidates, out);
        out.flush();
        return 0;
    }

    static void print(List<Candidate> candidates, PrintWriter out) {
        int nameWidth = "backend".length();
        int kindWidth = "kind".length();
        for (Candidate candidate : candidates) {
            nameWidth = Math.max(nameWidth, candidate.name().length());
            kindWidth = Math.max(kindWidth, candidate.kind().length());
        }
        String row = "%-" + BEST_MARK.length() + "s %-" + nameWidth + "s  %-" + kindWidth + "s  %-"
                + UNAVAILABLE.length() + "s  %s%n";
        String indent = " ".repeat(BEST_MARK.length() + 1 + nameWidth + 2 + kindWidth + 2 + UNAVAILABLE.length() + 2);

        out.printf(row, "", "backend", "kind", "state", "device, or why not");
        Candidate best = null;
        for (Candidate candidate : candidates) {
            String detail = candidate.available() ? text(candidate.description()) : text(candidate.reason());
            out.printf(row, candidate.best() ? BEST_MARK : "", candidate.name(), candidate.kind(),
                    candidate.available() ? AVAILABLE : UNAVAILABLE, detail);
            if (candidate.available() && !candidate.best() && !text(candidate.reason()).isEmpty()) {
                out.println(indent + candidate.reason());
            }
            if (candidate.best()) {
                best = candidate;
            }
        }
        out.println();
        if (best == null) {
            out.println("Device.best() picks none of these.");
        } else {
            String why = text(best.reason());
            out.println("Device.best() picks " + best.name() + (why.isEmpty() ? "." : ": " + why + "."));
        }
    }

    private static String text(String value) {
        return value == null ? "" : value.strip();
    }
}
