package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.DType;
import io.gasok.spi.Operand;

/**
 * The error bound of a sum of K products, {@code c·eps·(√K + 2)·M} per result element (plus the
 * rounding of the result itself), where M is the same computation on absolute values: alpha·Σ|a||b|
 * + |bias| + |beta·C|. Cancellation makes a relative bound fail; this one holds for any values.
 * The caller computes M on the reference backend by running the kernel on {@link #absolute} twins.
 */
final class ProductTolerance {
    private static final double FACTOR = 4;

    private ProductTolerance() {}

    /** A twin holding the absolute values of the reference side of {@code twin}, same view. */
    static TwinBuffers.Twin absolute(TwinBuffers buffers, TwinBuffers.Twin twin) {
        Operand view = twin.reference();
        return absolute(buffers, twin, TwinBuffers.download(view.buffer(), view.dtype()));
    }

    /** A twin holding the absolute values of {@code values} in {@code twin}'s view. */
    static TwinBuffers.Twin absolute(TwinBuffers buffers, TwinBuffers.Twin twin, double[] values) {
        double[] magnitudes = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            magnitudes[i] = Math.abs(values[i]);
        }
        Operand view = twin.reference();
        return buffers.upload(view.dtype(), magnitudes, view.offset(), view.shape(), view.strides());
    }

    /** The bound for every element of the buffer behind {@code magnitude}, sums of {@code k} products. */
    static double[] bound(DType dtype, long k, TwinBuffers.Twin magnitude) {
        double eps = dtype == DType.FLOAT32 ? Math.ulp(1.0f) : Math.ulp(1.0);
        double[] m = TwinBuffers.download(magnitude.reference().buffer(), dtype);
        double[] bound = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            bound[i] = FACTOR * eps * (Math.sqrt(k) + 2) * m[i] + Double.MIN_NORMAL;
        }
        return bound;
    }

    /** Every element of the device's buffer is within {@code bound} of the reference's (or equal, NaN included). */
    static void assertWithin(String what, TwinBuffers.Twin twin, double[] bound) {
        DType dtype = twin.device().buffer().dtype();
        double eps = dtype == DType.FLOAT32 ? Math.ulp(1.0f) : Math.ulp(1.0);
        double[] got = TwinBuffers.download(twin.device().buffer(), dtype);
        double[] expected = TwinBuffers.download(twin.reference().buffer(), twin.reference().buffer().dtype());
        for (int i = 0; i < expected.length; i++) {
            boolean equal = Double.compare(got[i], expected[i]) == 0 || got[i] == expected[i];
            if (!equal && !(Math.abs(got[i] - expected[i]) <= bound[i] + FACTOR * eps * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + expected[i] + ", bound " + bound[i]);
            }
        }
    }
}
