package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import java.util.Locale;
import java.util.Random;

/**
 * FLOAT32 GEMM throughput of the OpenCL backend on device opencl:0 at n×n×n, for the record (not
 * a test): {@code java -cp ... io.gasok.opencl.GemmThroughput [sizes...]} prints one line per size
 * with the device and the best of several timed runs (each ends with a
 * synchronize, so the time covers the kernel, not only its queueing).
 */
final class GemmThroughput {
    private GemmThroughput() {}

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {512, 1024} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        OpenClBackend backend = (OpenClBackend) new OpenClBackendProvider().open(0);
        System.out.println("device: " + backend.deviceDescription());
        Random random = new Random(1);
        for (int n : sizes) {
            float[] values = new float[n * n];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextFloat() - 0.5f;
            }
            Buffer a = backend.allocate(DType.FLOAT32, n * n);
            Buffer b = backend.allocate(DType.FLOAT32, n * n);
            Buffer c = backend.allocate(DType.FLOAT32, n * n);
            backend.write(values, 0, a, 0, n * n);
            backend.write(values, 0, b, 0, n * n);
            GemmSpec spec = new GemmSpec(1, n, n, n, false, false, Epilogue.NONE);
            Operand left = Operand.contiguous(a, 0, 1, n, n);
            Operand right = Operand.contiguous(b, 0, 1, n, n);
            Operand out = Operand.contiguous(c, 0, 1, n, n);
            double best = Double.MAX_VALUE;
            for (int run = 0; run < 6; run++) {
                long start = System.nanoTime();
                backend.gemm(spec, left, right, out, null);
                backend.synchronize();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (run > 0) {
                    best = Math.min(best, seconds);
                }
            }
            System.out.printf(Locale.ROOT, "sgemm %d^3: %.1f ms, %.1f GFLOP/s%n", n, best * 1e3, spec.flops() / best / 1e9);
            backend.free(a);
            backend.free(b);
            backend.free(c);
        }
    }
}
