package io.gasok.examples.bench;

/** A peer that cannot run here, or stopped; its message is one line for the table's footer. */
public final class PeerUnavailableException extends RuntimeException {
    public PeerUnavailableException(String message) {
        super(message);
    }
}
