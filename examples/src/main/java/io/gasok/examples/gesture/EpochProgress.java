package io.gasok.examples.gesture;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The training progress: on a terminal, a progress bar on stderr (me.tongfei's progressbar) whose
 * message shows the epoch's loss and accuracy, for training and validation; elsewhere (a pipe, a
 * log, a test) one line every {@code every} epochs, so logs stay readable.
 */
public final class EpochProgress implements Trainer.Listener, AutoCloseable {
    private final PrintWriter log;
    private final int every;
    private final String task;
    private ProgressBar bar;

    /** Progress of the task {@code task}; lines go to {@code log} when stderr is not a terminal; quiet with {@code every <= 0}. */
    public EpochProgress(String task, PrintWriter log, int every) {
        this.task = task;
        this.log = log;
        this.every = every;
    }

    /** True when stdin and stdout are a terminal: then stderr most likely is one too. */
    public static boolean onTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
    }

    @Override
    public void epochDone(Trainer.Epoch epoch, int maxEpochs) {
        if (every > 0 && onTerminal() && log == null) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(maxEpochs)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(100)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUnit(" epochs", 1)
                        .hideEta().build();
            }
            bar.stepTo(epoch.epoch());
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f acc %.1f%%%s", epoch.loss(), 100 * epoch.accuracy(),
                    Double.isNaN(epoch.validationLoss()) ? "" : String.format(Locale.ROOT, " val %.3f %.1f%%",
                            epoch.validationLoss(), 100 * epoch.validationAccuracy())));
        } else if (every > 0 && log != null && (epoch.epoch() == 1 || epoch.epoch() % every == 0)) {
            log.printf(Locale.ROOT, "%s epoch %4d  %s%n", task, epoch.epoch(), message(epoch));
            log.flush();
        }
    }

    static String message(Trainer.Epoch epoch) {
        String text = String.format(Locale.ROOT, "loss %.4f acc %5.1f%%", epoch.loss(), 100 * epoch.accuracy());
        if (!Double.isNaN(epoch.validationLoss())) {
            text += String.format(Locale.ROOT, "  val loss %.4f acc %5.1f%%", epoch.validationLoss(),
                    100 * epoch.validationAccuracy());
        }
        return text;
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.maxHint(bar.getCurrent());
            bar.close();
            bar = null;
        }
    }
}
