package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.spi.Operand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Views and creation: chains of reshape, permute, transpose, slice with a step, select, expand,
 * squeeze, unsqueeze, flatten and contiguous; writes through a view landing in its base; and
 * zeros/ones/full/arange/of round trips for every dtype.
 *
 * <p>How: each chain is applied to a tensor on the device and to a host array whose meaning of
 * each op is index arithmetic ({@link ViewOp}); the results must be equal element for element
 * (exact), and so must their contiguous copies (which run the backend's strided copy).
 */
public interface ShapeContract extends DeviceUnderTest {

    /** A start tensor and a chain of view ops. */
    record ViewChain(Sample x, List<ViewOp> ops) {}

    private static Arbitrary<List<ViewOp>> chain(int[] shape, int length) {
        if (length == 0) {
            return Arbitraries.just(List.of());
        }
        return ViewOp.forShape(shape).flatMap(op -> {
            int[] next = op.apply(HostTensor.full(DType.FLOAT64, shape, 0)).shape();
            return chain(next, length - 1).map(rest -> {
                List<ViewOp> all = new ArrayList<>();
                all.add(op);
                all.addAll(rest);
                return all;
            });
        });
    }

    @Provide
    default Arbitrary<ViewChain> viewChains() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.values());
        return Combinators.combine(dtypes, Shapes.shape(0, 4, true), Arbitraries.integers().between(1, 3))
                .flatAs((dtype, shape, length) -> Combinators.combine(Tensors.sample(dtype, shape, Values.SMALL_INTEGERS),
                        chain(shape, length)).as(ViewChain::new));
    }

    @Property
    @Label("chains of view ops equal host index arithmetic, element for element")
    default void viewChainsEqualHostIndexArithmetic(@ForAll("viewChains") ViewChain c) {
        Tensor tensor = c.x().on(device());
        HostTensor host = c.x().value();
        for (ViewOp op : c.ops()) {
            tensor = op.apply(tensor);
            host = op.apply(host);
            Check.that(Arrays.equals(tensor.shape(), host.shape()), op + " gave shape " + Arrays.toString(tensor.shape())
                    + ", expected " + Arrays.toString(host.shape()) + "; chain " + c);
        }
        String inputs = c.toString();
        Check.close("view chain", inputs, tensor, host, Tolerance.exact());
        Tensor dense = tensor.contiguous();
        Check.that(dense.isContiguous(), "contiguous() is not contiguous; chain " + c);
        Check.close("view chain, contiguous copy", inputs, dense, host, Tolerance.exact());
    }

    @Example
    @Label("a new empty tensor of shape [2, 0] is contiguous")
    default void newEmptyTensorsAreContiguous() {
        Tensor empty = Tensor.zeros(device(), DType.FLOAT32, 2, 0);
        Check.that(empty.isContiguous(), "zeros(2, 0) is not contiguous: strides " + Arrays.toString(empty.strides()));
    }

    @Example
    @Label("an empty view with an offset into its storage reads back as an empty array")
    default void emptyViewsWithAnOffsetReadBack() {
        Tensor view = Tensor.zeros(device(), DType.INT32, 2, 1, 0).slice(0, 1, 2);
        Check.that(view.toIntArray().length == 0, "an empty view read back elements");
    }

    /** A base tensor, a stepped slice of it and the value written through the slice. */
    record WriteCase(Sample base, int axis, int start, int step, double value) {}

    @Provide
    default Arbitrary<WriteCase> writeCases() {
        return Combinators.combine(Arbitraries.of(DType.values()), Shapes.shape(1, 4, false)).flatAs((dtype, shape) ->
                Arbitraries.integers().between(0, shape.length - 1).flatMap(axis -> Combinators.combine(
                        Tensors.dense(dtype, shape, Values.SMALL_INTEGERS), Arbitraries.just(axis),
                        Arbitraries.integers().between(0, shape[axis] - 1), Arbitraries.integers().between(1, 3),
                        Arbitraries.of(0.0, 1.0, 5.0)).as(WriteCase::new)));
    }

    @Property
    @Label("fill and copyFrom through a stepped view change exactly the viewed elements of the base")
    default void writesThroughAViewLandInItsBase(@ForAll("writeCases") WriteCase c) {
        HostTensor base = c.base().value();
        Tensor tensor = c.base().on(device());
        Tensor view = tensor.slice(c.axis(), c.start(), base.shape()[c.axis()], c.step());
        view.fill(c.value());
        double[] expected = base.values().clone();
        for (int flat = 0; flat < expected.length; flat++) {
            int i = HostTensor.multiIndex(base.shape(), flat)[c.axis()];
            if (i >= c.start() && (i - c.start()) % c.step() == 0) {
                expected[flat] = Oracle.round(base.dtype(), c.value());
            }
        }
        String inputs = Check.inputs("base", c.base(), "slice", "(" + c.axis() + ", " + c.start() + ", step "
                + c.step() + ")", "value", c.value());
        Check.close("fill through a view", inputs, tensor, new HostTensor(base.dtype(), base.shape(), expected),
                Tolerance.exact());
        view.copyFrom(c.base().on(device()).slice(c.axis(), c.start(), base.shape()[c.axis()], c.step()));
        Check.close("copyFrom through a view", inputs, tensor, base, Tolerance.exact());
    }

    /** A creation call: which, the dtype, the shape and the numbers it takes. */
    record Creation(String kind, DType dtype, int[] shape, double value, double start, double step) {
        @Override
        public String toString() {
            return kind + " " + dtype + Arrays.toString(shape) + " value " + value + " start " + start + " step " + step;
        }
    }

    @Provide
    default Arbitrary<Creation> creations() {
        return Combinators.combine(Arbitraries.of("zeros", "ones", "full", "arange", "of"), Arbitraries.of(DType.values()),
                Shapes.shape(0, 4, true), Arbitraries.of(-3.0, -1.0, 0.0, 1.0, 2.0, 7.0),
                Arbitraries.of(-4.0, 0.0, 1.0, 2.5), Arbitraries.of(-1.5, -1.0, 0.5, 1.0, 2.0))
                .as(Creation::new);
    }

    @Property
    @Label("zeros, ones, full, arange and of round-trip every dtype")
    default void creationRoundTripsEveryDtype(@ForAll("creations") Creation c) {
        DType dtype = c.dtype();
        int size = Operand.sizeOf(c.shape());
        HostTensor expected;
        Tensor got;
        switch (c.kind()) {
            case "zeros" -> {
                got = Tensor.zeros(device(), dtype, c.shape());
                expected = HostTensor.full(dtype, c.shape(), 0);
            }
            case "ones" -> {
                got = Tensor.ones(device(), dtype, c.shape());
                expected = HostTensor.full(dtype, c.shape(), 1);
            }
            case "full" -> {
                got = Tensor.full(device(), c.value(), dtype, c.shape());
                expected = HostTensor.full(dtype, c.shape(), Oracle.round(dtype, c.value()));
            }
            case "arange" -> {
                double end = c.start() + c.step() * size;
                got = Tensor.arange(device(), c.start(), end, c.step(), dtype);
                int length = (int) Math.max(0, Math.ceil((end - c.start()) / c.step()));
                double[] values = new double[length];
                for (int i = 0; i < length; i++) {
                    values[i] = Oracle.round(dtype, c.start() + i * c.step());
                }
                expected = new HostTensor(dtype, new int[] {length}, values);
            }
            default -> {
                double[] values = new double[size];
                for (int i = 0; i < size; i++) {
                    values[i] = Oracle.round(dtype, (i % 7) - 3 + (dtype.isFloating() ? 0.25 : 0));
                }
                expected = new HostTensor(dtype, c.shape(), values);
                got = expected.toTensor(device());
            }
        }
        Check.that(got.device() == device(), c + " landed on " + got.device());
        Check.close(c.kind(), c.toString(), got, expected, Tolerance.exact());
    }
}
