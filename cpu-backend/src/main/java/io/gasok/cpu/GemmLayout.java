package io.gasok.cpu;

import io.gasok.spi.Operand;

/**
 * Where the matrices of one GEMM operand lie in its heap array: element {@code (b, row, col)} of the
 * stored {@code [batch, rows, cols]} operand is at {@code offset + b·batchStride + row·rowStride +
 * col·colStride}. The row stride is BLAS's leading dimension; a batch stride of 0 shares one matrix
 * across the batch. A and B may have any strides (packing reads them as they lie); C needs
 * {@code colStride == 1}, because the micro-kernel's epilogue stores whole vectors along a row.
 */
public record GemmLayout(int offset, int rowStride, int colStride, int batchStride) {

    /** A dense row-major {@code rows × cols} matrix, or a batch of them, from {@code offset} on. */
    public static GemmLayout rowMajor(int offset, int rows, int cols) {
        return new GemmLayout(offset, cols, 1, rows * cols);
    }

    /** The layout of a rank-3 operand {@code [batch, rows, cols]}, as {@link io.gasok.spi.GemmSpec} takes it. */
    public static GemmLayout of(Operand operand) {
        if (operand.rank() != 3) {
            throw new IllegalArgumentException("a GEMM operand is [batch, rows, cols], not " + operand);
        }
        return new GemmLayout(operand.offset(), operand.stride(1), operand.stride(2), operand.stride(0));
    }

    /** Index of element (row, col) of batch item {@code batch}. */
    int index(int batch, int row, int col) {
        return offset + batch * batchStride + row * rowStride + col * colStride;
    }
}
