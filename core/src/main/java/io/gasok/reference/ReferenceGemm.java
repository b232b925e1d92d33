package io.gasok.reference;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import java.util.Objects;

/**
 * Batched matrix product with an epilogue, by the definition: one dot product per output element,
 * accumulated in double.
 */
final class ReferenceGemm {
    private ReferenceGemm() {}

    /**
     * {@code C[b][i][j] = act(alpha · Σ_p op(A[b])[i][p] · op(B[b])[p][j] + beta · C[b][i][j] + bias[j])}
     * for b in [0, batch), i in [0, m), j in [0, n), p in [0, k). Operands are {@code [batch, rows,
     * cols]} as stored and are read through all their strides (the reference does not need unit
     * stride along cols); a stored batch extent of 1 is shared by every batch, whatever its stride.
     */
    static void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias) {
        HostBuffer left = HostBuffer.of(a);
        HostBuffer right = HostBuffer.of(b);
        HostBuffer result = HostBuffer.of(c);
        HostBuffer biasData = bias == null ? null : HostBuffer.of(bias);
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        for (int batch = 0; batch < spec.batch(); batch++) {
            for (int i = 0; i < spec.m(); i++) {
                for (int j = 0; j < spec.n(); j++) {
                    double acc = 0;
                    for (int p = 0; p < spec.k(); p++) {
                        int aIndex = spec.transA() ? matrixIndex(a, batch, p, i) : matrixIndex(a, batch, i, p);
                        int bIndex = spec.transB() ? matrixIndex(b, batch, j, p) : matrixIndex(b, batch, p, j);
                        acc += left.getDouble(aIndex) * right.getDouble(bIndex);
                    }
                    double biasValue = biasData == null ? 0 : biasData.getDouble(bias.indexOf(j));
                    storeWithEpilogue(epilogue, acc, biasValue, result, matrixIndex(c, batch, i, j));
                }
            }
        }
    }

    /** The buffer index of stored element {@code [batch][row][col]} of a 3-D GEMM operand. */
    private static int matrixIndex(Operand matrix, int batch, int row, int col) {
        int batchStride = matrix.dim(0) == 1 ? 0 : matrix.stride(0);
        return matrix.offset() + batch * batchStride + row * matrix.stride(1) + col * matrix.stride(2);
    }

    /**
     * Writes {@code act(alpha · acc + beta · out[index] + bias)}, the epilogue shared by GEMM and
     * convolution. The old value is read only when beta is non-zero: with beta 0 the output may be
     * uninitialised memory, and 0 · NaN would otherwise poison the result.
     */
    static void storeWithEpilogue(Epilogue epilogue, double acc, double bias, HostBuffer out, int index) {
        double value = epilogue.alpha() * acc + bias;
        if (epilogue.beta() != 0) {
            value += epilogue.beta() * out.getDouble(index);
        }
        out.setDouble(index, epilogue.activate(value));
    }
}
