package io.gasok.tck;

import io.gasok.DType;
import io.gasok.spi.Backend;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Buffer;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Expr;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Direct calls of the kernel SPI ({@link Backend}) that core's ops do not reach on every path:
 * fused multi-node elementwise expressions over operands with offsets and stride-0 broadcasts,
 * GEMM with every epilogue field (alpha, beta, bias, activation), transposes, leading dimensions
 * wider than the rows and a shared (batch stride 0) operand, and reductions over several axes of a
 * permuted, offset operand.
 *
 * <p>How: identical buffers are made on the device's backend and on the reference backend, the
 * same kernel runs on both, and every element of the output buffers (padding included, which must
 * be left alone) is compared: elementwise within {@link Tolerance#elementwise}, GEMM and sums
 * within {@link Tolerance#accumulated} (magnitudes from the same kernel on |inputs| on the
 * reference), max/min and argmax exactly.
 */
public interface KernelContract extends DeviceUnderTest {

    /** A fused elementwise problem: the expression's variant, dtype, out shape and input values. */
    record FusedCase(String variant, DType dtype, int[] shape, double scale, int offset, double[] x, double[] y) {
        @Override
        public String toString() {
            return variant + " " + dtype + Arrays.toString(shape) + " scale " + scale + " offset " + offset
                    + " x " + Arrays.toString(x) + " y " + Arrays.toString(y);
        }
    }

    @Provide
    default Arbitrary<FusedCase> fusedCases() {
        return Combinators.combine(Arbitraries.of("relu(x*scale+bias)", "where(x>0, x, y*scale)",
                                "cast(floorDiv(int(x), 2))"), Tensors.floating(), Shapes.shape(1, 3, true),
                        Arbitraries.of(-1.5, 0.5, 2.0), Arbitraries.integers().between(0, 3))
                .flatAs((variant, dtype, shape, scale, offset) -> {
                    int size = Operand.sizeOf(shape);
                    return Combinators.combine(Values.tensor(dtype, new int[] {size}, Values.WIDE),
                            Values.tensor(dtype, new int[] {shape[shape.length - 1]}, Values.ANY))
                            .as((x, y) -> new FusedCase(variant, dtype, shape, scale, offset, x.values(), y.values()));
                });
    }

    @Property
    @Label("fused elementwise expressions with offsets and broadcast operands match the reference kernel")
    default void fusedElementwiseKernelsMatchReference(@ForAll("fusedCases") FusedCase c) {
        DType t = c.dtype();
        Expr x = Expr.input(0, t);
        Expr y = Expr.input(1, t);
        Expr scale = Expr.constant(c.scale(), t);
        Expr expr = switch (c.variant()) {
            case "relu(x*scale+bias)" -> Expr.unary(UnaryOp.RELU, Expr.add(Expr.mul(x, scale), y));
            case "where(x>0, x, y*scale)" -> Expr.where(Expr.binary(BinaryOp.GT, x, Expr.constant(0, t)), x,
                    Expr.mul(y, scale));
            default -> Expr.cast(Expr.binary(BinaryOp.FLOOR_DIV, Expr.cast(x, DType.INT64),
                    Expr.constant(2, DType.INT64)), t);
        };
        double[][] got = runFused(device().backend(), c, expr);
        double[][] expected = runFused(reference().backend(), c, expr);
        Tolerance.Bound bound = Tolerance.elementwise("exp", t);
        int[] bufferShape = {got[0].length};
        Check.close("elementwise kernel " + c.variant(), c.toString(), new HostTensor(t, bufferShape, got[0]),
                new HostTensor(t, bufferShape, expected[0]), bound);
    }

    /** Runs the kernel on {@code backend}; out is written at an offset into a larger buffer. */
    private static double[][] runFused(Backend backend, FusedCase c, Expr expr) {
        DType t = c.dtype();
        int[] shape = c.shape();
        int rank = shape.length;
        try (RawBuffers buffers = new RawBuffers(backend)) {
            double[] xStorage = new double[c.offset() + c.x().length];
            System.arraycopy(c.x(), 0, xStorage, c.offset(), c.x().length);
            Buffer xBuffer = buffers.upload(t, xStorage);
            Buffer yBuffer = buffers.upload(t, c.y());
            double[] outStorage = new double[c.offset() + c.x().length + 1];
            Arrays.fill(outStorage, -7);
            Buffer outBuffer = buffers.upload(t, outStorage);
            int[] broadcastStrides = new int[rank];
            broadcastStrides[rank - 1] = 1;
            Operand xOperand = new Operand(xBuffer, t, c.offset(), shape.clone(), Operand.rowMajorStrides(shape));
            Operand yOperand = new Operand(yBuffer, t, 0, shape.clone(), broadcastStrides);
            Operand out = new Operand(outBuffer, t, c.offset(), shape.clone(), Operand.rowMajorStrides(shape));
            backend.elementwise(expr, new Operand[] {xOperand, yOperand}, out);
            return new double[][] {buffers.download(outBuffer)};
        }
    }

    /** A GEMM problem as stored: operand values, leading-dimension padding and the epilogue. */
    record GemmCase(DType dtype, GemmSpec spec, int pad, boolean sharedB, boolean bias, double[] a, double[] b,
                    double[] c, double[] biasValues) {
        @Override
        public String toString() {
            return dtype + " " + spec + " ld pad " + pad + " shared B " + sharedB + " bias " + bias;
        }
    }

    @Provide
    default Arbitrary<GemmCase> gemmCases() {
        Arbitrary<Epilogue> epilogues = Combinators.combine(Arbitraries.of(1.0, 0.5, -2.0), Arbitraries.of(0.0, 1.0, -0.5),
                Arbitraries.of(Arrays.asList(null, UnaryOp.RELU, UnaryOp.LEAKY_RELU, UnaryOp.SILU, UnaryOp.GELU,
                        UnaryOp.SIGMOID))).as((alpha, beta, act) -> new Epilogue(alpha, beta, act, act == null ? 0 : 0.125));
        Arbitrary<int[]> dims = Arbitraries.integers().between(1, 4).list().ofSize(4).map(Shapes::toArray);
        return Combinators.combine(Tensors.floating(), dims, Arbitraries.of(true, false), Arbitraries.of(true, false),
                        epilogues, Arbitraries.integers().between(0, 2), Arbitraries.of(true, false), Arbitraries.of(true, false))
                .flatAs((dtype, d, transA, transB, epilogue, pad, shared, bias) -> {
                    GemmSpec spec = new GemmSpec(d[0], d[1], d[2], d[3], transA, transB, epilogue);
                    int aRows = transA ? spec.k() : spec.m();
                    int aCols = transA ? spec.m() : spec.k();
                    int bRows = transB ? spec.n() : spec.k();
                    int bCols = transB ? spec.k() : spec.n();
                    int aLength = spec.batch() * aRows * (aCols + pad);
                    int bLength = (shared ? 1 : spec.batch()) * bRows * (bCols + pad);
                    int cLength = spec.batch() * spec.m() * (spec.n() + pad);
                    return Combinators.combine(Values.tensor(dtype, new int[] {aLength}, Values.ANY),
                            Values.tensor(dtype, new int[] {bLength}, Values.ANY),
                            Values.tensor(dtype, new int[] {cLength}, Values.ANY),
                            Values.tensor(dtype, new int[] {spec.n()}, Values.ANY))
                            .as((a, b, c, bv) -> new GemmCase(dtype, spec, pad, shared, bias, a.values(), b.values(),
                                    c.values(), bv.values()));
                });
    }

    @Property
    @Label("gemm with alpha, beta, bias, activation, transposes and leading dimensions matches the reference kernel")
    default void gemmWithEpilogueMatchesReference(@ForAll("gemmCases") GemmCase c) {
        double[] got = runGemm(device().backend(), c, c.spec(), false);
        double[] expected = runGemm(reference().backend(), c, c.spec(), false);
        Epilogue e = c.spec().epilogue();
        GemmSpec magnitudeSpec = new GemmSpec(c.spec().batch(), c.spec().m(), c.spec().n(), c.spec().k(),
                c.spec().transA(), c.spec().transB(), new Epilogue(Math.abs(e.alpha()), Math.abs(e.beta()), null, 0));
        double[] magnitude = runGemm(reference().backend(), c, magnitudeSpec, true);
        int[] shape = {got.length};
        Tolerance.Bound accumulated = Tolerance.accumulated(c.dtype(), c.spec().k() + 2,
                new HostTensor(DType.FLOAT64, shape, magnitude));
        Tolerance.Bound elementwise = Tolerance.elementwise("gelu", c.dtype());
        Tolerance.Bound bound = (i, ref) -> 2 * accumulated.at(i, ref) + elementwise.at(i, ref);
        Check.close("gemm kernel", c.toString(), new HostTensor(c.dtype(), shape, got),
                new HostTensor(c.dtype(), shape, expected), bound);
    }

    private static double[] runGemm(Backend backend, GemmCase c, GemmSpec spec, boolean magnitudes) {
        DType t = magnitudes ? DType.FLOAT64 : c.dtype();
        int aRows = spec.transA() ? spec.k() : spec.m();
        int aCols = spec.transA() ? spec.m() : spec.k();
        int bRows = spec.transB() ? spec.n() : spec.k();
        int bCols = spec.transB() ? spec.k() : spec.n();
        int pad = c.pad();
        try (RawBuffers buffers = new RawBuffers(backend)) {
            Buffer a = buffers.upload(t, magnitudes ? abs(c.a()) : c.a());
            Buffer b = buffers.upload(t, magnitudes ? abs(c.b()) : c.b());
            Buffer out = buffers.upload(t, magnitudes ? abs(c.c()) : c.c());
            Buffer bias = c.bias() ? buffers.upload(t, magnitudes ? abs(c.biasValues()) : c.biasValues()) : null;
            Operand aOperand = new Operand(a, t, 0, new int[] {spec.batch(), aRows, aCols},
                    new int[] {aRows * (aCols + pad), aCols + pad, 1});
            Operand bOperand = new Operand(b, t, 0, new int[] {c.sharedB() ? 1 : spec.batch(), bRows, bCols},
                    new int[] {c.sharedB() ? 0 : bRows * (bCols + pad), bCols + pad, 1});
            Operand cOperand = new Operand(out, t, 0, new int[] {spec.batch(), spec.m(), spec.n()},
                    new int[] {spec.m() * (spec.n() + pad), spec.n() + pad, 1});
            Operand biasOperand = bias == null ? null : Operand.contiguous(bias, 0, spec.n());
            backend.gemm(spec, aOperand, bOperand, cOperand, biasOperand);
            return buffers.download(out);
        }
    }

    private static double[] abs(double[] values) {
        return Arrays.stream(values).map(Math::abs).toArray();
    }

    /** A reduction kernel problem over a permuted, offset operand. */
    record ReduceKernelCase(ReduceOp op, DType dtype, int[] storageShape, int[] order, int offset, int[] axes,
                            double[] values) {
        @Override
        public String toString() {
            return op + " " + dtype + " storage " + Arrays.toString(storageShape) + " permuted " + Arrays.toString(order)
                    + " offset " + offset + " axes " + Arrays.toString(axes);
        }
    }

    @Provide
    default Arbitrary<ReduceKernelCase> reduceKernelCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT64, DType.INT64);
        return Combinators.combine(Arbitraries.of(ReduceOp.values()), dtypes, Shapes.shape(1, 4, false),
                        Arbitraries.integers().between(0, 3))
                .flatAs((op, dtype, shape, offset) -> Combinators.combine(Shapes.permutation(shape.length),
                        Arbitraries.integers().between(0, shape.length - 1).set().ofMinSize(1).ofMaxSize(op.isArg() ? 1 : 4)
                                .map(set -> set.stream().sorted().mapToInt(Integer::intValue).toArray()),
                        Values.tensor(dtype, new int[] {Operand.sizeOf(shape)}, Values.TIES))
                        .as((order, axes, values) -> new ReduceKernelCase(op, dtype, shape, order, offset,
                                Arrays.stream(axes).filter(a -> a < shape.length).toArray(), values.values())))
                .filter(c -> c.axes().length > 0);
    }

    @Property
    @Label("reduce over several axes of a permuted, offset operand matches the reference kernel")
    default void reduceKernelOverSeveralAxesMatchesReference(@ForAll("reduceKernelCases") ReduceKernelCase c) {
        double[] got = runReduce(device().backend(), c, false);
        double[] expected = runReduce(reference().backend(), c, false);
        DType outType = c.op().isArg() ? DType.INT64 : c.dtype();
        int[] shape = {got.length};
        Tolerance.Bound bound = Tolerance.exact();
        if (c.op() == ReduceOp.SUM && c.dtype().isFloating()) {
            int terms = 1;
            for (int axis : c.axes()) {
                terms *= c.storageShape()[c.order()[axis]];
            }
            bound = Tolerance.accumulated(c.dtype(), terms, new HostTensor(DType.FLOAT64, shape, runReduce(
                    reference().backend(), c, true)));
        }
        Check.close("reduce kernel", c.toString(), new HostTensor(outType, shape, got),
                new HostTensor(outType, shape, expected), bound);
    }

    private static double[] runReduce(Backend backend, ReduceKernelCase c, boolean magnitudes) {
        DType t = magnitudes ? DType.FLOAT64 : c.dtype();
        int rank = c.storageShape().length;
        int[] storageStrides = Operand.rowMajorStrides(c.storageShape());
        int[] shape = new int[rank];
        int[] strides = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = c.storageShape()[c.order()[i]];
            strides[i] = storageStrides[c.order()[i]];
        }
        int[] outShape = shape.clone();
        for (int axis : c.axes()) {
            outShape[axis] = 1;
        }
        DType outType = c.op().isArg() ? DType.INT64 : t;
        try (RawBuffers buffers = new RawBuffers(backend)) {
            double[] storage = new double[c.offset() + c.values().length];
            for (int i = 0; i < c.values().length; i++) {
                storage[c.offset() + i] = magnitudes ? Math.abs(c.values()[i]) : c.values()[i];
            }
            Buffer in = buffers.upload(t, storage);
            Buffer out = buffers.upload(outType, new double[Operand.sizeOf(outShape)]);
            backend.reduce(magnitudes ? ReduceOp.SUM : c.op(), new Operand(in, t, c.offset(), shape, strides), c.axes(),
                    Operand.contiguous(out, 0, outShape));
            return buffers.download(out);
        }
    }
}
