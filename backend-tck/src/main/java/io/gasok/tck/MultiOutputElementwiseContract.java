package io.gasok.tck;

import io.gasok.DType;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The multi-output kernel {@link Backend#elementwise(Expr[], Operand[], Operand[])}: several fused
 * expressions over the same inputs in one launch. What its Javadoc promises, checked on the device
 * under test:
 * <ul>
 *   <li>out k gets {@code exprs[k]} at every element: what the reference's single-output kernel
 *   gives for that expression alone;</li>
 *   <li>the inputs are broadcast to the outs' shape (stride 0) and may be any view (offset,
 *   permuted, stepped, padded); the outs share that shape and may share a buffer without sharing
 *   an element (here interleaved in one buffer, as Adam keeps both moments in one);</li>
 *   <li>an out may be one of the inputs (same buffer, offset and strides) and every expression
 *   still reads the inputs as they were before the launch: an optimizer updating a parameter and
 *   its moments together, or outs that swap or rotate their inputs;</li>
 *   <li>nothing else is written: every slot no out covers keeps its value, inputs included.</li>
 * </ul>
 * The SPI promises no errors for this kernel (core checks a launch before a backend sees it), so
 * none are tested here.
 *
 * <p>How: a launch is generated as host data: input values, where each operand lies in which
 * buffer ({@link Placement}) and an expression per out ({@link Exprs}: every input dtype, float32
 * and float64 outs mostly, integer and BOOL outs too). The device runs it once with all outs;
 * the reference runs each expression alone, with its single-output kernel, on fresh copies of the
 * original buffers. Each out is compared within {@link Tolerance#fusedBound} (evaluated on the
 * reference), every other slot of every buffer exactly.
 *
 * <p>The properties draw no mixed-in edge cases: those of the nested generators would make about
 * two thirds of the expressions bare leaves and nearly half of the launches scalars, while the random
 * draws already include empty, scalar and one-element launches.
 */
public interface MultiOutputElementwiseContract extends DeviceUnderTest {

    /** An input: dtype, own shape (which broadcasts to the launch's), where it lies and its values. */
    record FusedInput(DType dtype, int[] shape, Placement placement, double[] values) {
        @Override
        public String toString() {
            return dtype.shortName() + Arrays.toString(shape) + " at " + placement
                    + (values.length <= 12 ? " " + Arrays.toString(values) : "");
        }
    }

    /** An out: its dtype and either the input it is ({@code input >= 0}) or where it lies. */
    record FusedOut(DType dtype, int input, Placement placement) {
        boolean inPlace() {
            return input >= 0;
        }

        @Override
        public String toString() {
            return dtype.shortName() + (inPlace() ? " in place of in" + input : " at " + placement);
        }
    }

    /**
     * A launch: the outs' shape, the inputs, one expression per out and whether the outs (with
     * the inputs they are) are interleaved in one buffer, element by element.
     */
    record FusedLaunch(String variant, int[] shape, List<FusedInput> inputs, List<FusedOut> outs, List<Expr> exprs,
                       boolean interleaved) {
        @Override
        public String toString() {
            StringBuilder text = new StringBuilder(variant).append(" launch over ").append(Arrays.toString(shape));
            for (int i = 0; i < inputs.size(); i++) {
                text.append("; in").append(i).append(' ').append(inputs.get(i));
            }
            for (int k = 0; k < outs.size(); k++) {
                text.append("; out").append(k).append(' ').append(outs.get(k)).append(" = ")
                        .append(Exprs.describe(exprs.get(k)));
            }
            return text.append(interleaved ? "; outs interleaved in one buffer" : "").toString();
        }

        DType[] inputDtypes() {
            return inputs.stream().map(FusedInput::dtype).toArray(DType[]::new);
        }
    }

