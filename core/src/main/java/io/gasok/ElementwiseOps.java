package io.gasok;

import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;

/**
 * The elementwise ops: each is one fused launch of {@link io.gasok.spi.Backend#elementwise} over
 * broadcast operands, and each backward is one more fused launch built from the op's own
 * derivative ({@link UnaryOp#derivative}, {@link BinaryOp#partials}) times the incoming gradient,
 * then summed down to the operand's shape where it was broadcast. The in-place updates are fused
 * launches too: into one target, or into several in one launch (an optimizer's parameter and its
 * state, {@link #updateAll}).
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    /**
     * Evaluates {@code expr} over {@code inputs} broadcast to one shape (NumPy's rules) into a new
     * tensor of the expression's dtype.
     */
    static Tensor evaluate(String op, Expr expr, Tensor... inputs) {
        Device device = Checks.sameDevice(op, inputs);
        int[] shape = inputs[0].shapeRef();
        for (int i = 1; i < inputs.length; i++) {
            shape = Checks.broadcast(op, shape, inputs[i].shapeRef());
        }
        Tensor out = Tensor.empty(device, expr.dtype(), shape);
        Operand[] operands = new Operand[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            operands[i] = broadcastOperand(inputs[i], shape);
        }
        Operand result = out.operand();
        Operand[] launched = java.util.Arrays.copyOf(operands, operands.length + 1);
        launched[operands.length] = result;
        Dispatch.launch("elementwise", op, device, out.numel(),
                () -> device.backend().elementwise(expr, operands, result), launched);
        return out;
    }

    /** {@link #evaluate} for a caller's expression: checks that it reads only the inputs given, with their dtypes. */
    static Tensor evaluateChecked(Expr expr, Tensor... inputs) {
        String name = "evaluate";
        if (inputs.length == 0) {
            throw new IllegalArgumentException(name + ": needs at least one input tensor (it gives the shape)");
        }
        checkInputs(name, expr, inputs);
        return evaluate(name, expr, inputs);
    }

    /** {@code tensor}'s operand seen with {@code shape}: aligned right, stride 0 on broadcast axes. */
    static Operand broadcastOperand(Tensor tensor, int[] shape) {
        int[] own = tensor.shapeRef();
        int[] ownStrides = tensor.stridesRef();
        if (java.util.Arrays.equals(own, shape)) {
            return tensor.operand();
        }
        int[] strides = new int[shape.length];
        int lead = shape.length - own.length;
        for (int d = 0; d < shape.length; d++) {
            strides[d] = d < lead || own[d - lead] == 1 ? 0 : ownStrides[d - lead];
        }
        Operand base = tensor.operand();
        return new Operand(base.buffer(), base.dtype(), base.offset(), shape.clone(), strides);
    }

    /** {@code op(x)}. */
    static Tensor unary(UnaryOp op, Tensor x, double param) {
        Tensor y = evaluate(op.opName(), Expr.unary(op, Expr.input(0, x.dtype()), param), x);
        if (Autograd.needsGrad(x)) {
            DType t = x.dtype();
            Expr derivative = op.derivative(Expr.input(1, t), Expr.input(2, t), param);
            Expr grad = Expr.mul(Expr.input(0, t), derivative);
            Autograd.Saved savedX = Autograd.save(x);
            Autograd.Saved savedY = Autograd.save(y);
            boolean usesX = reads(grad, 1);
            boolean usesY = reads(grad, 2);
            Autograd.record(op.opName(), y, gy -> new Tensor[] {
                    evaluate(op.opName() + "_backward", grad, gy,
                            usesX ? savedX.get() : gy, usesY ? savedY.get() : gy)}, x);
        }
        return y;
    }

    /**
     * The gradient of a ReLU from its output: {@code gy · [y > 0]}, the expression of ReLU's own
     * backward with {@code y} read where it reads {@code x} (the same mask: {@code relu(x) > 0}
     * exactly where {@code x > 0}). For fused ops that keep only the activated output.
     */
    static Tensor reluBackwardFromOutput(Tensor gy, Tensor y) {
        DType t = y.dtype();
        Expr grad = Expr.mul(Expr.input(0, t), UnaryOp.RELU.derivative(Expr.input(1, t), Expr.input(1, t), 0));
        return evaluate("relu_backward", grad, gy, y);
    }

    /** {@code op(a, b)} with broadcasting and type promotion. */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        Expr expr = Expr.binary(op, Expr.input(0, a.dtype()), Expr.input(1, b.dtype()));
        Tensor y = evaluate(op.opName(), expr, a, b);
        if (Autograd.needsGrad(a, b)) {
            recordBinaryBackward(op, a, b, y);
        }
        return y;
    }

    private static void recordBinaryBackward(BinaryOp op, Tensor a, Tensor b, Tensor y) {
        DType compute = op.computeType(DType.promote(a.dtype(), b.dtype()));
        Expr[] partials = op.partials(Expr.cast(Expr.input(1, a.dtype()), compute),
                Expr.cast(Expr.input(2, b.dtype()), compute), Expr.input(3, y.dtype()));
        if (partials == null) {
            return;
        }
        Autograd.Saved savedA = Autograd.save(a);
        Autograd.Saved savedB = Autograd.save(b);
        Autograd.Saved savedY = Autograd.save(y);
        String backwardName = op.opName() + "_backward";
        Autograd.record(op.opName(), y, gy -> {
            Tensor[] grads = new Tensor[2];
            Tensor[] operands = {a, b};
            for (int i = 0; i < 2; i++) {
                if (!operands[i].requiresGrad()) {
                    continue;
                }
                Expr grad = Expr.mul(Expr.input(0, gy.dtype()), partials[i]);
                Tensor full = evaluate(backwardName, grad, gy,
                        reads(grad, 1) ? savedA.get() : gy, reads(grad, 2) ? savedB.get() : gy,
                        reads(grad, 3) ? savedY.get() : gy);
                grads[i] = ReduceOps.sumTo(full, operands[i].shapeRef()).to(operands[i].dtype());
            }
            return grads;
        }, a, b);
    }

    /**
     * {@code op(a, value)} (or {@code op(value, a)} when {@code reversed}). The scalar takes
     * {@code a}'s dtype, except that a fractional scalar with an integer tensor gives FLOAT32.
     */
    static Tensor binaryScalar(BinaryOp op, Tensor a, double value, boolean reversed) {
        DType scalarType = scalarType(a.dtype(), value);
        Expr tensorSide = Expr.input(0, a.dtype());
        Expr scalarSide = Expr.constant(value, scalarType);
        Expr expr = reversed ? Expr.binary(op, scalarSide, tensorSide) : Expr.binary(op, tensorSide, scalarSide);
        Tensor y = evaluate(op.opName(), expr, a);
        if (Autograd.needsGrad(a)) {
            DType compute = op.computeType(DType.promote(a.dtype(), scalarType));
            Expr in = Expr.cast(Expr.input(1, a.dtype()), compute);
            Expr constant = Expr.constant(value, compute);
            Expr[] partials = reversed ? op.partials(constant, in, Expr.input(2, y.dtype()))
                    : op.partials(in, constant, Expr.input(2, y.dtype()));
            if (partials != null) {
                Expr grad = Expr.mul(Expr.input(0, y.dtype()), partials[reversed ? 1 : 0]);
                Autograd.Saved savedA = Autograd.save(a);
                Autograd.Saved savedY = Autograd.save(y);
                Autograd.record(op.opName(), y, gy -> new Tensor[] {
                        evaluate(op.opName() + "_backward", grad, gy, reads(grad, 1) ? savedA.get() : gy,
                                reads(grad, 2) ? savedY.get() : gy).to(a.dtype())}, a);
            }
        }
        return y;
    }

    private static DType scalarType(DType tensorType, double value) {
        if (tensorType.isFloating()) {
            return tensorType;
        }
        if (value != Math.rint(value) || Double.isInfinite(value)) {
            return DType.FLOAT32;
        }
        return tensorType == DType.BOOL ? DType.INT64 : tensorType;
    }

    /** {@code condition ? a : b}, broadcasting all three. */
    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        if (condition.dtype() != DType.BOOL) {
            throw Checks.error("where", "condition must be bool, got " + condition.dtype().shortName(), condition, a, b);
        }
        Expr expr = Expr.where(Expr.input(0, DType.BOOL), Expr.input(1, a.dtype()), Expr.input(2, b.dtype()));
        Tensor y = evaluate("where", expr, condition, a, b);
        if (Autograd.needsGrad(a, b)) {
            Autograd.Saved savedCondition = Autograd.save(condition);
            Autograd.record("where", y, gy -> {
                Tensor zero = Tensor.zeros(gy.device(), gy.dtype());
                Tensor mask = savedCondition.get();
                Tensor ga = a.requiresGrad() ? ReduceOps.sumTo(where(mask, gy, zero), a.shapeRef()).to(a.dtype()) : null;
                Tensor gb = b.requiresGrad() ? ReduceOps.sumTo(where(mask, zero, gy), b.shapeRef()).to(b.dtype()) : null;
                return new Tensor[] {null, ga, gb};
            }, condition, a, b);
        }
        return y;
    }

    /** {@code min(max(x, low), high)}; NaN stays NaN; gradient 1 where {@code low <= x <= high}. */
    static Tensor clamp(Tensor x, double low, double high) {
        if (low > high) {
            throw Checks.error("clamp", "min " + low + " is greater than max " + high, x);
        }
        DType t = x.dtype();
        Expr in = Expr.input(0, t);
        Expr expr = Expr.binary(BinaryOp.MINIMUM, Expr.binary(BinaryOp.MAXIMUM, in, Expr.constant(low, t)),
                Expr.constant(high, t));
        Tensor y = evaluate("clamp", expr, x);
        if (Autograd.needsGrad(x)) {
            Expr xs = Expr.input(1, t);
            Expr inside = Expr.binary(BinaryOp.AND, Expr.binary(BinaryOp.GE, xs, Expr.constant(low, t)),
                    Expr.binary(BinaryOp.LE, xs, Expr.constant(high, t)));
            Expr grad = Expr.where(inside, Expr.input(0, t), Expr.constant(0, t));
            Autograd.Saved savedX = Autograd.save(x);
            Autograd.record("clamp", y, gy -> new Tensor[] {evaluate("clamp_backward", grad, gy, savedX.get())}, x);
        }
        return y;
    }

    /** Conversion to {@code dtype}; differentiable between floating types. */
    static Tensor cast(Tensor x, DType dtype) {
        Tensor y = evaluate("cast", Expr.cast(Expr.input(0, x.dtype()), dtype), x);
        if (dtype.isFloating() && Autograd.needsGrad(x)) {
            Autograd.record("cast", y, gy -> new Tensor[] {gy.to(x.dtype())}, x);
        }
        return y;
    }

    /** {@code target = op(target, other)} in place; other broadcasts to target's shape. */
    static Tensor inPlace(BinaryOp op, Tensor target, Tensor other) {
        String name = op.opName() + "_in_place";
        checkInPlace(name, target);
        Tensor source = separate(target, other);
        Expr expr = Expr.cast(Expr.binary(op, Expr.input(0, target.dtype()), Expr.input(1, source.dtype())),
                target.dtype());
        launchInPlace(name, expr, target, source);
        return target;
    }

    /** {@code target = op(target, value)} in place. */
    static Tensor inPlaceScalar(BinaryOp op, Tensor target, double value) {
        String name = op.opName() + "_in_place";
        checkInPlace(name, target);
        Expr expr = Expr.cast(Expr.binary(op, Expr.input(0, target.dtype()),
                Expr.constant(value, scalarType(target.dtype(), value))), target.dtype());
        launchInPlace(name, expr, target);
        return target;
    }

    /** Copies {@code source}, broadcast and converted, into {@code target}. */
    static Tensor assign(Tensor target, Tensor source) {
        checkInPlace("copy_from", target);
        Tensor separated = separate(target, source);
        Expr expr = Expr.cast(Expr.input(1, separated.dtype()), target.dtype());
        launchInPlace("copy_from", expr, target, separated);
        return target;
    }

    /** {@code target = expr(target, operands...)} in one launch (see {@link Tensor#updateInPlace}). */
    static Tensor update(Tensor target, Expr expr, Tensor... operands) {
        String name = "update_in_place";
        checkInPlace(name, target);
        Tensor[] all = new Tensor[operands.length + 1];
        all[0] = target;
        System.arraycopy(operands, 0, all, 1, operands.length);
        checkInputs(name, expr, all);
        Tensor[] separated = new Tensor[operands.length];
        for (int i = 0; i < operands.length; i++) {
            separated[i] = separate(target, operands[i]);
        }
        launchInPlace(name, Expr.cast(expr, target.dtype()), target, separated);
        return target;
    }

    /**
     * {@code targets[k] = exprs[k](targets..., operands...)} for every k in one launch (see
     * {@link Tensor#updateAllInPlace}): the targets share a shape and a device and do not overlap.
     */
    static void updateAll(Tensor[] targets, Expr[] exprs, Tensor... operands) {
        String name = "update_in_place";
        if (targets.length == 0 || targets.length != exprs.length) {
            throw new IllegalArgumentException(name + ": needs one expression per target, got " + exprs.length
                    + " for " + targets.length + " target(s)");
        }
        Tensor[] all = new Tensor[targets.length + operands.length];
        System.arraycopy(targets, 0, all, 0, targets.length);
        System.arraycopy(operands, 0, all, targets.length, operands.length);
        Device device = Checks.sameDevice(name, all);
        int[] shape = targets[0].shapeRef();
        for (int k = 0; k < targets.length; k++) {
            checkInPlace(name, targets[k]);
            if (!java.util.Arrays.equals(targets[k].shapeRef(), shape)) {
                throw Checks.error(name, "the targets differ in shape", targets);
            }
            for (int other = 0; other < k; other++) {
                if (overlaps(targets[k], targets[other])) {
                    throw Checks.error(name, "two targets share elements", targets[other], targets[k]);
                }
            }
            checkInputs(name, exprs[k], all);
        }
        Operand[] inputs = new Operand[all.length];
        Operand[] outs = new Operand[targets.length];
        Expr[] typed = new Expr[targets.length];
        for (int k = 0; k < targets.length; k++) {
            outs[k] = targets[k].operand();
            inputs[k] = outs[k];
            typed[k] = Expr.cast(exprs[k], targets[k].dtype());
        }
        for (int i = 0; i < operands.length; i++) {
            Tensor operand = operands[i];
            for (Tensor target : targets) {
                operand = separate(target, operand);
            }
            int[] broadcast = Checks.broadcast(name, shape, operand.shapeRef());
            if (!java.util.Arrays.equals(broadcast, shape)) {
                throw Checks.error(name, "the operand does not broadcast to the targets' shape", targets[0], operand);
            }
            inputs[targets.length + i] = broadcastOperand(operand, shape);
        }
        Operand[] launched = java.util.Arrays.copyOf(inputs, inputs.length);
        Dispatch.launch("elementwise", name, device, (long) targets.length * targets[0].numel(),
                () -> device.backend().elementwise(typed, inputs, outs), launched);
        for (Tensor target : targets) {
            target.bumpVersion();
        }
    }

    /** True when two views of one storage may share an element (their spans of the buffer intersect). */
    private static boolean overlaps(Tensor a, Tensor b) {
        if (a.storage != b.storage || a.numel() == 0 || b.numel() == 0) {
            return false;
        }
        return a.offset <= lastIndex(b) && b.offset <= lastIndex(a);
    }

    /** The highest buffer index a view with non-negative strides reaches. */
    private static int lastIndex(Tensor tensor) {
        int last = tensor.offset;
        int[] shape = tensor.shapeRef();
        int[] strides = tensor.stridesRef();
        for (int d = 0; d < shape.length; d++) {
            last += (shape[d] - 1) * strides[d];
        }
        return last;
    }

    /**
     * Each input slot {@code expr} reads has a tensor, {@code inputs[slot]}, of the slot's dtype (one
     * walk of the tree, which is most of what an optimizer's small launch costs on the host).
     */
    private static void checkInputs(String name, Expr expr, Tensor[] inputs) {
        switch (expr) {
            case Expr.Input in -> {
                if (in.index() >= inputs.length) {
                    throw Checks.error(name, "the expression reads input " + in.index() + " but " + inputs.length
                            + " tensor(s) were given", inputs);
                }
                Tensor operand = inputs[in.index()];
                if (operand.dtype() != in.dtype()) {
                    throw Checks.error(name, "input " + in.index() + " of the expression is "
                            + in.dtype().shortName() + " but its operand is " + operand.dtype().shortName(), operand);
                }
            }
            case Expr.Constant c -> { }
            case Expr.Unary u -> checkInputs(name, u.x(), inputs);
            case Expr.Binary b -> {
                checkInputs(name, b.a(), inputs);
                checkInputs(name, b.b(), inputs);
            }
            case Expr.Where w -> {
                checkInputs(name, w.condition(), inputs);
                checkInputs(name, w.a(), inputs);
                checkInputs(name, w.b(), inputs);
            }
            case Expr.Cast c -> checkInputs(name, c.x(), inputs);
        }
    }

    static Tensor fillInPlace(Tensor target, double value) {
        checkInPlace("fill", target);
        Device device = target.device();
        Operand out = target.operand();
        Dispatch.launch("fill", "fill", device, 0, () -> device.backend().fill(out, value), out);
        target.bumpVersion();
        return target;
    }

    private static void launchInPlace(String name, Expr expr, Tensor target, Tensor... others) {
        Tensor[] all = new Tensor[others.length + 1];
        all[0] = target;
        System.arraycopy(others, 0, all, 1, others.length);
        Device device = Checks.sameDevice(name, all);
        Operand out = target.operand();
        Operand[] operands = new Operand[1 + others.length];
        operands[0] = out;
        for (int i = 0; i < others.length; i++) {
            int[] shape = Checks.broadcast(name, target.shapeRef(), others[i].shapeRef());
            if (!java.util.Arrays.equals(shape, target.shapeRef())) {
                throw Checks.error(name, "the operand does not broadcast to the target's shape", target, others[i]);
            }
            operands[1 + i] = broadcastOperand(others[i], target.shapeRef());
        }
        Dispatch.launch("elementwise", name, device, target.numel(),
                () -> device.backend().elementwise(expr, operands, out), operands);
        target.bumpVersion();
    }

    private static void checkInPlace(String op, Tensor target) {
        target.checkOpen(op);
        if (Autograd.isGradEnabled() && target.requiresGrad()) {
            throw Checks.error(op, "in-place change of a tensor that requires grad; do it inside Autograd.noGrad()",
                    target);
        }
        if (hasOverlappingElements(target)) {
            throw Checks.error(op, "the target is a broadcast view (stride 0): several elements share memory", target);
        }
    }

    private static boolean hasOverlappingElements(Tensor tensor) {
        int[] shape = tensor.shapeRef();
        int[] strides = tensor.stridesRef();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1 && strides[d] == 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code source}, copied first when it shares storage with {@code target} (so reads never see writes). */
    private static Tensor separate(Tensor target, Tensor source) {
        if (source.storage == target.storage && !(source.offset == target.offset
                && java.util.Arrays.equals(source.stridesRef(), target.stridesRef())
                && java.util.Arrays.equals(source.shapeRef(), target.shapeRef()))) {
            return source.copy();
        }
        return source;
    }

    /** True when {@code expr} reads input slot {@code index}. */
    static boolean reads(Expr expr, int index) {
        return switch (expr) {
            case Expr.Input in -> in.index() == index;
            case Expr.Constant c -> false;
            case Expr.Unary u -> reads(u.x(), index);
            case Expr.Binary b -> reads(b.a(), index) || reads(b.b(), index);
            case Expr.Where w -> reads(w.condition(), index) || reads(w.a(), index) || reads(w.b(), index);
            case Expr.Cast c -> reads(c.x(), index);
        };
    }
}
