package io.gasok.examples.bench;

import io.gasok.Autograd;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;

/**
 * One thing the bench measures (an op at one shape) and how each contender does it: Gasok on a
 * device, EJML in the same JVM, NumPy through its request line. Each contender's inputs are made
 * once, outside the timing; a timed call allocates its output, as a user's call does, and frees it.
 */
public abstract sealed class Workload {

    /** The op's name in the table and the report: gemm, conv2d-fwd, conv2d-bwd, depthwise, softmax, add, launch. */
    public final String op;
    /** The shape, as the table shows it. */
    public final String shape;
    /** Floating-point operations per call (0 for memory-bound ops). */
    public final double flops;
    /** Bytes that must move per call at least (reads and writes of inputs and outputs). */
    public final double bytes;

    Workload(String op, String shape, double flops, double bytes) {
        this.op = op;
        this.shape = shape;
        this.flops = flops;
        this.bytes = bytes;
    }

    /** GFLOP/s for compute-bound ops, else GB/s, at {@code seconds} per call. */
    public double throughput(double seconds) {
        return (flops > 0 ? flops : bytes) / seconds / 1e9;
    }

    /** "GFLOP/s" or "GB/s". */
    public String unit() {
        return flops > 0 ? "GFLOP/s" : "GB/s";
    }

    /** Gasok's contender on {@code device}. */
    public abstract Contender gasok(Device device);

    /** EJML's contender at {@code threads} threads, or null where EJML has no such op. */
    public Contender ejml(int threads) {
        return null;
    }

    /**
     * Gasok's matmul on {@code device} at this workload's GEMM shapes, or null where it has none:
     * the {@code gemm} peer, the rate the "conv2d at 90% of the GEMM rate" compares with.
     */
    public Contender gemmEquivalent(Device device) {
        return null;
    }

    /** The GEMMs {@link #gemmEquivalent} times, as M×N×K with the transposes, or null. */
    public String gemmShapes() {
        return null;
    }

    /** What the NumPy peer is asked for ({@code gemm 1024}), or null where it has no such op. */
    public String numpy() {
        return null;
    }

    /** What the CLBlast peer is asked for ({@code gemm 1024}), or null where it has no such op. */
    public String clblast() {
        return null;
    }

    /** Seconds of warm-up per contender when {@code --warmup} asks for {@code asked}. */
    public double warmupSeconds(double asked) {
        return asked;
    }

    /** What a row of this workload times, where the op's name alone does not say it; else null. */
    public String measures() {
        return null;
    }

