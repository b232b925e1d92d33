package io.gasok.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErfTest {

    private static void assertRelative(double expected, double actual, double tolerance) {
        assertEquals(expected, actual, Math.abs(expected) * tolerance, () -> "expected " + expected + ", got " + actual);
    }

    @Test
    void seriesRangeMatchesKnownValuesTo1e14Relative() {
        assertRelative(0.011283415555849618, Erf.erf(0.01), 1e-14);
        assertRelative(0.5204998778130465, Erf.erf(0.5), 1e-14);
        assertRelative(0.8427007929497149, Erf.erf(1), 1e-14);
        assertRelative(0.9953222650189527, Erf.erf(2), 1e-14);
    }

    @Test
    void continuedFractionRangeMatchesKnownValues() {
        assertRelative(0.9999779095030014, Erf.erf(3), 1e-14);
        // erf(4) lies within 1.6e-8 of 1, where doubles are 1.1e-16 apart: 1 - erf(4) can carry no
        // more than about 8 significant digits, so its check is one ulp of 1, not a relative 1e-12.
        assertEquals(1.541725790028002e-8, 1 - Erf.erf(4), Math.ulp(1.0));
        assertEquals(1.0, Erf.erf(6), 1e-16);
    }

    @Test
    void erfIsOdd() {
        assertRelative(-0.9661051464753108, Erf.erf(-1.5), 1e-14);
        assertEquals(-Erf.erf(0.5), Erf.erf(-0.5));
        assertEquals(0.0, Erf.erf(0.0));
    }

    @Test
    void nanAndInfinitiesAtTheEdges() {
        assertEquals(Double.NaN, Erf.erf(Double.NaN));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
    }
}
