package io.gasok.spi;

import io.gasok.DType;

/**
 * A block of memory on one backend's device holding {@link #length()} elements of one dtype.
 *
 * <p>Buffers are made and freed only by their backend ({@link Backend#allocate},
 * {@link Backend#free}); core reaches their contents only through {@link Operand}s passed to
 * kernels and through {@link Backend#read}/{@link Backend#write}.
 */
public interface Buffer {
    DType dtype();

    int length();
}