    /** Where an operand of a launch lies: its buffer, offset and strides over the launch's shape. */
    record Slots(int buffer, int offset, int[] strides) {
        /** The slot of the element at row-major index {@code linear} of {@code shape}. */
        int slot(int[] shape, int linear) {
            int[] index = HostTensor.multiIndex(shape, linear);
            int slot = offset;
            for (int d = 0; d < shape.length; d++) {
                slot += index[d] * strides[d];
            }
            return slot;
        }
    }

    /** The buffers of a launch before it runs (dtype and contents) and where every operand lies. */
    record Memory(DType[] dtypes, double[][] contents, Slots[] inputs, Slots[] outs) {}

    // ---------------------------------------------------------------- properties

    @Provide
    default Arbitrary<FusedLaunch> separateOutLaunches() {
        return launches(false);
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    @Label("elementwise with several expressions gives each out what the reference gives for its expression alone")
    default void everyOutMatchesItsExpressionAlone(@ForAll("separateOutLaunches") FusedLaunch launch) {
        checkLaunch(launch);
    }

    @Provide
    default Arbitrary<FusedLaunch> inPlaceLaunches() {
        return launches(true);
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    @Label("elementwise with outs that are inputs: every expression reads the inputs as they were before the launch")
    default void inPlaceOutsLeaveEveryExpressionThePreLaunchInputs(@ForAll("inPlaceLaunches") FusedLaunch launch) {
        checkLaunch(launch);
    }

    @Provide
    default Arbitrary<FusedLaunch> adamSteps() {
        Arbitrary<Double> learningRates = Arbitraries.of(1e-3, 0.1);
        return Combinators.combine(Tensors.floating(), launchShapes(), Arbitraries.of(1, 7), Arbitraries.of(0.0, 0.01),
                        learningRates, Arbitraries.of(true, false))
                .flatAs((t, shape, step, decay, lr, interleaved) -> {
                    Arbitrary<int[]> gradientShapes = Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.just(shape)),
                            Tuple.of(1, Shapes.derived(shape)));
                    return Combinators.combine(input(t, shape, Values.ANY), input(t, shape, Values.ANY),
                                    input(t, shape, Values.POSITIVE), gradientShapes.flatMap(g -> input(t, g, Values.ANY)))
                            .as((p, m, v, g) -> new FusedLaunch((decay == 0 ? "adam" : "adamW decay " + decay)
                                    + " step " + step + " lr " + lr, shape, List.of(p, m, v, g),
                                    List.of(new FusedOut(t, 0, null), new FusedOut(t, 1, null), new FusedOut(t, 2, null)),
                                    adamUpdate(t, step, decay, lr), interleaved));
                });
    }

    @Property(edgeCases = EdgeCasesMode.NONE)
    @Label("an Adam step writing p, m and v in place from (p, m, v, g) in one launch matches the reference")
    default void adamStepInPlaceMatchesReference(@ForAll("adamSteps") FusedLaunch launch) {
        checkLaunch(launch);
    }

    // ---------------------------------------------------------------- generators

    /** Launch shapes: the TCK's small shapes, and now and then rows around a kernel's block sizes. */
    private static Arbitrary<int[]> launchShapes() {
        Arbitrary<int[]> rows = Combinators.combine(Arbitraries.integers().between(1, 3),
                Arbitraries.of(63, 64, 65, 1023, 1025)).as((count, length) -> new int[] {count, length});
        return Arbitraries.frequencyOf(Tuple.of(6, Shapes.shape(0, 4, true)), Tuple.of(1, rows));
    }

