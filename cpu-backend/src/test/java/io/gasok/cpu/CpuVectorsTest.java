package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * The vector width and the GEMM tile come from their system properties when set (the build's
 * neon-lanes run sets 128 bits and 6x4, and this test then checks that every kernel's species is
 * that one), from the machine otherwise, and a bad value is refused with the property's name.
 */
class CpuVectorsTest {

    @Test
    void usesTheWidthAndTileItsPropertiesName() {
        String bits = System.getProperty(CpuVectors.BITS_PROPERTY);
        int expected = bits == null ? FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(bits);
        assertEquals(expected, CpuVectors.BITS);
        assertEquals(expected / Float.SIZE, CpuVectors.FLOATS.length());
        assertEquals(expected / Double.SIZE, CpuVectors.DOUBLES.length());
        assertEquals(expected / Long.SIZE, CpuVectors.LONGS.length());
        assertEquals(CpuVectors.FLOATS, GemmFloat32MicroKernels.SPECIES);
        String tile = System.getProperty(GemmFloat32MicroKernels.TILE_PROPERTY);
        if (tile != null) {
            assertEquals(tile, GemmFloat32MicroKernels.MR + "x" + GemmFloat32MicroKernels.VECTORS_WIDE);
        }
        assertTrue(GemmFloat32.blocking().startsWith("GEMM tile " + GemmFloat32MicroKernels.MR + "x"
                + GemmFloat32MicroKernels.NR));
    }

    @Test
    void refusesWidthsThisMachineCannotRunOrTheApiHasNot() {
        assertEquals(256, CpuVectors.bits(null, 256));
        assertEquals(256, CpuVectors.bits(" ", 256));
        assertEquals(128, CpuVectors.bits(" 128 ", 256));
        assertEquals(512, CpuVectors.bits("512", 512));
        for (String bad : new String[] {"64", "512", "384", "wide"}) {
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> CpuVectors.bits(bad, 256));
            assertEquals("system property gasok.cpu.vectorBits must be 128, 256 or 512 and at most this machine's"
                    + " preferred 256 bits, not '" + bad + "'", error.getMessage());
        }
    }

    @Test
    void takesTheGemmTileFromItsProperty() {
        assertTrue(GemmFloat32MicroKernels.wideTile("6x4"));
        assertFalse(GemmFloat32MicroKernels.wideTile(" 4x2 "));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> GemmFloat32MicroKernels.wideTile("8x2"));
        assertEquals("system property gasok.cpu.gemm.tile must be 6x4 or 4x2, not '8x2'", error.getMessage());
    }
}
