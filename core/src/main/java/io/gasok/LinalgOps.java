package io.gasok;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Matrix products, launched as one batched GEMM, and the linear layer's {@code x·Wᵀ + b} (with a
 * ReLU when asked), one GEMM whose epilogue adds the bias and applies the activation.
 *
 * <p>{@code matmul} follows NumPy: a 1-D left operand is a row vector and a 1-D right operand a
 * column vector (the added axis is removed from the result); operands of rank 2 or more are stacks
 * of matrices over their leading (batch) axes, which broadcast. Both operands must be floating;
 * FLOAT32 with FLOAT64 computes in FLOAT64 (the promotion table).
 *
 * <p>The GEMM reads views where it can instead of copying them: a matrix whose columns are dense is
 * passed as stored, a transposed view (dense rows, strided columns) is passed as stored with its
 * transposition flag set, and a batch that is one matrix repeated (all batch axes broadcast) gets
 * batch stride 0. Only other layouts are copied.
 */
final class LinalgOps {
    private LinalgOps() {}

    /**
     * {@code C = A · B} with NumPy's matmul rules; differentiable in both operands:
     * {@code dA = dC · Bᵀ} and {@code dB = Aᵀ · dC}, each summed over the batch axes its operand was
     * broadcast along.
     */
    static Tensor matmul(Tensor a, Tensor b) {
        String op = "matmul";
        Checks.sameDevice(op, a, b);
        if (a.rank() == 0 || b.rank() == 0) {
            throw Checks.error(op, "needs operands of rank 1 or more, got a scalar", a, b);
        }
        Checks.floating(op, a);
        Checks.floating(op, b);
        DType dtype = DType.promote(a.dtype(), b.dtype());
        Tensor left = a.to(dtype);
        Tensor right = b.to(dtype);
        boolean vectorLeft = left.rank() == 1;
        boolean vectorRight = right.rank() == 1;
        if (vectorLeft) {
            left = left.unsqueeze(0);
        }
        if (vectorRight) {
            right = right.unsqueeze(1);
        }
        Tensor product = matrixProduct(op, left, right, a, b);
        if (vectorRight) {
            product = product.squeeze(-1);
        }
        if (vectorLeft) {
            product = product.squeeze(vectorRight ? -1 : -2);
        }
        return product;
    }

    /**
     * The product of two stacks of matrices (rank >= 2 each); {@code userA} and {@code userB} are the
     * operands as the caller passed them, for error messages.
     */
    private static Tensor matrixProduct(String op, Tensor a, Tensor b, Tensor userA, Tensor userB) {
        int[] aShape = a.shapeRef();
        int[] bShape = b.shapeRef();
        int m = aShape[aShape.length - 2];
        int k = aShape[aShape.length - 1];
        int n = bShape[bShape.length - 1];
        if (bShape[bShape.length - 2] != k) {
            throw Checks.error(op, "inner dimensions differ: the left operand has " + k
                    + " columns, the right one " + bShape[bShape.length - 2] + " rows", userA, userB);
        }
        int[] batchShape = broadcastBatch(op, a, b, userA, userB);
        int batch = Operand.sizeOf(batchShape);
        int[] outShape = Arrays.copyOf(batchShape, batchShape.length + 2);
        outShape[batchShape.length] = m;
        outShape[batchShape.length + 1] = n;

        Device device = a.device();
        Tensor c = Tensor.empty(device, a.dtype(), outShape);
        if (c.numel() > 0) {
            launchGemm(device, a, b, c, batchShape, batch, m, n, k);
        }
        if (!Autograd.needsGrad(a, b)) {
            return c;
        }
        Autograd.Saved savedA = Autograd.save(a);
        Autograd.Saved savedB = Autograd.save(b);
        return Autograd.record(op, c, gradC -> {
            Tensor left = savedA.get();
            Tensor right = savedB.get();
            Tensor gradA = left.requiresGrad()
                    ? ReduceOps.sumTo(gradC.matmul(right.transpose(-1, -2)), left.shapeRef()) : null;
            Tensor gradB = right.requiresGrad()
                    ? ReduceOps.sumTo(left.transpose(-1, -2).matmul(gradC), right.shapeRef()) : null;
            return new Tensor[] {gradA, gradB};
        }, a, b);
    }

