package io.gasok;

import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * The one point through which core launches every kernel (DESIGN §4). Here hang the profiler's
 * hook, the debug mode that synchronises after each launch (GPU errors are asynchronous, so
 * without it an error surfaces at a later read, far from its cause; turn it on with
 * {@code -Dgasok.debug.sync=true} or {@code GASOK_DEBUG_SYNC=1}), and the error message that names
 * the kernel, the op, the backend and every operand.
 */
final class Dispatch {
    static final boolean DEBUG_SYNC = Boolean.getBoolean("gasok.debug.sync")
            || "1".equals(System.getenv("GASOK_DEBUG_SYNC"));

    /** What one launch does, for the profiler and for error messages. */
    record Launch(String kernel, String op, Device device, Operand[] operands, long flops) {
        long bytes() {
            long bytes = 0;
            for (Operand operand : operands) {
                if (operand != null) {
                    bytes += (long) operand.size() * operand.dtype().byteSize();
                }
            }
            return bytes;
        }

        String describe() {
            StringBuilder text = new StringBuilder(kernel);
            if (!op.equals(kernel)) {
                text.append(" (op ").append(op).append(')');
            }
            text.append(" on ").append(device.name()).append(" with ");
            text.append(Arrays.stream(operands).map(o -> o == null ? "none" : o.dtype().shortName()
                    + Arrays.toString(o.shape())).toList());
            return text.toString();
        }
    }

    /** Receives every launch while installed; the profiler implements it. */
    interface Listener {
        void launched(Launch launch, long startNanos, long endNanos);
    }

    private static final ThreadLocal<Listener> LISTENER = new ThreadLocal<>();

    private Dispatch() {}

    static Listener listen(Listener listener) {
        Listener previous = LISTENER.get();
        LISTENER.set(listener);
        return previous;
    }

    static void restore(Listener previous) {
        LISTENER.set(previous);
    }

    /** Runs {@code kernel} as the launch described. */
    static void launch(String kernel, String op, Device device, long flops, Runnable body, Operand... operands) {
        Listener listener = LISTENER.get();
        long start = listener == null ? 0 : System.nanoTime();
        try {
            body.run();
            if (DEBUG_SYNC) {
                device.backend().synchronize();
            }
        } catch (RuntimeException e) {
            Launch launch = new Launch(kernel, op, device, operands, flops);
            throw new GasokException("kernel " + launch.describe() + " failed: " + e.getMessage(), e);
        }
        if (listener != null) {
            listener.launched(new Launch(kernel, op, device, operands, flops), start, System.nanoTime());
        }
    }
}
