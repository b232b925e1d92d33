package io.gasok.spi;

/**
 * A batched matrix product {@code C[b] = epilogue(op(A[b]) · op(B[b]))} for b in [0, batch), with
 * {@code op(A)} of shape m×k, {@code op(B)} k×n and C m×n.
 *
 * <p>Operands are 3-D: {@code [batch, rows, cols]} as stored, with unit stride along cols. A stored
 * matrix is used transposed when its trans flag is set, so A is stored k×m when {@code transA}.
 * The row stride is the leading dimension (at least the stored row length); every operand has
 * extent {@code batch} along axis 0, and a batch stride of 0 shares one matrix across the batch.
 * The bias, when present, has n elements and is added to every row of C. A null epilogue is
 * {@link Epilogue#NONE}.
 */
public record GemmSpec(int batch, int m, int n, int k, boolean transA, boolean transB, Epilogue epilogue) {

    public long flops() {
        return 2L * batch * m * n * k;
    }
}
