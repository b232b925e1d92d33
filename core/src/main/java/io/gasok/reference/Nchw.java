package io.gasok.reference;

import io.gasok.spi.Operand;

/**
 * A 4-D operand read by coordinates: images as {@code [batch, channel, row, column]} and
 * convolution weights as {@code [outChannel, inChannel, row, column]}. It goes through the
 * operand's strides, so it works for any layout, not only the contiguous one core passes.
 */
record Nchw(HostBuffer buffer, int offset, int[] strides) {

    static Nchw of(Operand operand) {
        if (operand.rank() != 4) {
            throw new IllegalArgumentException("expected a 4-D operand, got " + operand);
        }
        return new Nchw(HostBuffer.of(operand), operand.offset(), operand.strides());
    }

    int index(int n, int c, int h, int w) {
        return offset + n * strides[0] + c * strides[1] + h * strides[2] + w * strides[3];
    }

    double get(int n, int c, int h, int w) {
        return buffer.getDouble(index(n, c, h, w));
    }

    void set(int n, int c, int h, int w, double value) {
        buffer.setDouble(index(n, c, h, w), value);
    }

    /** Writes a row-major {@code height × width} plane to {@code [n, c, *, *]}. */
    void setPlane(int n, int c, double[] plane, int height, int width) {
        for (int row = 0; row < height; row++) {
            for (int col = 0; col < width; col++) {
                set(n, c, row, col, plane[row * width + col]);
            }
        }
    }
}
