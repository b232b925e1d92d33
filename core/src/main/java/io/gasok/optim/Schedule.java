package io.gasok.optim;

/**
 * A learning rate as a function of the step (counting from 0), as PyTorch's schedulers compute it
 * in closed form. Schedules compose: {@link #then} runs one for a number of steps and the next
 * after it (PyTorch's {@code SequentialLR}), {@link #linearWarmup} ramps up into another, and
 * {@link #scaledBy} multiplies two (PyTorch's {@code ChainedScheduler}). Give one to
 * {@link Optimizer#schedule}.
 */
@FunctionalInterface
public interface Schedule {

    /** The learning rate at {@code step}. */
    double valueAt(long step);

    /** The same rate at every step. */
    static Schedule constant(double rate) {
        return step -> rate;
    }

    /** {@code rate · gamma^⌊step / stepSize⌋} (PyTorch's {@code StepLR}). */
    static Schedule step(double rate, long stepSize, double gamma) {
        if (stepSize <= 0) {
            throw new IllegalArgumentException("Schedule.step: stepSize must be positive, got " + stepSize);
        }
        return step -> rate * Math.pow(gamma, Math.floorDiv(step, stepSize));
    }

    /**
     * Cosine annealing from {@code rate} at step 0 to {@code minRate} at {@code totalSteps}, then
     * {@code minRate}: {@code min + (rate - min)·(1 + cos(π·step / totalSteps)) / 2} (PyTorch's
     * {@code CosineAnnealingLR} over one half period).
     */
    static Schedule cosine(double rate, long totalSteps, double minRate) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("Schedule.cosine: totalSteps must be positive, got " + totalSteps);
        }
        return step -> step >= totalSteps ? minRate
                : minRate + (rate - minRate) * (1 + Math.cos(Math.PI * step / totalSteps)) / 2;
    }

    /**
     * Linear from {@code startRate} at step 0 to {@code endRate} at {@code steps}, then
     * {@code endRate} (PyTorch's {@code LinearLR} with its factors times a base rate).
     */
    static Schedule linear(double startRate, double endRate, long steps) {
        if (steps <= 0) {
            throw new IllegalArgumentException("Schedule.linear: steps must be positive, got " + steps);
        }
        return step -> step >= steps ? endRate : startRate + (endRate - startRate) * step / steps;
    }

    /**
     * A linear warm-up over {@code warmupSteps} into {@code after}: step {@code k < warmupSteps}
     * uses {@code after.valueAt(0) · (k + 1) / warmupSteps} (the first step is not wasted at rate
     * 0), and step {@code k >= warmupSteps} uses {@code after.valueAt(k - warmupSteps)}.
     */
    static Schedule linearWarmup(long warmupSteps, Schedule after) {
        if (warmupSteps <= 0) {
            throw new IllegalArgumentException("Schedule.linearWarmup: warmupSteps must be positive, got " + warmupSteps);
        }
        return step -> step < warmupSteps ? after.valueAt(0) * (step + 1) / warmupSteps
                : after.valueAt(step - warmupSteps);
    }

    /** This schedule for the first {@code steps} steps, then {@code next} restarted from its step 0. */
    default Schedule then(long steps, Schedule next) {
        if (steps < 0) {
            throw new IllegalArgumentException("Schedule.then: steps must be >= 0, got " + steps);
        }
        return step -> step < steps ? valueAt(step) : next.valueAt(step - steps);
    }

    /** The product of this schedule and {@code factor} at every step (e.g. a rate times a decay factor). */
    default Schedule scaledBy(Schedule factor) {
        return step -> valueAt(step) * factor.valueAt(step);
    }
}