    /** A row of the report for this workload and one contender, without its timings yet. */
    public Map<String, Object> row(String library, String backend, String device, String description, int threads) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("op", op);
        row.put("shape", shape);
        row.put("library", library);
        row.put("backend", backend);
        row.put("device", device);
        row.put("device_description", description);
        row.put("threads", threads);
        if (measures() != null) {
            row.put("measures", measures());
        }
        return row;
    }

    /** Something timed: {@code time(calls)} returns the seconds that {@code calls} calls took. */
    public interface Contender extends AutoCloseable {
        double time(int calls);

        /** Whether its calls run in this JVM (so the heap its calls allocate can be counted here). */
        default boolean inProcess() {
            return false;
        }

        @Override
        default void close() {}
    }

    /** A contender in this JVM: {@code call} is timed; {@code before} and {@code after} are not. */
    abstract static class JavaContender implements Contender {
        void before() {}

        abstract void call();

        void after() {}

        @Override
        public boolean inProcess() {
            return true;
        }

        @Override
        public double time(int calls) {
            long total = 0;
            for (int i = 0; i < calls; i++) {
                before();
                long start = System.nanoTime();
                call();
                total += System.nanoTime() - start;
                after();
            }
            return total / 1e9;
        }
    }

    /**
     * A contender in this JVM whose calls are timed together, one nanoTime pair per batch: for ops
     * so short that a clock read per call would be a large part of what is measured.
     */
    abstract static class BatchContender implements Contender {
        abstract void call();

        /** Run once after the batch, inside the timing (e.g. waiting for the device). */
        void finish() {}

        @Override
        public boolean inProcess() {
            return true;
        }

        @Override
        public double time(int calls) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call();
            }
            finish();
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /** A Gasok call: the op in a scope (which frees its output), waited for on the device. */
    private static Contender gasokCall(Device device, Tensor[] inputs, java.util.function.Supplier<Tensor> op) {
        return new JavaContender() {
            @Override
            void call() {
                try (Autograd.GradMode off = Autograd.noGrad(); Scope scope = Scope.open()) {
                    op.get();
                    device.synchronize();
                }
            }

            @Override
            public void close() {
                for (Tensor input : inputs) {
                    input.close();
                }
            }
        };
    }

    static float[] normal(int length, long seed, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = (float) (scale * random.nextGaussian());
        }
        return values;
    }

    static void ejmlMult(int threads, FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
        if (threads > 1) {
            CommonOps_MT_FDRM.mult(a, b, c);
        } else {
            CommonOps_FDRM.mult(a, b, c);
        }
    }

    // ------------------------------------------------------------------------------------ GEMM

    /** Square fp32 GEMM, size×size times size×size: 2·size³ flops. */
    public static final class Gemm extends Workload {
        private final int n;

        public Gemm(int n) {
            super("gemm", n + "x" + n + "x" + n, 2.0 * n * n * n, 12.0 * n * n);
            this.n = n;
        }

        @Override
        public Contender gasok(Device device) {
            Tensor a = Tensor.of(device, normal(n * n, 1, 1), n, n);
            Tensor b = Tensor.of(device, normal(n * n, 2, 1), n, n);
            return gasokCall(device, new Tensor[] {a, b}, () -> a.matmul(b));
        }

        @Override
        public Contender ejml(int threads) {
            FMatrixRMaj a = new FMatrixRMaj(n, n, true, normal(n * n, 1, 1));
            FMatrixRMaj b = new FMatrixRMaj(n, n, true, normal(n * n, 2, 1));
            return new JavaContender() {
                @Override
                void call() {
                    ejmlMult(threads, a, b, new FMatrixRMaj(n, n));
                }
            };
        }

        @Override
        public String numpy() {
            return "gemm " + n;
        }

        @Override
        public String clblast() {
            return "gemm " + n;
        }
    }

    // ------------------------------------------------------------------------------------ elementwise

    /** a + b into a new tensor of {@code elements} floats: 12 bytes per element. */
    public static final class Add extends Workload {
        private final int elements;

        public Add(int elements) {
            super("add", Integer.toString(elements), 0, 12.0 * elements);
            this.elements = elements;
        }

        @Override
        public Contender gasok(Device device) {
            Tensor a = Tensor.of(device, normal(elements, 1, 1), elements);
            Tensor b = Tensor.of(device, normal(elements, 2, 1), elements);
            return gasokCall(device, new Tensor[] {a, b}, () -> a.add(b));
        }

        @Override
        public Contender ejml(int threads) {
            FMatrixRMaj a = new FMatrixRMaj(1, elements, true, normal(elements, 1, 1));
            FMatrixRMaj b = new FMatrixRMaj(1, elements, true, normal(elements, 2, 1));
            return new JavaContender() {
                @Override
                void call() {
                    CommonOps_FDRM.add(a, b, new FMatrixRMaj(1, elements));
                }
            };
        }

        @Override
        public String numpy() {
            return "add " + elements;
        }
    }

    /**
     * The cost of one launch: {@code a.add(b)} of two small tensors, its output closed at once, as
     * JMH's LaunchOverheadBenchmark.add256 does it (grad mode on, inputs not requiring grad). A run
     * times its calls as one batch, with one device synchronize at the end, so a row is the host's
     * cost per launch, or the device's where the device is the slower of the two. EJML's add and
     * NumPy's {@code x + y} are timed the same way (NumPy in its own loop).
     */
    public static final class Launch extends Workload {
        /**
         * Warm-up of at least this long (unless --warmup is 0): a call's time falls from about 10 µs
         * to under 0.5 µs only once C2 has compiled the dispatch path, after about 1.5 s of calls
         * (measured here); before, the row would time the JIT, not the launch.
         */
        static final double MINIMUM_WARMUP_SECONDS = 2.5;

        private final int elements;

        public Launch(int elements) {
            super("launch", Integer.toString(elements), 0, 12.0 * elements);
            this.elements = elements;
        }

        @Override
        public double warmupSeconds(double asked) {
            return asked > 0 ? Math.max(asked, MINIMUM_WARMUP_SECONDS) : 0;
        }

        @Override
        public String measures() {
            return "time per a.add(b) of two " + elements + "-float tensors, output closed at once (as JMH's"
                    + " LaunchOverheadBenchmark.add256), after at least " + MINIMUM_WARMUP_SECONDS + " s of warm-up"
                    + " (the JIT); a run times its calls as one batch, with one device synchronize at its end";
        }

        @Override
        public Contender gasok(Device device) {
            Tensor a = Tensor.of(device, normal(elements, 1, 1), elements);
            Tensor b = Tensor.of(device, normal(elements, 2, 1), elements);
            return new BatchContender() {
                @Override
                void call() {
                    a.add(b).close();
                }

                @Override
                void finish() {
                    device.synchronize();
                }

                @Override
                public void close() {
                    a.close();
                    b.close();
                }
            };
        }

        @Override
        public Contender ejml(int threads) {
            FMatrixRMaj a = new FMatrixRMaj(1, elements, true, normal(elements, 1, 1));
            FMatrixRMaj b = new FMatrixRMaj(1, elements, true, normal(elements, 2, 1));
            return new BatchContender() {
                @Override
                void call() {
                    CommonOps_FDRM.add(a, b, new FMatrixRMaj(1, elements));
                }
            };
        }

        @Override
        public String numpy() {
            return "add " + elements;
        }
    }

    /** Softmax over the last axis of [rows, cols]: one read and one write, 8 bytes per element. */
    public static final class Softmax extends Workload {
        private final int rows;
        private final int cols;

        public Softmax(int rows, int cols) {
            super("softmax", rows + "x" + cols, 0, 8.0 * rows * cols);
            this.rows = rows;
            this.cols = cols;
        }

        @Override
        public Contender gasok(Device device) {
            Tensor x = Tensor.of(device, normal(rows * cols, 1, 1), rows, cols);
            return gasokCall(device, new Tensor[] {x}, () -> x.softmax(1));
        }

        @Override
        public String numpy() {
            return "softmax " + rows + " " + cols;
        }
    }

    // ------------------------------------------------------------------------------------ conv2d

    /** A 2-D convolution layer's geometry: input N×C×H×W, OC filters of K×K, stride S, padding P. */
    public record ConvLayer(int n, int c, int h, int w, int oc, int k, int stride, int pad) {
        int outH() {
            return (h + 2 * pad - k) / stride + 1;
        }

        int outW() {
            return (w + 2 * pad - k) / stride + 1;
        }

        double forwardFlops() {
            return 2.0 * n * oc * outH() * outW() * c * k * k;
        }

        String text() {
            return String.format(Locale.ROOT, "%dx%dx%dx%d*%dx%dx%d/s%dp%d", n, c, h, w, oc, k, k, stride, pad);
        }

        String args() {
            return n + " " + c + " " + h + " " + w + " " + oc + " " + k + " " + stride + " " + pad;
        }
    }

    /**
     * Depthwise conv2d forward with bias (groups = channels, one K×K filter per channel), judged by
     * memory bandwidth: bytes are x read once and y written once ({@code 4·N·C·(H·W + outH·outW)}),
     * the least any kernel must move. No peer: NumPy has no depthwise convolution; compare with the
     * add row's GB/s of the same run.
     */
    public static final class Depthwise extends Workload {
        private final ConvLayer l;

        public Depthwise(ConvLayer layer) {
            super("depthwise", layer.text(), 0,
                    4.0 * layer.n * layer.c * ((double) layer.h * layer.w + (double) layer.outH() * layer.outW()));
            if (layer.oc != layer.c) {
                throw new IllegalArgumentException("a depthwise layer has as many filters as channels, not "
                        + layer.oc + " for " + layer.c + " channels: " + layer.text());
            }
            this.l = layer;
        }

        @Override
        public Contender gasok(Device device) {
            Tensor x = Tensor.of(device, normal(l.n * l.c * l.h * l.w, 1, 1), l.n, l.c, l.h, l.w);
            Tensor weight = Tensor.of(device, normal(l.c * l.k * l.k, 2, Math.sqrt(1.0 / (l.k * l.k))), l.c, 1, l.k, l.k);
            Tensor bias = Tensor.of(device, normal(l.c, 3, 1), l.c);
            int[] stride = {l.stride, l.stride};
            int[] pad = {l.pad, l.pad};
            int[] dilation = {1, 1};
            return gasokCall(device, new Tensor[] {x, weight, bias},
                    () -> x.conv2d(weight, bias, stride, pad, dilation, l.c));
        }
    }

    /**
     * Conv2d with bias, forward ({@code backward == false}) or backward: the gradients of input,
     * weight and bias from the output's gradient (twice the forward's flops), the forward that
     * records the graph done before each call, outside the timing. EJML and NumPy run it as im2col
     * and a GEMM (their backward reuses the forward's column matrix).
     */
    public static final class Conv2d extends Workload {
        private final ConvLayer l;
        private final boolean backward;

        public Conv2d(ConvLayer layer, boolean backward) {
            super(backward ? "conv2d-bwd" : "conv2d-fwd", layer.text(),
                    (backward ? 2 : 1) * layer.forwardFlops(), 0);
            this.l = layer;
            this.backward = backward;
        }

        @Override
        public Contender gasok(Device device) {
            double scale = Math.sqrt(1.0 / (l.c * l.k * l.k));
            Tensor x = Tensor.of(device, normal(l.n * l.c * l.h * l.w, 1, 1), l.n, l.c, l.h, l.w);
            Tensor weight = Tensor.of(device, normal(l.oc * l.c * l.k * l.k, 2, scale), l.oc, l.c, l.k, l.k);
            Tensor bias = Tensor.of(device, normal(l.oc, 3, 1), l.oc);
            if (!backward) {
                return gasokCall(device, new Tensor[] {x, weight, bias},
                        () -> x.conv2d(weight, bias, l.stride, l.pad));
            }
            x.requiresGrad(true);
            weight.requiresGrad(true);
            bias.requiresGrad(true);
            Tensor gradOutput = Tensor.of(device, normal(l.n * l.oc * l.outH() * l.outW(), 4, 1),
                    l.n, l.oc, l.outH(), l.outW());
            return new JavaContender() {
                private Scope scope;
                private Tensor y;

                @Override
                void before() {
                    scope = Scope.open();
                    y = x.conv2d(weight, bias, l.stride, l.pad);
                    device.synchronize();
                }

                @Override
                void call() {
                    y.backward(gradOutput);
                    device.synchronize();
                }

                @Override
                void after() {
                    scope.close();
                    x.zeroGrad();
                    weight.zeroGrad();
                    bias.zeroGrad();
                }

                @Override
                public void close() {
                    x.close();
                    weight.close();
                    bias.close();
                    gradOutput.close();
                }
            };
        }

        /**
         * The layer's products as im2col + GEMM does them, on operands already laid out (no im2col,
         * no col2im, no bias): forward {@code W[OC, C·K·K] · cols[C·K·K, N·OH·OW]}; backward the
         * input's column gradient {@code Wᵀ · dY} and the weight gradient {@code dY · colsᵀ}, whose
         * transposes Gasok's matmul reads in place. The same flops as the layer's row.
         */
        @Override
        public Contender gemmEquivalent(Device device) {
            int rows = l.c * l.k * l.k;
            int pixels = l.n * l.outH() * l.outW();
            Tensor weight = Tensor.of(device, normal(l.oc * rows, 2, Math.sqrt(1.0 / rows)), l.oc, rows);
            Tensor cols = Tensor.of(device, normal(rows * pixels, 1, 1), rows, pixels);
            if (!backward) {
                return gasokCall(device, new Tensor[] {weight, cols}, () -> weight.matmul(cols));
            }
            Tensor gradOutput = Tensor.of(device, normal(l.oc * pixels, 4, 1), l.oc, pixels);
            return gasokCall(device, new Tensor[] {weight, cols, gradOutput}, () -> {
                weight.t().matmul(gradOutput);
                return gradOutput.matmul(cols.t());
            });
        }

        @Override
        public String gemmShapes() {
            int rows = l.c * l.k * l.k;
            int pixels = l.n * l.outH() * l.outW();
            return backward
                    ? String.format(Locale.ROOT, "%dx%dx%d (Aᵀ) + %dx%dx%d (Bᵀ)", rows, pixels, l.oc, l.oc, rows, pixels)
                    : String.format(Locale.ROOT, "%dx%dx%d", l.oc, pixels, rows);
        }

        @Override
        public Contender ejml(int threads) {
            int rows = l.c * l.k * l.k;
            int pixels = l.outH() * l.outW();
            float[] input = normal(l.n * l.c * l.h * l.w, 1, 1);
            FMatrixRMaj weight = new FMatrixRMaj(l.oc, rows, true, normal(l.oc * rows, 2, Math.sqrt(1.0 / rows)));
            float[] bias = normal(l.oc, 3, 1);
            if (!backward) {
                return new JavaContender() {
                    @Override
                    void call() {
                        FMatrixRMaj cols = new FMatrixRMaj(rows, pixels);
                        float[] out = new float[l.n * l.oc * pixels];
                        FMatrixRMaj y = new FMatrixRMaj(l.oc, pixels);
                        for (int image = 0; image < l.n; image++) {
                            im2col(l, input, image, cols.data);
                            ejmlMult(threads, weight, cols, y);
                            for (int o = 0; o < l.oc; o++) {
                                float b = bias[o];
                                int from = o * pixels;
                                int to = (image * l.oc + o) * pixels;
                                for (int p = 0; p < pixels; p++) {
                                    out[to + p] = y.data[from + p] + b;
                                }
                            }
                        }
                    }
                };
            }
            FMatrixRMaj[] cols = new FMatrixRMaj[l.n];
            FMatrixRMaj[] gradOut = new FMatrixRMaj[l.n];
            for (int image = 0; image < l.n; image++) {
                cols[image] = new FMatrixRMaj(rows, pixels);
                im2col(l, input, image, cols[image].data);
                gradOut[image] = new FMatrixRMaj(l.oc, pixels, true, normal(l.oc * pixels, 4 + image, 1));
            }
            return new JavaContender() {
                @Override
                void call() {
                    FMatrixRMaj gradWeight = new FMatrixRMaj(l.oc, rows);
                    FMatrixRMaj gradCols = new FMatrixRMaj(rows, pixels);
                    float[] gradBias = new float[l.oc];
                    float[] gradInput = new float[l.n * l.c * l.h * l.w];
                    for (int image = 0; image < l.n; image++) {
                        FMatrixRMaj dy = gradOut[image];
                        if (threads > 1) {
                            CommonOps_MT_FDRM.multAddTransB(dy, cols[image], gradWeight);
                            CommonOps_MT_FDRM.multTransA(weight, dy, gradCols);
                        } else {
                            CommonOps_FDRM.multAddTransB(dy, cols[image], gradWeight);
                            CommonOps_FDRM.multTransA(weight, dy, gradCols);
                        }
                        for (int o = 0; o < l.oc; o++) {
                            float sum = 0;
                            for (int p = 0; p < pixels; p++) {
                                sum += dy.data[o * pixels + p];
                            }
                            gradBias[o] += sum;
                        }
                        col2im(l, gradCols.data, image, gradInput);
                    }
                }
            };
        }

        @Override
        public String numpy() {
            return (backward ? "conv_bwd " : "conv_fwd ") + l.args();
        }

        /** Column matrix [C·K·K, OH·OW] of image {@code image}, zero where the window is in the padding. */
        static void im2col(ConvLayer l, float[] input, int image, float[] cols) {
            int oh = l.outH();
            int ow = l.outW();
            int row = 0;
            for (int ch = 0; ch < l.c; ch++) {
                int plane = (image * l.c + ch) * l.h * l.w;
                for (int ki = 0; ki < l.k; ki++) {
                    for (int kj = 0; kj < l.k; kj++, row++) {
                        int base = row * oh * ow;
                        for (int y = 0; y < oh; y++) {
                            int iy = y * l.stride - l.pad + ki;
                            for (int x = 0; x < ow; x++) {
                                int ix = x * l.stride - l.pad + kj;
                                cols[base + y * ow + x] = iy >= 0 && iy < l.h && ix >= 0 && ix < l.w
                                        ? input[plane + iy * l.w + ix] : 0f;
                            }
                        }
                    }
                }
            }
        }

        /** Adds the column gradients back into the input gradient of image {@code image}. */
        static void col2im(ConvLayer l, float[] cols, int image, float[] gradInput) {
            int oh = l.outH();
            int ow = l.outW();
            int row = 0;
            for (int ch = 0; ch < l.c; ch++) {
                int plane = (image * l.c + ch) * l.h * l.w;
                for (int ki = 0; ki < l.k; ki++) {
                    for (int kj = 0; kj < l.k; kj++, row++) {
                        int base = row * oh * ow;
                        for (int y = 0; y < oh; y++) {
                            int iy = y * l.stride - l.pad + ki;
                            if (iy < 0 || iy >= l.h) {
                                continue;
                            }
                            for (int x = 0; x < ow; x++) {
                                int ix = x * l.stride - l.pad + kj;
                                if (ix >= 0 && ix < l.w) {
                                    gradInput[plane + iy * l.w + ix] += cols[base + y * ow + x];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
