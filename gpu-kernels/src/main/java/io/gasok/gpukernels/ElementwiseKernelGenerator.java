package io.gasok.gpukernels;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a fused elementwise {@link Expr} into one kernel in the dialect: {@code out[e] =
 * expr(inputs at e)} for every element e of out, every operand strided with its own offset.
 *
 * <p>The C of every node comes from the op records' single definitions ({@link UnaryOp#cFloat()},
 * {@link UnaryOp#cInteger()}, {@link BinaryOp#c()}), so NaN semantics are the records'. Each node
 * becomes one statement in its own dtype, as the {@link Expr} contract asks: floating nodes in
 * {@code float} or {@code double} (a FLOAT64 node's {@code 1.0f} literals are widened to
 * {@code 1.0}), integer and BOOL nodes in {@code int64} (BOOL as 0 or 1), conversions as Java's.
 *
 * <p>Constants and the ops' parameters are kernel arguments, not literals, so an expression whose
 * constants change (a learning rate, a bias correction) reuses its compiled kernel:
 * {@link #cacheKey} names the structure only, and {@link #scalarArguments} gives the values in the
 * order the kernel declares them.
 *
 * <p>Kernel signature, for rank R (after the host merged what dimensions it could):
 * <pre>
 * elementwise(int64 count, int64 extent1 .. extent{R-1},
 *             GLOBAL out*, int64 outOffset, int64 outStride0 .. outStride{R-1},
 *             for each input slot s the expression reads, ascending:
 *               GLOBAL const in{s}*, int64 in{s}Offset, int64 in{s}Stride0 ..,
 *             scalar0, scalar1, ...)
 * </pre>
 * NDRange: one work item per element of out, the count rounded up to the work-group size.
 */
public final class ElementwiseKernelGenerator {
    /** The generated kernel's name. */
    public static final String KERNEL_NAME = "elementwise";

    /**
     * Integer forms of the binary ops whose {@link BinaryOp#c()} is written for floating operands
     * ({@code isnan}, {@code floor}); core's records have no integer C form for binary ops yet.
     * The functions are in {@code kernels/common.h}.
     */
    private static final Map<BinaryOp, String> INTEGER_BINARY_FORMS = Map.of(
            BinaryOp.MAXIMUM, "(($a) > ($b) ? ($a) : ($b))",
            BinaryOp.MINIMUM, "(($a) < ($b) ? ($a) : ($b))",
            BinaryOp.FLOOR_DIV, "floor_divide_int64($a, $b)",
            BinaryOp.REMAINDER, "floor_modulo_int64($a, $b)");

    /** A float literal with its {@code f}: 1.0f, .5f, 1e-3f, 0.70710678118654752f. */
    private static final Pattern FLOAT_LITERAL =
            Pattern.compile("(?<![\\w.])((?:\\d+\\.\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|\\d+[eE][+-]?\\d+)f\\b");

    private ElementwiseKernelGenerator() {}

    /** A value the kernel takes as an argument: a constant or an op's parameter, of {@code dtype}. */
    public record ScalarArgument(double value, DType dtype) {
        /** The value as the kernel's int64 argument of an integer or BOOL node (Java's conversion). */
        public long integerValue() {
            return switch (dtype) {
                case INT32 -> (int) value;
                case INT64 -> (long) value;
                case BOOL -> value != 0 ? 1 : 0;
                case FLOAT32, FLOAT64 -> throw new IllegalStateException("not an integer scalar: " + dtype);
            };
        }
    }

    /**
     * The dialect source of the kernel for {@code expr}. {@code inputDtypes[s]} is the dtype of the
     * buffer behind input slot s (slots the expression does not read may be null), {@code rank} the
     * rank every operand is launched with.
     */
    public static String generate(Expr expr, DType[] inputDtypes, DType outDtype, int rank) {
        return new Emitter(inputDtypes, rank).kernel(expr, outDtype);
    }

    /** Equal for two launches exactly when {@link #generate} gives the same source. */
    public static String cacheKey(Expr expr, DType[] inputDtypes, DType outDtype, int rank) {
        StringBuilder key = new StringBuilder(64).append(outDtype.shortName()).append(" rank ").append(rank).append(' ');
        appendStructure(expr, key);
        for (int slot : inputSlots(expr)) {
            key.append(" in").append(slot).append(' ').append(inputDtypes[slot].shortName());
        }
        return key.toString();
    }

    /** The constants and parameters of {@code expr}, in the order the kernel declares them. */
    public static List<ScalarArgument> scalarArguments(Expr expr) {
        List<ScalarArgument> arguments = new ArrayList<>();
        collectScalars(expr, arguments);
        return arguments;
    }

    /** The input slots {@code expr} reads, ascending: the order of the kernel's input arguments. */
    public static int[] inputSlots(Expr expr) {
        boolean[] read = new boolean[Expr.inputCount(expr)];
        markInputs(expr, read);
        int[] slots = new int[read.length];
        int count = 0;
        for (int slot = 0; slot < read.length; slot++) {
            if (read[slot]) {
                slots[count++] = slot;
            }
        }
        return Arrays.copyOf(slots, count);
    }

    private static void markInputs(Expr node, boolean[] read) {
        switch (node) {
            case Expr.Input in -> read[in.index()] = true;
            case Expr.Constant c -> { }
            case Expr.Unary u -> markInputs(u.x(), read);
            case Expr.Binary b -> {
                markInputs(b.a(), read);
                markInputs(b.b(), read);
            }
            case Expr.Where w -> {
                markInputs(w.condition(), read);
                markInputs(w.a(), read);
                markInputs(w.b(), read);
            }
            case Expr.Cast c -> markInputs(c.x(), read);
        }
    }

    /** Children first, then the node: the order {@link Emitter#value} numbers the scalars in. */
    private static void collectScalars(Expr node, List<ScalarArgument> arguments) {
        switch (node) {
            case Expr.Input in -> { }
            case Expr.Constant c -> arguments.add(new ScalarArgument(c.value(), c.dtype()));
            case Expr.Unary u -> {
                collectScalars(u.x(), arguments);
                if (takesParameter(u)) {
                    arguments.add(new ScalarArgument(u.param(), u.dtype()));
                }
            }
            case Expr.Binary b -> {
                collectScalars(b.a(), arguments);
                collectScalars(b.b(), arguments);
            }
            case Expr.Where w -> {
                collectScalars(w.condition(), arguments);
                collectScalars(w.a(), arguments);
                collectScalars(w.b(), arguments);
            }
            case Expr.Cast c -> collectScalars(c.x(), arguments);
        }
    }

    private static void appendStructure(Expr node, StringBuilder key) {
        switch (node) {
            case Expr.Input in -> key.append("in").append(in.index());
            case Expr.Constant c -> key.append('c');
            case Expr.Unary u -> {
                key.append(u.op().name()).append('(');
                appendStructure(u.x(), key);
                key.append(')');
            }
            case Expr.Binary b -> {
                key.append(b.op().name()).append('(');
                appendStructure(b.a(), key);
                key.append(',');
                appendStructure(b.b(), key);
                key.append(')');
            }
            case Expr.Where w -> {
                key.append("where(");
                appendStructure(w.condition(), key);
                key.append(',');
                appendStructure(w.a(), key);
                key.append(',');
                appendStructure(w.b(), key);
                key.append(')');
            }
            case Expr.Cast c -> {
                key.append("cast(");
                appendStructure(c.x(), key);
                key.append(')');
            }
        }
        key.append(':').append(node.dtype().shortName());
    }

    private static boolean takesParameter(Expr.Unary unary) {
        return unary.x().dtype().isFloating() && unary.op().cFloat().contains("$p");
    }

    /**
     * A floating C form for {@code dtype}: a FLOAT64 form's float literals widened to double
     * ({@code 1.0f} to {@code 1.0}); also used by {@link EpilogueOptions}.
     */
    static String floatingForm(String form, DType dtype) {
        return dtype == DType.FLOAT64 ? FLOAT_LITERAL.matcher(form).replaceAll("$1") : form;
    }

    /**
     * The C expression converting {@code value}, held as {@code from}'s value type, to
     * {@code to}'s value type, with Java's semantics ({@link Expr#castValue}).
     */
    static String convert(String value, DType from, DType to) {
        if (from == to) {
            return value;
        }
        return switch (to) {
            case FLOAT32 -> "(float)(" + value + ")";
            case FLOAT64 -> "(double)(" + value + ")";
            case BOOL -> "(int64)((" + value + ") != 0)";
            case INT32 -> from.isFloating() ? "(int64)FLOAT_TO_INT32(" + value + ")" : "(int64)(int)(" + value + ")";
            case INT64 -> from.isFloating() ? "FLOAT_TO_INT64(" + value + ")" : value;
        };
    }

    /** Writes the kernel: one statement per node, numbered values {@code v0, v1, ...}. */
    private static final class Emitter {
        private final DType[] inputDtypes;
        private final int rank;
        private final StringBuilder body = new StringBuilder();
        private final StringBuilder scalarParameters = new StringBuilder();
        private final Map<Integer, String> loadedInputs = new TreeMap<>();
        private int values;
        private int scalars;

        Emitter(DType[] inputDtypes, int rank) {
            this.inputDtypes = inputDtypes;
            this.rank = rank;
        }

        String kernel(Expr expr, DType outDtype) {
            String result = value(expr);
            StringBuilder source = new StringBuilder(1024);
            source.append("/*\n * Generated by ElementwiseKernelGenerator: out[e] = ");
            appendStructure(expr, source);
            source.append("\n * for every element e of out (rank ").append(rank)
                    .append("), each operand at its own offset and strides.\n")
                    .append(" * NDRange: one work item per element, the count rounded up to the work-group size.\n */\n");
            source.append("KERNEL void ").append(KERNEL_NAME).append("(const int64 count");
            for (int d = 1; d < rank; d++) {
                source.append(", const int64 extent").append(d);
            }
            source.append(",\n        GLOBAL ").append(DialectTypes.elementType(outDtype)).append("* out");
            appendLayoutParameters(source, "out");
            for (int slot : loadedInputs.keySet()) {
                source.append(",\n        GLOBAL const ").append(DialectTypes.elementType(inputDtypes[slot])).append("* in").append(slot);
                appendLayoutParameters(source, "in" + slot);
            }
            source.append(scalarParameters).append(") {\n");
            source.append("    const int64 element = global_id(0);\n");
            source.append("    if (element >= count) {\n        return;\n    }\n");
            appendCoordinates(source);
            for (Map.Entry<Integer, String> input : loadedInputs.entrySet()) {
                source.append(input.getValue());
            }
            source.append(body);
            source.append("    out[").append(position("out")).append("] = (").append(DialectTypes.elementType(outDtype)).append(")")
                    .append(convert(result, expr.dtype(), outDtype)).append(";\n}\n");
            return source.toString();
        }

        private void appendLayoutParameters(StringBuilder source, String operand) {
            source.append(", const int64 ").append(operand).append("Offset");
            for (int d = 0; d < rank; d++) {
                source.append(", const int64 ").append(operand).append("Stride").append(d);
            }
        }

        /** Row-major coordinates of the element: the last axis turns fastest. */
        private void appendCoordinates(StringBuilder source) {
            if (rank == 0) {
                return;
            }
            source.append("    int64 rest = element;\n");
            for (int d = rank - 1; d >= 1; d--) {
                source.append("    const int64 coordinate").append(d).append(" = rest % extent").append(d).append(";\n");
                source.append("    rest /= extent").append(d).append(";\n");
            }
            source.append("    const int64 coordinate0 = rest;\n");
        }

        private String position(String operand) {
            StringBuilder position = new StringBuilder(operand).append("Offset");
            for (int d = 0; d < rank; d++) {
                position.append(" + coordinate").append(d).append(" * ").append(operand).append("Stride").append(d);
            }
            return position.toString();
        }

        /** Emits the statements of {@code node} (children first) and returns the name holding its value. */
        private String value(Expr node) {
            return switch (node) {
                case Expr.Input in -> input(in);
                case Expr.Constant c -> scalarParameter(c.dtype());
                case Expr.Unary u -> {
                    String x = value(u.x());
                    String form = u.x().dtype().isFloating() ? widen(u.op().cFloat(), u.dtype()) : u.op().cInteger();
                    if (form == null) {
                        throw new IllegalArgumentException(u.op().opName() + " has no integer C form; core casts its "
                                + u.x().dtype().shortName() + " operand to a float type first");
                    }
                    if (takesParameter(u)) {
                        form = form.replace("$p", scalarParameter(u.dtype()));
                    }
                    yield define(u.dtype(), form.replace("$x", x));
                }
                case Expr.Binary b -> {
                    String a = value(b.a());
                    String bValue = value(b.b());
                    yield define(b.dtype(), binaryForm(b).replace("$a", a).replace("$b", bValue));
                }
                case Expr.Where w -> {
                    String condition = value(w.condition());
                    String a = value(w.a());
                    String b = value(w.b());
                    yield define(w.dtype(), "(" + condition + " != 0 ? " + a + " : " + b + ")");
                }
                case Expr.Cast c -> define(c.dtype(), convert(value(c.x()), c.x().dtype(), c.dtype()));
            };
        }

        private static String binaryForm(Expr.Binary b) {
            DType operands = b.a().dtype();
            if (operands.isFloating()) {
                return widen(b.op().c(), operands);
            }
            if (!b.op().computeType(operands).equals(operands)) {
                throw new IllegalArgumentException(b.op().opName() + " computes in a float type; core casts its "
                        + operands.shortName() + " operands first");
            }
            return INTEGER_BINARY_FORMS.getOrDefault(b.op(), b.op().c());
        }

        /** Loads an input once, converted to the node's dtype; BOOL inputs as 0 or 1. */
        private String input(Expr.Input in) {
            String name = "input" + in.index();
            if (!loadedInputs.containsKey(in.index())) {
                DType stored = inputDtypes[in.index()];
                String element = "in" + in.index() + "[" + position("in" + in.index()) + "]";
                String loaded = stored.isFloating() ? element : "(int64)" + element;
                if (stored == DType.BOOL) {
                    loaded = "(int64)(" + element + " != 0)";
                }
                loadedInputs.put(in.index(), "    const " + DialectTypes.valueType(in.dtype()) + " " + name + " = "
                        + convert(loaded, stored, in.dtype()) + ";\n");
            }
            return name;
        }

        private String scalarParameter(DType dtype) {
            String name = "scalar" + scalars++;
            scalarParameters.append(", const ").append(DialectTypes.valueType(dtype)).append(' ').append(name);
            return name;
        }

        private String define(DType dtype, String expression) {
            String name = "v" + values++;
            String held = switch (dtype) {
                case FLOAT32, FLOAT64 -> expression;
                case BOOL -> "(int64)((" + expression + ") != 0)";
                case INT32, INT64 -> "(int64)(" + expression + ")";
            };
            body.append("    const ").append(DialectTypes.valueType(dtype)).append(' ').append(name).append(" = ").append(held).append(";\n");
            return name;
        }

        private static String widen(String form, DType dtype) {
            return floatingForm(form, dtype);
        }
    }
}
