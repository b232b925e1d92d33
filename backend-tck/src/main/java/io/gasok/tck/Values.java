package io.gasok.tck;

import io.gasok.DType;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Element values for generated tensors: a range that suits the op (positive for log and sqrt, a
 * wide one for exp and sigmoid), mixed with repeated small values that make ties on purpose (max,
 * argmax, comparisons) and, where a property asks for them, NaN, ±inf and ±0. Float32 values are
 * rounded to float so host oracles and kernels see the same inputs.
 */
public final class Values {
    private Values() {}

    /** A value range plus whether ties and IEEE special values are mixed in. */
    public record Domain(String name, double low, double high, boolean ties, boolean specials, boolean nonZero) {
        public Domain(String name, double low, double high, boolean ties, boolean specials) {
            this(name, low, high, ties, specials, false);
        }

        public Domain withSpecials() {
            return new Domain(name + "+specials", low, high, ties, true, nonZero);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Moderate values of either sign. */
    public static final Domain ANY = new Domain("any", -3, 3, true, false);
    /** Strictly positive: log, sqrt, the base of pow, divisors. */
    public static final Domain POSITIVE = new Domain("positive", 0.05, 4, false, false);
    /** A range where exp, sigmoid and tanh saturate at both ends. */
    public static final Domain WIDE = new Domain("wide", -12, 12, true, false);
    /** Either sign, kept at least 0.25 away from zero: divisors of floating division and remainder. */
    public static final Domain NONZERO = new Domain("nonzero", -3, 3, true, false, true);
    /** Few distinct values, so ties are common (argmax first-index rule, comparisons). */
    public static final Domain TIES = new Domain("ties", -2, 2, true, false);
    /** Integers of either sign, small enough that products stay exact in int32. */
    public static final Domain SMALL_INTEGERS = new Domain("small integers", -30, 30, true, false);

    private static final List<Double> TIE_VALUES = List.of(-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0);
    private static final List<Double> SPECIAL_VALUES = List.of(
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0);

    /**
     * What fills the slots of a test buffer that no view covers: NaN for floats, so a kernel reading
     * the wrong slot shows; for integers a value no generator draws; true for BOOL.
     */
    public static double sentinel(DType dtype) {
        return switch (dtype) {
            case FLOAT32, FLOAT64 -> Double.NaN;
            case INT32, INT64 -> 987_654_321;
            case BOOL -> 1;
        };
    }

    /** One element of {@code dtype} drawn from {@code domain}. */
    public static Arbitrary<Double> element(DType dtype, Domain domain) {
        if (dtype == DType.BOOL) {
            return Arbitraries.of(0.0, 1.0);
        }
        if (dtype.isInteger()) {
            Arbitrary<Double> integers = Arbitraries.integers()
                    .between((int) Math.ceil(domain.low()), (int) Math.floor(domain.high())).map(i -> (double) i);
            return domain == TIES ? Arbitraries.integers().between(-2, 2).map(i -> (double) i) : integers;
        }
        Arbitrary<Double> uniform = Arbitraries.doubles().between(domain.low(), domain.high());
        List<Double> ties = TIE_VALUES.stream().filter(v -> v >= domain.low() && v <= domain.high()).toList();
        Arbitrary<Double> values;
        if (domain == TIES) {
            values = Arbitraries.of(ties);
        } else if (domain.ties() && !ties.isEmpty()) {
            values = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, uniform), net.jqwik.api.Tuple.of(2, Arbitraries.of(ties)));
        } else {
            values = uniform;
        }
        if (domain.specials()) {
            values = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(6, values), net.jqwik.api.Tuple.of(1, Arbitraries.of(SPECIAL_VALUES)));
        }
        if (domain.nonZero()) {
            values = values.map(v -> Math.abs(v) < 0.25 ? Math.copySign(0.25 + Math.abs(v), v) : v);
        }
        return dtype == DType.FLOAT32 ? values.map(v -> (double) (float) v.doubleValue()) : values;
    }

    /** {@code count} elements as a host tensor of {@code shape}. */
    public static Arbitrary<HostTensor> tensor(DType dtype, int[] shape, Domain domain) {
        int count = io.gasok.spi.Operand.sizeOf(shape);
        return element(dtype, domain).list().ofSize(count).map(list -> {
            double[] values = new double[count];
            for (int i = 0; i < count; i++) {
                values[i] = list.get(i);
            }
            return new HostTensor(dtype, shape.clone(), values);
        });
    }
}
