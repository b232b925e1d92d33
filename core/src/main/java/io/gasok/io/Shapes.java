package io.gasok.io;

import java.nio.file.Path;
import java.util.Arrays;

/** Shapes read from files, checked against what a Gasok tensor can hold. */
final class Shapes {
    /** Java arrays stop a little short of 2^31 elements. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private Shapes() {}

    /**
     * {@code shape} as Gasok's int dimensions, after checking that no dimension is negative and that
     * the element count (computed without overflow) fits one Java array.
     */
    static int[] toIntShape(long[] shape, Path file, String what) throws MalformedTensorFileException {
        long count = 1;
        boolean empty = false;
        for (long extent : shape) {
            if (extent < 0) {
                throw new MalformedTensorFileException(file, what + ": negative dimension in shape " + Arrays.toString(shape));
            }
            empty |= extent == 0;
        }
        int[] dims = new int[shape.length];
        for (int axis = 0; axis < shape.length; axis++) {
            if (shape[axis] > MAX_ELEMENTS) {
                throw tooLarge(shape, file, what);
            }
            dims[axis] = (int) shape[axis];
            if (!empty) {
                count *= shape[axis];
                if (count > MAX_ELEMENTS) {
                    throw tooLarge(shape, file, what);
                }
            }
        }
        return dims;
    }

    private static MalformedTensorFileException tooLarge(long[] shape, Path file, String what) {
        return new MalformedTensorFileException(file, what + ": shape " + Arrays.toString(shape)
                + " is larger than a Gasok tensor can hold (at most " + MAX_ELEMENTS + " elements)");
    }
}