    /**
     * {@code x·Wᵀ + b}, then ReLU when {@code relu}: PyTorch's {@code F.linear} over the last axis
     * of {@code x} ({@code [..., in]}, {@code weight [out, in]}, {@code bias [out]} or null), as
     * one GEMM whose epilogue adds the bias and applies the ReLU while the results are in
     * registers (DESIGN §3). The values are those of {@code x.matmul(weight.t()).add(bias).relu()}:
     * the epilogue adds the bias to the finished dot product and applies the op's own definition.
     *
     * <p>The backward is written out for the whole layer: {@code gz = gy · [y > 0]} (ReLU's
     * derivative read from its output, which is positive exactly where its input is), then
     * {@code gx = gz·W}, {@code gW = gzᵀ·x} and {@code gb = Σ_rows gz}: a launch each, with no
     * separate bias-add or activation nodes and no transposed copy of {@code gW}.
     *
     * <p>Operands of different dtypes, or an empty inner dimension, take the unfused ops instead
     * (matmul promotes; a GEMM over k = 0 has no products for an epilogue to finish).
     */
    static Tensor linear(Tensor x, Tensor weight, Tensor bias, boolean relu) {
        String op = relu ? "linear_relu" : "linear";
        Device device = Checks.sameDevice(op, x, weight, bias);
        if (weight.rank() != 2 || x.rank() == 0 || x.dim(-1) != weight.dim(1)) {
            throw Checks.error(op, "needs input [..., in] and weight [out, in]", x, weight);
        }
        int in = weight.dim(1);
        int out = weight.dim(0);
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out)) {
            throw Checks.error(op, "needs a bias of shape [" + out + "]", x, weight, bias);
        }
        Checks.floating(op, x);
        Checks.floating(op, weight);
        if (x.dtype() != weight.dtype() || (bias != null && bias.dtype() != x.dtype()) || in == 0) {
            Tensor product = x.matmul(weight.t());
            Tensor shifted = bias == null ? product : product.add(bias);
            return relu ? shifted.relu() : shifted;
        }
        int rows = x.numel() / in;
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = out;
        Tensor y = Tensor.empty(device, x.dtype(), outShape);
        Tensor rowsOfX;
        try (Autograd.GradMode off = Autograd.noGrad()) {
            rowsOfX = x.rank() == 2 ? x : x.reshape(rows, in);
            if (rows > 0) {
                launchLinear(op, device, rowsOfX, weight, bias, relu, y, rows, in, out);
            }
        }
        if (!Autograd.needsGrad(x, weight, bias)) {
            if (rowsOfX != x) {
                rowsOfX.close();
            }
            return y;
        }
        Autograd.Saved savedRows = Autograd.save(rowsOfX);
        Autograd.Saved savedWeight = Autograd.save(weight);
        Autograd.Saved savedY = relu ? Autograd.save(y) : null;
        int[] xShape = x.shapeRef();
        return Autograd.record(op, y, gy -> {
            Tensor gz = relu ? ElementwiseOps.reluBackwardFromOutput(gy, savedY.get()) : gy;
            Tensor gzRows = gz.reshape(rows, out);
            Tensor gx = x.requiresGrad() ? gzRows.matmul(savedWeight.get()).reshape(xShape) : null;
            Tensor gw = weight.requiresGrad() ? gzRows.t().matmul(savedRows.get()) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? gzRows.sum(0) : null;
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }

    /** {@code y = act(x · Wᵀ + b)} as one GEMM launch: x is {@code [rows, in]}, y {@code [rows, out]}-shaped. */
    private static void launchLinear(String op, Device device, Tensor x, Tensor weight, Tensor bias, boolean relu,
                                     Tensor y, int rows, int in, int out) {
        List<Tensor> temporaries = new ArrayList<>();
        try {
            int[] noBatch = {};
            GemmOperand left = GemmOperand.of(x, noBatch, 1, temporaries);
            // op(B) is Wᵀ: the weight as stored, read with the opposite transposition to W's own.
            GemmOperand right = GemmOperand.of(weight, noBatch, 1, temporaries);
            Operand yOperand = y.operand();
            Operand result = new Operand(yOperand.buffer(), y.dtype(), yOperand.offset(), new int[] {1, rows, out},
                    new int[] {rows * out, out, 1});
            Epilogue epilogue = relu ? Epilogue.activation(UnaryOp.RELU, 0) : Epilogue.NONE;
            GemmSpec spec = new GemmSpec(1, rows, out, in, left.transposed(), !right.transposed(), epilogue);
            Operand a = left.operand();
            Operand b = right.operand();
            if (bias == null) {
                Dispatch.launch("gemm", op, device, spec.flops(),
                        () -> device.backend().gemm(spec, a, b, result, null), a, b, result);
            } else {
                Operand biasOperand = bias.operand();
                Dispatch.launch("gemm", op, device, spec.flops(),
                        () -> device.backend().gemm(spec, a, b, result, biasOperand), a, b, result, biasOperand);
            }
        } finally {
            temporaries.forEach(Tensor::close);
        }
    }

    private static int[] broadcastBatch(String op, Tensor a, Tensor b, Tensor userA, Tensor userB) {
        int[] aBatch = Arrays.copyOf(a.shapeRef(), a.rank() - 2);
        int[] bBatch = Arrays.copyOf(b.shapeRef(), b.rank() - 2);
        try {
            return Checks.broadcast(op, aBatch, bBatch);
        } catch (IllegalArgumentException e) {
            throw Checks.error(op, "batch axes " + Arrays.toString(aBatch) + " and " + Arrays.toString(bBatch)
                    + " do not broadcast", userA, userB);
        }
    }

    /** Fills {@code c} ({@code batchShape + [m, n]}, contiguous) with the products. */
    private static void launchGemm(Device device, Tensor a, Tensor b, Tensor c, int[] batchShape, int batch,
                                   int m, int n, int k) {
        Operand cOperand = c.operand();
        if (k == 0) {
            Dispatch.launch("fill", "matmul", device, 0, () -> device.backend().fill(cOperand, 0), cOperand);
            return;
        }
        List<Tensor> temporaries = new ArrayList<>();
        try (Autograd.GradMode off = Autograd.noGrad()) {
            GemmOperand left = GemmOperand.of(a, batchShape, batch, temporaries);
            GemmOperand right = GemmOperand.of(b, batchShape, batch, temporaries);
            Operand result = new Operand(cOperand.buffer(), c.dtype(), cOperand.offset(),
                    new int[] {batch, m, n}, new int[] {m * n, n, 1});
            GemmSpec spec = new GemmSpec(batch, m, n, k, left.transposed(), right.transposed(), Epilogue.NONE);
            Dispatch.launch("gemm", "matmul", device, spec.flops(),
                    () -> device.backend().gemm(spec, left.operand(), right.operand(), result, null),
                    left.operand(), right.operand(), result);
        } finally {
            temporaries.forEach(Tensor::close);
        }
    }

    /**
     * One GEMM operand: the 3-D {@code [batch, rows, cols]} operand as stored, with unit column
     * stride, and whether the GEMM must read it transposed.
     */
    private record GemmOperand(Operand operand, boolean transposed) {

        /**
         * The GEMM operand for the stack of matrices {@code x}, broadcast to {@code batchShape}:
         * {@code x} itself when its layout allows, else a copy (added to {@code temporaries}).
         */
        static GemmOperand of(Tensor x, int[] batchShape, int batch, List<Tensor> temporaries) {
            Tensor source = x;
            MatrixLayout layout = MatrixLayout.of(source);
            if (layout == null) {
                source = temporary(source.contiguous(), source, temporaries);
                layout = MatrixLayout.of(source);
            }
            int batchStride = uniformBatchStride(source, batchShape);
            if (batchStride < 0) {
                int[] fullShape = Arrays.copyOf(batchShape, batchShape.length + 2);
                fullShape[batchShape.length] = x.dim(-2);
                fullShape[batchShape.length + 1] = x.dim(-1);
                source = temporary(source.expand(fullShape), source, temporaries);
                source = temporary(source.contiguous(), source, temporaries);
                layout = MatrixLayout.of(source);
                batchStride = uniformBatchStride(source, batchShape);
            }
            Operand stored = source.operand();
            Operand operand = new Operand(stored.buffer(), stored.dtype(), stored.offset(),
                    new int[] {batch, layout.storedRows(), layout.storedColumns()},
                    new int[] {batchStride, layout.rowStride(), 1});
            return new GemmOperand(operand, layout.transposed());
        }

        /** {@code made}, remembered for closing when it is a new tensor rather than {@code from} itself. */
        private static Tensor temporary(Tensor made, Tensor from, List<Tensor> temporaries) {
            if (made != from) {
                temporaries.add(made);
            }
            return made;
        }

        /**
         * The one stride that steps through {@code x}'s matrices in the row-major order of
         * {@code batchShape} (0 when every batch axis of {@code x} is broadcast), or -1 when no
         * single stride does.
         */
        private static int uniformBatchStride(Tensor x, int[] batchShape) {
            int[] shape = x.shapeRef();
            int[] strides = x.stridesRef();
            int missing = batchShape.length - (shape.length - 2);
            int stride = -1;
            int expected = -1;
            for (int axis = batchShape.length - 1; axis >= 0; axis--) {
                if (batchShape[axis] == 1) {
                    continue;
                }
                int own = axis - missing;
                int axisStride = own < 0 || shape[own] == 1 ? 0 : strides[own];
                if (stride < 0) {
                    stride = axisStride;
                } else if (axisStride != expected) {
                    return -1;
                }
                expected = axisStride * batchShape[axis];
            }
            return Math.max(stride, 0);
        }
    }

    /**
     * How the last two axes of a tensor lie in memory, if a GEMM can read them in place: as stored
     * rows of unit column stride ({@code storedRows × storedColumns}, row stride at least the row
     * length), read transposed when {@code transposed}.
     */
    private record MatrixLayout(boolean transposed, int storedRows, int storedColumns, int rowStride) {

        /** The layout of {@code x}'s matrices, or null when neither they nor their transposes have dense rows. */
        static MatrixLayout of(Tensor x) {
            int rows = x.dim(-2);
            int columns = x.dim(-1);
            int rowStride = x.stridesRef()[x.rank() - 2];
            int columnStride = x.stridesRef()[x.rank() - 1];
            if ((columns == 1 || columnStride == 1) && (rows == 1 || rowStride >= columns)) {
                return new MatrixLayout(false, rows, columns, rows == 1 ? columns : rowStride);
            }
            if ((rows == 1 || rowStride == 1) && (columns == 1 || columnStride >= rows)) {
                return new MatrixLayout(true, columns, rows, columns == 1 ? rows : columnStride);
            }
            return null;
        }
    }
}
