package io.gasok.examples;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code gasok} command and its subcommands.
 *
 * <p>Errors a user can cause end with one line on stderr and a non-zero exit code: 2 for a bad
 * command line, 1 for a failure while running. Stack traces are shown only when the
 * {@code GASOK_DEBUG} environment variable is set, for reporting a bug.
 */
@Command(name = "gasok",
        mixinStandardHelpOptions = true,
        versionProvider = GasokCli.Version.class,
        description = "Tensors and autograd in Java on the Vector API, CUDA and OpenCL.",
        subcommands = {DemoCommand.class, DevicesCommand.class, BenchCommand.class, GestureCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'gasok COMMAND --help' for a command's options. Set GASOK_DEBUG=1 to see the stack trace of an error."})
public final class GasokCli implements Runnable {

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs {@code gasok} with {@code args} and returns its exit code; for tests, without exiting. */
    static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return new CommandLine(new GasokCli())
                .setParameterExceptionHandler(GasokCli::badCommandLine)
                .setExecutionExceptionHandler(GasokCli::failed);
    }

    /** With no subcommand, {@code gasok} runs its main job on embedded defaults: the demo. */
    @Override
    public void run() {
        CommandLine demo = spec.commandLine().getSubcommands().get("demo");
        int exitCode = demo.execute();
        if (exitCode != 0) {
            throw new CommandLine.ExecutionException(demo, "demo failed (exit code " + exitCode + ")");
        }
    }

    /** An {@link IParameterExceptionHandler}: one line naming the mistake, and where to look. */
    private static int badCommandLine(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        String message = oneLine(error.getMessage());
        if (error instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        String name = command.getCommandSpec().qualifiedName();
        command.getErr().println(name + ": " + message + " (see '" + name + " --help')");
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** An {@link IExecutionExceptionHandler}: one line saying what went wrong. */
    private static int failed(Exception error, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + describe(error));
        if (System.getenv("GASOK_DEBUG") != null) {
            error.printStackTrace(err);
        }
        return command.getCommandSpec().exitCodeOnExecutionException();
    }

    /** The message of {@code error}, or its type where it has none (a bug rather than a user error). */
    static String describe(Throwable error) {
        if (error instanceof java.nio.file.FileSystemException file) {
            // Its message is often the bare path: say what went wrong with it.
            String what = switch (file) {
                case java.nio.file.NoSuchFileException e -> "no such file or directory";
                case java.nio.file.NotDirectoryException e -> "a parent is not a directory";
                case java.nio.file.AccessDeniedException e -> "permission denied";
                case java.nio.file.FileAlreadyExistsException e ->
                        file.getFile() != null && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file.getFile()))
                                ? "already exists as a file" : "already exists";
                case java.nio.file.DirectoryNotEmptyException e -> "directory not empty";
                default -> file.getReason() != null ? file.getReason() : file.getClass().getSimpleName();
            };
            String reason = file.getReason() != null && !what.equals(file.getReason()) ? " (" + file.getReason() + ")" : "";
            return oneLine(file.getFile() + (file.getOtherFile() != null ? " -> " + file.getOtherFile() : "") + ": "
                    + what + reason);
        }
        String message = error.getMessage();
        if (message == null || message.isBlank()) {
            return error.getClass().getSimpleName() + " (set GASOK_DEBUG=1 for the stack trace)";
        }
        return oneLine(message);
    }

    private static String oneLine(String message) {
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /**
     * Checks a {@code --device} value as the command line is parsed, so that a name no backend has
     * is a usage error (exit 2) while a known device that cannot run here fails when opened (exit 1).
     */
    static final class DeviceName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String trimmed = value.strip();
            int colon = trimmed.indexOf(':');
            String backend = (colon < 0 ? trimmed : trimmed.substring(0, colon)).toLowerCase(Locale.ROOT);
            List<String> known = io.gasok.Device.backendNames();
            if (!known.contains(backend)) {
                throw new CommandLine.TypeConversionException("unknown device '" + value + "': the backends here are "
                        + String.join(", ", known));
            }
            if (colon >= 0 && !trimmed.substring(colon + 1).matches("[0-9]{1,9}")) {
                throw new CommandLine.TypeConversionException("bad device index in '" + value
                        + "': expected name[:index], e.g. " + known.getLast() + ":0");
            }
            // One spelling a device (cpu, CPU and cpu:0; cuda:1 and cuda:01), so that a list names each once.
            int index = colon < 0 ? 0 : Integer.parseInt(trimmed.substring(colon + 1));
            return index == 0 ? backend : backend + ":" + index;
        }
    }

    /**
     * Checks, before a command does its work, that it will be able to write {@code file} (the value
     * of {@code option}): not a directory itself, and under a writable directory or under folders
     * still to be created in one. A mistake here is a usage error (exit 2) rather than a run's
     * results lost at its end.
     */
    static void checkOutput(CommandLine command, String option, java.nio.file.Path file) {
        if (file.getFileName() == null || file.toString().isBlank()) {
            throw new ParameterException(command, option + " needs a file name, not '" + file + "'");
        }
        java.nio.file.Path absolute = file.toAbsolutePath().normalize();
        if (java.nio.file.Files.isDirectory(absolute)) {
            throw new ParameterException(command, option + " " + file + ": a directory, not a file");
        }
        java.nio.file.Path folder = absolute.getParent();
        while (folder != null && !java.nio.file.Files.exists(folder)) {
            folder = folder.getParent();
        }
        if (folder == null) {
            return;
        }
        if (!java.nio.file.Files.isDirectory(folder)) {
            throw new ParameterException(command, option + " " + file + ": " + folder + " is a file, not a directory");
        }
        if (!java.nio.file.Files.isWritable(folder)) {
            throw new ParameterException(command, option + " " + file + ": cannot write in " + folder
                    + " (permission denied)");
        }
    }

    /**
     * Checks that no two of a command's output files ({@code option}, path pairs in order) are the
     * same file, which one would overwrite with the other at the end of the run.
     */
    static void checkDistinctOutputs(CommandLine command, Object... optionsAndPaths) {
        java.util.Map<java.nio.file.Path, String> seen = new java.util.HashMap<>();
        for (int i = 0; i < optionsAndPaths.length; i += 2) {
            if (optionsAndPaths[i + 1] == null) {
                continue;
            }
            java.nio.file.Path path = (java.nio.file.Path) optionsAndPaths[i + 1];
            java.nio.file.Path key = path.toAbsolutePath().normalize();
            try {
                key = key.toRealPath();
            } catch (java.io.IOException notYetThere) {
                // A file still to be written: its normalised path stands for it.
            }
            String earlier = seen.putIfAbsent(key, (String) optionsAndPaths[i]);
            if (earlier != null) {
                throw new ParameterException(command, earlier + " and " + optionsAndPaths[i] + " name the same file, "
                        + path + ": one would overwrite the other");
            }
        }
    }

    /** The project version, from the module descriptor or, on the class path, the jar's manifest. */
    static String version() {
        Module module = GasokCli.class.getModule();
        if (module.isNamed() && module.getDescriptor().rawVersion().isPresent()) {
            return module.getDescriptor().rawVersion().get();
        }
        String fromManifest = GasokCli.class.getPackage().getImplementationVersion();
        return fromManifest != null ? fromManifest : "(version unknown: not run from the packaged jar)";
    }

    /** What {@code gasok --version} prints: Gasok's version and the Java running it. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "gasok " + version(),
                String.format(Locale.ROOT, "Java %s (%s), %s %s", Runtime.version(),
                        System.getProperty("java.vendor"), System.getProperty("os.name"),
                        System.getProperty("os.arch"))
            };
        }
    }
}
