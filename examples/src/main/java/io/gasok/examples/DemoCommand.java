package io.gasok.examples;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.spi.Distribution;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gasok demo}: the core at work. Two interleaved spirals, which no straight line separates,
 * are learned by a two-layer perceptron trained with autograd and full-batch gradient descent with
 * momentum, on the device of your choice (the best one by default). It prints the loss as it falls,
 * the accuracy at the end, and which backend ran.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train a small neural network on two spirals with autograd, on the best device.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--device", converter = GasokCli.DeviceName.class, description = "reference, cpu, opencl, cuda (with :index); default: the best available")
    private String device;

    /** Most points per spiral (the demo's tensors stay far below an int's reach). */
    static final int MAX_POINTS = 1_000_000;

    @Option(names = "--points", defaultValue = "200", description = "points per spiral (default: ${DEFAULT-VALUE})")
    private int points;

    @Option(names = "--hidden", defaultValue = "64", description = "hidden units (default: ${DEFAULT-VALUE})")
    private int hidden;

    @Option(names = "--epochs", defaultValue = "600", description = "gradient steps (default: ${DEFAULT-VALUE})")
    private int epochs;

    @Option(names = "--lr", defaultValue = "0.3", description = "learning rate (default: ${DEFAULT-VALUE})")
    private double learningRate;

    @Option(names = "--seed", defaultValue = "7", description = "seed for the data and the weights (default: ${DEFAULT-VALUE})")
    private long seed;

    @Override
    public Integer call() {
        if (points < 2 || points > MAX_POINTS || hidden < 1 || epochs < 1 || !(learningRate > 0)
                || Double.isInfinite(learningRate)) {
            throw new ParameterException(spec.commandLine(), "--points 2.." + MAX_POINTS
                    + ", --hidden >= 1, --epochs >= 1 and a finite --lr > 0 are required");
        }
        PrintWriter out = spec.commandLine().getOut();
        Device target = device == null ? Device.best() : Device.of(device);
        out.printf(Locale.ROOT, "device: %s (%s)%n", target.name(), target.description());
        out.printf(Locale.ROOT, "task: %d points on two interleaved spirals, MLP 2 -> %d -> 2 (tanh), %d steps%n",
                2 * points, hidden, epochs);

        try (Scope scope = Scope.open()) {
            Tensor[] data = spirals(target, points, seed);
            Tensor x = data[0];
            Tensor labels = data[1];
            Tensor w1 = Tensor.random(target, Distribution.NORMAL, DType.FLOAT32, seed, 0, 2, hidden)
                    .mul(Math.sqrt(1.0 / 2)).requiresGrad(true);
            Tensor b1 = Tensor.zeros(target, DType.FLOAT32, hidden).requiresGrad(true);
            Tensor w2 = Tensor.random(target, Distribution.NORMAL, DType.FLOAT32, seed, 1L << 32, hidden, 2)
                    .mul(Math.sqrt(1.0 / hidden)).requiresGrad(true);
            Tensor b2 = Tensor.zeros(target, DType.FLOAT32, 2).requiresGrad(true);
            List<Tensor> parameters = List.of(w1, b1, w2, b2);
            List<Tensor> velocities = parameters.stream().map(p -> Tensor.zeros(target, p.dtype(), p.shape())).toList();

            long start = System.nanoTime();
            double loss = Double.NaN;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                try (Scope step = Scope.open()) {
                    Tensor logits = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
                    Tensor nll = logits.logSoftmax(1).gather(1, labels).neg().mean();
                    nll.backward();
                    loss = nll.item();
                    try (Autograd.GradMode off = Autograd.noGrad()) {
                        for (int i = 0; i < parameters.size(); i++) {
                            Tensor velocity = velocities.get(i).mulInPlace(0.9).addInPlace(parameters.get(i).grad());
                            parameters.get(i).addInPlace(velocity.mul(-learningRate));
                            parameters.get(i).zeroGrad();
                        }
                    }
                }
                if (epoch == 1 || epoch % Math.max(1, epochs / 8) == 0 || epoch == epochs) {
                    out.printf(Locale.ROOT, "  step %4d  loss %.4f%n", epoch, loss);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double accuracy;
            try (Autograd.GradMode off = Autograd.noGrad()) {
                Tensor predicted = x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).argmax(1, true);
                accuracy = predicted.eq(labels).to(DType.FLOAT32).mean().item();
            }
            out.printf(Locale.ROOT, "accuracy %.1f%% after %d steps in %.2f s (%.2f ms/step) on %s%n",
                    100 * accuracy, epochs, seconds, 1000 * seconds / epochs, target.name());
        }
        return 0;
    }

    /** Two spirals of {@code points} each, with a little noise: inputs [2n, 2] and labels [2n, 1] (INT64). */
    static Tensor[] spirals(Device device, int points, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] coordinates = new float[4 * points];
        long[] classes = new long[2 * points];
        for (int spiral = 0; spiral < 2; spiral++) {
            for (int i = 0; i < points; i++) {
                double t = 0.25 + 2.75 * Math.PI * i / points;
                double radius = t / (3 * Math.PI);
                double angle = t + spiral * Math.PI;
                int row = spiral * points + i;
                coordinates[2 * row] = (float) (radius * Math.cos(angle) + 0.02 * random.nextGaussian());
                coordinates[2 * row + 1] = (float) (radius * Math.sin(angle) + 0.02 * random.nextGaussian());
                classes[row] = spiral;
            }
        }
        return new Tensor[] {Tensor.of(device, coordinates, 2 * points, 2), Tensor.of(device, classes, 2 * points, 1)};
    }
}
