package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheLines}: the build runs the tests with native access, as {@code ./gasok} runs the
 * backend, so there the address of an array is known and packed panels start on cache lines.
 */
class CacheLinesTest {

    @Test
    void knowsWhereArraysLieWithNativeAccess() {
        assertTrue(CacheLines.class.getModule().isNativeAccessEnabled(), "the build's JVM flags enable native access");
        assertTrue(CacheLines.known());
        assertTrue(GemmFloat32.blocking().endsWith("packed panels on 64-byte lines"), GemmFloat32.blocking());
    }

    @Property(tries = 50)
    void aLineStartsWithinTheFirstLineOfAnyArray(@ForAll @IntRange(min = 0, max = 5000) int length) {
        int start = CacheLines.lineStart(new float[length]);
        assertTrue(start >= 0 && start < CacheLines.LINE_FLOATS, "line start " + start);
    }

    @Test
    void aLineIsSixteenFloats() {
        assertEquals(16, CacheLines.LINE_FLOATS);
    }
}
