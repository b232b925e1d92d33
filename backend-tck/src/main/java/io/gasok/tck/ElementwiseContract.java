package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.UnaryOp;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Elementwise ops: every unary and binary op, comparisons, logic, {@code where}, {@code clamp},
 * scalar operands, type promotion and casts between all dtypes.
 *
 * <p>How: each property builds the same random inputs (random shapes with size-1 and empty axes,
 * broadcasting pairs, permuted, stepped and expanded views) on the device under test and on the
 * reference, and checks the device's result three ways: against the reference backend, against
 * the op's scalar definition ({@code UnaryOp.apply}, {@code BinaryOp.apply}, Java's operators and
 * {@code Math.floorDiv}/{@code floorMod}) evaluated on host arrays with the broadcasting computed
 * here, and against the same op on contiguous copies of its inputs (layout invariance, exact).
 * Tolerances are {@link Tolerance#elementwise}.
 */
public interface ElementwiseContract extends DeviceUnderTest {

    List<UnaryOp> FLOAT_UNARY = List.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.EXP, UnaryOp.LOG,
            UnaryOp.SQRT, UnaryOp.TANH, UnaryOp.ERF, UnaryOp.SIGMOID, UnaryOp.RELU, UnaryOp.LEAKY_RELU,
            UnaryOp.SILU, UnaryOp.GELU, UnaryOp.GELU_TANH);
    List<BinaryOp> FLOAT_BINARY = List.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW,
            BinaryOp.MAXIMUM, BinaryOp.MINIMUM, BinaryOp.FLOOR_DIV, BinaryOp.REMAINDER);
    List<BinaryOp> INTEGER_BINARY = List.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.FLOOR_DIV,
            BinaryOp.REMAINDER, BinaryOp.MAXIMUM, BinaryOp.MINIMUM);
    List<BinaryOp> COMPARISONS = List.of(BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT,
            BinaryOp.GE);

    /** A unary op, its parameter and its input. */
    record UnaryCase(UnaryOp op, double param, Sample x) {}

    /** A binary op and two inputs whose shapes broadcast. */
    record BinaryCase(BinaryOp op, Sample a, Sample b) {}

    // ---------------------------------------------------------------- unary

    @Provide
    default Arbitrary<UnaryCase> floatUnaryCases() {
        return Combinators.combine(Arbitraries.of(FLOAT_UNARY), Tensors.floating(), Shapes.shape(0, 4, true))
                .flatAs((op, dtype, shape) -> Combinators.combine(
                        Tensors.sample(dtype, shape, unaryDomain(op)),
                        Arbitraries.doubles().between(0.01, 0.5).map(p -> (double) (float) p.doubleValue()))
                        .as((x, p) -> new UnaryCase(op, op == UnaryOp.LEAKY_RELU ? p : 0, x)));
    }

    private static Values.Domain unaryDomain(UnaryOp op) {
        return switch (op) {
            case LOG, SQRT -> Values.POSITIVE;
            case EXP, SIGMOID, TANH, SILU -> Values.WIDE;
            default -> Values.ANY;
        };
    }

    @Property
    @Label("every floating unary op matches the reference and its scalar definition, on any layout")
    default void floatUnaryOpsMatchReferenceAndScalarDefinition(@ForAll("floatUnaryCases") UnaryCase c) {
        DType dtype = c.x().dtype();
        Tensor x = c.x().on(device());
        Tensor got = Oracle.unary(c.op(), x, c.param());
        Tensor expected = Oracle.unary(c.op(), c.x().on(reference()), c.param());
        String inputs = Check.inputs("x", c.x(), "param", c.param());
        Tolerance.Bound bound = Tolerance.elementwise(c.op().opName(), dtype);
        Check.close(c.op().opName(), inputs, got, HostTensor.of(expected), bound);
        HostTensor definition = c.x().value().map(dtype, v -> Oracle.round(dtype, c.op().apply(v, c.param())));
        Check.close(c.op().opName() + " vs its scalar definition", inputs, got, definition, bound);
        Check.identical(c.op().opName(), inputs, got, Oracle.unary(c.op(), x.contiguous(), c.param()));
    }

    @Provide
    default Arbitrary<UnaryCase> integerUnaryCases() {
        return Combinators.combine(Arbitraries.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.SIGN, UnaryOp.RELU),
                Tensors.integer(), Shapes.shape(0, 4, true)).flatAs((op, dtype, shape) ->
                Tensors.sample(dtype, shape, Values.SMALL_INTEGERS).map(x -> new UnaryCase(op, 0, x)));
    }

    @Property
    @Label("neg, abs, sign and relu of integers keep the dtype and are exact")
    default void integerUnaryOpsAreExact(@ForAll("integerUnaryCases") UnaryCase c) {
        Tensor x = c.x().on(device());
        Tensor got = Oracle.unary(c.op(), x, 0);
        String inputs = Check.inputs("x", c.x());
        HostTensor expected = c.x().value().map(c.x().dtype(), v -> switch (c.op()) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> Math.signum(v);
            default -> Math.max(v, 0);
        });
        Check.close(c.op().opName(), inputs, got, expected, Tolerance.exact());
        Check.close(c.op().opName() + " vs reference", inputs, got,
                HostTensor.of(Oracle.unary(c.op(), c.x().on(reference()), 0)), Tolerance.exact());
    }

    // ---------------------------------------------------------------- binary

    @Provide
    default Arbitrary<BinaryCase> floatBinaryCases() {
        return Combinators.combine(Arbitraries.of(FLOAT_BINARY), Tensors.floating(), Shapes.broadcastPair(4, true))
                .flatAs((op, dtype, shapes) -> Combinators.combine(
                        Tensors.sample(dtype, shapes[0], op == BinaryOp.POW ? Values.POSITIVE : Values.ANY),
                        Tensors.sample(dtype, shapes[1], divisorDomain(op)))
                        .as((a, b) -> new BinaryCase(op, a, b)))
                .filter(c -> !floorOfRoundedQuotientIsAmbiguous(c));
    }

    /**
     * Whether a float32 floor division or remainder has an element whose quotient, rounded to
     * float32 as a float32 device divides, floors to another integer than the exact quotient (e.g.
     * -2 / -0.4f = 4.99999992..., 5.0f in float32): either answer is right for a float32 kernel, and
     * the reference computes in double, so such cases say nothing about the kernel.
     */
    private static boolean floorOfRoundedQuotientIsAmbiguous(BinaryCase c) {
        if ((c.op() != BinaryOp.FLOOR_DIV && c.op() != BinaryOp.REMAINDER)
                || DType.promote(c.a().dtype(), c.b().dtype()) != DType.FLOAT32) {
            return false;
        }
        HostTensor quotients = Oracle.broadcast(c.a().value(), c.b().value(), DType.FLOAT64, (x, y) -> x / y);
        for (int i = 0; i < quotients.size(); i++) {
            double q = quotients.get(i);
            if (Math.floor((float) q) != Math.floor(q)) {
                return true;
            }
        }
        return false;
    }

    private static Values.Domain divisorDomain(BinaryOp op) {
        return switch (op) {
            case DIV, FLOOR_DIV, REMAINDER -> Values.NONZERO;
            default -> Values.ANY;
        };
    }

    @Property
    @Label("every floating binary op matches the reference and its scalar definition on broadcast views")
    default void floatBinaryOpsMatchReferenceOnBroadcastViews(@ForAll("floatBinaryCases") BinaryCase c) {
        checkBinary(c, Tolerance.elementwise(c.op().opName(), c.a().dtype()));
    }

    private void checkBinary(BinaryCase c, Tolerance.Bound bound) {
        BinaryOp op = c.op();
        Tensor a = c.a().on(device());
        Tensor b = c.b().on(device());
        Tensor got = Oracle.binary(op, a, b);
        String inputs = Check.inputs("a", c.a(), "b", c.b());
        Check.close(op.opName(), inputs, got,
                HostTensor.of(Oracle.binary(op, c.a().on(reference()), c.b().on(reference()))), bound);
        Check.close(op.opName() + " vs its scalar definition", inputs, got, binaryDefinition(op, c.a().value(),
                c.b().value()), bound);
        Check.identical(op.opName(), inputs, got, Oracle.binary(op, a.contiguous(), b.contiguous()));
    }

    /**
     * The host definition of a binary op, independent of {@code BinaryOp.apply} for integers and
     * comparisons: Java's operators, {@code Math.floorDiv}/{@code floorMod} (Python's sign rule),
     * with integer division by zero giving 0.
     */
    private static HostTensor binaryDefinition(BinaryOp op, HostTensor a, HostTensor b) {
        DType compute = op.computeType(DType.promote(a.dtype(), b.dtype()));
        DType result = op.resultType(compute);
        if (!compute.isFloating()) {
            return Oracle.broadcast(a, b, result, (x, y) -> {
                long p = (long) Oracle.round(compute, x);
                long q = (long) Oracle.round(compute, y);
                return switch (op) {
                    case ADD -> p + q;
                    case SUB -> p - q;
                    case MUL -> p * q;
                    case FLOOR_DIV -> q == 0 ? 0 : Math.floorDiv(p, q);
                    case REMAINDER -> q == 0 ? 0 : Math.floorMod(p, q);
                    case MAXIMUM -> Math.max(p, q);
                    case MINIMUM -> Math.min(p, q);
                    case EQ -> p == q ? 1 : 0;
                    case NE -> p != q ? 1 : 0;
                    case LT -> p < q ? 1 : 0;
                    case LE -> p <= q ? 1 : 0;
                    case GT -> p > q ? 1 : 0;
                    case GE -> p >= q ? 1 : 0;
                    case AND -> p != 0 && q != 0 ? 1 : 0;
                    case OR -> p != 0 || q != 0 ? 1 : 0;
                    default -> throw new IllegalArgumentException(op + " on integers");
                };
            });
        }
        return Oracle.broadcast(a, b, result, (x, y) -> {
            double p = Oracle.round(compute, x);
            double q = Oracle.round(compute, y);
            return switch (op) {
                case EQ -> p == q ? 1 : 0;
                case NE -> p != q ? 1 : 0;
                case LT -> p < q ? 1 : 0;
                case LE -> p <= q ? 1 : 0;
                case GT -> p > q ? 1 : 0;
                case GE -> p >= q ? 1 : 0;
                default -> op.apply(p, q);
            };
        });
    }

    @Provide
    default Arbitrary<BinaryCase> integerBinaryCases() {
        return Combinators.combine(Arbitraries.of(INTEGER_BINARY), Tensors.integer(), Shapes.broadcastPair(4, true))
                .flatAs((op, dtype, shapes) -> Combinators.combine(
                        Tensors.sample(dtype, shapes[0], Values.SMALL_INTEGERS),
                        Tensors.sample(dtype, shapes[1], Values.SMALL_INTEGERS))
                        .as((a, b) -> new BinaryCase(op, a, b)));
    }

    @Property
    @Label("integer add, sub, mul, floorDiv, remainder, maximum and minimum are exact, with Python's sign rule")
    default void integerBinaryOpsAreExactWithPythonSignRule(@ForAll("integerBinaryCases") BinaryCase c) {
        checkBinary(c, Tolerance.exact());
    }

    @Provide
    default Arbitrary<BinaryCase> comparisonCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64);
        return Combinators.combine(Arbitraries.of(COMPARISONS), dtypes, Shapes.broadcastPair(4, true))
                .flatAs((op, dtype, shapes) -> {
                    Values.Domain domain = dtype.isFloating() ? Values.TIES.withSpecials() : Values.TIES;
                    return Combinators.combine(Tensors.sample(dtype, shapes[0], domain),
                            Tensors.sample(dtype, shapes[1], domain)).as((a, b) -> new BinaryCase(op, a, b));
                });
    }

    @Property
    @Label("comparisons give BOOL by IEEE rules (NaN unequal to everything), ties included")
    default void comparisonsGiveBoolByIeeeRules(@ForAll("comparisonCases") BinaryCase c) {
        checkBinary(c, Tolerance.exact());
    }

    @Provide
    default Arbitrary<BinaryCase> logicalCases() {
        return Combinators.combine(Arbitraries.of(BinaryOp.AND, BinaryOp.OR), Shapes.broadcastPair(4, true))
                .flatAs((op, shapes) -> Combinators.combine(
                        Tensors.sample(DType.BOOL, shapes[0], Values.ANY),
                        Tensors.sample(DType.BOOL, shapes[1], Values.ANY)).as((a, b) -> new BinaryCase(op, a, b)));
    }

    @Property
    @Label("logical and, or and not of BOOL tensors match their truth tables")
    default void logicalOpsMatchTruthTables(@ForAll("logicalCases") BinaryCase c) {
        checkBinary(c, Tolerance.exact());
        Tensor not = c.a().on(device()).logicalNot();
        Check.close("logicalNot", Check.inputs("x", c.a()), not,
                c.a().value().map(DType.BOOL, v -> v == 0 ? 1 : 0), Tolerance.exact());
    }

    @Provide
    default Arbitrary<BinaryCase> promotionCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.BOOL);
        return Combinators.combine(Arbitraries.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM,
                        BinaryOp.LT), dtypes, dtypes, Shapes.broadcastPair(3, true))
                .filter((op, da, db, shapes) -> !(op == BinaryOp.SUB && da == DType.BOOL && db == DType.BOOL))
                .flatAs((op, da, db, shapes) -> Combinators.combine(
                        Tensors.sample(da, shapes[0], Values.SMALL_INTEGERS),
                        Tensors.sample(db, shapes[1], Values.ANY)).as((a, b) -> new BinaryCase(op, a, b)));
    }

    @Property
    @Label("mixed dtypes promote by the one table and compute in the promoted dtype")
    default void mixedDtypesPromoteByOneTable(@ForAll("promotionCases") BinaryCase c) {
        DType compute = c.op().computeType(DType.promote(c.a().dtype(), c.b().dtype()));
        Tensor got = Oracle.binary(c.op(), c.a().on(device()), c.b().on(device()));
        Check.that(got.dtype() == c.op().resultType(compute), c.op().opName() + " of " + c.a().dtype() + " and "
                + c.b().dtype() + " gave " + got.dtype() + ", expected " + c.op().resultType(compute));
        checkBinary(c, Tolerance.elementwise(c.op().opName(), compute));
    }

    // ---------------------------------------------------------------- scalar operands

    /** A tensor, a scalar and which scalar form of an op is used. */
    record ScalarCase(String form, Sample x, double scalar) {}

    @Provide
    default Arbitrary<ScalarCase> scalarCases() {
        return Combinators.combine(Arbitraries.of("add", "sub", "rsub", "mul", "div", "rdiv", "pow", "eq", "lt", "ge"),
                        Tensors.floating(), Shapes.shape(0, 4, true))
                .flatAs((form, dtype, shape) -> Combinators.combine(
                        Tensors.sample(dtype, shape, form.equals("pow") || form.equals("rdiv") ? Values.POSITIVE : Values.ANY),
                        Arbitraries.of(-2.0, -0.5, 0.0, 0.5, 1.0, 1.5, 3.0))
                        .as((x, s) -> new ScalarCase(form, x, form.equals("div") && s == 0 ? 2 : s)));
    }

    @Property
    @Label("ops with a Java scalar operand match the same op with a broadcast scalar tensor")
    default void scalarOperandsMatchTensorOperands(@ForAll("scalarCases") ScalarCase c) {
        Tensor x = c.x().on(device());
        DType dtype = c.x().dtype();
        Tensor s = HostTensor.full(dtype, new int[0], c.scalar()).toTensor(device());
        double v = c.scalar();
        Tensor got = switch (c.form()) {
            case "add" -> x.add(v);
            case "sub" -> x.sub(v);
            case "rsub" -> x.rsub(v);
            case "mul" -> x.mul(v);
            case "div" -> x.div(v);
            case "rdiv" -> x.rdiv(v);
            case "pow" -> x.pow(v);
            case "eq" -> x.eq(v);
            case "lt" -> x.lt(v);
            default -> x.ge(v);
        };
        Tensor expected = switch (c.form()) {
            case "add" -> x.add(s);
            case "sub" -> x.sub(s);
            case "rsub" -> s.sub(x);
            case "mul" -> x.mul(s);
            case "div" -> x.div(s);
            case "rdiv" -> s.div(x);
            case "pow" -> x.pow(s);
            case "eq" -> x.eq(s);
            case "lt" -> x.lt(s);
            default -> x.ge(s);
        };
        Check.close(c.form() + "(scalar)", Check.inputs("x", c.x(), "scalar", v), got, HostTensor.of(expected),
                Tolerance.elementwise(c.form(), dtype));
    }

    // ---------------------------------------------------------------- where, clamp, NaN

    /** {@code where(condition, a, b)} with three broadcasting operands. */
    record WhereCase(Sample condition, Sample a, Sample b) {}

    @Provide
    default Arbitrary<WhereCase> whereCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64, DType.BOOL);
        return Combinators.combine(dtypes, Shapes.broadcastShapes(3, 4, true)).flatAs((dtype, shapes) ->
                Combinators.combine(Tensors.sample(DType.BOOL, shapes[0], Values.ANY),
                        Tensors.sample(dtype, shapes[1], Values.SMALL_INTEGERS.withSpecials()),
                        Tensors.sample(dtype, shapes[2], Values.ANY.withSpecials())).as(WhereCase::new));
    }

    @Property
    @Label("where picks a or b by a broadcast BOOL condition, for every dtype")
    default void wherePicksByBroadcastCondition(@ForAll("whereCases") WhereCase c) {
        Tensor condition = c.condition().on(device());
        Tensor a = c.a().on(device());
        Tensor b = c.b().on(device());
        Tensor got = Tensor.where(condition, a, b);
        String inputs = Check.inputs("condition", c.condition(), "a", c.a(), "b", c.b());
        HostTensor expected = Oracle.where(c.condition().value(), c.a().value(), c.b().value(), c.a().dtype());
        Check.close("where", inputs, got, expected, Tolerance.exact());
        Check.close("where vs reference", inputs, got, HostTensor.of(Tensor.where(c.condition().on(reference()),
                c.a().on(reference()), c.b().on(reference()))), Tolerance.exact());
        Check.identical("where", inputs, got, Tensor.where(condition.contiguous(), a.contiguous(), b.contiguous()));
    }

    /** A clamp: input and bounds. */
    record ClampCase(Sample x, double low, double high) {}

    @Provide
    default Arbitrary<ClampCase> clampCases() {
        return Combinators.combine(Tensors.floating(), Shapes.shape(0, 4, true), Arbitraries.of(-2.0, -1.0, -0.5, 0.0),
                        Arbitraries.of(0.0, 0.5, 1.0, 2.5))
                .flatAs((dtype, shape, low, high) -> Tensors.sample(dtype, shape, Values.ANY.withSpecials())
                        .map(x -> new ClampCase(x, low, high)));
    }

    @Property
    @Label("clamp limits every element to [min, max] and keeps NaN")
    default void clampLimitsAndKeepsNan(@ForAll("clampCases") ClampCase c) {
        Tensor x = c.x().on(device());
        Tensor got = x.clamp(c.low(), c.high());
        String inputs = Check.inputs("x", c.x(), "min", c.low(), "max", c.high());
        HostTensor expected = c.x().value().map(c.x().dtype(),
                v -> Double.isNaN(v) ? v : Math.min(Math.max(v, c.low()), c.high()));
        Check.close("clamp", inputs, got, expected, Tolerance.exact());
        Check.close("clamp vs reference", inputs, got, HostTensor.of(c.x().on(reference()).clamp(c.low(), c.high())),
                Tolerance.exact());
        Check.identical("clamp", inputs, got, x.contiguous().clamp(c.low(), c.high()));
    }

    @Provide
    default Arbitrary<BinaryCase> specialValueCases() {
        return Combinators.combine(Arbitraries.of(BinaryOp.MAXIMUM, BinaryOp.MINIMUM), Tensors.floating(),
                        Shapes.broadcastPair(3, false))
                .flatAs((op, dtype, shapes) -> Combinators.combine(
                        Tensors.sample(dtype, shapes[0], Values.TIES.withSpecials()),
                        Tensors.sample(dtype, shapes[1], Values.TIES.withSpecials()))
                        .as((a, b) -> new BinaryCase(op, a, b)));
    }

    @Property
    @Label("maximum, minimum and relu propagate NaN and order ±inf and ±0 like Math.max")
    default void nanPropagatesThroughMaximumMinimumAndRelu(@ForAll("specialValueCases") BinaryCase c) {
        Tensor a = c.a().on(device());
        Tensor b = c.b().on(device());
        Tensor got = Oracle.binary(c.op(), a, b);
        String inputs = Check.inputs("a", c.a(), "b", c.b());
        HostTensor expected = Oracle.broadcast(c.a().value(), c.b().value(), c.a().dtype(),
                c.op() == BinaryOp.MAXIMUM ? Math::max : Math::min);
        Check.close(c.op().opName(), inputs, got, expected, Tolerance.exact());
        HostTensor gotHost = HostTensor.of(got);
        for (int i = 0; i < gotHost.size(); i++) {
            int[] index = HostTensor.multiIndex(gotHost.shape(), i);
            boolean nanIn = Double.isNaN(c.a().value().broadcastAt(index)) || Double.isNaN(c.b().value().broadcastAt(index));
            Check.that(nanIn == Double.isNaN(gotHost.get(i)), c.op().opName() + ": NaN not propagated at "
                    + java.util.Arrays.toString(index) + "; inputs " + inputs);
        }
        Tensor relu = a.relu();
        Check.close("relu", Check.inputs("x", c.a()), relu,
                c.a().value().map(c.a().dtype(), v -> Double.isNaN(v) ? v : v <= 0 ? 0 : v), Tolerance.exact());
    }

    // ---------------------------------------------------------------- casts

    /** A cast of a sample to a target dtype. */
    record CastCase(Sample x, DType target) {}

    @Provide
    default Arbitrary<CastCase> castCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.values());
        return Combinators.combine(dtypes, dtypes, Shapes.shape(0, 4, true)).flatAs((from, to, shape) ->
                Tensors.sample(from, shape, new Values.Domain("cast", -40, 40, true, false))
                        .map(x -> new CastCase(x, to)));
    }

    @Property
    @Label("casts between all dtypes round floats, truncate toward zero and map non-zero to true")
    default void castsBetweenAllDtypes(@ForAll("castCases") CastCase c) {
        Tensor x = c.x().on(device());
        Tensor got = x.to(c.target());
        String inputs = Check.inputs("x", c.x(), "to", c.target());
        Check.that(got.dtype() == c.target(), "cast to " + c.target() + " gave " + got.dtype());
        HostTensor expected = c.x().value().map(c.target(), v -> Oracle.round(c.target(), v));
        Check.close("cast", inputs, got, expected, Tolerance.exact());
        Check.identical("cast", inputs, got, x.contiguous().to(c.target()));
    }
}
