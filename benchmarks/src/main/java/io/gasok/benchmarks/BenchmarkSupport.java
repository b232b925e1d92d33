package io.gasok.benchmarks;

import io.gasok.Device;
import io.gasok.Tensor;
import java.util.SplittableRandom;
import org.ejml.concurrency.EjmlConcurrency;

/**
 * What every benchmark shares: opening the device with the asked thread count, and random data.
 *
 * <p>The CPU backend sizes its one shared pool from the system property {@value #THREADS_PROPERTY}
 * when the pool is first used, so the property must be set before {@code Device.of("cpu")}. JMH
 * runs each combination of parameters in a fresh forked JVM, so a {@code @Param threads} takes
 * effect there.
 */
final class BenchmarkSupport {

    /** The CPU backend's thread-count property (io.gasok.cpu.WorkerPool.THREADS_PROPERTY, not exported). */
    static final String THREADS_PROPERTY = "gasok.cpu.threads";

    private BenchmarkSupport() {}

    /**
     * The device named {@code name}, with the CPU backend's pool sized to {@code threads} (0: the
     * cores). Fails when the pool already runs another thread count, rather than measuring it.
     */
    static Device open(String name, int threads) {
        if (threads > 0) {
            System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
        }
        Device device = Device.of(name);
        if (threads > 0 && device.backendName().equals("cpu")
                && !device.description().contains(" " + threads + " threads")) {
            throw new IllegalStateException("asked for " + threads + " threads but the cpu backend runs: "
                    + device.description());
        }
        return device;
    }

    /** EJML's thread count for its concurrent operations (CommonOps_MT_FDRM): the same as Gasok's. */
    static int ejmlThreads(int threads) {
        int count = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        EjmlConcurrency.setMaxThreads(count);
        return count;
    }

    /** {@code length} standard normal floats from {@code seed}. */
    static float[] randomFloats(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** A FLOAT32 tensor of standard normal values on {@code device}. */
    static Tensor randomTensor(Device device, long seed, int... shape) {
        int length = 1;
        for (int extent : shape) {
            length = Math.multiplyExact(length, extent);
        }
        return Tensor.of(device, randomFloats(length, seed), shape);
    }
}
