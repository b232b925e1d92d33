package io.gasok.spi;

/**
 * The error function in double precision, which {@link Math} lacks (exact GELU needs it).
 *
 * <p>For |x| &lt; 2.5 it sums the series {@code erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1))},
 * whose terms are all positive, so nothing cancels; beyond, it evaluates
 * {@code erfc(x) = e^(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))} as a continued fraction
 * (modified Lentz). Both reach a relative error of about 1e-15, checked in the tests against
 * known values.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Erf() {}

    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        double value = ax < 2.5 ? series(ax) : 1 - erfcContinuedFraction(ax);
        return Math.copySign(value, x);
    }

    private static double series(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    private static double erfcContinuedFraction(double x) {
        if (x > 27) {
            return 0;
        }
        // erfc(x) = e^{-x²}/√π · 1/(x + a1/(x + a2/(x + ...))) with a_k = k/2.
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int k = 1; k < 500; k++) {
            double a = k / 2.0;
            d = x + a * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) {
                break;
            }
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
