package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link CacheLines}: the build runs the tests with native access, as {@code ./gasok} runs the
 * backend, so there the address of an array is known and the line start it gives is one. (A
 * surefire execution forces the start instead: then only the property's parsing is checked here.)
 */
class CacheLinesTest {

    private static final boolean FORCED = System.getProperty(CacheLines.FORCED_START_PROPERTY) != null;

    @Test
    void knowsWhereArraysLieWithNativeAccess() {
        assertTrue(CacheLines.class.getModule().isNativeAccessEnabled(), "the build's JVM flags enable native access");
        assertTrue(CacheLines.known());
        if (!FORCED) {
            assertTrue(GemmFloat32.blocking().endsWith("packed panels on 64-byte lines"), GemmFloat32.blocking());
        }
    }

    @Property(tries = 100)
    void theLineStartIsWhereALineStarts(@ForAll @IntRange(min = 0, max = 5000) int length) {
        float[] array = new float[length + CacheLines.LINE_FLOATS];
        int start = CacheLines.lineStart(array);
        assertTrue(start >= 0 && start < CacheLines.LINE_FLOATS, "line start " + start);
        if (!FORCED) {
            // Read twice around the start: a collection in between can move the array (then try again).
            long before = CacheLines.address(array, 0);
            long at = CacheLines.address(array, start);
            if (CacheLines.address(array, 0) == before) {
                assertEquals(before + 4L * start, at);
                assertEquals(0, at % CacheLines.LINE_BYTES, "address " + at + " of index " + start);
            }
        }
    }

    @Test
    void theForcedStartIsAnIndexWithinALine() {
        assertEquals(-1, CacheLines.forcedStart(null));
        assertEquals(13, CacheLines.forcedStart(" 13 "));
        for (String bad : new String[] {"16", "-1", "x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheLines.forcedStart(bad));
            assertTrue(e.getMessage().contains(CacheLines.FORCED_START_PROPERTY), e.getMessage());
        }
    }
}
