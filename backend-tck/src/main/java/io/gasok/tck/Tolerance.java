package io.gasok.tck;

import io.gasok.DType;
import java.util.Map;

/**
 * Every tolerance of the TCK, in one place (DESIGN §6).
 *
 * <ul>
 *   <li><b>Elementwise</b>: {@code |got - ref| <= atol + rtol·|ref|}, with per-dtype constants
 *   (float32: atol 1e-6, rtol 1e-5; float64: atol 1e-12, rtol 1e-10). Transcendental ops may be
 *   loosened only through {@link #ELEMENTWISE_RTOL_FLOAT32}, which says why for each.</li>
 *   <li><b>Accumulations</b> (GEMM, convolution, sums, pooling averages, scatter-add):
 *   {@code |got - ref| <= c·eps(dtype)·√K·Σ|a|·|b| + atol}, where {@code Σ|a|·|b|} is the same op
 *   run on the magnitudes of the inputs on the reference backend and K the number of terms per
 *   result: cancellation makes a relative bound fail, this one does not. {@code c = 4}.</li>
 *   <li><b>Exact</b> (selections, copies, integer arithmetic, comparisons, layout invariance of
 *   non-accumulating ops): bit-for-bit, NaN equal to NaN.</li>
 * </ul>
 */
public final class Tolerance {
    private Tolerance() {}

    /** The constant c of the accumulation bound. */
    public static final double ACCUMULATION_FACTOR = 4;

    /**
     * Float32 relative tolerances of the transcendental ops, loosened from 1e-5 because a
     * backend may use fast float approximations (GPU intrinsics, polynomial Vector API forms):
     * <ul>
     *   <li>exp, log, tanh, sigmoid, silu: 2e-5, a couple of ulps more than a correctly rounded
     *   result plus the argument's own rounding amplified by the function's slope;</li>
     *   <li>erf, gelu, geluTanh: 1e-4: erf has no float intrinsic everywhere and is computed by a
     *   rational approximation good to about 1e-7 absolute, relative near the zero crossing;</li>
     *   <li>pow: 1e-4: {@code exp(b·log a)} in float loses {@code |b·log a|·eps} relative.</li>
     * </ul>
     */
    public static final Map<String, Double> ELEMENTWISE_RTOL_FLOAT32 = Map.of(
            "exp", 2e-5, "log", 2e-5, "tanh", 2e-5, "sigmoid", 2e-5, "silu", 2e-5,
            "erf", 1e-4, "gelu", 1e-4, "gelu_tanh", 1e-4, "pow", 1e-4);

    /** Float64 relative tolerances of the same ops (libm-quality results are expected). */
    public static final Map<String, Double> ELEMENTWISE_RTOL_FLOAT64 = Map.of(
            "erf", 1e-9, "gelu", 1e-9, "gelu_tanh", 1e-9, "pow", 1e-9);

    /** A bound on the difference allowed at one element, given the expected value there. */
    @FunctionalInterface
    public interface Bound {
        double at(int index, double expected);

        /** A human-readable description for failure messages. */
        default String describe() {
            return "tolerance";
        }
    }

    /** Machine epsilon of a floating dtype (0 for exact dtypes). */
    public static double eps(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> Math.ulp(1.0f);
            case FLOAT64 -> Math.ulp(1.0);
            default -> 0;
        };
    }

    public static double atol(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 1e-6;
            case FLOAT64 -> 1e-12;
            default -> 0;
        };
    }

    public static double rtol(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> 1e-5;
            case FLOAT64 -> 1e-10;
            default -> 0;
        };
    }

    /** Bit-for-bit equality. */
    public static Bound exact() {
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return 0;
            }

            @Override
            public String describe() {
                return "exact";
            }
        };
    }

    /** {@code atol + rtol·|ref|} for elementwise op {@code op} (its {@code opName()}). */
    public static Bound elementwise(String op, DType dtype) {
        if (!dtype.isFloating()) {
            return exact();
        }
        double atol = atol(dtype);
        double rtol = (dtype == DType.FLOAT32 ? ELEMENTWISE_RTOL_FLOAT32 : ELEMENTWISE_RTOL_FLOAT64)
                .getOrDefault(op, rtol(dtype));
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return atol + rtol * Math.abs(expected);
            }

            @Override
            public String describe() {
                return "atol " + atol + " + rtol " + rtol + "·|ref|";
            }
        };
    }

    /**
     * {@code c·eps·√K·magnitude[i] + atol}: the bound of an accumulation of K terms whose
     * magnitudes sum to {@code magnitude[i]} (the op applied to |inputs|).
     */
    public static Bound accumulated(DType dtype, int terms, HostTensor magnitude) {
        double scale = ACCUMULATION_FACTOR * eps(dtype) * Math.sqrt(Math.max(terms, 1));
        double atol = atol(dtype) * 1e-3;
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return scale * magnitude.get(index) + atol;
            }

            @Override
            public String describe() {
                return "c·eps·√K·Σ|a||b| with c=" + ACCUMULATION_FACTOR + ", K=" + terms + ", eps=" + eps(dtype);
            }
        };
    }

    /** The accumulation bound with an extra relative term (ops that round their result once more). */
    public static Bound accumulatedPlusRelative(DType dtype, int terms, HostTensor magnitude) {
        Bound accumulated = accumulated(dtype, terms, magnitude);
        double rtol = rtol(dtype);
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return accumulated.at(index, expected) + rtol * Math.abs(expected);
            }

            @Override
            public String describe() {
                return accumulated.describe() + " + rtol " + rtol + "·|ref|";
            }
        };
    }

    /**
     * Softmax: each output is {@code exp(x_i - max) / Σ}, so its relative error grows with the
     * argument {@code |x_i - max|} (rounded once) and with the K-term sum: bound
     * {@code c·eps·√K·|ref|·(1 + spread[i])} where {@code spread[i] = |x_i - max|}, plus atol.
     * Log-softmax: absolute error {@code c·eps·√K·(|x_i| + |max| + 1)}, given in {@code spread}.
     */
    public static Bound softmax(DType dtype, int terms, HostTensor spread, boolean log) {
        double scale = ACCUMULATION_FACTOR * eps(dtype) * Math.sqrt(Math.max(terms, 1));
        double atol = atol(dtype);
        return new Bound() {
            @Override
            public double at(int index, double expected) {
                return log ? scale * (spread.get(index) + Math.abs(expected) + 1) + atol
                        : scale * Math.abs(expected) * (1 + spread.get(index)) + atol;
            }

            @Override
            public String describe() {
                return (log ? "logSoftmax" : "softmax") + " bound c·eps·√K·(...) with K=" + terms;
            }
        };
    }
}
