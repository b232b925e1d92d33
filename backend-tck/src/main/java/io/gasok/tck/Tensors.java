package io.gasok.tck;

import io.gasok.DType;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generated test tensors ({@link Sample}s): values from {@link Values} in a layout from
 * {@link #layouts}: dense about half the time, otherwise a permuted, stepped-and-offset or
 * expanded view, so kernels meet strides other than row-major ones.
 */
public final class Tensors {
    private Tensors() {}

    /** A sample of the given shape whose values are drawn from {@code domain}. */
    public static Arbitrary<Sample> sample(DType dtype, int[] shape, Values.Domain domain) {
        return sample(dtype, shape, domain, true);
    }

    /** As {@link #sample(DType, int[], Values.Domain)}; {@code expand} allows stride-0 views. */
    public static Arbitrary<Sample> sample(DType dtype, int[] shape, Values.Domain domain, boolean expand) {
        return Combinators.combine(layouts(shape, expand), Values.tensor(dtype, shape, domain)).as((layout, value) ->
                new Sample(layout instanceof Layout.Expanded expanded ? expanded.constrain(value) : value, layout));
    }

    /** Samples of random shape. */
    public static Arbitrary<Sample> sample(DType dtype, Arbitrary<int[]> shapes, Values.Domain domain) {
        return shapes.flatMap(shape -> sample(dtype, shape, domain));
    }

    /** A dense sample (for operands whose layout is not under test, such as index tensors). */
    public static Arbitrary<Sample> dense(DType dtype, int[] shape, Values.Domain domain) {
        return Values.tensor(dtype, shape, domain).map(value -> new Sample(value, new Layout.Contiguous()));
    }

    /** Layouts a tensor of {@code shape} can be built in. */
    public static Arbitrary<Layout> layouts(int[] shape, boolean expand) {
        int rank = shape.length;
        List<Tuple.Tuple2<Integer, Arbitrary<? extends Layout>>> choices = new ArrayList<>();
        choices.add(Tuple.of(5, Arbitraries.just(new Layout.Contiguous())));
        if (rank >= 2) {
            choices.add(Tuple.of(2, Shapes.permutation(rank).map(Layout.Permuted::new)));
        }
        if (rank >= 1) {
            choices.add(Tuple.of(2, Combinators.combine(Arbitraries.integers().between(0, rank - 1),
                    Arbitraries.integers().between(0, 2), Arbitraries.integers().between(1, 3))
                    .as(Layout.Stepped::new)));
        }
        if (expand && rank >= 1) {
            choices.add(Tuple.of(1, Arbitraries.of(true, false).list().ofSize(rank).map(flags -> {
                boolean[] broadcast = new boolean[rank];
                for (int d = 0; d < rank; d++) {
                    broadcast[d] = flags.get(d);
                }
                return new Layout.Expanded(broadcast);
            })));
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Arbitrary<Layout> layouts = (Arbitrary<Layout>) (Arbitrary) Arbitraries.frequencyOf(
                choices.toArray(new Tuple.Tuple2[0]));
        return layouts;
    }

    /** A floating dtype: FLOAT32 or FLOAT64. */
    public static Arbitrary<DType> floating() {
        return Arbitraries.of(DType.FLOAT32, DType.FLOAT64);
    }

    /** An integer dtype: INT32 or INT64. */
    public static Arbitrary<DType> integer() {
        return Arbitraries.of(DType.INT32, DType.INT64);
    }
}
