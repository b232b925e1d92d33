package io.gasok.tck;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * Random shapes: ranks 0 to 4, extents 0 to 6 with size-1 axes common and empty axes occasional,
 * pairs that broadcast (size-1 axes and missing leading axes on either side), and axis sets for
 * reductions. Small on purpose: the reference backend runs every property several hundred times.
 */
public final class Shapes {
    private Shapes() {}

    public static final int MAX_EXTENT = 6;

    /** One extent: 1 often, 0 now and then when {@code empty} allows it. */
    public static Arbitrary<Integer> extent(boolean empty) {
        Arbitrary<Integer> positive = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(1)),
                net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(2, MAX_EXTENT)));
        return empty ? Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(14, positive)) : positive;
    }

    /** Shapes of rank {@code minRank..maxRank}; {@code empty} lets extents be 0. */
    public static Arbitrary<int[]> shape(int minRank, int maxRank, boolean empty) {
        return Arbitraries.integers().between(minRank, maxRank).flatMap(rank -> shapeOfRank(rank, empty));
    }

    public static Arbitrary<int[]> shapeOfRank(int rank, boolean empty) {
        return extent(empty).list().ofSize(rank).map(Shapes::toArray);
    }

    /**
     * Two shapes that broadcast together: a full shape, then for each operand some leading axes
     * dropped and some axes set to 1.
     */
    public static Arbitrary<int[][]> broadcastPair(int maxRank, boolean empty) {
        return broadcastShapes(2, maxRank, empty);
    }

    /** {@code count} shapes that broadcast together (see {@link #broadcastPair}). */
    public static Arbitrary<int[][]> broadcastShapes(int count, int maxRank, boolean empty) {
        return shape(0, maxRank, empty).flatMap(full -> derived(full).list().ofSize(count)
                .map(list -> list.toArray(new int[0][])));
    }

    /** {@code full} with some leading axes dropped and some axes made 1. */
    public static Arbitrary<int[]> derived(int[] full) {
        int rank = full.length;
        return Combinators.combine(
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, Arbitraries.just(0)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, rank))),
                Arbitraries.integers().between(0, 3).list().ofSize(rank)).as((drop, ones) -> {
                    int[] shape = Arrays.copyOfRange(full, drop, rank);
                    for (int d = 0; d < shape.length; d++) {
                        if (ones.get(drop + d) == 0) {
                            shape[d] = 1;
                        }
                    }
                    return shape;
                });
    }

    /**
     * A set of axes of a rank-{@code rank} tensor, as given to a reduction: empty (meaning all)
     * now and then, negative axes sometimes.
     */
    public static Arbitrary<int[]> axes(int rank) {
        if (rank == 0) {
            return Arbitraries.just(new int[0]);
        }
        return Arbitraries.integers().between(0, rank - 1).set().ofMinSize(0).ofMaxSize(rank)
                .flatMap(set -> Arbitraries.of(true, false).map(negative -> set.stream().mapToInt(
                        axis -> negative ? axis - rank : axis).toArray()));
    }

    /** A permutation of {@code 0..rank-1}. */
    public static Arbitrary<int[]> permutation(int rank) {
        List<Integer> axes = new java.util.ArrayList<>();
        for (int d = 0; d < rank; d++) {
            axes.add(d);
        }
        return Arbitraries.shuffle(axes).map(Shapes::toArray);
    }

    static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
