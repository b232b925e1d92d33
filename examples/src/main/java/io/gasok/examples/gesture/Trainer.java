package io.gasok.examples.gesture;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.data.DataLoader;
import io.gasok.data.Dataset;
import io.gasok.nn.Losses;
import io.gasok.nn.Sequential;
import io.gasok.nn.Unscoped;
import io.gasok.optim.Adam;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Trains a {@link GestureModel} as the MediaPipe gesture projects do with Keras: mini-batches of
 * cross-entropy with Adam, one pass over the shuffled training rows per epoch, and early stopping
 * on the validation loss (stop after {@code patience} epochs without a new best, then restore the
 * best epoch's weights, as their ModelCheckpoint does).
 *
 * <p>An epoch's time covers its training pass (every batch's forward, backward and Adam step, and
 * the running loss and accuracy, kept on the device and read once at the end); the validation pass
 * after it is timed apart.
 */
public final class Trainer {

    /** Training settings: batch size, the most epochs, early-stopping patience (0: none), Adam's rate, the shuffling seed. */
    public record Settings(int batchSize, int maxEpochs, int patience, double learningRate, long seed) {
        public Settings {
            if (batchSize < 1 || maxEpochs < 1 || patience < 0 || !(learningRate > 0)) {
                throw new IllegalArgumentException("--batch-size >= 1, --epochs >= 1, --patience >= 0 and --lr > 0 are required");
            }
        }
    }

    /** One epoch: training loss and accuracy (over its batches, in train mode), validation loss and accuracy, its time. */
    public record Epoch(int epoch, double loss, double accuracy, double validationLoss, double validationAccuracy,
                        double seconds) {}

    /** Notified after each epoch (the progress bar). */
    @FunctionalInterface
    public interface Listener {
        void epochDone(Epoch epoch, int maxEpochs);
    }

    /** What a training run did: its epochs, the epoch whose weights were kept, whether it stopped early. */
    public record History(List<Epoch> epochs, int bestEpoch, boolean stoppedEarly) {
        /** The median time of a training pass: robust to the first epochs' JIT warm-up. */
        public double secondsPerEpoch() {
            double[] times = epochs.stream().mapToDouble(Epoch::seconds).sorted().toArray();
            int n = times.length;
            return n == 0 ? Double.NaN : n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
        }

        public double meanSecondsPerEpoch() {
            return epochs.stream().mapToDouble(Epoch::seconds).average().orElse(Double.NaN);
        }
    }

    private Trainer() {}

    /**
     * Trains {@code model} on {@code train}, stopping early on {@code validation}'s loss (on the
     * training loss when there are no validation rows). Both datasets are raw: they are
     * {@linkplain GestureModel#prepare prepared} here.
     */
    public static History train(GestureModel model, Dataset train, Dataset validation, Settings settings,
                                Device device, Listener listener) {
        Dataset validationRows = validation.size() > 0 ? model.prepare(validation) : null;
        List<Tensor> parameters = model.network().parameters();
        List<Epoch> epochs = new ArrayList<>();
        Tensor[] best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        boolean stoppedEarly = false;
        try (Session session = new Session(model, train, settings, device)) {
            for (int epoch = 1; epoch <= settings.maxEpochs(); epoch++) {
                Epoch done = session.epoch();
                if (validationRows != null) {
                    Metrics.Evaluation evaluation = Metrics.evaluate(model, validationRows, device);
                    done = new Epoch(done.epoch(), done.loss(), done.accuracy(), evaluation.loss(), evaluation.accuracy(),
                            done.seconds());
                }
                epochs.add(done);
                if (listener != null) {
                    listener.epochDone(done, settings.maxEpochs());
                }
                double monitored = validationRows != null ? done.validationLoss() : done.loss();
                if (!Double.isFinite(done.loss()) || !Double.isFinite(monitored)) {
                    // A NaN never beats the best loss: early stopping would keep diverged weights and call them the best.
                    throw new IllegalStateException("training diverged at epoch " + epoch + ": loss " + done.loss()
                            + (validationRows != null ? ", validation loss " + done.validationLoss() : "")
                            + " (a smaller learning rate may help)");
                }
                if (monitored < bestLoss) {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    if (settings.patience() > 0) {
                        best = snapshot(parameters, best);
                    }
                } else if (settings.patience() > 0 && epoch - bestEpoch >= settings.patience()) {
                    stoppedEarly = true;
                    break;
                }
            }
            if (best != null && bestEpoch != epochs.size()) {
                restore(parameters, best);
            }
        } finally {
            if (best != null) {
                Arrays.stream(best).forEach(Tensor::close);
            }
        }
        model.network().eval();
        return new History(List.copyOf(epochs), settings.patience() > 0 ? bestEpoch : epochs.size(), stoppedEarly);
    }

