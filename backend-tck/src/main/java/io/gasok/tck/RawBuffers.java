package io.gasok.tck;

import io.gasok.DType;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffers made directly on a backend for kernel-level tests, freed together on close (kernel
 * tests bypass tensors and scopes, so they free their own memory; the leak check still counts).
 */
final class RawBuffers implements AutoCloseable {
    private final Backend backend;
    private final List<Buffer> buffers = new ArrayList<>();

    RawBuffers(Backend backend) {
        this.backend = backend;
    }

    /** A buffer of {@code dtype} holding {@code values} (at least one element long). */
    Buffer upload(DType dtype, double[] values) {
        Buffer buffer = backend.allocate(dtype, Math.max(1, values.length));
        buffers.add(buffer);
        if (values.length > 0) {
            backend.write(HostTensor.toHostArray(dtype, values), 0, buffer, 0, values.length);
        }
        return buffer;
    }

    /** The whole buffer's contents as doubles. */
    double[] download(Buffer buffer) {
        Object array = buffer.dtype().newArray(buffer.length());
        backend.read(buffer, 0, array, 0, buffer.length());
        double[] values = new double[buffer.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (array) {
                case float[] a -> a[i];
                case double[] a -> a[i];
                case int[] a -> a[i];
                case long[] a -> a[i];
                case byte[] a -> a[i];
                default -> throw new IllegalStateException();
            };
        }
        return values;
    }

    @Override
    public void close() {
        for (Buffer buffer : buffers) {
            backend.free(buffer);
        }
        buffers.clear();
    }
}
