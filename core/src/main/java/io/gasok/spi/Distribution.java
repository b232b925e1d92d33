package io.gasok.spi;

/** What {@link Backend#random} draws. */
public enum Distribution {
    /** Uniform on [0, 1). */
    UNIFORM,
    /** Standard normal, by Box-Muller from two uniforms. */
    NORMAL
}
