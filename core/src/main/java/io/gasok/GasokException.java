package io.gasok;

/** A failure inside a kernel or a backend, with a message that names the kernel and its operands. */
public class GasokException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GasokException(String message, Throwable cause) {
        super(message, cause);
    }

    public GasokException(String message) {
        super(message);
    }
}