    /**
     * Training one epoch at a time, with no validation and no stopping: what {@link #train} runs,
     * and what the bench times epoch by epoch. It owns the Adam state; close it when done.
     */
    public static final class Session implements AutoCloseable {
        private final Sequential network;
        private final Adam adam;
        private final DataLoader loader;
        private final Device device;
        private final int rows;
        private int epochs;

        public Session(GestureModel model, Dataset train, Settings settings, Device device) {
            Dataset prepared = model.prepare(train);
            this.network = model.network();
            this.adam = new Adam(network.parameters(), settings.learningRate());
            this.loader = new DataLoader(prepared, settings.batchSize(), true, settings.seed());
            this.device = device;
            this.rows = prepared.size();
        }

        /** Trains one more epoch; its validation figures are NaN. */
        public Epoch epoch() {
            network.train();
            long start = System.nanoTime();
            double[] lossAndCorrect = trainingPass(network, adam, loader, epochs, device);
            double seconds = (System.nanoTime() - start) / 1e9;
            epochs++;
            return new Epoch(epochs, lossAndCorrect[0] / rows, lossAndCorrect[1] / rows, Double.NaN, Double.NaN, seconds);
        }

        @Override
        public void close() {
            adam.close();
            network.eval();
        }
    }

    /**
     * One pass over the batches; returns the summed loss and the count of right answers. Both are
     * kept on the device, one fused launch each per batch: the loss sum as {@code s + loss·n}, the
     * right answers as a count per row position of the batch, summed once at the end.
     */
    private static double[] trainingPass(Sequential network, Adam adam, DataLoader loader, long epoch, Device device) {
        try (Scope pass = Scope.open()) {
            Tensor lossSum = Tensor.zeros(device, DType.FLOAT32);
            Tensor hits = Tensor.zeros(device, DType.INT64, loader.batchSize());
            for (DataLoader.Batch batch : loader.epoch(epoch, device)) {
                try (Scope step = Scope.open()) {
                    Tensor logits = network.forward(batch.features());
                    Tensor loss = Losses.crossEntropy(logits, batch.labels());
                    try (Autograd.GradMode off = Autograd.noGrad()) {
                        lossSum.updateInPlace(ADD_BATCH_LOSS.apply(batch.size()), loss);
                        Tensor rowHits = batch.size() == loader.batchSize() ? hits : hits.slice(0, 0, batch.size());
                        rowHits.updateInPlace(COUNT_HITS, logits.argmax(1, false), batch.labels());
                    }
                    loss.backward();
                    adam.step();
                    adam.zeroGrad();
                }
            }
            return new double[] {lossSum.item(), hits.sum().item()};
        }
    }

    /** {@code s + loss·n}: the running loss sum (input 0) plus a batch's mean loss (input 1) times its rows. */
    private static final java.util.function.IntFunction<Expr> ADD_BATCH_LOSS = rows -> Expr.add(
            Expr.input(0, DType.FLOAT32), Expr.mul(Expr.input(1, DType.FLOAT32), Expr.constant(rows, DType.FLOAT32)));

    /** {@code hits + [predicted == label]} per row: counts (input 0), argmax (input 1), labels (input 2). */
    private static final Expr COUNT_HITS = Expr.add(Expr.input(0, DType.INT64),
            Expr.cast(Expr.binary(BinaryOp.EQ, Expr.input(1, DType.INT64), Expr.input(2, DType.INT64)), DType.INT64));

    private static Tensor[] snapshot(List<Tensor> parameters, Tensor[] previous) {
        if (previous == null) {
            Tensor[] copies = new Tensor[parameters.size()];
            for (int i = 0; i < copies.length; i++) {
                Tensor parameter = parameters.get(i);
                copies[i] = Unscoped.create(parameter::copy);
            }
            return copies;
        }
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            for (int i = 0; i < previous.length; i++) {
                previous[i].copyFrom(parameters.get(i));
            }
        }
        return previous;
    }

    private static void restore(List<Tensor> parameters, Tensor[] best) {
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            for (int i = 0; i < best.length; i++) {
                parameters.get(i).copyFrom(best[i]);
            }
        }
    }
}
