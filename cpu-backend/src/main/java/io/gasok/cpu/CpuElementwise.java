package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.cpu.ElementwisePlan.Kind;
import io.gasok.cpu.ElementwisePlan.Node;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;

/**
 * Fused elementwise kernel: {@code out[e] = expr(inputs[0][e], inputs[1][e], ...)} for every
 * element e of out, the inputs already broadcast to out's shape (stride 0); or, with several
 * expressions, {@code outs[k][e] = exprs[k](...)} for each k in the same pass, every expression
 * reading the inputs as they were before the launch (an optimizer step updating a parameter and
 * its moments).
 *
 * <p>A block interpreter. The trees are flattened once into a post-order list of nodes (an
 * {@link ElementwisePlan}, cached per shape of the expressions), and the output is walked in runs
 * of at most {@value #BLOCK} elements along its coalesced inner axis ({@link StridedRows}). For
 * each run, each node in turn computes all the run's elements into its own scratch array (per
 * thread, reused):
 * <ul>
 *   <li>FLOAT32 and FLOAT64 nodes by {@link VectorForms}: vectors of {@link CpuVectors#FLOATS} lanes over
 *   [0, loopBound(n)), the op's scalar definition over the tail;</li>
 *   <li>a floating comparison that chooses between two floating values (SELECT) by a vector
 *   compare and blend;</li>
 *   <li>INT32, INT64 and BOOL nodes in a scalar {@code long} loop with {@code applyLong}, exact
 *   for int64 (BOOL as 0/1, intermediate INT32 values not wrapped, as the reference does);</li>
 *   <li>where, cast and other comparisons' 0/1 results in scalar loops.</li>
 * </ul>
 * A floating input whose inner stride is 1 is read in place (no copy); a stride-0 input is
 * broadcast into scratch once and kept while its position does not change; any other stride is
 * gathered. With one expression, the root node writes straight into a floating out with inner
 * stride 1, so a one-node expression over contiguous operands is one vector loop from the inputs
 * to the output, in runs as long as the rows (no scratch at all). Every node reads an element's
 * inputs before any root value is stored, so an out may alias an input with the same strides.
 *
 * <p>Rows shorter than {@value #FLAT_ROW_LIMIT} elements (broadcasts over a narrow last axis) are
 * not walked run by run but flat, in blocks of {@value #BLOCK} consecutive elements across rows:
 * inputs dense over out's shape are read in place, a single broadcast value is spread once, others
 * are gathered row by row into scratch, and each node runs once per block (see {@link Launch}).
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
    /** Rows shorter than this are evaluated flat, in blocks across rows (see {@link Launch}). */
    static final int FLAT_ROW_LIMIT = 64;

    private static final ThreadLocal<Workspace> WORKSPACES = ThreadLocal.withInitial(Workspace::new);

    private CpuElementwise() {}

    static void evaluate(Expr expr, Operand[] inputs, Operand out, WorkerPool pool) {
        int size = out.size();
        if (size == 0) {
            return;
        }
        ElementwisePlan.Prepared prepared = ElementwisePlan.prepare(Expr.cast(expr, out.dtype()));
        if (size < PARALLEL_THRESHOLD && evaluateContiguous(prepared.plan(), inputs, out, size)) {
            return;
        }
        Operand[] walked = Arrays.copyOf(inputs, inputs.length + 1);
        walked[inputs.length] = out;
        Launch launch = new Launch(prepared.plan(), prepared.constants(), walked, inputs.length);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, launch::run);
    }

    /** {@code outs[k] = exprs[k](inputs)} for every k in one pass; the outs share one shape. */
    static void evaluate(Expr[] exprs, Operand[] inputs, Operand[] outs, WorkerPool pool) {
        int size = outs[0].size();
        if (size == 0) {
            return;
        }
        Expr[] typed = new Expr[exprs.length];
        for (int k = 0; k < exprs.length; k++) {
            typed[k] = Expr.cast(exprs[k], outs[k].dtype());
        }
        ElementwisePlan.Prepared prepared = ElementwisePlan.prepare(typed);
        Operand[] walked = Arrays.copyOf(inputs, inputs.length + outs.length);
        System.arraycopy(outs, 0, walked, inputs.length, outs.length);
        Launch launch = new Launch(prepared.plan(), prepared.constants(), walked, inputs.length);
        StridedRows.splitAcrossThreads(size, PARALLEL_THRESHOLD, pool, launch::run);
    }

    /**
     * The common small launch without building a walk: one floating unary or binary node over
     * inputs that are contiguous (hence not broadcast), into a contiguous out, is the one
     * {@link VectorForms} loop over [0, size) that the walk would run as a single run with no
     * scratch, so the results are the same. Returns false, having done nothing, for anything else.
     */
    private static boolean evaluateContiguous(ElementwisePlan plan, Operand[] inputs, Operand out, int size) {
        Node[] nodes = plan.nodes();
        Node root = nodes[plan.roots()[0]];
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
        Operand a = inputs[nodes[root.a()].slot()];
        if (unary && out.dtype() == DType.FLOAT32) {
            VectorForms.unary(root.unary(), root.param(), CpuBuffer.floats(a), a.offset(),
                    CpuBuffer.floats(out), out.offset(), size);
        } else if (unary) {
            VectorForms.unary(root.unary(), root.param(), CpuBuffer.doubles(a), a.offset(),
                    CpuBuffer.doubles(out), out.offset(), size);
        } else {
            Operand b = inputs[nodes[root.b()].slot()];
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

    /**
     * One launch: the plan, its constants, the walk and the operands' arrays (the inputs, then the
     * outs, one per root of the plan).
     *
     * <p>Rows of at least {@value #FLAT_ROW_LIMIT} elements are evaluated run by run, as the
     * class comment says. Shorter rows (a {@code [128, 6]} gradient built from a {@code [1, 6]} and
     * a {@code [128, 1]} operand, a bias of 20) would make every node pay a call and a padded tail
     * per row, so there the launch goes flat: blocks of {@value #BLOCK} consecutive elements across
     * rows, each input either read in place (dense over out's shape: element e at offset + e),
     * one value broadcast (stride 0 everywhere), or gathered row by row into scratch; each node then
     * runs once over the block, and the roots are stored back the same way. The values are the same
     * either way: every element is computed by the same node loops from the same inputs.
     */
    private static final class Launch {
        private final Node[] nodes;
        private final int[] roots;
        private final double[] constants;
        private final StridedRows rows;
        private final Operand[] operands;
        private final Object[] arrays;
        /** Operand index of out k is {@code firstOut + k}. */
        private final int firstOut;
        private final boolean flat;
        /** Per operand, in flat mode: element e of the launch is at {@code offset + e}. */
        private final boolean[] dense;
        /** Per operand: one value for the whole launch (stride 0, or extent 1, on every axis). */
        private final boolean[] uniform;
        /** One expression whose root computes straight into its out (no scratch, no store). */
        private final boolean rootWritesOut;
        /** Per node: an input node whose values are read straight from its array, not copied to scratch. */
        private final boolean[] inPlace;
        private final int maxRun;

        Launch(ElementwisePlan plan, double[] constants, Operand[] operands, int firstOut) {
            this.nodes = plan.nodes();
            this.roots = plan.roots();
            this.constants = constants;
            this.operands = operands;
            this.firstOut = firstOut;
            this.rows = StridedRows.of(operands[firstOut].shape(), operands);
            this.arrays = new Object[operands.length];
            this.dense = new boolean[operands.length];
            this.uniform = new boolean[operands.length];
            for (int k = 0; k < operands.length; k++) {
                arrays[k] = CpuBuffer.array(operands[k]);
                dense[k] = operands[k].isContiguous();
                uniform[k] = isUniform(operands[k]);
            }
            this.flat = rows.inner() < FLAT_ROW_LIMIT && rows.size() > rows.inner();
            Node rootNode = nodes[roots[0]];
            boolean outInPlace = flat ? dense[firstOut] : rows.innerStride(firstOut) == 1;
            this.rootWritesOut = roots.length == 1 && outInPlace && rootNode.dtype().isFloating()
                    && rootNode.kind() != Kind.INPUT && rootNode.kind() != Kind.CONSTANT;
            this.inPlace = new boolean[nodes.length];
            for (int j = 0; j < nodes.length; j++) {
                inPlace[j] = readsInPlace(nodes[j]);
            }
            if (roots.length > 1) {
                // An out may be an input: storing an earlier root into it must not change a later
                // root that reads that input in place, so input roots are copied first.
                for (int root : roots) {
                    inPlace[root] = false;
                }
            }
            boolean needsScratch = !rootWritesOut;
            for (int j = 0; j < nodes.length; j++) {
                needsScratch |= j != roots[0] && !inPlace[j];
            }
            this.maxRun = needsScratch ? BLOCK : Integer.MAX_VALUE;
        }

        private static boolean isUniform(Operand operand) {
            for (int d = 0; d < operand.rank(); d++) {
                if (operand.dim(d) != 1 && operand.stride(d) != 0) {
                    return false;
                }
            }
            return true;
        }

        private boolean readsInPlace(Node node) {
            return node.kind() == Kind.INPUT && node.dtype().isFloating()
                    && (flat ? dense[node.slot()] : rows.innerStride(node.slot()) == 1);
        }

        /** Evaluates the elements of the outs' linear indices [start, end) on the calling thread. */
        void run(int start, int end) {
            Workspace workspace = WORKSPACES.get();
            workspace.prepare(nodes.length);
            int constantLength = Math.min(BLOCK, end - start);
            for (int j = 0; j < nodes.length; j++) {
                Node node = nodes[j];
                if (node.kind() == Kind.CONSTANT) {
                    fillConstant(node, ElementwisePlan.constantValue(node, constants),
                            workspace.scratch(j, node.dtype()), constantLength);
                }
            }
            if (flat) {
                for (int block = start; block < end; block += BLOCK) {
                    evaluateBlock(workspace, block, Math.min(BLOCK, end - block));
                }
            } else {
                rows.forEachRun(start, end, maxRun, (positions, n) -> evaluateRun(workspace, positions, n));
            }
        }

        private void evaluateRun(Workspace workspace, int[] positions, int n) {
            for (int j = 0; j < nodes.length; j++) {
                Node node = nodes[j];
                if (node.kind() == Kind.INPUT) {
                    loadInput(workspace, j, node, positions[node.slot()], n);
                }
            }
            evaluateNodes(workspace, n, arrays[firstOut], positions[firstOut]);
            if (!rootWritesOut) {
                for (int k = 0; k < roots.length; k++) {
                    int out = firstOut + k;
                    store(workspace.values[roots[k]], workspace.valueOffsets[roots[k]], arrays[out], positions[out],
                            rows.innerStride(out), n);
                }
            }
        }

        /** Flat mode: the {@code n} elements from linear index {@code first} on, across rows. */
        private void evaluateBlock(Workspace workspace, int first, int n) {
            for (int j = 0; j < nodes.length; j++) {
                Node node = nodes[j];
                if (node.kind() == Kind.INPUT) {
                    loadBlockInput(workspace, j, node, first, n);
                }
            }
            evaluateNodes(workspace, n, arrays[firstOut], operands[firstOut].offset() + first);
            if (rootWritesOut) {
                return;
            }
            for (int k = 0; k < roots.length; k++) {
                int out = firstOut + k;
                Object values = workspace.values[roots[k]];
                int valuesAt = workspace.valueOffsets[roots[k]];
                if (dense[out]) {
                    store(values, valuesAt, arrays[out], operands[out].offset() + first, 1, n);
                } else {
                    int[] cursor = {valuesAt};
                    rows.forEachRun(first, first + n, Integer.MAX_VALUE, (positions, length) -> {
                        store(values, cursor[0], arrays[out], positions[out], rows.innerStride(out), length);
                        cursor[0] += length;
                    });
                }
            }
        }

        /**
         * Runs every non-input node over n elements; the root writes {@code out} from {@code outAt}
         * when {@link #rootWritesOut}, every other node its scratch.
         */
        private void evaluateNodes(Workspace workspace, int n, Object out, int outAt) {
            Object[] values = workspace.values;
            int[] offsets = workspace.valueOffsets;
            for (int j = 0; j < nodes.length; j++) {
                Node node = nodes[j];
                if (node.kind() == Kind.INPUT) {
                    continue;
                }
                Object target;
                int at;
                if (rootWritesOut && j == roots[0]) {
                    target = out;
                    at = outAt;
                } else {
                    target = workspace.scratch(j, node.dtype());
                    at = 0;
                }
                switch (node.kind()) {
                    case CONSTANT -> { }
                    case UNARY_FLOATING -> {
                        if (node.dtype() == DType.FLOAT32) {
                            VectorForms.unary(node.unary(), node.param(), (float[]) values[node.a()], offsets[node.a()],
                                    (float[]) target, at, n);
                        } else {
                            VectorForms.unary(node.unary(), node.param(), (double[]) values[node.a()], offsets[node.a()],
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
                    case SELECT -> {
                        if (node.dtype() == DType.FLOAT32) {
                            VectorForms.select(node.binary(), (float[]) values[node.a()], offsets[node.a()],
                                    (float[]) values[node.b()], offsets[node.b()], (float[]) values[node.c()],
                                    offsets[node.c()], (float[]) values[node.d()], offsets[node.d()], (float[]) target,
                                    at, n);
                        } else {
                            VectorForms.select(node.binary(), (double[]) values[node.a()], offsets[node.a()],
                                    (double[]) values[node.b()], offsets[node.b()], (double[]) values[node.c()],
                                    offsets[node.c()], (double[]) values[node.d()], offsets[node.d()],
                                    (double[]) target, at, n);
                        }
                    }
                    case UNARY_INTEGER -> unaryInteger(node, (long[]) values[node.a()], (long[]) target, n);
                    case BINARY_INTEGER -> binaryInteger(node, (long[]) values[node.a()], (long[]) values[node.b()],
                            (long[]) target, n);
                    case WHERE -> where((long[]) values[node.c()], values[node.a()], offsets[node.a()],
                            values[node.b()], offsets[node.b()], target, at, n);
                    case CAST -> cast(values[node.a()], offsets[node.a()], target, at, node.dtype(), n);
                    case INPUT -> throw new AssertionError("inputs are loaded before the nodes run");
                }
                values[j] = target;
                offsets[j] = at;
            }
        }

        /** Points node j at the run's elements of its input: in place, broadcast or gathered. */
        private void loadInput(Workspace workspace, int j, Node node, int position, int n) {
            if (inPlace[j]) {
                workspace.values[j] = arrays[node.slot()];
                workspace.valueOffsets[j] = position;
                return;
            }
            Object scratch = workspace.scratch(j, node.dtype());
            workspace.values[j] = scratch;
            workspace.valueOffsets[j] = 0;
            int stride = rows.innerStride(node.slot());
            if (stride == 0) {
                if (workspace.broadcastLength[j] >= n && workspace.broadcastPosition[j] == position) {
                    return;
                }
                workspace.broadcastPosition[j] = position;
                workspace.broadcastLength[j] = n;
            }
            gather(arrays[node.slot()], position, stride, scratch, 0, n);
        }

        /** Flat mode's {@link #loadInput}: the input's elements [first, first + n) of the launch. */
        private void loadBlockInput(Workspace workspace, int j, Node node, int first, int n) {
            int k = node.slot();
            Operand operand = operands[k];
            if (inPlace[j]) {
                workspace.values[j] = arrays[k];
                workspace.valueOffsets[j] = operand.offset() + first;
                return;
            }
            Object scratch = workspace.scratch(j, node.dtype());
            workspace.values[j] = scratch;
            workspace.valueOffsets[j] = 0;
            if (uniform[k]) {
                if (workspace.broadcastLength[j] < n) {
                    gather(arrays[k], operand.offset(), 0, scratch, 0, n);
                    workspace.broadcastLength[j] = n;
                }
            } else if (dense[k]) {
                gather(arrays[k], operand.offset() + first, 1, scratch, 0, n);
            } else {
                gatherRows(k, first, n, scratch);
            }
        }

        /**
         * Flat mode: operand k's elements [first, first + n) into scratch[0, n), row by row
         * (integers and BOOL widened to long). One loop per element type, so a row costs its
         * position and its copy: the rows of a narrow broadcast are a few elements long.
         */
        private void gatherRows(int k, int first, int n, Object scratch) {
            int inner = rows.inner();
            int stride = rows.innerStride(k);
            int end = first + n;
            switch (arrays[k]) {
                case float[] from -> {
                    float[] to = (float[]) scratch;
                    for (int e = first, length; e < end; e += length) {
                        length = Math.min(inner - e % inner, end - e);
                        int position = rows.positionOf(k, e);
                        for (int i = 0; i < length; i++) {
                            to[e - first + i] = from[position + i * stride];
                        }
                    }
                }
                case double[] from -> {
                    double[] to = (double[]) scratch;
                    for (int e = first, length; e < end; e += length) {
                        length = Math.min(inner - e % inner, end - e);
                        int position = rows.positionOf(k, e);
                        for (int i = 0; i < length; i++) {
                            to[e - first + i] = from[position + i * stride];
                        }
                    }
                }
                case int[] from -> {
                    long[] to = (long[]) scratch;
                    for (int e = first, length; e < end; e += length) {
                        length = Math.min(inner - e % inner, end - e);
                        int position = rows.positionOf(k, e);
                        for (int i = 0; i < length; i++) {
                            to[e - first + i] = from[position + i * stride];
                        }
                    }
                }
                case long[] from -> {
                    long[] to = (long[]) scratch;
                    for (int e = first, length; e < end; e += length) {
                        length = Math.min(inner - e % inner, end - e);
                        int position = rows.positionOf(k, e);
                        for (int i = 0; i < length; i++) {
                            to[e - first + i] = from[position + i * stride];
                        }
                    }
                }
                case byte[] from -> {
                    long[] to = (long[]) scratch;
                    for (int e = first, length; e < end; e += length) {
                        length = Math.min(inner - e % inner, end - e);
                        int position = rows.positionOf(k, e);
                        for (int i = 0; i < length; i++) {
                            to[e - first + i] = from[position + i * stride] != 0 ? 1 : 0;
                        }
                    }
                }
                default -> throw new AssertionError(arrays[k]);
            }
        }
    }

    private static void fillConstant(Node node, double value, Object scratch, int n) {
        switch (scratch) {
            case float[] f -> Arrays.fill(f, 0, n, (float) value);
            case double[] d -> Arrays.fill(d, 0, n, value);
            case long[] l -> Arrays.fill(l, 0, n, floatingToInteger(value, node.dtype()));
            default -> throw new AssertionError(scratch);
        }
    }

    /** {@code to[toAt + i] = from[at + i·stride]} for i in [0, n), integer and BOOL values widened to long. */
    private static void gather(Object from, int at, int stride, Object to, int toAt, int n) {
        switch (from) {
            case float[] f -> {
                float[] t = (float[]) to;
                for (int i = 0; i < n; i++) {
                    t[toAt + i] = f[at + i * stride];
                }
            }
            case double[] d -> {
                double[] t = (double[]) to;
                for (int i = 0; i < n; i++) {
                    t[toAt + i] = d[at + i * stride];
                }
            }
            case int[] v -> {
                long[] t = (long[]) to;
                for (int i = 0; i < n; i++) {
                    t[toAt + i] = v[at + i * stride];
                }
            }
            case long[] v -> {
                long[] t = (long[]) to;
                for (int i = 0; i < n; i++) {
                    t[toAt + i] = v[at + i * stride];
                }
            }
            case byte[] v -> {
                long[] t = (long[]) to;
                for (int i = 0; i < n; i++) {
                    t[toAt + i] = v[at + i * stride] != 0 ? 1 : 0;
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