    /**
     * Random launches of 1 to 4 inputs and 1 to 3 outs; with {@code inPlace}, 1 to 3 of the outs
     * are distinct inputs (which then have the launch's full shape).
     */
    private static Arbitrary<FusedLaunch> launches(boolean inPlace) {
        Arbitrary<Integer> counts = Arbitraries.integers().between(1, 3);
        return Combinators.combine(Tensors.floating(), launchShapes(), Arbitraries.integers().between(1, 4), counts,
                        counts, Arbitraries.of(true, false))
                .flatAs((t, shape, inputCount, outCount, targetCount, interleave) -> {
                    int targets = inPlace ? Math.min(targetCount, Math.min(inputCount, outCount)) : 0;
                    List<Integer> slots = IntStream.range(0, inputCount).boxed().toList();
                    return Combinators.combine(inputDtype(t).list().ofSize(inputCount),
                                    outDtype(t).list().ofSize(outCount), Arbitraries.shuffle(slots))
                            .flatAs((inputDtypes, outDtypes, order) -> {
                                List<Integer> aliased = order.subList(0, targets);
                                List<Arbitrary<FusedInput>> inputs = new ArrayList<>();
                                for (int i = 0; i < inputCount; i++) {
                                    DType dtype = inputDtypes.get(i);
                                    Arbitrary<int[]> shapes = aliased.contains(i) ? Arbitraries.just(shape)
                                            : Shapes.derived(shape);
                                    inputs.add(shapes.flatMap(s -> input(dtype, s, domain(dtype))));
                                }
                                List<Arbitrary<FusedOut>> outs = new ArrayList<>();
                                DType[] dtypes = new DType[outCount];
                                for (int k = 0; k < outCount; k++) {
                                    int input = k < targets ? aliased.get(k) : -1;
                                    DType dtype = input >= 0 ? inputDtypes.get(input) : outDtypes.get(k);
                                    dtypes[k] = dtype;
                                    outs.add(input >= 0 ? Arbitraries.just(new FusedOut(dtype, input, null))
                                            : Placement.of(shape.length).map(p -> new FusedOut(dtype, -1, p)));
                                }
                                boolean interleaved = interleave && Arrays.stream(dtypes).allMatch(d -> d == dtypes[0]);
                                DType[] slotDtypes = inputDtypes.toArray(DType[]::new);
                                Arbitrary<List<Expr>> random = expressions(t, slotDtypes, dtypes);
                                Arbitrary<Tuple.Tuple2<String, List<Expr>>> exprs = targets < 2
                                        ? random.map(list -> Tuple.of(inPlace ? "in-place" : "separate-out", list))
                                        : Arbitraries.frequencyOf(
                                                Tuple.of(2, random.map(list -> Tuple.of("in-place", list))),
                                                Tuple.of(1, random.map(list -> Tuple.of("in-place rotating targets",
                                                        rotateTargets(list, aliased, slotDtypes, dtypes)))));
                                return Combinators.combine(Combinators.combine(inputs).as(list -> list),
                                                Combinators.combine(outs).as(list -> list), exprs)
                                        .as((in, out, variant) -> new FusedLaunch(variant.get1(), shape, in, out,
                                                variant.get2(), interleaved));
                            });
                });
    }

    /**
     * {@code exprs} with out k, for each of the first {@code aliased.size()} outs (the ones that are
     * inputs), set to the input that the next such out is: the targets pass their values round,
     * so every one of them is read after another out may have been written.
     */
    private static List<Expr> rotateTargets(List<Expr> exprs, List<Integer> aliased, DType[] inputs, DType[] outs) {
        List<Expr> rotated = new ArrayList<>(exprs);
        for (int k = 0; k < aliased.size(); k++) {
            int next = aliased.get((k + 1) % aliased.size());
            rotated.set(k, Expr.cast(Expr.input(next, inputs[next]), outs[k]));
        }
        return rotated;
    }

