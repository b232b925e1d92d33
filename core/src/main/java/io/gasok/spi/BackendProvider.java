package io.gasok.spi;

/**
 * How a backend is found: each backend module registers one provider with
 * {@link java.util.ServiceLoader} ({@code provides io.gasok.spi.BackendProvider with ...}).
 */
public interface BackendProvider {

    /** The name users ask for: {@code reference}, {@code cpu}, {@code opencl}, {@code cuda}. */
    String name();

    /** The kind of device, for {@code Device.best()}'s policy. */
    Kind kind();

    /**
     * The backend for device {@code index}, created once and kept by core.
     *
     * @throws io.gasok.BackendUnavailableException saying why it cannot run here and what to do
     */
    Backend open(int index);

    /** How many devices of this backend exist (0 with a reason through {@link #open}). */
    int deviceCount();

    /** Kinds of device in the order {@code Device.best()} prefers them. */
    enum Kind {
        /** A real GPU (CUDA, or OpenCL on a GPU). */
        GPU,
        /** The native CPU backend. */
        CPU,
        /** OpenCL on a CPU (PoCL): never preferred over the native CPU backend. */
        CPU_OPENCL,
        /** The scalar reference: correct, slow, always there. */
        REFERENCE
    }
}
