package io.gasok;

import io.gasok.spi.BinaryOp;
import io.gasok.spi.Distribution;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.UnaryOp;
import io.gasok.spi.Upsample2dSpec;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array on one {@link Device}, with reverse-mode autograd.
 *
 * <p><b>Layout.</b> A tensor is a view: a shared storage, an element offset, a shape and strides.
 * {@link #reshape}, {@link #permute}, {@link #transpose}, {@link #slice}, {@link #expand},
 * {@link #squeeze}, {@link #unsqueeze} and broadcasting only change that metadata; kernels read
 * views directly, and {@link #contiguous()} copies only when a kernel needs dense rows.
 *
 * <p><b>Dtypes.</b> {@link DType#FLOAT32} and {@link DType#FLOAT64} compute; INT32/INT64 hold
 * indices and labels; BOOL holds masks. Binary ops promote their operands by one table,
 * {@link DType#promote}; a Java scalar operand takes the tensor's dtype (an integer tensor with a
 * fractional scalar becomes FLOAT32); comparisons give BOOL; true division and the transcendental
 * functions of integers give FLOAT32; {@code floorDiv} and {@code remainder} follow Python's sign
 * rule.
 *
 * <p><b>Semantics decided once</b> (PyTorch's): {@code var} and {@code std} take a
 * {@code correction} (default 1, unbiased); {@link #gelu()} is exact (erf) and {@link #geluTanh()}
 * the tanh approximation; {@code argmax}/{@code argmin} return the first index on ties;
 * {@code max}, {@code min}, {@code maximum} and {@code minimum} propagate NaN; the gradient of a
 * max/min reduction is shared evenly among tied maxima, and that of {@code maximum}/{@code minimum}
 * split in half on ties.
 *
 * <p><b>Autograd.</b> {@link #requiresGrad(boolean)} marks a leaf; ops on it record a graph;
 * {@link #backward()} accumulates gradients into {@link #grad()}. Inside {@link Autograd#noGrad()}
 * nothing is recorded. {@link #detach()} gives a view outside the graph.
 *
 * <p><b>Lifetime.</b> A tensor's device memory is freed by {@link #close()} or by the
 * {@link Scope} it was created in; views keep their storage alive until the last one closes.
 *
 * <p><b>Thread safety.</b> A tensor belongs to one thread at a time: do not use one tensor from
 * two threads at once, and do not change it (in-place ops) while another thread reads it. Reading a
 * tensor that no thread changes (a model's parameters during inference) from many threads is safe.
 */
public final class Tensor implements AutoCloseable {
    final Storage storage;
    final int offset;
    private final int[] shape;
    private final int[] strides;
    private final DType dtype;
    private boolean requiresGrad;
    private boolean closed;
    Tensor grad;
    Autograd.Node gradFn;
    Scope owner;

    Tensor(Storage storage, int offset, int[] shape, int[] strides, DType dtype) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.dtype = dtype;
        Scope scope = Scope.current();
        if (scope != null) {
            scope.adopt(this);
        }
    }

    /** A new contiguous tensor with undefined contents. */
    static Tensor empty(Device device, DType dtype, int... shape) {
        checkShape("empty", shape);
        int size = Operand.sizeOf(shape);
        Storage storage = new Storage(device, device.backend().allocate(dtype, size));
        return new Tensor(storage, 0, shape.clone(), Operand.rowMajorStrides(shape), dtype);
    }

    /** A new tensor object over this one's storage (the storage gains a reference). */
    Tensor view(int offset, int[] shape, int[] strides) {
        storage.retain();
        return new Tensor(storage, offset, shape, strides, dtype);
    }

    // ---------------------------------------------------------------- creation

    /** Zeros of FLOAT32 on the default device. */
    public static Tensor zeros(int... shape) {
        return full(Device.getDefault(), 0, DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        return full(Device.getDefault(), 0, dtype, shape);
    }

    public static Tensor zeros(Device device, DType dtype, int... shape) {
        return full(device, 0, dtype, shape);
    }

    /** Ones of FLOAT32 on the default device. */
    public static Tensor ones(int... shape) {
        return full(Device.getDefault(), 1, DType.FLOAT32, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(Device.getDefault(), 1, dtype, shape);
    }

    public static Tensor ones(Device device, DType dtype, int... shape) {
        return full(device, 1, dtype, shape);
    }

    public static Tensor full(double value, DType dtype, int... shape) {
        return full(Device.getDefault(), value, dtype, shape);
    }

    /** A tensor of {@code shape} with every element {@code value}, converted to {@code dtype}. */
    public static Tensor full(Device device, double value, DType dtype, int... shape) {
        checkShape("full", shape);
        Tensor tensor = empty(device, dtype, shape);
        Dispatch.launch("fill", "full", device, 0, () -> device.backend().fill(tensor.operand(), value),
                tensor.operand());
        return tensor;
    }

    /** A scalar (rank 0) FLOAT32 tensor. */
    public static Tensor scalar(double value) {
        return full(Device.getDefault(), value, DType.FLOAT32);
    }

    public static Tensor scalar(double value, DType dtype) {
        return full(Device.getDefault(), value, dtype);
    }

    /** {@code 0, 1, ..., end - 1} as INT64. */
    public static Tensor arange(long end) {
        return arange(Device.getDefault(), 0, end, 1, DType.INT64);
    }

    /** {@code start, start + step, ...} below {@code end} (above, for a negative step), in {@code dtype}. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        return arange(Device.getDefault(), start, end, step, dtype);
    }

    public static Tensor arange(Device device, double start, double end, double step, DType dtype) {
        if (step == 0 || Double.isNaN(step)) {
            throw new IllegalArgumentException("arange: step must be non-zero, got " + step);
        }
        double count = Math.ceil((end - start) / step);
        int length = (int) Math.max(0, count);
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = start + i * step;
        }
        return of(device, HostArrays.fromDoubles(values, dtype), length);
    }

    /** A FLOAT32 tensor holding {@code data} in row-major order; 1-D when no shape is given. */
    public static Tensor of(float[] data, int... shape) {
        return of(Device.getDefault(), data, shape);
    }

    public static Tensor of(double[] data, int... shape) {
        return of(Device.getDefault(), data, shape);
    }

    public static Tensor of(int[] data, int... shape) {
        return of(Device.getDefault(), data, shape);
    }

    public static Tensor of(long[] data, int... shape) {
        return of(Device.getDefault(), data, shape);
    }

    public static Tensor of(boolean[] data, int... shape) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        return of(Device.getDefault(), bytes, shape);
    }

    /**
     * A tensor on {@code device} holding a host array ({@code float[]}, {@code double[]},
     * {@code int[]}, {@code long[]}, or {@code byte[]} of 0/1 for BOOL), copied.
     */
    public static Tensor of(Device device, Object hostArray, int... shape) {
        DType dtype = DType.ofArray(hostArray);
        int length = java.lang.reflect.Array.getLength(hostArray);
        int[] resolved = shape.length == 0 ? new int[] {length} : shape;
        checkShape("of", resolved);
        if (Operand.sizeOf(resolved) != length) {
            throw new IllegalArgumentException("of: " + length + " values do not fill shape " + Arrays.toString(resolved));
        }
        Tensor tensor = empty(device, dtype, resolved);
        device.backend().write(hostArray, 0, tensor.storage.buffer, 0, length);
        return tensor;
    }

    /** Uniform values on [0, 1), FLOAT32 on the default device; the same on every backend for a seed. */
    public static Tensor rand(long seed, int... shape) {
        return random(Device.getDefault(), Distribution.UNIFORM, DType.FLOAT32, seed, 0, shape);
    }

    /** Standard normal values, FLOAT32 on the default device; the same on every backend for a seed. */
    public static Tensor randn(long seed, int... shape) {
        return random(Device.getDefault(), Distribution.NORMAL, DType.FLOAT32, seed, 0, shape);
    }

    /**
     * Random values from the counter-based Philox generator: element i (row-major) takes counter
     * {@code offset + i}, so a fill at offset k equals the tail of a fill at offset 0.
     */
    public static Tensor random(Device device, Distribution distribution, DType dtype, long seed, long offset,
                                int... shape) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("random: dtype must be floating, got " + dtype.shortName());
        }
        Tensor tensor = empty(device, dtype, shape);
        Dispatch.launch("random", distribution == Distribution.UNIFORM ? "rand" : "randn", device, 0,
                () -> device.backend().random(distribution, seed, offset, tensor.operand()), tensor.operand());
        return tensor;
    }

    // ---------------------------------------------------------------- metadata

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    int[] shapeRef() {
        return shape;
    }

    /** The extent of {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return shape[Checks.axis("dim", axis, rank())];
    }

    /** The strides in elements (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    int[] stridesRef() {
        return strides;
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public int numel() {
        return Operand.sizeOf(shape);
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return storage.device;
    }

    /** True when the elements lie dense and row-major. */
    public boolean isContiguous() {
        return operandUnchecked().isContiguous();
    }

    /** What kernels see of this tensor. */
    Operand operand() {
        checkOpen("kernel launch");
        return operandUnchecked();
    }

    private Operand operandUnchecked() {
        return new Operand(storage.buffer, dtype, offset, shape, strides);
    }

    int version() {
        return storage.version();
    }

    void bumpVersion() {
        storage.bumpVersion();
    }

    /** {@code float32[2, 3] on cpu}, for messages. */
    String describe() {
        return dtype.shortName() + Arrays.toString(shape) + " on " + storage.device.name()
                + (closed ? " (closed)" : "");
    }

    void checkOpen(String op) {
        if (closed || storage.isReleased()) {
            throw new IllegalStateException(op + ": tensor " + dtype.shortName() + Arrays.toString(shape)
                    + " was already closed (by close() or by its Scope)");
        }
    }

    static void checkShape(String op, int[] shape) {
        for (int extent : shape) {
            if (extent < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as needing a gradient (floating dtypes only); returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a tensor computed by an op: use detach()");
        }
        if (value && !dtype.isFloating()) {
            throw new IllegalArgumentException("only floating tensors can require grad, got " + dtype.shortName());
        }
        requiresGrad = value;
        return this;
    }

    void setRequiresGradInternal(boolean value) {
        requiresGrad = value;
    }

    /** True for tensors not computed by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The accumulated gradient of a leaf, or null before any backward reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Frees and forgets the accumulated gradient. */
    public void zeroGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    /** Backward from a scalar: as {@code backward(ones)}. */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward() without a gradient needs a single-element tensor, got shape "
                    + Arrays.toString(shape) + "; pass the output's gradient to backward(grad)");
        }
        try (Scope scope = Scope.open()) {
            Autograd.backward(this, full(device(), 1, dtype, shape));
        }
    }

    /** Backward with {@code gradient} as the gradient of this tensor (its shape). */
    public void backward(Tensor gradient) {
        if (!Arrays.equals(gradient.shape, shape)) {
            throw Checks.error("backward", "gradient shape differs from the tensor's", this, gradient);
        }
        Autograd.backward(this, gradient);
    }

    /** A view sharing storage, outside the graph. */
    public Tensor detach() {
        return view(offset, shape, strides);
    }

    // ---------------------------------------------------------------- lifetime

    /** Frees this tensor's reference to its storage (the memory goes when the last view closes). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            storage.release();
            if (grad != null) {
                grad.close();
                grad = null;
            }
            gradFn = null;
        }
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- moving, copying, reading

    /** This tensor on {@code device} (itself when already there); differentiable. */
    public Tensor to(Device device) {
        return ShapeOps.toDevice(this, device);
    }

    /** This tensor converted to {@code dtype} (itself when already so); differentiable between floats. */
    public Tensor to(DType target) {
        return target == dtype ? this : ElementwiseOps.cast(this, target);
    }

    /** This tensor, or a dense row-major copy when it is a strided view; differentiable. */
    public Tensor contiguous() {
        return isContiguous() ? this : ShapeOps.copy(this, "contiguous");
    }

    /** A dense copy with its own storage; differentiable. */
    public Tensor copy() {
        return ShapeOps.copy(this, "copy");
    }

    /** The value of a single-element tensor, as a double. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a single-element tensor, got shape " + Arrays.toString(shape));
        }
        return HostArrays.toDoubles(toHostArray())[0];
    }

    public float[] toFloatArray() {
        return (float[]) hostArrayAs(DType.FLOAT32);
    }

    public double[] toDoubleArray() {
        return (double[]) hostArrayAs(DType.FLOAT64);
    }

    public int[] toIntArray() {
        return (int[]) hostArrayAs(DType.INT32);
    }

    public long[] toLongArray() {
        return (long[]) hostArrayAs(DType.INT64);
    }

    public boolean[] toBooleanArray() {
        byte[] bytes = (byte[]) hostArrayAs(DType.BOOL);
        boolean[] values = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            values[i] = bytes[i] != 0;
        }
        return values;
    }

    /** The elements converted to {@code target}, as its host array; a converted copy is freed at once. */
    private Object hostArrayAs(DType target) {
        try (Autograd.GradMode off = Autograd.noGrad()) {
            Tensor converted = to(target);
            try {
                return converted.toHostArray();
            } finally {
                if (converted != this) {
                    converted.close();
                }
            }
        }
    }

    /** The elements in row-major order as a host array of this dtype. */
    Object toHostArray() {
        checkOpen("read");
        Object array = dtype.newArray(numel());
        if (numel() == 0) {
            return array;
        }
        Tensor dense = contiguous();
        device().backend().read(dense.storage.buffer, dense.offset, array, 0, numel());
        if (dense != this) {
            dense.close();
        }
        return array;
    }

    /** Like NumPy and PyTorch: the values (summarised past 1000 elements), dtype and device. */
    @Override
    public String toString() {
        if (closed) {
            return "tensor(closed, " + describe() + ")";
        }
        return TensorFormat.format(this);
    }

    // ---------------------------------------------------------------- views and shapes

    /** A view of {@code length} elements from {@code start} by {@code step} along {@code axis}; not recorded. */
    Tensor sliceView(int axis, int start, int length, int step) {
        int[] newShape = shape.clone();
        int[] newStrides = strides.clone();
        newShape[axis] = length;
        newStrides[axis] *= step;
        return view(offset + (length == 0 ? 0 : start * strides[axis]), newShape, newStrides);
    }

    /** The same elements in a new shape (one extent may be -1); a view when strides allow. */
    public Tensor reshape(int... newShape) {
        return ShapeOps.reshape(this, newShape, false);
    }

    /** Like {@link #reshape} but never copies: fails when the strides do not allow a view. */
    public Tensor view(int... newShape) {
        return ShapeOps.reshape(this, newShape, true);
    }

    /** Reorders the axes: axis i of the result is axis {@code order[i]} of this tensor. */
    public Tensor permute(int... order) {
        return ShapeOps.permute(this, order);
    }

    public Tensor transpose(int axisA, int axisB) {
        return ShapeOps.transpose(this, axisA, axisB);
    }

    /** The transpose of a matrix (swaps the last two axes). */
    public Tensor t() {
        if (rank() < 2) {
            throw new IllegalArgumentException("t(): needs rank >= 2, got shape " + Arrays.toString(shape));
        }
        return transpose(-2, -1);
    }

    /** Elements {@code start <= i < end} along {@code axis} (negative values count from the end). */
    public Tensor slice(int axis, int start, int end) {
        return ShapeOps.slice(this, axis, start, end, 1);
    }

    public Tensor slice(int axis, int start, int end, int step) {
        return ShapeOps.slice(this, axis, start, end, step);
    }

    /** The slice at {@code index} along {@code axis}, with that axis removed. */
    public Tensor select(int axis, int index) {
        return ShapeOps.select(this, axis, index);
    }

    /** A broadcast view to {@code newShape} (-1 keeps an extent); size-1 axes repeat by stride 0. */
    public Tensor expand(int... newShape) {
        return ShapeOps.expand(this, newShape);
    }

    /** Removes every axis of extent 1. */
    public Tensor squeeze() {
        return ShapeOps.squeeze(this, null);
    }

    public Tensor squeeze(int axis) {
        return ShapeOps.squeeze(this, axis);
    }

    /** Inserts an axis of extent 1 at {@code axis}. */
    public Tensor unsqueeze(int axis) {
        return ShapeOps.unsqueeze(this, axis);
    }

    /** Flattens axes {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        return ShapeOps.flatten(this, start, end);
    }

    public Tensor flatten() {
        return flatten(0, -1);
    }

    // ---------------------------------------------------------------- elementwise

    public Tensor add(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.ADD, this, other);
    }

    public Tensor add(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.ADD, this, value, false);
    }

    public Tensor sub(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.SUB, this, other);
    }

    public Tensor sub(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.SUB, this, value, false);
    }

    /** {@code value - this}. */
    public Tensor rsub(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.SUB, this, value, true);
    }

    public Tensor mul(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.MUL, this, other);
    }

    public Tensor mul(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.MUL, this, value, false);
    }

    public Tensor div(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.DIV, this, other);
    }

    public Tensor div(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.DIV, this, value, false);
    }

    /** {@code value / this}. */
    public Tensor rdiv(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.DIV, this, value, true);
    }

    public Tensor pow(Tensor exponent) {
        return ElementwiseOps.binary(BinaryOp.POW, this, exponent);
    }

    public Tensor pow(double exponent) {
        return ElementwiseOps.binaryScalar(BinaryOp.POW, this, exponent, false);
    }

    /** Elementwise maximum; NaN propagates; the gradient splits in half on ties. */
    public Tensor maximum(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.MAXIMUM, this, other);
    }

    public Tensor minimum(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.MINIMUM, this, other);
    }

    /** Floor of the quotient, Python's {@code //}. */
    public Tensor floorDiv(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.FLOOR_DIV, this, other);
    }

    /** Python's {@code %}: the result has the divisor's sign. */
    public Tensor remainder(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.REMAINDER, this, other);
    }

    public Tensor neg() {
        return ElementwiseOps.unary(UnaryOp.NEG, this, 0);
    }

    public Tensor abs() {
        return ElementwiseOps.unary(UnaryOp.ABS, this, 0);
    }

    public Tensor sign() {
        return ElementwiseOps.unary(UnaryOp.SIGN, this, 0);
    }

    public Tensor exp() {
        return ElementwiseOps.unary(UnaryOp.EXP, this, 0);
    }

    public Tensor log() {
        return ElementwiseOps.unary(UnaryOp.LOG, this, 0);
    }

    public Tensor sqrt() {
        return ElementwiseOps.unary(UnaryOp.SQRT, this, 0);
    }

    public Tensor tanh() {
        return ElementwiseOps.unary(UnaryOp.TANH, this, 0);
    }

    public Tensor erf() {
        return ElementwiseOps.unary(UnaryOp.ERF, this, 0);
    }

    public Tensor sigmoid() {
        return ElementwiseOps.unary(UnaryOp.SIGMOID, this, 0);
    }

    public Tensor relu() {
        return ElementwiseOps.unary(UnaryOp.RELU, this, 0);
    }

    /** {@code x} where positive, else {@code slope * x}. */
    public Tensor leakyRelu(double slope) {
        return ElementwiseOps.unary(UnaryOp.LEAKY_RELU, this, slope);
    }

    /** {@code x * sigmoid(x)}. */
    public Tensor silu() {
        return ElementwiseOps.unary(UnaryOp.SILU, this, 0);
    }

    /** Exact GELU, {@code x Φ(x)} with erf (the reference computes erf to about 1e-15). */
    public Tensor gelu() {
        return ElementwiseOps.unary(UnaryOp.GELU, this, 0);
    }

    /** GELU's tanh approximation (differs from exact GELU by at most about 5e-4). */
    public Tensor geluTanh() {
        return ElementwiseOps.unary(UnaryOp.GELU_TANH, this, 0);
    }

    /** Limits every element to {@code [min, max]}; NaN stays NaN; gradient 1 inside, 0 outside. */
    public Tensor clamp(double min, double max) {
        return ElementwiseOps.clamp(this, min, max);
    }

    public Tensor eq(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.EQ, this, other);
    }

    public Tensor eq(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.EQ, this, value, false);
    }

    public Tensor ne(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.NE, this, other);
    }

    public Tensor ne(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.NE, this, value, false);
    }

    public Tensor lt(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.LT, this, other);
    }

    public Tensor lt(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.LT, this, value, false);
    }

    public Tensor le(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.LE, this, other);
    }

    public Tensor le(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.LE, this, value, false);
    }

    public Tensor gt(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.GT, this, other);
    }

    public Tensor gt(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.GT, this, value, false);
    }

    public Tensor ge(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.GE, this, other);
    }

    public Tensor ge(double value) {
        return ElementwiseOps.binaryScalar(BinaryOp.GE, this, value, false);
    }

    public Tensor logicalNot() {
        return ElementwiseOps.unary(UnaryOp.NOT, this, 0);
    }

    public Tensor logicalAnd(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.AND, this, other);
    }

    public Tensor logicalOr(Tensor other) {
        return ElementwiseOps.binary(BinaryOp.OR, this, other);
    }

    /** {@code condition ? a : b} elementwise, broadcasting all three; differentiable in a and b. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return ElementwiseOps.where(condition, a, b);
    }

    // ---------------------------------------------------------------- in place (optimizers)

    /** {@code this += other} in place (bumps the version); not recorded by autograd. */
    public Tensor addInPlace(Tensor other) {
        return ElementwiseOps.inPlace(BinaryOp.ADD, this, other);
    }

    /** {@code this *= value} in place. */
    public Tensor mulInPlace(double value) {
        return ElementwiseOps.inPlaceScalar(BinaryOp.MUL, this, value);
    }

    /** Copies {@code source} (broadcast to this shape, converted to this dtype) into this tensor. */
    public Tensor copyFrom(Tensor source) {
        return ElementwiseOps.assign(this, source);
    }

    /**
     * Evaluates a fused elementwise expression in one launch and writes it into this tensor:
     * input slot 0 of {@code expr} reads this tensor, slot i reads {@code operands[i - 1]}
     * (broadcast to this shape). This is how an optimizer step is one launch per parameter:
     * e.g. SGD with momentum is {@code p - lr * (mu * v + g)} over (p, v, g). Not recorded by
     * autograd; bumps the version.
     */
    public Tensor updateInPlace(io.gasok.spi.Expr expr, Tensor... operands) {
        return ElementwiseOps.update(this, expr, operands);
    }

    /**
     * Evaluates a fused elementwise expression in one launch into a new tensor: input slot i of
     * {@code expr} reads {@code inputs[i]}, all broadcast together (NumPy's rules); the result has
     * the broadcast shape and the expression's dtype. Not recorded by autograd: an op built on it
     * records its own backward ({@link Autograd#record}), typically another such launch, as
     * {@code nn}'s dropout and cross-entropy do.
     */
    public static Tensor evaluate(io.gasok.spi.Expr expr, Tensor... inputs) {
        return ElementwiseOps.evaluateChecked(expr, inputs);
    }

    /**
     * Updates several tensors of one shape in one fused launch: target k becomes {@code exprs[k]},
     * in which input slot i reads {@code targets[i]} for i below the number of targets and
     * {@code operands[i - targets.length]} after them (broadcast to the targets' shape). Every
     * expression sees the values from before the launch. This is how Adam updates a parameter and
     * both of its moments in one launch. The targets must not share elements; not recorded by
     * autograd; bumps the targets' versions.
     */
    public static void updateAllInPlace(Tensor[] targets, io.gasok.spi.Expr[] exprs, Tensor... operands) {
        ElementwiseOps.updateAll(targets, exprs, operands);
    }

    /** Sets every element to {@code value} in place. */
    public Tensor fill(double value) {
        return ElementwiseOps.fillInPlace(this, value);
    }

    // ---------------------------------------------------------------- reductions

    /** The sum of all elements, as a scalar. */
    public Tensor sum() {
        return ReduceOps.sum(this, null, false);
    }

    /** The sum over {@code axes} (dropping them). */
    public Tensor sum(int... axes) {
        return ReduceOps.sum(this, axes, false);
    }

    public Tensor sum(int[] axes, boolean keepDim) {
        return ReduceOps.sum(this, axes, keepDim);
    }

    public Tensor mean() {
        return ReduceOps.mean(this, null, false);
    }

    public Tensor mean(int... axes) {
        return ReduceOps.mean(this, axes, false);
    }

    public Tensor mean(int[] axes, boolean keepDim) {
        return ReduceOps.mean(this, axes, keepDim);
    }

    public Tensor max() {
        return ReduceOps.extreme(ReduceOp.MAX, this, null, false);
    }

    public Tensor max(int[] axes, boolean keepDim) {
        return ReduceOps.extreme(ReduceOp.MAX, this, axes, keepDim);
    }

    public Tensor min() {
        return ReduceOps.extreme(ReduceOp.MIN, this, null, false);
    }

    public Tensor min(int[] axes, boolean keepDim) {
        return ReduceOps.extreme(ReduceOp.MIN, this, axes, keepDim);
    }

    /** The flat (row-major) index of the first maximum, INT64 scalar. */
    public Tensor argmax() {
        return ReduceOps.arg(ReduceOp.ARGMAX, this.reshape(-1), 0, false);
    }

    /** Indices of the first maximum along {@code axis}, INT64. */
    public Tensor argmax(int axis, boolean keepDim) {
        return ReduceOps.arg(ReduceOp.ARGMAX, this, axis, keepDim);
    }

    public Tensor argmin(int axis, boolean keepDim) {
        return ReduceOps.arg(ReduceOp.ARGMIN, this, axis, keepDim);
    }

    /** Variance over all elements with Bessel's correction (correction 1). */
    public Tensor var() {
        return ReduceOps.var(this, null, 1, false);
    }

    /** Variance over {@code axes}: {@code Σ(x - mean)² / (n - correction)}. */
    public Tensor var(int[] axes, int correction, boolean keepDim) {
        return ReduceOps.var(this, axes, correction, keepDim);
    }

    public Tensor std(int[] axes, int correction, boolean keepDim) {
        return ReduceOps.var(this, axes, correction, keepDim).sqrt();
    }

    // ---------------------------------------------------------------- linear algebra, softmax

    /**
     * Matrix product with NumPy's rules: 1-D operands are promoted to a row or column and the
     * added axis removed; leading (batch) axes broadcast.
     */
    public Tensor matmul(Tensor other) {
        return LinalgOps.matmul(this, other);
    }

    /**
     * {@code this · weightᵀ + bias} over the last axis (PyTorch's {@code F.linear}): this is
     * {@code [..., in]}, {@code weight [out, in]}, {@code bias [out]} or null. One GEMM launch with
     * the bias added in its epilogue; differentiable in all three.
     */
    public Tensor linear(Tensor weight, Tensor bias) {
        return LinalgOps.linear(this, weight, bias, false);
    }

    /** {@code relu(this · weightᵀ + bias)}: {@link #linear} with the ReLU in the same GEMM epilogue. */
    public Tensor linearRelu(Tensor weight, Tensor bias) {
        return LinalgOps.linear(this, weight, bias, true);
    }

    public Tensor softmax(int axis) {
        return SoftmaxOps.softmax(this, axis, false);
    }

    public Tensor logSoftmax(int axis) {
        return SoftmaxOps.softmax(this, axis, true);
    }

    // ---------------------------------------------------------------- convolution, pooling, resizing

    /** 2-D convolution of NCHW input with stride 1, no padding; {@code bias} may be null. */
    public Tensor conv2d(Tensor weight, Tensor bias) {
        return conv2d(weight, bias, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1);
    }

    public Tensor conv2d(Tensor weight, Tensor bias, int stride, int padding) {
        return conv2d(weight, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, 1);
    }

    /**
     * 2-D convolution (cross-correlation) of NCHW input with weights {@code [outC, inC/groups, kH, kW]}.
     * {@code padding} is {pad_h, pad_w} or {top, left, bottom, right}; zero padding. With
     * {@code groups == inC == outC} it runs the depthwise kernel.
     */
    public Tensor conv2d(Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return ConvOps.conv2d(this, weight, bias, stride, padding, dilation, groups);
    }

    public Tensor maxPool2d(int kernel, int stride, int padding) {
        return maxPool2d(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, false);
    }

    /** Max pooling of NCHW input; padded positions never win; {@code padding} as in {@link #conv2d}. */
    public Tensor maxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return ConvOps.pool2d(this, Pool2dSpec.Kind.MAX, kernel, stride, padding, ceilMode, false);
    }

    public Tensor avgPool2d(int kernel, int stride, int padding) {
        return avgPool2d(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, false, true);
    }

    /** Average pooling; padded positions count in the divisor only when {@code countIncludePad}. */
    public Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        return ConvOps.pool2d(this, Pool2dSpec.Kind.AVG, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Nearest-neighbour upsampling of NCHW input by an integer factor. */
    public Tensor upsampleNearest(int scale) {
        boolean nchw = rank() == 4;
        return upsampleNearest(nchw ? dim(2) * scale : 0, nchw ? dim(3) * scale : 0);
    }

    public Tensor upsampleNearest(int outHeight, int outWidth) {
        return ConvOps.upsample2d(this, Upsample2dSpec.Mode.NEAREST, outHeight, outWidth, false);
    }

    /** Bilinear resizing of NCHW input (see {@link Upsample2dSpec} for the coordinate rules). */
    public Tensor upsampleBilinear(int outHeight, int outWidth, boolean alignCorners) {
        return ConvOps.upsample2d(this, Upsample2dSpec.Mode.BILINEAR, outHeight, outWidth, alignCorners);
    }

    // ---------------------------------------------------------------- joining and indexing

    /**
     * Constant padding, PyTorch's order: {@code padding} holds (before, after) pairs starting with
     * the last axis; negative values crop.
     */
    public Tensor pad(int[] padding, double value) {
        return IndexOps.pad(this, padding, value);
    }

    /** Joins tensors of one dtype and device along {@code axis}; the other extents must agree. */
    public static Tensor concat(List<Tensor> tensors, int axis) {
        return IndexOps.concat(tensors, axis);
    }

    public static Tensor concat(int axis, Tensor... tensors) {
        return IndexOps.concat(List.of(tensors), axis);
    }

    /** PyTorch's gather: {@code out[..i..] = this[..index[..i..]..]} along {@code axis}; index INT64. */
    public Tensor gather(int axis, Tensor index) {
        return IndexOps.gather(this, axis, index);
    }

    /** Whole slices along {@code axis} picked by a 1-D INT64 (or INT32) index (ONNX's Gather). */
    public Tensor indexSelect(int axis, Tensor index) {
        return IndexOps.indexSelect(this, axis, index);
    }

    /** A copy of this tensor with {@code src} added at {@code index} along {@code axis} (scatter_add). */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        return IndexOps.scatterAdd(this, axis, index, src);
    }
}
