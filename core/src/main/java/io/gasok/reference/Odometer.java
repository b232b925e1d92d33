package io.gasok.reference;

import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * Walks a shape in row-major order, like a car's odometer: the last coordinate turns fastest.
 * Several operands are walked together; for each it keeps the buffer index of the current element,
 * updated by one stride per step instead of recomputed from the linear index.
 *
 * <p>An operand contributes only its offset and strides, so its own extents may differ from the
 * walked shape: reading an input with the output's extents, or walking an operand with an axis of
 * extent 1 to visit the start of every line along that axis.
 *
 * <pre>{@code
 * for (Odometer walk = new Odometer(out.shape(), in, out); walk.hasElement(); walk.advance()) {
 *     ... walk.position(0) ... walk.position(1) ...
 * }
 * }</pre>
 */
final class Odometer {
    private final int[] shape;
    private final int[][] strides;
    private final int[] coordinates;
    private final int[] positions;
    private boolean hasElement;

    Odometer(int[] shape, Operand... operands) {
        this.shape = shape;
        this.strides = new int[operands.length][];
        this.positions = new int[operands.length];
        for (int k = 0; k < operands.length; k++) {
            if (operands[k].rank() != shape.length) {
                throw new IllegalArgumentException("cannot walk " + operands[k] + " over shape " + Arrays.toString(shape));
            }
            strides[k] = operands[k].strides();
            positions[k] = operands[k].offset();
        }
        this.coordinates = new int[shape.length];
        this.hasElement = Operand.sizeOf(shape) > 0;
    }

    /** False once every element has been visited (at once for an empty shape). */
    boolean hasElement() {
        return hasElement;
    }

    /** The buffer index of the current element in the {@code operand}-th operand. */
    int position(int operand) {
        return positions[operand];
    }

    /** The current coordinate along {@code axis}. */
    int coordinate(int axis) {
        return coordinates[axis];
    }

    /** Steps to the next element in row-major order. */
    void advance() {
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            coordinates[axis]++;
            for (int k = 0; k < positions.length; k++) {
                positions[k] += strides[k][axis];
            }
            if (coordinates[axis] < shape[axis]) {
                return;
            }
            for (int k = 0; k < positions.length; k++) {
                positions[k] -= strides[k][axis] * shape[axis];
            }
            coordinates[axis] = 0;
        }
        hasElement = false;
    }
}
