package io.gasok.examples.gesture;

import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.data.Dataset;
import io.gasok.examples.bench.Json;
import io.gasok.examples.bench.NumpyPeer;
import io.gasok.examples.bench.PeerProcess;
import io.gasok.examples.bench.PeerUnavailableException;
import io.gasok.io.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The gesture bench's NumPy peer: the Keras preset (Dropout 0.2, Dense 20 ReLU, Dropout 0.4, Dense
 * 10 ReLU, Dense classes, softmax cross-entropy, Adam, batch 128, shuffled every epoch) written
 * out in NumPy, forward, backward and Adam by hand, float32, in a {@code python3} process at the
 * given BLAS thread count. It trains on the same rows (handed over as {@code .npy} files) and
 * answers each request {@code N} with the seconds of each of N more epochs, timed in Python; the
 * running loss and accuracy are computed as Gasok's epochs compute them.
 */
public final class NumpyMlpPeer implements AutoCloseable {

    static final String SCRIPT = """
            import json, sys, time
            try:
                import numpy as np
            except Exception as e:
                print(json.dumps({"error": "python3 has no numpy (" + type(e).__name__ + ")"}), flush=True)
                sys.exit(0)
            X = np.load(sys.argv[1]).astype(np.float32)
            Y = np.load(sys.argv[2]).astype(np.int64)
            classes, batch, lr = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
            rng = np.random.default_rng(int(sys.argv[6]))
            def glorot(i, o):
                b = np.sqrt(6.0 / (i + o))
                return rng.uniform(-b, b, (i, o)).astype(np.float32)
            widths = [X.shape[1], 20, 10, classes]
            P = []
            for i in range(3):
                P += [glorot(widths[i], widths[i + 1]), np.zeros(widths[i + 1], np.float32)]
            M = [np.zeros_like(p) for p in P]
            V = [np.zeros_like(p) for p in P]
            step = [0]
            def adam(grads):
                step[0] += 1
                t = step[0]
                c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
                for p, g, m, v in zip(P, grads, M, V):
                    m *= 0.9; m += 0.1 * g
                    v *= 0.999; v += 0.001 * (g * g)
                    p -= (lr / c1) * m / (np.sqrt(v / c2) + 1e-8)
            def epoch():
                order = rng.permutation(len(X))
                loss_sum, correct = 0.0, 0
                W1, b1, W2, b2, W3, b3 = P
                for s in range(0, len(X), batch):
                    idx = order[s:s + batch]
                    x, y = X[idx], Y[idx]
                    n = len(idx)
                    m0 = (rng.random(x.shape, dtype=np.float32) >= 0.2) * np.float32(1 / 0.8)
                    h0 = x * m0
                    z1 = h0 @ W1 + b1
                    a1 = np.maximum(z1, 0)
                    m1 = (rng.random(a1.shape, dtype=np.float32) >= 0.4) * np.float32(1 / 0.6)
                    h1 = a1 * m1
                    z2 = h1 @ W2 + b2
                    a2 = np.maximum(z2, 0)
                    z3 = a2 @ W3 + b3
                    z = z3 - z3.max(axis=1, keepdims=True)
                    e = np.exp(z)
                    p = e / e.sum(axis=1, keepdims=True)
                    rows = np.arange(n)
                    loss_sum += float(-np.log(p[rows, y] + 1e-30).sum())
                    correct += int((z3.argmax(axis=1) == y).sum())
                    d3 = p
                    d3[rows, y] -= 1
                    d3 /= n
                    d2 = (d3 @ W3.T) * (z2 > 0)
                    d1 = ((d2 @ W2.T) * m1) * (z1 > 0)
                    adam([h0.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), a2.T @ d3, d3.sum(0)])
                return loss_sum / len(X), correct / len(X)
            print(json.dumps({"numpy": np.__version__}), flush=True)
            for line in sys.stdin:
                if not line.strip():
                    continue
                times, last = [], None
                for _ in range(int(line)):
                    start = time.perf_counter()
                    last = epoch()
                    times.append(time.perf_counter() - start)
                print(json.dumps({"seconds": times, "loss": last[0], "accuracy": last[1]}), flush=True)
            """;

    private final PeerProcess process;
    private final Path folder;
    private final String version;
    private double accuracy = Double.NaN;

    private NumpyMlpPeer(PeerProcess process, Path folder) {
        this.process = process;
        this.folder = folder;
        this.version = String.valueOf(process.info().get("numpy"));
    }

    /**
     * Starts the peer on {@code rows} (already prepared) with {@code threads} BLAS threads.
     *
     * @throws PeerUnavailableException with one line saying why it cannot run
     */
    public static NumpyMlpPeer start(String python, int threads, Dataset rows, int classes, int batchSize,
                                     double learningRate, long seed) throws IOException {
        Path folder = Files.createTempDirectory("gasok-gesture-numpy-");
        try {
            try (Scope scope = Scope.open()) {
                Npy.save(folder.resolve("x.npy"), rows.features(Device.reference()));
                Npy.save(folder.resolve("y.npy"), rows.labels(Device.reference()));
            }
            ProcessBuilder builder = new ProcessBuilder(List.of(python, "-u", "-c", SCRIPT,
                    folder.resolve("x.npy").toString(), folder.resolve("y.npy").toString(), Integer.toString(classes),
                    Integer.toString(batchSize), Double.toString(learningRate), Long.toString(seed)));
            return new NumpyMlpPeer(PeerProcess.start("numpy", NumpyPeer.withBlasThreads(builder, threads)), folder);
        } catch (IOException | RuntimeException e) {
            delete(folder);
            throw e;
        }
    }

    public String numpyVersion() {
        return version;
    }

    /**
     * Seconds of each of {@code epochs} more epochs.
     *
     * @throws PeerUnavailableException when the peer fails or answers something else
     */
    public double[] epochs(int epochs) {
        Map<String, Object> answer = process.request(Integer.toString(epochs));
        if (!(answer.get("seconds") instanceof List<?> seconds) || !(answer.get("accuracy") instanceof Number last)) {
            throw new PeerUnavailableException("numpy failed: an answer without seconds and accuracy: "
                    + Json.writeLine(answer));
        }
        accuracy = last.doubleValue();
        double[] times = new double[seconds.size()];
        for (int i = 0; i < times.length; i++) {
            if (!(seconds.get(i) instanceof Number time)) {
                throw new PeerUnavailableException("numpy failed: a time that is not a number: " + Json.writeLine(answer));
            }
            times[i] = time.doubleValue();
        }
        return times;
    }

    /** The running training accuracy of the last epoch (NaN before any). */
    public double lastAccuracy() {
        return accuracy;
    }

    @Override
    public void close() {
        process.close();
        delete(folder);
    }

    private static void delete(Path folder) {
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(folder);
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
