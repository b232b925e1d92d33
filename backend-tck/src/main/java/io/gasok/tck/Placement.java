package io.gasok.tck;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Where the elements of an operand lie in its buffer, for properties that call the kernel SPI with
 * operands they lay out themselves: from slot {@code offset}, the axes nested in {@code order}
 * (the last one fastest), consecutive elements of the fastest axis {@code step} slots apart, and
 * {@code pad} spare slots after each run of every slower axis. No two elements share a slot; the
 * slots between them are left for the property to fill (with {@link Values#sentinel}).
 */
public record Placement(int offset, int[] order, int step, int pad) {

    /** Dense row-major from {@code offset}. */
    public static Placement dense(int offset, int rank) {
        int[] order = new int[rank];
        Arrays.setAll(order, d -> d);
        return new Placement(offset, order, 1, 0);
    }

    /** Placements of a rank-{@code rank} operand: dense from an offset half the time, else permuted, stepped and padded. */
    public static Arbitrary<Placement> of(int rank) {
        Arbitrary<Integer> offsets = Arbitraries.integers().between(0, 3);
        return Arbitraries.frequencyOf(
                Tuple.of(1, offsets.map(offset -> dense(offset, rank))),
                Tuple.of(1, Combinators.combine(offsets, Shapes.permutation(rank), Arbitraries.integers().between(1, 2),
                        Arbitraries.integers().between(0, 2)).as(Placement::new)));
    }

    /** The strides, in slots, of an operand of {@code shape} placed so. */
    public int[] strides(int[] shape) {
        int[] strides = new int[shape.length];
        int running = step;
        for (int i = shape.length - 1; i >= 0; i--) {
            int axis = order[i];
            strides[axis] = running;
            running = running * Math.max(shape[axis], 1) + pad;
        }
        return strides;
    }

    @Override
    public String toString() {
        return "offset " + offset + (step == 1 && pad == 0 && isIdentity() ? " dense"
                : " order " + Arrays.toString(order) + " step " + step + " pad " + pad);
    }

    private boolean isIdentity() {
        for (int d = 0; d < order.length; d++) {
            if (order[d] != d) {
                return false;
            }
        }
        return true;
    }
}
