package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import java.util.Arrays;
import java.util.Random;

/**
 * One random GEMM problem for the tests: operands laid out with padded leading dimensions, offsets and
 * batch strides (0 where shared), every element outside the views set to NaN (a read outside a view
 * turns the result into NaN; a write outside C's view overwrites a NaN sentinel), and the reference
 * result from a naive triple loop accumulating in double.
 *
 * <p>Values are floats in [-1, 1), so the FP32 and FP64 kernels and the reference see the same
 * inputs. The tolerance of element (i, j) is {@code 4·eps·(√K + 3)·(|alpha|·Σ_p |a_ip|·|b_pj| +
 * |beta·c_ij| + |bias_j|)}, the GEMM bound of DESIGN §6 widened by the epilogue's few roundings; after
 * an activation it is scaled by the activation's slope (at most 1.1 for the ones tested) plus a few
 * ulps of the result.
 */
final class GemmTestCase {

    final GemmSpec spec;
    final GemmLayout aLayout;
    final GemmLayout bLayout;
    final GemmLayout cLayout;
    final double[] a;
    final double[] b;
    final double[] c;
    final double[] bias;
    final int biasOffset;

    private GemmTestCase(GemmSpec spec, GemmLayout aLayout, GemmLayout bLayout, GemmLayout cLayout,
                         double[] a, double[] b, double[] c, double[] bias, int biasOffset) {
        this.spec = spec;
        this.aLayout = aLayout;
        this.bLayout = bLayout;
        this.cLayout = cLayout;
        this.a = a;
        this.b = b;
        this.c = c;
        this.bias = bias;
        this.biasOffset = biasOffset;
    }

    /** A problem with dense row-major operands, no bias. */
    static GemmTestCase dense(long seed, int batch, int m, int n, int k, boolean transA, boolean transB,
                              Epilogue epilogue) {
        return builder(seed, batch, m, n, k).transpose(transA, transB).epilogue(epilogue).build();
    }

    static Builder builder(long seed, int batch, int m, int n, int k) {
        return new Builder(seed, batch, m, n, k);
    }

    static final class Builder {
        private final long seed;
        private final int batch;
        private final int m;
        private final int n;
        private final int k;
        private boolean transA;
        private boolean transB;
        private Epilogue epilogue = Epilogue.NONE;
        private boolean withBias;
        private int padding;
        private boolean sharedA;
        private boolean sharedB;

        private Builder(long seed, int batch, int m, int n, int k) {
            this.seed = seed;
            this.batch = batch;
            this.m = m;
            this.n = n;
            this.k = k;
        }

        Builder transpose(boolean transA, boolean transB) {
            this.transA = transA;
            this.transB = transB;
            return this;
        }

        Builder epilogue(Epilogue epilogue) {
            this.epilogue = epilogue;
            return this;
        }

        Builder withBias() {
            this.withBias = true;
            return this;
        }

        /** Leading dimensions {@code padding} wider than the rows, offsets and batch gaps too. */
        Builder padded(int padding) {
            this.padding = padding;
            return this;
        }

        Builder shared(boolean sharedA, boolean sharedB) {
            this.sharedA = sharedA;
            this.sharedB = sharedB;
            return this;
        }

        GemmTestCase build() {
            Random random = new Random(seed);
            GemmLayout aLayout = layout(transA ? k : m, transA ? m : k, sharedA);
            GemmLayout bLayout = layout(transB ? n : k, transB ? k : n, sharedB);
            GemmLayout cLayout = layout(m, n, false);
            double[] a = fill(aLayout, transA ? k : m, transA ? m : k, random);
            double[] b = fill(bLayout, transB ? n : k, transB ? k : n, random);
            double[] c = fill(cLayout, m, n, random);
            if (epilogue.beta() == 0) {
                Arrays.fill(c, Double.NaN);
            }
            double[] bias = null;
            int biasOffset = 0;
            if (withBias) {
                biasOffset = 1 + padding;
                bias = new double[biasOffset + n + padding];
                Arrays.fill(bias, Double.NaN);
                for (int j = 0; j < n; j++) {
                    bias[biasOffset + j] = value(random);
                }
            }
            return new GemmTestCase(new GemmSpec(batch, m, n, k, transA, transB, epilogue),
                    aLayout, bLayout, cLayout, a, b, c, bias, biasOffset);
        }

