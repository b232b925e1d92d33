package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Function;
import io.gasok.Tensor;
import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;

/**
 * Loss functions with PyTorch's definitions, built from tensor ops (so they differentiate on every
 * backend); the result belongs to the caller's scope.
 */
public final class Losses {
    private Losses() {}

    /** Cross-entropy of logits {@code [N, C]} (or {@code [N, C, d...]}) against class indices; mean. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, null, 0, Reduction.MEAN);
    }

    /**
     * Cross-entropy of {@code logits} {@code [N, C, d...]} against integer class indices
     * {@code targets} {@code [N, d...]}, PyTorch's {@code cross_entropy}: with
     * {@code logp = logSoftmax(logits, 1)}, class weights {@code w} (ones when null) and label
     * smoothing {@code ε}, each sample's loss is
     * {@code (1 - ε)·w[y]·(-logp[y]) + (ε / C)·Σ_c w[c]·(-logp[c])}. {@link Reduction#MEAN}
     * divides the sum by {@code Σ w[y]} over the samples (the plain mean without weights).
     * Targets must lie in {@code [0, C)}; they are not checked on the host (that would sync the
     * device).
     *
     * <p>Without weights and smoothing, for {@code [N, C]} logits and a sum or mean, it runs fused
     * ({@link #plainCrossEntropy}); otherwise it is composed of tensor ops and their rules.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Tensor classWeights, double labelSmoothing,
                                      Reduction reduction) {
        if (logits.rank() < 2 || !logits.dtype().isFloating()) {
            throw new IllegalArgumentException("crossEntropy: logits must be floating [N, C, ...], got "
                    + logits.dtype().shortName() + Arrays.toString(logits.shape()));
        }
        int classes = logits.dim(1);
        int[] expected = withoutAxis1(logits.shape());
        if (!targets.dtype().isInteger() || !Arrays.equals(targets.shape(), expected)) {
            throw new IllegalArgumentException("crossEntropy: targets must be integer class indices of shape "
                    + Arrays.toString(expected) + " for logits " + Arrays.toString(logits.shape()) + ", got "
                    + targets.dtype().shortName() + Arrays.toString(targets.shape()));
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("crossEntropy: label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        if (classWeights == null && labelSmoothing == 0 && logits.rank() == 2 && logits.dim(0) > 0
                && reduction != Reduction.NONE) {
            return plainCrossEntropy(logits, targets, reduction == Reduction.MEAN);
        }
        Tensor weights = null;
        if (classWeights != null) {
            if (classWeights.rank() != 1 || classWeights.dim(0) != classes) {
                throw new IllegalArgumentException("crossEntropy: class weights must have shape [" + classes + "], got "
                        + Arrays.toString(classWeights.shape()));
            }
            weights = classWeights.to(logits.dtype());
        }
        Tensor logProbabilities = logits.logSoftmax(1);
        Tensor picked = logProbabilities.gather(1, targets.unsqueeze(1)).squeeze(1).neg();
        Tensor targetWeights = weights == null ? null
                : weights.indexSelect(0, targets.reshape(-1)).reshape(expected);
        Tensor loss = targetWeights == null ? picked : picked.mul(targetWeights);
        if (labelSmoothing > 0) {
            Tensor spread = logProbabilities;
            if (weights != null) {
                int[] classShape = new int[logits.rank()];
                Arrays.fill(classShape, 1);
                classShape[1] = classes;
                spread = spread.mul(weights.reshape(classShape));
            }
            Tensor smooth = spread.sum(1).neg();
            loss = loss.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
        }
        return switch (reduction) {
            case NONE -> loss;
            case SUM -> loss.sum();
            case MEAN -> targetWeights == null ? loss.mean() : loss.sum().div(targetWeights.sum());
        };
    }

    /**
     * Cross-entropy of {@code [N, C]} logits without weights or smoothing, summed or averaged:
     * {@code loss = -Σ_i logp[i, y_i]} (divided by N for the mean) with {@code logp =
     * logSoftmax(logits)}, in four launches (log-softmax, gather, sum, the sign and division), and a
     * backward in one: {@code gx = [c = y_i]·g - exp(logp)·g} with {@code g = -gy/N} (or
     * {@code -gy}), softmax minus the one-hot target. The values, and the order of the roundings,
     * are those of the composed ops' rules (the gather's scattered gradient through
     * log-softmax's {@code G - exp(logp)·Σ_c G}).
     */
    private static Tensor plainCrossEntropy(Tensor logits, Tensor targets, boolean mean) {
        int rows = logits.dim(0);
        int classes = logits.dim(1);
        DType t = logits.dtype();
        Tensor logProbabilities;
        Tensor loss;
        try (Autograd.GradMode off = Autograd.noGrad()) {
            logProbabilities = logits.logSoftmax(1);
            Tensor total = logProbabilities.gather(1, targets.unsqueeze(1)).reshape(rows).sum();
            Expr negated = Expr.unary(UnaryOp.NEG, Expr.input(0, t));
            loss = Tensor.evaluate(mean ? Expr.div(negated, Expr.constant(rows, t)) : negated, total);
        }
        if (!Autograd.needsGrad(logits)) {
            return loss;
        }
        Autograd.Saved savedLogProbabilities = Autograd.save(logProbabilities);
        Autograd.Saved savedTargets = Autograd.save(targets);
        return Autograd.record("cross_entropy", loss, gy -> {
            Tensor classIndex = Tensor.arange(gy.device(), 0, classes, 1, DType.INT64).reshape(1, classes);
            Tensor column = savedTargets.get().reshape(rows, 1);
            Expr perRow = mean ? Expr.mul(Expr.input(3, t), Expr.div(Expr.constant(1, t), Expr.constant(rows, t)))
                    : Expr.input(3, t);
            Expr g = Expr.mul(perRow, Expr.constant(-1, t));
            Expr oneHot = Expr.where(Expr.binary(BinaryOp.EQ, Expr.input(1, DType.INT64), Expr.input(2, column.dtype())),
                    g, Expr.constant(0, t));
            Expr softmax = Expr.unary(UnaryOp.EXP, Expr.input(0, t));
            Expr gradient = Expr.sub(oneHot, Expr.mul(softmax, g));
            return new Tensor[] {Tensor.evaluate(gradient, savedLogProbabilities.get(), classIndex, column, gy), null};
        }, logits, targets);
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor input, Tensor target) {
        return mse(input, target, Reduction.MEAN);
    }

