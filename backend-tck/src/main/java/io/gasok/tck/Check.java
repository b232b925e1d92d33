package io.gasok.tck;

import io.gasok.Tensor;
import java.util.Arrays;

/**
 * The assertions of the TCK: a result compared with an expectation element by element under a
 * {@link Tolerance.Bound}. A failure names the op, what the inputs were, the first element that
 * differs (its index, what came out, what was expected and the bound) and how many differ.
 */
public final class Check {
    private Check() {}

    /** {@code got} (a tensor, read to the host) equals {@code expected} within {@code bound}. */
    public static void close(String op, String inputs, Tensor got, HostTensor expected, Tolerance.Bound bound) {
        close(op, inputs, HostTensor.of(got), expected, bound);
    }

    public static void close(String op, String inputs, HostTensor got, HostTensor expected, Tolerance.Bound bound) {
        if (got.dtype() != expected.dtype() || !Arrays.equals(got.shape(), expected.shape())) {
            throw new AssertionError(op + ": result is " + got.describe() + ", expected " + expected.describe()
                    + "; inputs " + inputs);
        }
        int failures = 0;
        String first = null;
        for (int i = 0; i < got.size(); i++) {
            double g = got.get(i);
            double e = expected.get(i);
            double allowed = bound.at(i, e);
            if (!agrees(g, e, allowed)) {
                failures++;
                if (first == null) {
                    first = "element " + Arrays.toString(HostTensor.multiIndex(got.shape(), i)) + " is " + g
                            + ", expected " + e + " (|difference| " + Math.abs(g - e) + " > bound " + allowed
                            + ", " + bound.describe() + ")";
                }
            }
        }
        if (failures > 0) {
            throw new AssertionError(op + " " + got.describe() + ": " + first + "; " + failures + " of " + got.size()
                    + " elements differ; inputs " + inputs);
        }
    }

    /** NaN matches NaN; infinities and exact bounds need equality (sign of zero ignored); else the bound. */
    static boolean agrees(double got, double expected, double allowed) {
        if (Double.isNaN(expected) || Double.isNaN(got)) {
            return Double.isNaN(expected) && Double.isNaN(got);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(got) || allowed == 0) {
            return got == expected;
        }
        return Math.abs(got - expected) <= allowed;
    }

    /** Same dtype, shape and bits of every element (layout invariance). */
    public static void identical(String op, String inputs, Tensor got, Tensor expected) {
        close(op + " (layout invariance)", inputs, HostTensor.of(got), HostTensor.of(expected), Tolerance.exact());
    }

    /** Fails with {@code message} unless {@code condition}. */
    public static void that(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    /** The inputs of a property, for messages: {@code a=float32[2, 3] contiguous, b=...}. */
    public static String inputs(Object... namesAndValues) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            text.append(i == 0 ? "" : ", ").append(namesAndValues[i]).append('=').append(namesAndValues[i + 1]);
        }
        return text.toString();
    }
}
