package io.gasok.cpu;

import java.util.Locale;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel of the CPU backend uses, in one place: the platform's preferred
 * shape ({@code SPECIES_PREFERRED}: 512 bits with AVX-512, 256 with AVX2, 128 with NEON), or a
 * narrower one named by {@value #BITS_PROPERTY} (128 or 256, at most the preferred width). The
 * narrower shapes exist for testing: on an AVX2 machine, {@code -Dgasok.cpu.vectorBits=128} with
 * {@code -Dgasok.cpu.gemm.tile=6x4} ({@link GemmFloat32MicroKernels}) runs the lanes and the GEMM
 * tile an ARM core with NEON runs (4 float lanes, 32 vector registers), which no machine here has;
 * the build runs the cpu-backend tests that way too. Read once, when the class loads, so that the
 * JIT folds them as constants; a bad value is an {@link IllegalArgumentException} naming the
 * property (CpuBackendProvider unwraps it from the class's initialisation error).
 */
final class CpuVectors {

    /** System property that narrows the vector width, in bits (128 or 256). */
    static final String BITS_PROPERTY = "gasok.cpu.vectorBits";

    /** The vector width every kernel uses, in bits. */
    static final int BITS = bits(System.getProperty(BITS_PROPERTY), FloatVector.SPECIES_PREFERRED.vectorBitSize());
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.vectorBitSize() == BITS
            ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
    static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, FLOATS.vectorShape());
    static final VectorSpecies<Long> LONGS = VectorSpecies.of(long.class, FLOATS.vectorShape());

    private CpuVectors() {
    }

    /**
     * The width {@code value} asks for, or {@code preferred} when it is null or blank.
     *
     * @throws IllegalArgumentException naming the property when value is not 128 or 256 bits at
     *     most {@code preferred}
     */
    static int bits(String value, int preferred) {
        if (value == null || value.isBlank()) {
            return preferred;
        }
        int bits;
        try {
            bits = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            bits = 0;
        }
        if ((bits != 128 && bits != 256 && bits != 512) || bits > preferred) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "system property %s must be 128, 256 or 512 and at most this machine's preferred %d bits, not '%s'",
                    BITS_PROPERTY, preferred, value));
        }
        return bits;
    }
}