    /** One expression per out dtype, over inputs of {@code inputs}' dtypes, some reading a shared subtree. */
    private static Arbitrary<List<Expr>> expressions(DType t, DType[] inputs, DType[] outs) {
        Arbitrary<Integer> depths = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.just(1)), Tuple.of(3, Arbitraries.just(2)), Tuple.of(2, Arbitraries.just(3)));
        return Exprs.floating(t, inputs, null, 1).injectNull(0.4).flatMap(shared -> {
            List<Arbitrary<Expr>> exprs = new ArrayList<>();
            for (DType out : outs) {
                exprs.add(depths.flatMap(depth -> Exprs.of(out, t, inputs, shared, depth)));
            }
            return Combinators.combine(exprs).as(list -> list);
        });
    }

    private static Arbitrary<DType> inputDtype(DType t) {
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.just(t)), Tuple.of(1, Arbitraries.just(other(t))),
                Tuple.of(1, Arbitraries.of(DType.INT32, DType.INT64)), Tuple.of(1, Arbitraries.just(DType.BOOL)));
    }

    private static Arbitrary<DType> outDtype(DType t) {
        return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(t)), Tuple.of(2, Arbitraries.just(other(t))),
                Tuple.of(1, Arbitraries.of(DType.INT32, DType.INT64)), Tuple.of(1, Arbitraries.just(DType.BOOL)));
    }

    private static DType other(DType floating) {
        return floating == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
    }

    private static Values.Domain domain(DType dtype) {
        return dtype.isFloating() || dtype == DType.BOOL ? Values.ANY : Values.SMALL_INTEGERS;
    }

    private static Arbitrary<FusedInput> input(DType dtype, int[] shape, Values.Domain domain) {
        return Combinators.combine(Placement.of(shape.length), Values.tensor(dtype, shape, domain))
                .as((placement, value) -> new FusedInput(dtype, shape, placement, value.values()));
    }

    /**
     * Core's Adam step (input slots: 0 the parameter, 1 and 2 the moments, 3 the gradient), with
     * AdamW's decoupled weight decay and the bias corrections of step {@code step}:
     * {@code p·(1 - lr·decay) - lr·m̂ / (√v̂ + eps)}, m and v the new moments. (Adam's L2 decay only
     * changes the gradient's expression; one structure more would be one program build more per
     * dtype and rank on a GPU backend.)
     */
    private static List<Expr> adamUpdate(DType t, int step, double decay, double lr) {
        double beta1 = 0.9;
        double beta2 = 0.999;
        Expr p = Expr.input(0, t);
        Expr g = Expr.input(3, t);
        Expr m = Expr.add(Expr.mul(Expr.constant(beta1, t), Expr.input(1, t)), Expr.mul(Expr.constant(1 - beta1, t), g));
        Expr v = Expr.add(Expr.mul(Expr.constant(beta2, t), Expr.input(2, t)),
                Expr.mul(Expr.constant(1 - beta2, t), Expr.mul(g, g)));
        double correction1 = 1 - Math.pow(beta1, step);
        double correction2 = 1 - Math.pow(beta2, step);
        Expr denominator = Expr.add(Expr.div(Expr.unary(UnaryOp.SQRT, v), Expr.constant(Math.sqrt(correction2), t)),
                Expr.constant(1e-8, t));
        Expr change = Expr.div(Expr.mul(Expr.constant(lr / correction1, t), m), denominator);
        Expr kept = decay != 0 ? Expr.mul(p, Expr.constant(1 - lr * decay, t)) : p;
        return List.of(Expr.sub(kept, change), m, v);
    }

    // ---------------------------------------------------------------- running and checking

    /** Runs the launch on the device and compares every buffer with what the reference gives. */
    private void checkLaunch(FusedLaunch launch) {
        Memory memory = memory(launch);
        double[][] got = runTogether(device().backend(), launch, memory);
        int[] shape = launch.shape();
        int size = Operand.sizeOf(shape);
        String inputs = launch.toString();
        double[][] untouched = new double[got.length][];
        for (int b = 0; b < got.length; b++) {
            untouched[b] = memory.contents()[b].clone();
        }
        for (int k = 0; k < launch.outs().size(); k++) {
            Slots out = memory.outs()[k];
            DType dtype = launch.outs().get(k).dtype();
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                int slot = out.slot(shape, i);
                values[i] = got[out.buffer()][slot];
                untouched[out.buffer()][slot] = values[i];
            }
            HostTensor[] expected = referenceAlone(launch, memory, k);
            Check.close("elementwise out" + k + " of " + launch.outs().size() + " = "
                            + Exprs.describe(launch.exprs().get(k)), inputs, new HostTensor(dtype, shape, values),
                    expected[0], Tolerance.fused(expected[1]));
        }
        for (int b = 0; b < got.length; b++) {
            int[] length = {got[b].length};
            DType dtype = memory.dtypes()[b];
            Check.close("elementwise: slots of buffer " + b + " that no out covers keep their values", inputs,
                    new HostTensor(dtype, length, got[b]), new HostTensor(dtype, length, untouched[b]), Tolerance.exact());
        }
    }

    /** The whole launch on {@code backend} in one call; every buffer read back after it. */
    private static double[][] runTogether(Backend backend, FusedLaunch launch, Memory memory) {
        try (RawBuffers buffers = new RawBuffers(backend)) {
            Buffer[] uploaded = upload(buffers, memory);
            Operand[] inputs = operands(uploaded, launch.shape(), memory.inputs(), launch.inputDtypes());
            Operand[] outs = operands(uploaded, launch.shape(), memory.outs(),
                    launch.outs().stream().map(FusedOut::dtype).toArray(DType[]::new));
            backend.elementwise(launch.exprs().toArray(Expr[]::new), inputs, outs);
            double[][] contents = new double[uploaded.length][];
            for (int b = 0; b < uploaded.length; b++) {
                contents[b] = Arrays.copyOf(buffers.download(uploaded[b]), memory.contents()[b].length);
            }
            return contents;
        }
    }

    /**
     * Expression k alone on the reference's single-output kernel, from fresh copies of the original
     * buffers: out k's values (row-major) and the bound at each ({@code null} when exact).
     */
    private HostTensor[] referenceAlone(FusedLaunch launch, Memory memory, int k) {
        Backend reference = reference().backend();
        int[] shape = launch.shape();
        int size = Operand.sizeOf(shape);
        Expr expr = launch.exprs().get(k);
        try (RawBuffers buffers = new RawBuffers(reference)) {
            Buffer[] uploaded = upload(buffers, memory);
            Operand[] inputs = operands(uploaded, shape, memory.inputs(), launch.inputDtypes());
            Expr boundExpr = Tolerance.fusedBound(expr);
            HostTensor bound = null;
            if (boundExpr != null) {
                Buffer bounds = buffers.upload(DType.FLOAT64, new double[size]);
                reference.elementwise(boundExpr, inputs, Operand.contiguous(bounds, 0, shape));
                bound = new HostTensor(DType.FLOAT64, shape, Arrays.copyOf(buffers.download(bounds), size));
            }
            Slots slots = memory.outs()[k];
            DType dtype = launch.outs().get(k).dtype();
            Operand out = new Operand(uploaded[slots.buffer()], dtype, slots.offset(), shape.clone(), slots.strides().clone());
            reference.elementwise(expr, inputs, out);
            double[] after = buffers.download(uploaded[slots.buffer()]);
            double[] values = new double[size];
            for (int i = 0; i < size; i++) {
                values[i] = after[slots.slot(shape, i)];
            }
            return new HostTensor[] {new HostTensor(dtype, shape, values), bound};
        }
    }

    private static Buffer[] upload(RawBuffers buffers, Memory memory) {
        Buffer[] uploaded = new Buffer[memory.dtypes().length];
        for (int b = 0; b < uploaded.length; b++) {
            uploaded[b] = buffers.upload(memory.dtypes()[b], memory.contents()[b]);
        }
        return uploaded;
    }

    private static Operand[] operands(Buffer[] buffers, int[] shape, Slots[] slots, DType[] dtypes) {
        Operand[] operands = new Operand[slots.length];
        for (int i = 0; i < slots.length; i++) {
            operands[i] = new Operand(buffers[slots[i].buffer()], dtypes[i], slots[i].offset(), shape.clone(),
                    slots[i].strides().clone());
        }
        return operands;
    }

    /**
     * Lays a launch out in buffers: each out in its own buffer, or all of them interleaved in one
     * (out k in every {@code outs}-th slot from slot k, its placement scaled); an out that is an
     * input puts that input there; every other input gets a buffer of its own, with stride 0 on
     * the axes it is broadcast along. Slots no operand covers hold {@link Values#sentinel}.
     */
    private static Memory memory(FusedLaunch launch) {
        int[] shape = launch.shape();
        List<DType> dtypes = new ArrayList<>();
        Slots[] inputs = new Slots[launch.inputs().size()];
        Slots[] outs = new Slots[launch.outs().size()];
        int lanes = launch.interleaved() ? outs.length : 1;
        for (int k = 0; k < outs.length; k++) {
            FusedOut out = launch.outs().get(k);
            Placement placement = out.inPlace() ? launch.inputs().get(out.input()).placement() : out.placement();
            if (k == 0 || !launch.interleaved()) {
                dtypes.add(out.dtype());
            }
            int lane = launch.interleaved() ? k : 0;
            int[] strides = Arrays.stream(placement.strides(shape)).map(s -> s * lanes).toArray();
            outs[k] = new Slots(dtypes.size() - 1, placement.offset() * lanes + lane, strides);
            if (out.inPlace()) {
                inputs[out.input()] = outs[k];
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) {
                FusedInput input = launch.inputs().get(i);
                dtypes.add(input.dtype());
                inputs[i] = new Slots(dtypes.size() - 1, input.placement().offset(),
                        broadcastStrides(shape, input.shape(), input.placement().strides(input.shape())));
            }
        }
        Slots[] ownInputs = new Slots[inputs.length];
        int[] lengths = new int[dtypes.size()];
        for (int i = 0; i < inputs.length; i++) {
            int[] own = launch.inputs().get(i).shape();
            ownInputs[i] = new Slots(inputs[i].buffer(), inputs[i].offset(), Arrays.copyOfRange(inputs[i].strides(),
                    shape.length - own.length, shape.length));
            lengths[inputs[i].buffer()] = Math.max(lengths[inputs[i].buffer()], lastSlot(own, ownInputs[i]) + 1);
        }
        for (Slots out : outs) {
            lengths[out.buffer()] = Math.max(lengths[out.buffer()], lastSlot(shape, out) + 1);
        }
        double[][] contents = new double[lengths.length][];
        for (int b = 0; b < contents.length; b++) {
            contents[b] = new double[lengths[b]];
            Arrays.fill(contents[b], Values.sentinel(dtypes.get(b)));
        }
        for (int i = 0; i < inputs.length; i++) {
            FusedInput input = launch.inputs().get(i);
            for (int e = 0; e < input.values().length; e++) {
                contents[ownInputs[i].buffer()][ownInputs[i].slot(input.shape(), e)] = input.values()[e];
            }
        }
        return new Memory(dtypes.toArray(DType[]::new), contents, inputs, outs);
    }

    /** Strides over the launch's shape of an operand of {@code own} shape: 0 where it is broadcast. */
    private static int[] broadcastStrides(int[] shape, int[] own, int[] ownStrides) {
        int lead = shape.length - own.length;
        int[] strides = new int[shape.length];
        for (int d = lead; d < shape.length; d++) {
            strides[d] = own[d - lead] == 1 ? 0 : ownStrides[d - lead];
        }
        return strides;
    }

    /**
     * The highest slot an operand of {@code shape} reaches (its offset when it has no elements); an
     * input's own slots are its launch strides on its own axes, a broadcast axis having one element.
     */
    private static int lastSlot(int[] shape, Slots slots) {
        int last = slots.offset();
        if (Operand.sizeOf(shape) > 0) {
            for (int d = 0; d < shape.length; d++) {
                last += (shape[d] - 1) * slots.strides()[d];
            }
        }
        return last;
    }
}
