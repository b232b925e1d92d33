package io.gasok.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code gasok gesture}: the lecture's second lab, a hand-gesture classifier on MediaPipe hand
 * keypoints: {@code train}, {@code predict} and {@code bench}. With no subcommand it trains on the
 * embedded generated poses.
 */
@Command(name = "gesture", mixinStandardHelpOptions = true,
        description = {
            "Hand-gesture classification from MediaPipe hand keypoints.",
            "An MLP trained with Gasok on the keypoint CSV of the MediaPipe gesture projects (21 landmarks",
            "per row), or on generated hand poses."
        },
        subcommands = {GestureTrainCommand.class, GesturePredictCommand.class, GestureBenchCommand.class,
            CommandLine.HelpCommand.class},
        footer = {"", "Run 'gasok gesture train' to train on generated poses, in seconds."})
final class GestureCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        CommandLine train = spec.commandLine().getSubcommands().get("train");
        int exitCode = train.execute();
        if (exitCode != 0) {
            throw new CommandLine.ExecutionException(train, "gesture train failed (exit code " + exitCode + ")");
        }
    }
}
