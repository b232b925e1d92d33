package io.gasok.nn;

/** How a loss combines its per-element values, as PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (weighted by the class weights, for cross-entropy). */
    MEAN,
    /** Their sum. */
    SUM
}
