package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fused elementwise kernel: {@code out[e] = expr(inputs[0][e], inputs[1][e], ...)} for every
 * element e of out, the inputs already broadcast to out's shape (stride 0).
 *
 * <p>A block interpreter. The tree is flattened once into a post-order list of nodes (a
 * {@link Plan}, cached per expression), and the output is walked in runs of at most
 * {@value #BLOCK} elements along its coalesced inner axis ({@link StridedRows}). For each run, each
 * node in turn computes all the run's elements into its own scratch array (per thread, reused):
 * <ul>
 *   <li>FLOAT32 and FLOAT64 nodes by {@link VectorForms}: vectors of SPECIES_PREFERRED lanes over
 *   [0, loopBound(n)), the op's scalar definition over the tail;</li>
 *   <li>INT32, INT64 and BOOL nodes in a scalar {@code long} loop with {@code applyLong}, exact
 *   for int64 (BOOL as 0/1, intermediate INT32 values not wrapped, as the reference does);</li>
 *   <li>where, cast and comparisons' 0/1 results in scalar loops.</li>
 * </ul>
 * A floating input whose inner stride is 1 is read in place (no copy); a stride-0 input is
 * broadcast into scratch once and kept while its position does not change; any other stride is
 * gathered. The root node writes straight into a floating out with inner stride 1, so a one-node
 * expression over contiguous operands is one vector loop from the inputs to the output, in runs as
 * long as the rows (no scratch at all). Every node reads an element's inputs before the root
 * writes it, so out may alias an input with the same strides.
 *
 * <p>Below the parallel threshold, a one-node unary or binary floating expression over contiguous
 * operands skips the walk altogether ({@link #evaluateContiguous}: the same single vector loop,
 * without the walk's per-launch objects).
 *
 * <p>Threads: out's linear index range [0, size) is split into one contiguous range per thread,
 * part p covering [p·size/parts, (p+1)·size/parts), when size reaches {@value #PARALLEL_THRESHOLD};
 * below that the whole launch runs on the calling thread, with no scheduling.
 */
final class CpuElementwise {

    /** Elements per run: a node's scratch (4 KiB of floats) stays in L1 while the tree is evaluated. */
    static final int BLOCK = 1024;
    static final int PARALLEL_THRESHOLD = 1 << 15;

    private static final int PLAN_CACHE_LIMIT = 4096;
    private static final ConcurrentHashMap<Expr, Plan> PLANS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

    private CpuElementwise() {}

    static void evaluate(Expr expr, Operand[] inputs, Operand out, WorkerPool pool) {
        int size = out.size();
        if (size == 0) {
            return;
        }
        Plan plan = Plan.of(Expr.cast(expr, out.dtype()));
        if (size < PARALLEL_THRESHOLD && evaluateContiguous(plan, inputs, out, size)) {
            return;
        }
        Operand[] walked = Arrays.copyOf(inputs, inputs.length + 1);
        walked[inputs.length] = out;
        Object[] arrays = new Object[walked.length];
        for (int k = 0; k < walked.length; k++) {
            arrays[k] = CpuBuffer.array(walked[k]);
        }
        Launch launch = new Launch(plan, StridedRows.of(out.shape(), walked), arrays);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, launch::run);
    }

    /**
     * The common small launch without building a walk: one floating unary or binary node over
     * inputs that are contiguous (hence not broadcast), into a contiguous out, is the one
     * {@link VectorForms} loop over [0, size) that the walk would run as a single run with no
     * scratch, so the results are the same. Returns false, having done nothing, for anything else.
     */
    private static boolean evaluateContiguous(Plan plan, Operand[] inputs, Operand out, int size) {
        Node[] nodes = plan.nodes();
        Node root = nodes[plan.root()];
        boolean unary = nodes.length == 2 && root.kind() == Kind.UNARY_FLOATING;
        boolean binary = nodes.length == 3 && root.kind() == Kind.BINARY_FLOATING;
        if (!(unary || binary) || nodes[0].kind() != Kind.INPUT || (binary && nodes[1].kind() != Kind.INPUT)
                || !out.isContiguous()) {
            return false;
        }
        for (Operand input : inputs) {
            if (input.dtype() != out.dtype() || !input.isContiguous()) {
                return false;
            }
        }
        Operand a = inputs[nodes[root.a()].input()];
        if (unary && out.dtype() == DType.FLOAT32) {
            VectorForms.unary(root.unary(), root.value(), CpuBuffer.floats(a), a.offset(),
                    CpuBuffer.floats(out), out.offset(), size);
        } else if (unary) {
            VectorForms.unary(root.unary(), root.value(), CpuBuffer.doubles(a), a.offset(),
                    CpuBuffer.doubles(out), out.offset(), size);
        } else {
            Operand b = inputs[nodes[root.b()].input()];
            if (out.dtype() == DType.FLOAT32) {
                VectorForms.binary(root.binary(), CpuBuffer.floats(a), a.offset(), CpuBuffer.floats(b), b.offset(),
                        CpuBuffer.floats(out), out.offset(), size);
            } else {
                VectorForms.binary(root.binary(), CpuBuffer.doubles(a), a.offset(), CpuBuffer.doubles(b), b.offset(),
                        CpuBuffer.doubles(out), out.offset(), size);
            }
        }
        return true;
    }

    private enum Kind { INPUT, CONSTANT, UNARY_FLOATING, UNARY_INTEGER, BINARY_FLOATING, COMPARE_FLOATING,
        BINARY_INTEGER, WHERE, CAST }

    /** One node of a flattened tree; children are indices of earlier nodes (-1 where absent). */
    private record Node(Kind kind, DType dtype, int input, double value, UnaryOp unary, BinaryOp binary,
                        int a, int b, int condition) {}

    /** An expression flattened in post order: every node after its children, the root last. */
    private record Plan(Node[] nodes) {

        static Plan of(Expr expr) {
            Plan plan = PLANS.get(expr);
            if (plan == null) {
                List<Node> nodes = new ArrayList<>();
                flatten(expr, nodes);
                plan = new Plan(nodes.toArray(Node[]::new));
                if (PLANS.size() >= PLAN_CACHE_LIMIT) {
                    PLANS.clear();
                }
                PLANS.put(expr, plan);
            }
            return plan;
        }

        int root() {
            return nodes.length - 1;
        }

        private static int flatten(Expr expr, List<Node> nodes) {
            Node node = switch (expr) {
                case Expr.Input in -> new Node(Kind.INPUT, in.dtype(), in.index(), 0, null, null, -1, -1, -1);
                case Expr.Constant c -> new Node(Kind.CONSTANT, c.dtype(), -1, c.value(), null, null, -1, -1, -1);
                case Expr.Unary u -> {
                    int x = flatten(u.x(), nodes);
                    boolean floating = u.x().dtype().isFloating();
                    require(floating ? u.dtype() == u.x().dtype() : !u.dtype().isFloating(), expr);
                    yield new Node(floating ? Kind.UNARY_FLOATING : Kind.UNARY_INTEGER, u.dtype(), -1, u.param(),
                            u.op(), null, x, -1, -1);
                }
                case Expr.Binary bin -> {
                    int a = flatten(bin.a(), nodes);
                    int b = flatten(bin.b(), nodes);
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
                    yield new Node(kind, bin.dtype(), -1, 0, null, bin.op(), a, b, -1);
                }
                case Expr.Where w -> {
                    int condition = flatten(w.condition(), nodes);
                    int a = flatten(w.a(), nodes);
                    int b = flatten(w.b(), nodes);
                    require(w.condition().dtype() == DType.BOOL && w.a().dtype() == w.dtype()
                            && w.b().dtype() == w.dtype(), expr);
                    yield new Node(Kind.WHERE, w.dtype(), -1, 0, null, null, a, b, condition);
                }
                case Expr.Cast c -> new Node(Kind.CAST, c.dtype(), -1, 0, null, null, flatten(c.x(), nodes), -1, -1);
            };
            nodes.add(node);
            return nodes.size() - 1;
        }

        private static void require(boolean wellTyped, Expr expr) {
            if (!wellTyped) {
                throw new IllegalArgumentException("cpu elementwise: node with operand dtypes the Expr factories "
                        + "never build: " + expr);
            }
        }
    }

    /** Per-thread scratch: one array per node slot and storage type, grown on demand, never shrunk. */
    private static final class Workspace {
        float[][] floats = new float[0][];
        double[][] doubles = new double[0][];
        long[][] longs = new long[0][];
        /** Where node j's values for the current run are: {@code values[j][valueOffsets[j] + i]}. */
        Object[] values = new Object[0];
        int[] valueOffsets = new int[0];
        /** For stride-0 inputs: the position broadcast into scratch, and over how many elements. */
        int[] broadcastPosition = new int[0];
        int[] broadcastLength = new int[0];

        void prepare(int nodeCount) {
            if (values.length < nodeCount) {
                floats = Arrays.copyOf(floats, nodeCount);
                doubles = Arrays.copyOf(doubles, nodeCount);
                longs = Arrays.copyOf(longs, nodeCount);
                values = new Object[nodeCount];
                valueOffsets = new int[nodeCount];
                broadcastPosition = new int[nodeCount];
                broadcastLength = new int[nodeCount];
            }
            Arrays.fill(broadcastLength, 0);
        }

        /** Node j's scratch array for values of {@code dtype}. */
        Object scratch(int j, DType dtype) {
            return switch (dtype) {
                case FLOAT32 -> floats[j] != null ? floats[j] : (floats[j] = new float[BLOCK]);
                case FLOAT64 -> doubles[j] != null ? doubles[j] : (doubles[j] = new double[BLOCK]);
                case INT32, INT64, BOOL -> longs[j] != null ? longs[j] : (longs[j] = new long[BLOCK]);
            };
        }
    }

    /** One launch: the plan, the walk and the operands' arrays (inputs, then out last). */
    private static final class Launch {
        private final Node[] nodes;
        private final int root;
        private final StridedRows rows;
        private final Object[] arrays;
        private final int outSlot;
        private final boolean rootWritesOut;
        private final int maxRun;

        Launch(Plan plan, StridedRows rows, Object[] arrays) {
            this.nodes = plan.nodes();
            this.root = plan.root();
            this.rows = rows;
            this.arrays = arrays;
            this.outSlot = arrays.length - 1;
            Node rootNode = nodes[root];
            this.rootWritesOut = rows.innerStride(outSlot) == 1 && rootNode.dtype().isFloating()
                    && rootNode.kind() != Kind.INPUT && rootNode.kind() != Kind.CONSTANT;
            boolean needsScratch = !rootWritesOut;
            for (int j = 0; j < root; j++) {
                needsScratch |= !readsInPlace(nodes[j]);
            }
            this.maxRun = needsScratch ? BLOCK : Integer.MAX_VALUE;
        }

        private boolean readsInPlace(Node node) {
            return node.kind() == Kind.INPUT && node.dtype().isFloating() && rows.innerStride(node.input()) == 1;
        }

        /** Evaluates the elements of out's linear indices [start, end) on the calling thread. */
        void run(int start, int end) {
            Workspace workspace = WORKSPACES.get();
            workspace.prepare(nodes.length);
            int constantLength = Math.min(BLOCK, end - start);
            for (int j = 0; j < nodes.length; j++) {
                if (nodes[j].kind() == Kind.CONSTANT) {
                    fillConstant(nodes[j], workspace.scratch(j, nodes[j].dtype()), constantLength);
                }
            }
            rows.forEachRun(start, end, maxRun, (positions, n) -> evaluateRun(workspace, positions, n));
        }

        private void evaluateRun(Workspace workspace, int[] positions, int n) {
            Object[] values = workspace.values;
            int[] offsets = workspace.valueOffsets;
            for (int j = 0; j < nodes.length; j++) {
                Node node = nodes[j];
                if (node.kind() == Kind.INPUT) {
                    loadInput(workspace, j, node, positions[node.input()], n);
                    continue;
                }
                Object target;
                int at;
                if (j == root && rootWritesOut) {
                    target = arrays[outSlot];
                    at = positions[outSlot];
                } else {
                    target = workspace.scratch(j, node.dtype());
                    at = 0;
                }
                switch (node.kind()) {
                    case CONSTANT -> { }
                    case UNARY_FLOATING -> {
                        if (node.dtype() == DType.FLOAT32) {
                            VectorForms.unary(node.unary(), node.value(), (float[]) values[node.a()], offsets[node.a()],
                                    (float[]) target, at, n);
                        } else {
                            VectorForms.unary(node.unary(), node.value(), (double[]) values[node.a()], offsets[node.a()],
                                    (double[]) target, at, n);
                        }
                    }
                    case BINARY_FLOATING -> {
                        if (node.dtype() == DType.FLOAT32) {
                            VectorForms.binary(node.binary(), (float[]) values[node.a()], offsets[node.a()],
                                    (float[]) values[node.b()], offsets[node.b()], (float[]) target, at, n);
                        } else {
                            VectorForms.binary(node.binary(), (double[]) values[node.a()], offsets[node.a()],
                                    (double[]) values[node.b()], offsets[node.b()], (double[]) target, at, n);
                        }
                    }
                    case COMPARE_FLOATING -> {
                        if (values[node.a()] instanceof float[] a) {
                            VectorForms.compare(node.binary(), a, offsets[node.a()], (float[]) values[node.b()],
                                    offsets[node.b()], (long[]) target, at, n);
                        } else {
                            VectorForms.compare(node.binary(), (double[]) values[node.a()], offsets[node.a()],
                                    (double[]) values[node.b()], offsets[node.b()], (long[]) target, at, n);
                        }
                    }
                    case UNARY_INTEGER -> unaryInteger(node, (long[]) values[node.a()], (long[]) target, n);
                    case BINARY_INTEGER -> binaryInteger(node, (long[]) values[node.a()], (long[]) values[node.b()],
                            (long[]) target, n);
                    case WHERE -> where((long[]) values[node.condition()], values[node.a()], offsets[node.a()],
                            values[node.b()], offsets[node.b()], target, at, n);
                    case CAST -> cast(values[node.a()], offsets[node.a()], target, at, node.dtype(), n);
                    case INPUT -> throw new AssertionError("inputs are loaded above");
                }
                values[j] = target;
                offsets[j] = at;
            }
            if (!rootWritesOut) {
                store(values[root], offsets[root], arrays[outSlot], positions[outSlot], rows.innerStride(outSlot), n);
            }
        }

        /** Points node j at the run's elements of its input: in place, broadcast or gathered. */
        private void loadInput(Workspace workspace, int j, Node node, int position, int n) {
            if (readsInPlace(node)) {
                workspace.values[j] = arrays[node.input()];
                workspace.valueOffsets[j] = position;
                return;
            }
            Object scratch = workspace.scratch(j, node.dtype());
            workspace.values[j] = scratch;
            workspace.valueOffsets[j] = 0;
            int stride = rows.innerStride(node.input());
            if (stride == 0) {
                if (workspace.broadcastLength[j] >= n && workspace.broadcastPosition[j] == position) {
                    return;
                }
                workspace.broadcastPosition[j] = position;
                workspace.broadcastLength[j] = n;
            }
            gather(arrays[node.input()], position, stride, scratch, n);
        }
    }

    private static void fillConstant(Node node, Object scratch, int n) {
        switch (scratch) {
            case float[] f -> Arrays.fill(f, 0, n, (float) node.value());
            case double[] d -> Arrays.fill(d, 0, n, node.value());
            case long[] l -> Arrays.fill(l, 0, n, floatingToInteger(node.value(), node.dtype()));
            default -> throw new AssertionError(scratch);
        }
    }

    /** {@code to[i] = from[at + i·stride]} for i in [0, n), integer and BOOL values widened to long. */
    private static void gather(Object from, int at, int stride, Object to, int n) {
        switch (from) {
            case float[] f -> {
                float[] t = (float[]) to;
                for (int i = 0; i < n; i++) {
                    t[i] = f[at + i * stride];
                }
            }
            case double[] d -> {
                double[] t = (double[]) to;
                for (int i = 0; i < n; i++) {
                    t[i] = d[at + i * stride];
                }
            }
            case int[] v -> {
                long[] t = (long[]) to;
                for (int i = 0; i < n; i++) {
                    t[i] = v[at + i * stride];
                }
            }
            case long[] v -> {
                long[] t = (long[]) to;
                for (int i = 0; i < n; i++) {
                    t[i] = v[at + i * stride];
                }
            }
            case byte[] v -> {
                long[] t = (long[]) to;
                for (int i = 0; i < n; i++) {
                    t[i] = v[at + i * stride] != 0 ? 1 : 0;
                }
            }
            default -> throw new AssertionError(from);
        }
    }

    /** {@code to[at + i·stride] = from[fromAt + i]} for i in [0, n), converted as {@code Expr.castValue}. */
    private static void store(Object from, int fromAt, Object to, int at, int stride, int n) {
        switch (to) {
            case float[] t -> {
                float[] f = (float[]) from;
                for (int i = 0; i < n; i++) {
                    t[at + i * stride] = f[fromAt + i];
                }
            }
            case double[] t -> {
                double[] f = (double[]) from;
                for (int i = 0; i < n; i++) {
                    t[at + i * stride] = f[fromAt + i];
                }
            }
            case int[] t -> {
                long[] f = (long[]) from;
                for (int i = 0; i < n; i++) {
                    t[at + i * stride] = (int) f[fromAt + i];
                }
            }
            case long[] t -> {
                long[] f = (long[]) from;
                for (int i = 0; i < n; i++) {
                    t[at + i * stride] = f[fromAt + i];
                }
            }
            case byte[] t -> {
                long[] f = (long[]) from;
                for (int i = 0; i < n; i++) {
                    t[at + i * stride] = (byte) (f[fromAt + i] != 0 ? 1 : 0);
                }
            }
            default -> throw new AssertionError(to);
        }
    }

    private static void unaryInteger(Node node, long[] x, long[] y, int n) {
        UnaryOp op = node.unary();
        boolean bool = node.dtype() == DType.BOOL;
        for (int i = 0; i < n; i++) {
            long value = op.applyLong(x[i]);
            y[i] = bool && value != 0 ? 1 : value;
        }
    }

    private static void binaryInteger(Node node, long[] a, long[] b, long[] y, int n) {
        BinaryOp op = node.binary();
        boolean bool = node.dtype() == DType.BOOL;
        for (int i = 0; i < n; i++) {
            long value = op.applyLong(a[i], b[i]);
            y[i] = bool && value != 0 ? 1 : value;
        }
    }

    /** {@code y[i] = condition[i] != 0 ? a[i] : b[i]}; the branches share one storage type. */
    private static void where(long[] condition, Object a, int ai, Object b, int bi, Object y, int yi, int n) {
        switch (y) {
            case float[] t -> {
                float[] x = (float[]) a;
                float[] z = (float[]) b;
                for (int i = 0; i < n; i++) {
                    t[yi + i] = condition[i] != 0 ? x[ai + i] : z[bi + i];
                }
            }
            case double[] t -> {
                double[] x = (double[]) a;
                double[] z = (double[]) b;
                for (int i = 0; i < n; i++) {
                    t[yi + i] = condition[i] != 0 ? x[ai + i] : z[bi + i];
                }
            }
            case long[] t -> {
                long[] x = (long[]) a;
                long[] z = (long[]) b;
                for (int i = 0; i < n; i++) {
                    t[yi + i] = condition[i] != 0 ? x[ai + i] : z[bi + i];
                }
            }
            default -> throw new AssertionError(y);
        }
    }

    /** Conversion to {@code to}'s dtype as the reference does it: truncation, 0/1 for BOOL, one rounding. */
    private static void cast(Object from, int fromAt, Object to, int at, DType dtype, int n) {
        switch (from) {
            case float[] f -> {
                switch (to) {
                    case float[] t -> System.arraycopy(f, fromAt, t, at, n);
                    case double[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = f[fromAt + i];
                        }
                    }
                    case long[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = floatingToInteger(f[fromAt + i], dtype);
                        }
                    }
                    default -> throw new AssertionError(to);
                }
            }
            case double[] f -> {
                switch (to) {
                    case float[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = (float) f[fromAt + i];
                        }
                    }
                    case double[] t -> System.arraycopy(f, fromAt, t, at, n);
                    case long[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = floatingToInteger(f[fromAt + i], dtype);
                        }
                    }
                    default -> throw new AssertionError(to);
                }
            }
            case long[] f -> {
                switch (to) {
                    case float[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = (float) f[fromAt + i];
                        }
                    }
                    case double[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = (double) f[fromAt + i];
                        }
                    }
                    case long[] t -> {
                        for (int i = 0; i < n; i++) {
                            t[at + i] = integerToInteger(f[fromAt + i], dtype);
                        }
                    }
                    default -> throw new AssertionError(to);
                }
            }
            default -> throw new AssertionError(from);
        }
    }

    private static long floatingToInteger(double value, DType to) {
        return switch (to) {
            case INT32 -> (int) value;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
            case FLOAT32, FLOAT64 -> throw new IllegalArgumentException("not an integer dtype: " + to);
        };
    }

    private static long integerToInteger(long value, DType to) {
        return switch (to) {
            case INT32 -> (int) value;
            case INT64 -> value;
            case BOOL -> value != 0 ? 1 : 0;
            case FLOAT32, FLOAT64 -> throw new IllegalArgumentException("not an integer dtype: " + to);
        };
    }
}
