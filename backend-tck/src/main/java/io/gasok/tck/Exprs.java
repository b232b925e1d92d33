package io.gasok.tck;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Random fused elementwise expressions ({@link Expr} trees) for kernel-level launches over inputs of
 * given dtypes, built with core's factories (which insert the casts type promotion asks for), and a
 * compact form of a tree for failure messages.
 *
 * <p>What the trees hold: every input slot (of any dtype, converted), constants, an integer detour
 * ({@code floorDiv(int64(x), 2)}), comparisons as 0/1, neg, abs, relu, tanh, sigmoid, exp, sqrt,
 * add, sub, mul, maximum, minimum, div and where, and optionally one shared subtree that several
 * expressions of a launch read (as an optimizer's new moment is read by its parameter's update).
 * Only what {@link Tolerance#fusedBound} can bound: comparisons and where conditions compare leaves
 * (exact values; in the tree's floating dtype or now and then in the other one), exp takes a
 * floating input or a constant (so nothing overflows), sqrt takes an absolute value, and divisors
 * are constants or {@code sqrt|x| + 0.5}. Integer and BOOL trees are exact and small (no int32
 * overflow).
 */
public final class Exprs {
    private Exprs() {}

    private static final List<Double> CONSTANTS = List.of(-1.5, -0.5, 0.25, 0.5, 2.0);
    private static final List<Double> DIVISORS = List.of(-2.0, 0.5, 4.0);
    private static final List<Long> INTEGER_CONSTANTS = List.of(-3L, 2L, 5L);
    private static final List<UnaryOp> FLOAT_UNARY = List.of(UnaryOp.NEG, UnaryOp.ABS, UnaryOp.RELU, UnaryOp.TANH,
            UnaryOp.SIGMOID);
    /** The binary ops of both floating and integer trees. */
    private static final List<BinaryOp> ARITHMETIC = List.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL,
            BinaryOp.MAXIMUM, BinaryOp.MINIMUM);
    private static final List<BinaryOp> COMPARISONS = List.of(BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE,
            BinaryOp.GT, BinaryOp.GE);

    /**
     * A tree of floating dtype {@code t} over input slots of {@code inputs}' dtypes, an op with
     * operands {@code depth - 1} deep or a leaf ({@code depth} 0 is a leaf); where a leaf goes,
     * {@code shared} (a subtree of dtype t, or null) now and then.
     */
    public static Arbitrary<Expr> floating(DType t, DType[] inputs, Expr shared, int depth) {
        Arbitrary<Expr> leaf = shared == null ? leaf(t, inputs)
                : Arbitraries.frequencyOf(Tuple.of(3, leaf(t, inputs)), Tuple.of(2, Arbitraries.just(shared)));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Expr> operand = Arbitraries.lazy(() -> floating(t, inputs, shared, depth - 1));
        Arbitrary<Expr> divisor = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.of(DIVISORS).map(c -> Expr.constant(c, t))),
                Tuple.of(1, operand.map(x -> Expr.add(Expr.unary(UnaryOp.SQRT, Expr.unary(UnaryOp.ABS, x)),
                        Expr.constant(0.5, t)))));
        return Arbitraries.frequencyOf(
                Tuple.of(2, leaf),
                Tuple.of(3, Combinators.combine(Arbitraries.of(FLOAT_UNARY), operand).as(Expr::unary)),
                Tuple.of(1, plainLeaf(t, inputs, floatingSlots(inputs)).map(x -> Expr.unary(UnaryOp.EXP, x))),
                Tuple.of(1, operand.map(x -> Expr.unary(UnaryOp.SQRT, Expr.unary(UnaryOp.ABS, x)))),
                Tuple.of(4, Combinators.combine(Arbitraries.of(ARITHMETIC), operand, operand).as(Expr::binary)),
                Tuple.of(1, Combinators.combine(operand, divisor).as(Expr::div)),
                Tuple.of(1, Combinators.combine(condition(t, inputs), operand, operand).as(Expr::where)));
    }

    /**
     * An INT64 tree, {@code depth} deep as in {@link #floating}: inputs converted (floats truncated),
     * small constants, add, sub, mul, maximum, minimum, neg, abs, floorDiv and remainder (Python's
     * sign rule; by zero they give 0).
     */
    public static Arbitrary<Expr> integer(DType[] inputs, int depth) {
        Arbitrary<Expr> constants = Arbitraries.of(INTEGER_CONSTANTS).map(c -> Expr.constant(c, DType.INT64));
        Arbitrary<Expr> leaf = Arbitraries.frequencyOf(Tuple.of(4, inputSlot(DType.INT64, allSlots(inputs), inputs)),
                Tuple.of(1, constants));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Expr> operand = Arbitraries.lazy(() -> integer(inputs, depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(2, leaf),
                Tuple.of(1, Combinators.combine(Arbitraries.of(UnaryOp.NEG, UnaryOp.ABS), operand).as(Expr::unary)),
                Tuple.of(3, Combinators.combine(Arbitraries.of(ARITHMETIC), operand, operand).as(Expr::binary)),
                Tuple.of(1, Combinators.combine(Arbitraries.of(BinaryOp.FLOOR_DIV, BinaryOp.REMAINDER), operand,
                        operand).as(Expr::binary)));
    }

    /** A BOOL tree: a comparison of leaves, the and/or of two, or an integer tree's truth. */
    public static Arbitrary<Expr> bool(DType t, DType[] inputs) {
        Arbitrary<Expr> comparison = condition(t, inputs);
        return Arbitraries.frequencyOf(
                Tuple.of(3, comparison),
                Tuple.of(1, Combinators.combine(Arbitraries.of(BinaryOp.AND, BinaryOp.OR), comparison, comparison)
                        .as(Expr::binary)),
                Tuple.of(1, integer(inputs, 1).map(x -> Expr.cast(x, DType.BOOL))));
    }

    /** A tree of {@code out}'s dtype: floating ones computed in t (then converted), the others exact. */
    public static Arbitrary<Expr> of(DType out, DType t, DType[] inputs, Expr shared, int depth) {
        if (out.isFloating()) {
            return floating(t, inputs, shared, depth).map(x -> Expr.cast(x, out));
        }
        if (out == DType.BOOL) {
            return bool(t, inputs);
        }
        return integer(inputs, Math.min(depth, 2)).map(x -> Expr.cast(x, out));
    }

    /** A leaf of dtype t: an input slot, a constant, the integer detour or a comparison as 0/1. */
    private static Arbitrary<Expr> leaf(DType t, DType[] inputs) {
        List<Tuple.Tuple2<Integer, Arbitrary<Expr>>> choices = new ArrayList<>();
        choices.add(Tuple.of(6, inputSlot(t, allSlots(inputs), inputs)));
        choices.add(Tuple.of(2, Arbitraries.of(CONSTANTS).map(c -> Expr.constant(c, t))));
        int[] floatingSlots = floatingSlots(inputs);
        if (floatingSlots.length > 0) {
            choices.add(Tuple.of(1, inputSlot(DType.INT64, floatingSlots, inputs).map(x -> Expr.cast(
                    Expr.binary(BinaryOp.FLOOR_DIV, x, Expr.constant(2, DType.INT64)), t))));
        }
        choices.add(Tuple.of(1, condition(t, inputs).map(c -> Expr.cast(c, t))));
        return frequency(choices);
    }

    /**
     * A comparison of two plain leaves of dtype t (now and then of the other floating dtype: a
     * float64 comparison choosing float32 values), or a BOOL input.
     */
    private static Arbitrary<Expr> condition(DType t, DType[] inputs) {
        Arbitrary<Expr> plain = plainLeaf(t, inputs, allSlots(inputs));
        Arbitrary<Expr> comparison = Combinators.combine(Arbitraries.of(COMPARISONS), plain, plain).as(Expr::binary);
        if (t.isFloating()) {
            DType other = t == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
            Arbitrary<Expr> otherPlain = plainLeaf(other, inputs, allSlots(inputs));
            comparison = Arbitraries.frequencyOf(Tuple.of(3, comparison), Tuple.of(1,
                    Combinators.combine(Arbitraries.of(COMPARISONS), otherPlain, otherPlain).as(Expr::binary)));
        }
        List<Integer> bools = new ArrayList<>();
        for (int slot = 0; slot < inputs.length; slot++) {
            if (inputs[slot] == DType.BOOL) {
                bools.add(slot);
            }
        }
        return bools.isEmpty() ? comparison : Arbitraries.frequencyOf(Tuple.of(3, comparison),
                Tuple.of(1, Arbitraries.of(bools).map(slot -> Expr.input(slot, DType.BOOL))));
    }

    /** An input slot among {@code slots} converted to t, or a constant. */
    private static Arbitrary<Expr> plainLeaf(DType t, DType[] inputs, int[] slots) {
        Arbitrary<Expr> constant = Arbitraries.of(CONSTANTS).map(c -> Expr.constant(c, t));
        return slots.length == 0 ? constant
                : Arbitraries.frequencyOf(Tuple.of(3, inputSlot(t, slots, inputs)), Tuple.of(1, constant));
    }

    /** One of {@code slots} read as its dtype and converted to t. */
    private static Arbitrary<Expr> inputSlot(DType t, int[] slots, DType[] inputs) {
        return Arbitraries.of(java.util.Arrays.stream(slots).boxed().toList())
                .map(slot -> Expr.cast(Expr.input(slot, inputs[slot]), t));
    }

    private static Arbitrary<Expr> frequency(List<Tuple.Tuple2<Integer, Arbitrary<Expr>>> choices) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Arbitrary<Expr> any = Arbitraries.frequencyOf(choices.toArray(new Tuple.Tuple2[0]));
        return any;
    }

    private static int[] allSlots(DType[] inputs) {
        int[] slots = new int[inputs.length];
        for (int slot = 0; slot < slots.length; slot++) {
            slots[slot] = slot;
        }
        return slots;
    }

    private static int[] floatingSlots(DType[] inputs) {
        List<Integer> slots = new ArrayList<>();
        for (int slot = 0; slot < inputs.length; slot++) {
            if (inputs[slot].isFloating()) {
                slots.add(slot);
            }
        }
        return Shapes.toArray(slots);
    }

    /**
     * The tree in a compact form: {@code sub(in0:f32, mul(0.5, tanh(in2:f64)))}, with a conversion
     * written as its target dtype: {@code f32(in1:i64)}.
     */
    public static String describe(Expr expr) {
        return switch (expr) {
            case Expr.Input in -> "in" + in.index() + ":" + in.dtype().shortName();
            case Expr.Constant c -> c.dtype().isFloating() ? Double.toString(c.value()) : Long.toString((long) c.value());
            case Expr.Unary u -> u.op().opName() + "(" + describe(u.x()) + ")";
            case Expr.Binary b -> b.op().opName() + "(" + describe(b.a()) + ", " + describe(b.b()) + ")";
            case Expr.Where w -> "where(" + describe(w.condition()) + ", " + describe(w.a()) + ", " + describe(w.b()) + ")";
            case Expr.Cast c -> c.dtype().shortName() + "(" + describe(c.x()) + ")";
        };
    }
}
