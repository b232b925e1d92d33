package io.gasok.optim;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Scope;
import io.gasok.Tensor;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping, PyTorch's {@code clip_grad_norm_} and {@code clip_grad_value_}, in place on
 * the gradients of the given parameters (those without a gradient are skipped). Nothing is read
 * back to the host: the scale is computed on the device and applied in one fused launch per
 * gradient.
 */
public final class GradClip {
    private static final double NORM_EPS = 1e-6;

    private GradClip() {}

    /**
     * Scales every gradient by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the
     * L2 norm of all gradients together; returns {@code total} (a FLOAT64 scalar, computed before
     * clipping, in the caller's scope). Launches: two per gradient (square and sum), a few to
     * combine, and one per gradient to scale it.
     */
    public static Tensor clipGradNorm(List<Tensor> parameters, double maxNorm) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("clipGradNorm: maxNorm must be >= 0, got " + maxNorm);
        }
        List<Tensor> grads = grads(parameters);
        try (Autograd.GradMode off = Autograd.noGrad()) {
            if (grads.isEmpty()) {
                return Tensor.zeros(parameters.isEmpty() ? io.gasok.Device.getDefault() : parameters.get(0).device(),
                        DType.FLOAT64);
            }
            Tensor total;
            try (Scope scope = Scope.open()) {
                List<Tensor> squares = new ArrayList<>();
                for (Tensor grad : grads) {
                    squares.add(grad.mul(grad).sum().to(DType.FLOAT64).reshape(1));
                }
                total = scope.keep(Tensor.concat(squares, 0).sum().sqrt());
            }
            Expr norm = Expr.input(1, DType.FLOAT64);
            Expr scale = Expr.binary(BinaryOp.MINIMUM, Expr.constant(1, DType.FLOAT64),
                    Expr.div(Expr.constant(maxNorm, DType.FLOAT64), Expr.add(norm, Expr.constant(NORM_EPS, DType.FLOAT64))));
            for (Tensor grad : grads) {
                grad.updateInPlace(Expr.mul(Expr.input(0, grad.dtype()), Expr.cast(scale, grad.dtype())), total);
            }
            return total;
        }
    }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]}: one launch per gradient. */
    public static void clipGradValue(List<Tensor> parameters, double clipValue) {
        if (!(clipValue >= 0)) {
            throw new IllegalArgumentException("clipGradValue: clipValue must be >= 0, got " + clipValue);
        }
        try (Autograd.GradMode off = Autograd.noGrad()) {
            for (Tensor grad : grads(parameters)) {
                DType t = grad.dtype();
                Expr clamped = Expr.binary(BinaryOp.MINIMUM,
                        Expr.binary(BinaryOp.MAXIMUM, Expr.input(0, t), Expr.constant(-clipValue, t)),
                        Expr.constant(clipValue, t));
                grad.updateInPlace(clamped);
            }
        }
    }

    private static List<Tensor> grads(List<Tensor> parameters) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor parameter : parameters) {
            if (parameter.grad() != null) {
                grads.add(parameter.grad());
            }
        }
        return grads;
    }
}
