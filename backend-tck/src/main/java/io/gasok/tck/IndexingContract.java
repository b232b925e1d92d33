package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Joining and indexing: {@code pad} (PyTorch's pair order, negative amounts crop), {@code concat}
 * along any axis (empty inputs included), {@code gather}, {@code indexSelect} (INT32 and INT64
 * indices, repeats) and {@code scatterAdd} (repeated targets accumulate), for every dtype the op
 * takes and on views.
 *
 * <p>How: results are compared with host index arithmetic written from PyTorch's definitions and
 * with the reference; copies are exact, scatter-add's sums within {@link Tolerance#accumulated}.
 */
public interface IndexingContract extends DeviceUnderTest {

    Arbitrary<DType> ALL_DTYPES = Arbitraries.of(DType.values());

    /** A pad problem. */
    record PadCase(Sample x, int[] padding, double value) {
        @Override
        public String toString() {
            return "x=" + x + ", padding=" + Arrays.toString(padding) + ", value=" + value;
        }
    }

    @Provide
    default Arbitrary<PadCase> padCases() {
        return Combinators.combine(ALL_DTYPES, Shapes.shape(1, 4, true)).flatAs((dtype, shape) -> Combinators.combine(
                Tensors.sample(dtype, shape, Values.SMALL_INTEGERS),
                Arbitraries.integers().between(1, shape.length).flatMap(pairs ->
                        Arbitraries.integers().between(-2, 3).list().ofSize(2 * pairs).map(Shapes::toArray)),
                Arbitraries.of(0.0, 1.0, 7.0)).as(PadCase::new)
                .filter(c -> {
                    for (int pair = 0; pair < c.padding().length / 2; pair++) {
                        int axis = shape.length - 1 - pair;
                        if (shape[axis] + c.padding()[2 * pair] + c.padding()[2 * pair + 1] < 0) {
                            return false;
                        }
                    }
                    return true;
                }));
    }

    @Property
    @Label("pad adds constant borders and crops with negative amounts, in PyTorch's order")
    default void padAddsBordersAndCrops(@ForAll("padCases") PadCase c) {
        HostTensor x = c.x().value();
        int rank = x.rank();
        int[] before = new int[rank];
        int[] shape = x.shape();
        for (int pair = 0; pair < c.padding().length / 2; pair++) {
            int axis = rank - 1 - pair;
            before[axis] = c.padding()[2 * pair];
            shape[axis] += c.padding()[2 * pair] + c.padding()[2 * pair + 1];
        }
        double[] out = new double[io.gasok.spi.Operand.sizeOf(shape)];
        for (int flat = 0; flat < out.length; flat++) {
            int[] index = HostTensor.multiIndex(shape, flat);
            boolean inside = true;
            for (int d = 0; d < rank; d++) {
                index[d] -= before[d];
                inside &= index[d] >= 0 && index[d] < x.shape()[d];
            }
            out[flat] = inside ? x.at(index) : Oracle.round(x.dtype(), c.value());
        }
        Tensor got = c.x().on(device()).pad(c.padding(), c.value());
        Check.close("pad", c.toString(), got, new HostTensor(x.dtype(), shape, out), Tolerance.exact());
        Check.close("pad vs reference", c.toString(), got,
                HostTensor.of(c.x().on(reference()).pad(c.padding(), c.value())), Tolerance.exact());
    }

    /** Tensors to concatenate and the axis. */
    record ConcatCase(List<Sample> parts, int axis) {}

    @Provide
    default Arbitrary<ConcatCase> concatCases() {
        return Combinators.combine(ALL_DTYPES, Shapes.shape(1, 4, true), Arbitraries.integers().between(1, 3))
                .flatAs((dtype, shape, count) -> Arbitraries.integers().between(0, shape.length - 1).flatMap(axis ->
                        Arbitraries.integers().between(0, 4).list().ofSize(count).flatMap(extents -> {
                            List<Arbitrary<Sample>> parts = new ArrayList<>();
                            for (int extent : extents) {
                                int[] part = shape.clone();
                                part[axis] = extent;
                                parts.add(Tensors.sample(dtype, part, Values.SMALL_INTEGERS));
                            }
                            return Combinators.combine(parts).as(list -> new ConcatCase(list,
                                    axis - (extents.get(0) % 2 == 0 ? 0 : shape.length)));
                        })));
    }

    @Property
    @Label("concat joins tensors along any axis, empty ones included")
    default void concatJoinsAlongAnyAxis(@ForAll("concatCases") ConcatCase c) {
        int rank = c.parts().get(0).value().rank();
        int axis = c.axis() < 0 ? c.axis() + rank : c.axis();
        int[] shape = c.parts().get(0).shape();
        shape[axis] = c.parts().stream().mapToInt(p -> p.shape()[axis]).sum();
        double[] out = new double[io.gasok.spi.Operand.sizeOf(shape)];
        for (int flat = 0; flat < out.length; flat++) {
            int[] index = HostTensor.multiIndex(shape, flat);
            for (Sample part : c.parts()) {
                if (index[axis] < part.shape()[axis]) {
                    out[flat] = part.value().at(index);
                    break;
                }
                index[axis] -= part.shape()[axis];
            }
        }
        List<Tensor> onDevice = c.parts().stream().map(p -> p.on(device())).toList();
        Tensor got = Tensor.concat(onDevice, c.axis());
        String inputs = Check.inputs("parts", c.parts(), "axis", c.axis());
        Check.close("concat", inputs, got, new HostTensor(c.parts().get(0).dtype(), shape, out), Tolerance.exact());
        Check.close("concat vs reference", inputs, got,
                HostTensor.of(Tensor.concat(c.parts().stream().map(p -> p.on(reference())).toList(), c.axis())),
                Tolerance.exact());
    }

    /** An input, an axis and an index tensor. */
    record IndexCase(Sample x, int axis, Sample index, Sample src) {}

    /** Index values in [0, bound) for an index of {@code shape}, as INT64 or INT32. */
    private static Arbitrary<Sample> indices(int[] shape, int bound, boolean dense) {
        Values.Domain range = new Values.Domain("index", 0, Math.max(bound - 1, 0), false, false);
        return Tensors.integer().flatMap(dtype -> dense ? Tensors.dense(dtype, shape, range)
                : Tensors.sample(dtype, shape, range));
    }

    @Provide
    default Arbitrary<IndexCase> gatherCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64);
        return Combinators.combine(dtypes, Shapes.shape(1, 3, false)).flatAs((dtype, shape) ->
                Arbitraries.integers().between(0, shape.length - 1).flatMap(axis ->
                        Arbitraries.integers().between(0, Shapes.MAX_EXTENT).list().ofSize(shape.length).flatMap(raw -> {
                            int[] indexShape = new int[shape.length];
                            for (int d = 0; d < shape.length; d++) {
                                indexShape[d] = d == axis ? raw.get(d) % 5 : raw.get(d) % (shape[d] + 1);
                            }
                            return Combinators.combine(Tensors.sample(dtype, shape, Values.ANY),
                                    indices(indexShape, shape[axis], false))
                                    .as((x, index) -> new IndexCase(x, axis, index, null));
                        })));
    }

    @Property
    @Label("gather reads x at the index along the axis and elsewhere at the output's own position")
    default void gatherReadsAlongTheAxis(@ForAll("gatherCases") IndexCase c) {
        HostTensor x = c.x().value();
        HostTensor index = c.index().value();
        double[] out = new double[index.size()];
        for (int flat = 0; flat < out.length; flat++) {
            int[] position = HostTensor.multiIndex(index.shape(), flat);
            position[c.axis()] = (int) index.get(flat);
            out[flat] = x.at(position);
        }
        Tensor got = c.x().on(device()).gather(c.axis(), c.index().on(device()));
        String inputs = Check.inputs("x", c.x(), "axis", c.axis(), "index", c.index());
        Check.close("gather", inputs, got, new HostTensor(x.dtype(), index.shape(), out), Tolerance.exact());
        Check.close("gather vs reference", inputs, got,
                HostTensor.of(c.x().on(reference()).gather(c.axis(), c.index().on(reference()))), Tolerance.exact());
    }

    @Provide
    default Arbitrary<IndexCase> indexSelectCases() {
        return Combinators.combine(ALL_DTYPES, Shapes.shape(1, 4, false)).flatAs((dtype, shape) ->
                Combinators.combine(Arbitraries.integers().between(0, shape.length - 1),
                        Arbitraries.integers().between(0, 5)).flatAs((axis, length) ->
                        Combinators.combine(Tensors.sample(dtype, shape, Values.SMALL_INTEGERS),
                                indices(new int[] {length}, shape[axis], false))
                                .as((x, index) -> new IndexCase(x, axis, index, null))));
    }

    @Property
    @Label("indexSelect picks whole slices along the axis, repeats allowed, with INT32 or INT64 indices")
    default void indexSelectPicksWholeSlices(@ForAll("indexSelectCases") IndexCase c) {
        HostTensor x = c.x().value();
        HostTensor index = c.index().value();
        int[] shape = x.shape();
        shape[c.axis()] = index.size();
        double[] out = new double[io.gasok.spi.Operand.sizeOf(shape)];
        for (int flat = 0; flat < out.length; flat++) {
            int[] position = HostTensor.multiIndex(shape, flat);
            position[c.axis()] = (int) index.get(position[c.axis()]);
            out[flat] = x.at(position);
        }
        Tensor got = c.x().on(device()).indexSelect(c.axis(), c.index().on(device()));
        String inputs = Check.inputs("x", c.x(), "axis", c.axis(), "index", c.index());
        Check.close("indexSelect", inputs, got, new HostTensor(x.dtype(), shape, out), Tolerance.exact());
        Check.close("indexSelect vs reference", inputs, got,
                HostTensor.of(c.x().on(reference()).indexSelect(c.axis(), c.index().on(reference()))), Tolerance.exact());
    }

    @Provide
    default Arbitrary<IndexCase> scatterAddCases() {
        return Combinators.combine(Tensors.floating(), Shapes.shape(1, 3, false)).flatAs((dtype, shape) ->
                Arbitraries.integers().between(0, shape.length - 1).flatMap(axis ->
                        Combinators.combine(Arbitraries.integers().between(0, 4).list().ofSize(shape.length),
                                Arbitraries.integers().between(0, 2).list().ofSize(shape.length)).flatAs((raw, extra) -> {
                            int[] indexShape = new int[shape.length];
                            int[] srcShape = new int[shape.length];
                            for (int d = 0; d < shape.length; d++) {
                                indexShape[d] = d == axis ? raw.get(d) : raw.get(d) % (shape[d] + 1);
                                srcShape[d] = indexShape[d] + extra.get(d);
                            }
                            return Combinators.combine(Tensors.sample(dtype, shape, Values.ANY),
                                    indices(indexShape, shape[axis], false),
                                    Tensors.sample(dtype, srcShape, Values.ANY))
                                    .as((x, index, src) -> new IndexCase(x, axis, index, src));
                        })));
    }

    @Property
    @Label("scatterAdd adds src at the index along the axis, repeated targets accumulating")
    default void scatterAddAccumulatesAtTheIndex(@ForAll("scatterAddCases") IndexCase c) {
        DType dtype = c.x().dtype();
        HostTensor x = c.x().value();
        HostTensor index = c.index().value();
        HostTensor src = c.src().value();
        double[] sums = x.values().clone();
        double[] magnitudes = x.abs().values().clone();
        for (int flat = 0; flat < index.size(); flat++) {
            int[] position = HostTensor.multiIndex(index.shape(), flat);
            double value = src.at(position);
            position[c.axis()] = (int) index.get(flat);
            int target = HostTensor.flatIndex(x.shape(), position);
            sums[target] += value;
            magnitudes[target] += Math.abs(value);
        }
        HostTensor expected = new HostTensor(dtype, x.shape(), sums).map(dtype, v -> Oracle.round(dtype, v));
        Tolerance.Bound bound = Tolerance.accumulated(dtype, Math.max(1, index.size()),
                new HostTensor(DType.FLOAT64, x.shape(), magnitudes));
        Tensor got = c.x().on(device()).scatterAdd(c.axis(), c.index().on(device()), c.src().on(device()));
        String inputs = Check.inputs("x", c.x(), "axis", c.axis(), "index", c.index(), "src", c.src());
        Check.close("scatterAdd", inputs, got, expected, bound);
        Check.close("scatterAdd vs reference", inputs, got, HostTensor.of(c.x().on(reference())
                .scatterAdd(c.axis(), c.index().on(reference()), c.src().on(reference()))), bound);
    }
}
