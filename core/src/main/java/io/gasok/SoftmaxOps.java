package io.gasok;

import io.gasok.spi.Operand;

/**
 * Softmax and log-softmax along one axis, each one fused, numerically stable launch
 * ({@link io.gasok.spi.Backend#softmax}): {@code softmax(x)_i = exp(x_i - max x) / Σ_j exp(x_j - max x)}
 * and {@code logSoftmax(x)_i = x_i - max x - log Σ_j exp(x_j - max x)}.
 *
 * <p>Both backward rules need only the output y: for softmax
 * {@code gx = y · (gy - Σ gy·y)}, for log-softmax {@code gx = gy - exp(y) · Σ gy}, the sums taken
 * along the axis.
 */
final class SoftmaxOps {
    private SoftmaxOps() {}

    /** Softmax (or log-softmax when {@code log}) of a floating tensor along {@code axis}. */
    static Tensor softmax(Tensor x, int axis, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        Device device = Checks.sameDevice(op, x);
        Checks.floating(op, x);
        int normalisedAxis = Checks.axis(op, axis, x.rank());
        if (x.rank() == 0) {
            return softmax(x.reshape(1), 0, log).reshape();
        }
        Tensor y = Tensor.empty(device, x.dtype(), x.shapeRef());
        if (y.numel() > 0) {
            Operand in = x.operand();
            Operand out = y.operand();
            Dispatch.launch("softmax", op, device, 5L * x.numel(),
                    () -> device.backend().softmax(in, normalisedAxis, log, out), in, out);
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        int[] axes = {normalisedAxis};
        Autograd.Saved savedY = Autograd.save(y);
        return Autograd.record(op, y, gy -> {
            Tensor output = savedY.get();
            Tensor gx = log
                    ? gy.sub(output.exp().mul(gy.sum(axes, true)))
                    : output.mul(gy.sub(gy.mul(output).sum(axes, true)));
            return new Tensor[] {gx};
        }, x);
    }
}
