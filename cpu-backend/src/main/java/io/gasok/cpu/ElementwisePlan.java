package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The expressions of one {@link CpuElementwise} launch flattened into a post-order list of nodes
 * (every node after its children), with the index of each expression's root: what the block
 * interpreter runs, node by node, over a run of elements.
 *
 * <p>Cached per <em>shape</em> of the expressions: the trees with their ops, dtypes, inputs and
 * parameters, but not the values of their constants. A constant node holds a slot, and each launch
 * reads its constants' values from its own expressions ({@link #prepare}) in the order the
 * flattening met them, so an optimizer whose learning rate or bias correction changes every step
 * reuses one plan (as the GPU backends reuse one compiled kernel with the constants as arguments).
 *
 * <p>Two rewrites happen here, neither changing a value: equal subtrees become one node, computed
 * once (Adam's new moments are read again by the parameter's update, see {@link Flattening}); and a
 * floating comparison that only chooses between two floating values ({@code where(a < b, x, y)},
 * or its cast to 1 and 0) becomes one {@link Kind#SELECT} node, a vector compare and blend, rather
 * than a comparison into 0/1 integers and a scalar choice.
 */
final class ElementwisePlan {

    private static final int CACHE_LIMIT = 4096;
    private static final ConcurrentHashMap<Shape, ElementwisePlan> CACHE = new ConcurrentHashMap<>();

    enum Kind { INPUT, CONSTANT, UNARY_FLOATING, UNARY_INTEGER, BINARY_FLOATING, COMPARE_FLOATING,
        BINARY_INTEGER, WHERE, SELECT, CAST }

    /**
     * One node; children are indices of earlier nodes (-1 where absent). {@code slot}: for INPUT the
     * operand read, for CONSTANT the constant's index. {@code param}: a unary op's parameter.
     * WHERE is {@code c ? a : b}; SELECT is {@code binary(a, b) ? c : d} with {@code binary} a
     * comparison of floating a and b.
     */
    record Node(Kind kind, DType dtype, int slot, double param, UnaryOp unary, BinaryOp binary,
                int a, int b, int c, int d) {}

    private final Node[] nodes;
    private final int[] roots;

    private ElementwisePlan(Node[] nodes, int[] roots) {
        this.nodes = nodes;
        this.roots = roots;
    }

    /** A plan and the values of the constants of the expressions it was asked for, by slot. */
    record Prepared(ElementwisePlan plan, double[] constants) {}

    /**
     * The plan for {@code exprs} (one root each, in order), from the cache when one of their shape
     * is there, with their constants' values.
     */
    static Prepared prepare(Expr... exprs) {
        Shape shape = new Shape(exprs);
        ElementwisePlan plan = CACHE.get(shape);
        if (plan == null) {
            Flattening flattening = new Flattening();
            int[] roots = new int[exprs.length];
            for (int k = 0; k < exprs.length; k++) {
                roots[k] = flattening.add(exprs[k]);
            }
            plan = new ElementwisePlan(flattening.nodes.toArray(Node[]::new), roots);
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            CACHE.put(shape, plan);
        }
        return new Prepared(plan, shape.constants());
    }

    Node[] nodes() {
        return nodes;
    }

    int[] roots() {
        return roots;
    }

    /**
     * Flattening of the launch's trees into one node list, in post order. Equal subtrees (the same
     * ops, inputs and constant values: an optimizer's new moment inside its parameter's update,
     * an input read twice) become one node, computed once. Constants take slots in visiting order,
     * counted in skipped duplicates too, so the slots match {@link Shape}'s walk; and since
     * {@link Shape} tells apart launches whose constants are equal in different patterns, every
     * launch that shares the plan has the same duplicates.
     */
    private static final class Flattening {
        final List<Node> nodes = new ArrayList<>();
        private final Map<Expr, Integer> seen = new HashMap<>();
        private int constants;

        /** Appends {@code expr}'s nodes; returns its root's index. */
        int add(Expr expr) {
            Integer known = seen.get(expr);
            if (known != null) {
                constants += countConstants(expr);
                return known;
            }
            Node node = switch (expr) {
                case Expr.Input in -> new Node(Kind.INPUT, in.dtype(), in.index(), 0, null, null, -1, -1, -1, -1);
                case Expr.Constant c -> new Node(Kind.CONSTANT, c.dtype(), constants++, 0, null, null, -1, -1, -1, -1);
                case Expr.Unary u -> {
                    int x = add(u.x());
                    boolean floating = u.x().dtype().isFloating();
                    require(floating ? u.dtype() == u.x().dtype() : !u.dtype().isFloating(), expr);
                    yield new Node(floating ? Kind.UNARY_FLOATING : Kind.UNARY_INTEGER, u.dtype(), -1, u.param(),
                            u.op(), null, x, -1, -1, -1);
                }
                case Expr.Binary bin -> {
                    int a = add(bin.a());
                    int b = add(bin.b());
                    DType operands = bin.a().dtype();
                    require(bin.b().dtype() == operands, expr);
                    Kind kind;
                    if (!operands.isFloating()) {
                        require(!bin.dtype().isFloating(), expr);
                        kind = Kind.BINARY_INTEGER;
                    } else if (bin.op().isBoolResult()) {
                        require(bin.dtype() == DType.BOOL, expr);
                        kind = Kind.COMPARE_FLOATING;
                    } else {
                        require(bin.dtype() == operands, expr);
                        kind = Kind.BINARY_FLOATING;
                    }
                    yield new Node(kind, bin.dtype(), -1, 0, null, bin.op(), a, b, -1, -1);
                }
                case Expr.Where w -> {
                    require(w.condition().dtype() == DType.BOOL && w.a().dtype() == w.dtype()
                            && w.b().dtype() == w.dtype(), expr);
                    if (isFloatingComparison(w.condition(), w.dtype())) {
                        Expr.Binary comparison = (Expr.Binary) w.condition();
                        int left = add(comparison.a());
                        int right = add(comparison.b());
                        int a = add(w.a());
                        int b = add(w.b());
                        yield new Node(Kind.SELECT, w.dtype(), -1, 0, null, comparison.op(), left, right, a, b);
                    }
                    int condition = add(w.condition());
                    int a = add(w.a());
                    int b = add(w.b());
                    yield new Node(Kind.WHERE, w.dtype(), -1, 0, null, null, a, b, condition, -1);
                }
                case Expr.Cast c -> {
                    if (isFloatingComparison(c.x(), c.dtype())) {
                        // The comparison's 0/1 as a float is a choice between two constants.
                        Expr.Binary comparison = (Expr.Binary) c.x();
                        int left = add(comparison.a());
                        int right = add(comparison.b());
                        int one = append(new Node(Kind.CONSTANT, c.dtype(), -1, 1, null, null, -1, -1, -1, -1));
                        int zero = append(new Node(Kind.CONSTANT, c.dtype(), -1, 0, null, null, -1, -1, -1, -1));
                        yield new Node(Kind.SELECT, c.dtype(), -1, 0, null, comparison.op(), left, right, one, zero);
                    }
                    yield new Node(Kind.CAST, c.dtype(), -1, 0, null, null, add(c.x()), -1, -1, -1);
                }
            };
            int index = append(node);
            seen.put(expr, index);
            return index;
        }

        private int append(Node node) {
            nodes.add(node);
            return nodes.size() - 1;
        }

        private static int countConstants(Expr expr) {
            return switch (expr) {
                case Expr.Input in -> 0;
                case Expr.Constant c -> 1;
                case Expr.Unary u -> countConstants(u.x());
                case Expr.Binary b -> countConstants(b.a()) + countConstants(b.b());
                case Expr.Where w -> countConstants(w.condition()) + countConstants(w.a()) + countConstants(w.b());
                case Expr.Cast c -> countConstants(c.x());
            };
        }
    }

    /**
     * Whether {@code expr} compares two operands of the floating dtype {@code dtype}, so that a
     * where or cast of it in that dtype can be one SELECT node (its kernel reads the compared
     * operands and the choices as arrays of one type: a float64 comparison choosing float32 values
     * keeps the COMPARE_FLOATING and WHERE nodes).
     */
    private static boolean isFloatingComparison(Expr expr, DType dtype) {
        return dtype.isFloating() && expr instanceof Expr.Binary b && b.op().isBoolResult()
                && b.a().dtype() == dtype && b.b().dtype() == dtype;
    }

    /**
     * The value of CONSTANT node {@code node} in a launch with {@code constants}: its slot's value,
     * or, for the 1 and 0 a cast comparison became (slot -1), its own.
     */
    static double constantValue(Node node, double[] constants) {
        return node.slot() < 0 ? node.param() : constants[node.slot()];
    }

    private static void require(boolean wellTyped, Expr expr) {
        if (!wellTyped) {
            throw new IllegalArgumentException("cpu elementwise: node with operand dtypes the Expr factories "
                    + "never build: " + expr);
        }
    }

    /**
     * The expressions of a launch compared by shape: everything but the values of their constants,
     * which the one walk that hashes the trees also collects, in the order {@link Flattening} gives
     * them slots. The pattern of equal constants is part of the shape (which slots hold the same
     * value), since it decides which subtrees {@link Flattening} merges.
     */
    private static final class Shape {
        private final Expr[] exprs;
        private final int hash;
        private double[] constants = new double[8];
        private DType[] constantTypes = new DType[8];
        private int constantCount;
        /** For each constant, the first slot holding the same value and dtype. */
        private final int[] equalTo;

        Shape(Expr[] exprs) {
            this.exprs = exprs;
            int h = exprs.length;
            for (Expr expr : exprs) {
                h = 31 * h + hash(expr);
            }
            equalTo = new int[constantCount];
            for (int i = 0; i < constantCount; i++) {
                int first = 0;
                while (constantTypes[first] != constantTypes[i]
                        || Double.doubleToLongBits(constants[first]) != Double.doubleToLongBits(constants[i])) {
                    first++;
                }
                equalTo[i] = first;
            }
            this.hash = 31 * h + Arrays.hashCode(equalTo);
        }

        /** The constants' values by slot (the array may run past the last slot). */
        double[] constants() {
            return constants;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Shape shape) || shape.hash != hash || shape.exprs.length != exprs.length
                    || !Arrays.equals(shape.equalTo, equalTo)) {
                return false;
            }
            for (int k = 0; k < exprs.length; k++) {
                if (!sameShape(exprs[k], shape.exprs[k])) {
                    return false;
                }
            }
            return true;
        }

        private int hash(Expr expr) {
            return switch (expr) {
                case Expr.Input in -> 31 * in.index() + in.dtype().ordinal();
                case Expr.Constant c -> {
                    if (constantCount == constants.length) {
                        constants = Arrays.copyOf(constants, 2 * constantCount);
                        constantTypes = Arrays.copyOf(constantTypes, 2 * constantCount);
                    }
                    constants[constantCount] = c.value();
                    constantTypes[constantCount++] = c.dtype();
                    yield 7 + c.dtype().ordinal();
                }
                case Expr.Unary u -> (31 * u.op().ordinal() + Double.hashCode(u.param())) * 31 + hash(u.x());
                case Expr.Binary b -> {
                    int a = hash(b.a());
                    yield ((17 + b.op().ordinal()) * 31 + a) * 31 + hash(b.b());
                }
                case Expr.Where w -> {
                    int condition = hash(w.condition());
                    int a = hash(w.a());
                    yield ((5 * 31 + condition) * 31 + a) * 31 + hash(w.b());
                }
                case Expr.Cast c -> (3 + c.dtype().ordinal()) * 31 + hash(c.x());
            };
        }

        private static boolean sameShape(Expr x, Expr y) {
            return switch (x) {
                case Expr.Input in -> y instanceof Expr.Input o && o.index() == in.index() && o.dtype() == in.dtype();
                case Expr.Constant c -> y instanceof Expr.Constant o && o.dtype() == c.dtype();
                case Expr.Unary u -> y instanceof Expr.Unary o && o.op() == u.op() && o.dtype() == u.dtype()
                        && Double.compare(o.param(), u.param()) == 0 && sameShape(u.x(), o.x());
                case Expr.Binary b -> y instanceof Expr.Binary o && o.op() == b.op() && o.dtype() == b.dtype()
                        && sameShape(b.a(), o.a()) && sameShape(b.b(), o.b());
                case Expr.Where w -> y instanceof Expr.Where o && o.dtype() == w.dtype()
                        && sameShape(w.condition(), o.condition()) && sameShape(w.a(), o.a()) && sameShape(w.b(), o.b());
                case Expr.Cast c -> y instanceof Expr.Cast o && o.dtype() == c.dtype() && sameShape(c.x(), o.x());
            };
        }
    }
}
