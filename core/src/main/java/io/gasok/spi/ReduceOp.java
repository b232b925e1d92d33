package io.gasok.spi;

/**
 * The reductions of {@link Backend#reduce}. Sums accumulate in double on the reference backend;
 * MAX and MIN propagate NaN; ARGMAX and ARGMIN give the first index on ties (and the index of the
 * first NaN, which wins over any number) as INT64.
 */
public enum ReduceOp {
    SUM,
    MAX,
    MIN,
    ARGMAX,
    ARGMIN;

    public boolean isArg() {
        return this == ARGMAX || this == ARGMIN;
    }

    public String opName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
