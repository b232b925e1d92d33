package io.gasok.cpu;

import io.gasok.BackendUnavailableException;
import io.gasok.spi.Backend;
import io.gasok.spi.BackendProvider;

/**
 * Registers the Vector API backend as {@code cpu}. It is available when the JVM was started with
 * {@code --add-modules jdk.incubator.vector}; otherwise it says so rather than failing with a
 * {@code NoClassDefFoundError} at the first kernel.
 */
public final class CpuBackendProvider implements BackendProvider {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    public CpuBackendProvider() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Kind kind() {
        return Kind.CPU;
    }

    @Override
    public int deviceCount() {
        return vectorApiPresent() ? 1 : 0;
    }

    @Override
    public Backend open(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("cpu has one device, cpu:0; there is no cpu:" + index);
        }
        if (!vectorApiPresent()) {
            throw new BackendUnavailableException("cpu", "the Vector API module is not in this JVM: start java with"
                    + " --add-modules " + VECTOR_MODULE);
        }
        try {
            return Holder.BACKEND;
        } catch (ExceptionInInitializerError e) {
            // A bad gasok.cpu.* property (threads, vector width, GEMM tile or block sizes): its own message,
            // not the wrapper.
            if (e.getCause() instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw e;
        }
    }

    private static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Created on first use only, after the module check: its classes link against the Vector API. */
    private static final class Holder {
        static final CpuBackend BACKEND = new CpuBackend(WorkerPool.shared());
    }
}
