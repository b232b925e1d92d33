package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;

/**
 * The SPI's GEMM on the CPU backend: turns operands into array layouts and calls the blocked FP32
 * kernel ({@link GemmFloat32}) or the FP64 one ({@link GemmFloat64}); their header comments say how
 * the work is split across threads and lanes.
 */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias, WorkerPool pool) {
        DType dtype = c.dtype();
        GemmLayout aLayout = GemmLayout.of(a);
        GemmLayout bLayout = GemmLayout.of(b);
        GemmLayout cLayout = GemmLayout.of(c);
        switch (dtype) {
            case FLOAT32 -> {
                float[] biasValues = bias == null ? null : denseFloats(bias);
                int biasOffset = bias == null || bias.stride(0) != 1 ? 0 : bias.offset();
                GemmFloat32.gemm(spec, CpuBuffer.floats(a), aLayout, CpuBuffer.floats(b), bLayout, CpuBuffer.floats(c),
                        cLayout, biasValues, biasOffset, pool);
            }
            case FLOAT64 -> {
                double[] biasValues = bias == null ? null : denseDoubles(bias);
                int biasOffset = bias == null || bias.stride(0) != 1 ? 0 : bias.offset();
                GemmFloat64.gemm(spec, CpuBuffer.doubles(a), aLayout, CpuBuffer.doubles(b), bLayout,
                        CpuBuffer.doubles(c), cLayout, biasValues, biasOffset, pool);
            }
            default -> throw new IllegalArgumentException("cpu gemm: no kernel for " + dtype.shortName());
        }
    }

    /** The bias array as is when dense, else its n elements gathered (n is small next to the product). */
    private static float[] denseFloats(Operand bias) {
        float[] values = CpuBuffer.floats(bias);
        if (bias.stride(0) == 1) {
            return values;
        }
        float[] dense = new float[bias.dim(0)];
        for (int j = 0; j < dense.length; j++) {
            dense[j] = values[bias.offset() + j * bias.stride(0)];
        }
        return dense;
    }

    private static double[] denseDoubles(Operand bias) {
        double[] values = CpuBuffer.doubles(bias);
        if (bias.stride(0) == 1) {
            return values;
        }
        double[] dense = new double[bias.dim(0)];
        for (int j = 0; j < dense.length; j++) {
            dense[j] = values[bias.offset() + j * bias.stride(0)];
        }
        return dense;
    }
}