        private GemmLayout layout(int rows, int cols, boolean shared) {
            int rowStride = cols + padding;
            int batchStride = shared ? 0 : rows * rowStride + padding;
            return new GemmLayout(2 * padding + 1, rowStride, 1, batchStride);
        }

        private double[] fill(GemmLayout layout, int rows, int cols, Random random) {
            int items = layout.batchStride() == 0 ? 1 : batch;
            double[] values = new double[layout.index(items - 1, rows, 0) + padding + 1];
            Arrays.fill(values, Double.NaN);
            for (int item = 0; item < items; item++) {
                for (int r = 0; r < rows; r++) {
                    for (int col = 0; col < cols; col++) {
                        values[layout.index(item, r, col)] = value(random);
                    }
                }
            }
            return values;
        }

        private static double value(Random random) {
            return (float) (random.nextDouble() * 2 - 1);
        }
    }

    float[] aFloat() {
        return toFloat(a);
    }

    float[] bFloat() {
        return toFloat(b);
    }

    float[] cFloat() {
        return toFloat(c);
    }

    float[] biasFloat() {
        return bias == null ? null : toFloat(bias);
    }

    private static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    private double opA(int item, int i, int p) {
        return spec.transA() ? a[aLayout.index(item, p, i)] : a[aLayout.index(item, i, p)];
    }

    private double opB(int item, int p, int j) {
        return spec.transB() ? b[bLayout.index(item, j, p)] : b[bLayout.index(item, p, j)];
    }

    /** Checks {@code actual} (C after the kernel ran) against the reference, with machine epsilon eps. */
    void check(double[] actual, double eps) {
        Epilogue epilogue = spec.epilogue();
        boolean[] inView = new boolean[c.length];
        for (int item = 0; item < spec.batch(); item++) {
            for (int i = 0; i < spec.m(); i++) {
                for (int j = 0; j < spec.n(); j++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int p = 0; p < spec.k(); p++) {
                        double product = opA(item, i, p) * opB(item, p, j);
                        sum += product;
                        magnitude += Math.abs(product);
                    }
                    int at = cLayout.index(item, i, j);
                    inView[at] = true;
                    double z = epilogue.alpha() * sum;
                    double scale = Math.abs(epilogue.alpha()) * magnitude;
                    if (epilogue.beta() != 0) {
                        z += epilogue.beta() * c[at];
                        scale += Math.abs(epilogue.beta() * c[at]);
                    }
                    if (bias != null) {
                        z += bias[biasOffset + j];
                        scale += Math.abs(bias[biasOffset + j]);
                    }
                    double expected = epilogue.activate(z);
                    double tolerance = 4 * eps * (Math.sqrt(spec.k()) + 3) * scale;
                    if (epilogue.activation() != null) {
                        tolerance = 1.1 * tolerance + 4 * eps * Math.abs(expected) + Float.MIN_NORMAL;
                    }
                    double error = Math.abs(actual[at] - expected);
                    if (!(error <= tolerance)) {
                        fail(describe() + ": C[" + item + "][" + i + "][" + j + "] = " + actual[at] + ", expected "
                                + expected + " ± " + tolerance);
                    }
                }
            }
        }
        for (int at = 0; at < c.length; at++) {
            if (!inView[at] && !Double.isNaN(actual[at])) {
                fail(describe() + ": wrote " + actual[at] + " at index " + at + ", outside C's view");
            }
        }
    }

    void check(float[] actual) {
        double[] widened = new double[actual.length];
        for (int i = 0; i < actual.length; i++) {
            widened[i] = actual[i];
        }
        check(widened, Math.ulp(1f));
    }

    String describe() {
        return spec + " A " + aLayout + " B " + bLayout + " C " + cLayout + (bias == null ? "" : " with bias");
    }

    /** Runs the FP32 kernel on a copy of C and returns it. */
    float[] runFloat32(WorkerPool pool) {
        float[] out = cFloat();
        GemmFloat32.gemm(spec, aFloat(), aLayout, bFloat(), bLayout, out, cLayout, biasFloat(), biasOffset, pool);
        return out;
    }

    /** Runs the FP64 kernel on a copy of C and returns it. */
    double[] runFloat64(WorkerPool pool) {
        double[] out = c.clone();
        GemmFloat64.gemm(spec, a, aLayout, b, bLayout, out, cLayout, bias, biasOffset, pool);
        return out;
    }
}
