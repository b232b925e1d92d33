package io.gasok;

/**
 * Thrown when a backend that was asked for by name cannot run here. The message says why (no
 * driver, a missing native library, no OpenCL platform, a driver too old for the shipped PTX, the
 * Vector API module not added) and what to do. Gasok never falls back to another backend silently.
 */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String backend;

    public BackendUnavailableException(String backend, String reason) {
        super(backend + " backend unavailable: " + reason);
        this.backend = backend;
    }

    public BackendUnavailableException(String backend, String reason, Throwable cause) {
        super(backend + " backend unavailable: " + reason, cause);
        this.backend = backend;
    }

    /** The backend's name: cpu, cuda, opencl. */
    public String backend() {
        return backend;
    }
}