    /** {@code (input - target)²}, reduced; shapes must match. */
    public static Tensor mse(Tensor input, Tensor target, Reduction reduction) {
        checkSameShape("mse", input, target);
        Tensor difference = input.sub(target);
        return reduce(difference.mul(difference), reduction);
    }

    /** Binary cross-entropy on logits, mean. */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets) {
        return bceWithLogits(logits, targets, null, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy on logits, PyTorch's {@code binary_cross_entropy_with_logits}: with
     * {@code l = 1 + (posWeight - 1)·y} (1 without {@code posWeight}, which broadcasts like the last
     * axis), {@code loss = (1 - y)·x + l·softplus(-x)}, where
     * {@code softplus(-x) = max(-x, 0) + log(1 + e^{-|x|})} never overflows (exact at ±100).
     * The gradient is written out, {@code (1 - y) - l·sigmoid(-x)} (that is {@code sigmoid(x) - y}
     * without a weight), rather than differentiated through {@code max} and {@code |x|}, whose
     * kinks at {@code x = 0} would give a wrong gradient there. Targets may be soft (in [0, 1]) and
     * receive a gradient when they require one.
     */
    public static Tensor bceWithLogits(Tensor logits, Tensor targets, Tensor posWeight, Reduction reduction) {
        checkSameShape("bceWithLogits", logits, targets);
        if (!logits.dtype().isFloating()) {
            throw new IllegalArgumentException("bceWithLogits: logits must be floating, got " + logits.dtype().shortName());
        }
        Tensor y = targets.to(logits.dtype());
        if (posWeight == null) {
            return reduce(BCE_WITH_LOGITS.apply(logits, y), reduction);
        }
        int[] shape = logits.shape();
        int[] weightShape = posWeight.shape();
        boolean broadcasts = weightShape.length <= shape.length;
        for (int d = 0; broadcasts && d < weightShape.length; d++) {
            int extent = weightShape[weightShape.length - 1 - d];
            broadcasts = extent == 1 || extent == shape[shape.length - 1 - d];
        }
        if (!broadcasts) {
            throw new IllegalArgumentException("bceWithLogits: posWeight of shape " + Arrays.toString(weightShape)
                    + " does not broadcast to the logits' shape " + Arrays.toString(shape));
        }
        Tensor loss = BCE_WITH_LOGITS_WEIGHTED.apply(logits, y, posWeight.to(logits.dtype()));
        return reduce(loss, reduction);
    }

    private static final Function BCE_WITH_LOGITS = bceWithLogitsFunction(false);
    private static final Function BCE_WITH_LOGITS_WEIGHTED = bceWithLogitsFunction(true);

    /** Elementwise BCE-with-logits with its closed-form gradient; inputs (x, y) or (x, y, posWeight). */
    private static Function bceWithLogitsFunction(boolean weighted) {
        return new Function("bce_with_logits") {
            @Override
            protected Tensor forward(Context ctx, Tensor... inputs) {
                ctx.save(inputs);
                Tensor x = inputs[0];
                Tensor y = inputs[1];
                Tensor softplus = softplusOfNegative(x);
                return y.rsub(1).mul(x).add(weighted ? softplus.mul(logWeight(y, inputs[2])) : softplus);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                Tensor x = ctx.saved(0);
                Tensor y = ctx.saved(1);
                Tensor posWeight = weighted ? ctx.saved(2) : null;
                Tensor dx = weighted ? y.rsub(1).sub(logWeight(y, posWeight).mul(x.neg().sigmoid()))
                        : x.sigmoid().sub(y);
                Tensor gy = null;
                if (y.requiresGrad()) {
                    Tensor dy = weighted ? x.neg().add(posWeight.sub(1).mul(softplusOfNegative(x))) : x.neg();
                    gy = gradOutput.mul(dy);
                }
                Tensor gx = gradOutput.mul(dx);
                return weighted ? new Tensor[] {gx, gy, null} : new Tensor[] {gx, gy};
            }
        };
    }

    /** {@code log(1 + e^{-x})} without overflow: {@code max(-x, 0) + log(1 + e^{-|x|})}. */
    private static Tensor softplusOfNegative(Tensor x) {
        return x.neg().relu().add(x.abs().neg().exp().add(1).log());
    }

    private static Tensor logWeight(Tensor y, Tensor posWeight) {
        return posWeight.sub(1).mul(y).add(1);
    }

    private static Tensor reduce(Tensor loss, Reduction reduction) {
        return switch (reduction) {
            case NONE -> loss;
            case SUM -> loss.sum();
            case MEAN -> loss.mean();
        };
    }

    private static void checkSameShape(String op, Tensor input, Tensor target) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": input shape " + Arrays.toString(input.shape())
                    + " and target shape " + Arrays.toString(target.shape()) + " differ");
        }
    }

    private static int[] withoutAxis1(int[] shape) {
        int[] result = new int[shape.length - 1];
        result[0] = shape[0];
        System.arraycopy(shape, 2, result, 1, shape.length - 2);
        return result;
    }
}
