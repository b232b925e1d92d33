package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Tensor;
import io.gasok.spi.Distribution;
import io.gasok.spi.Philox;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Seeded random fills: every backend draws the same numbers for the same seed and offset
 * (counter-based Philox), so the device's fill must equal the reference's and the host's
 * {@link Philox#sample} element by element (within float rounding of the Box-Muller transform),
 * a fill at offset k must equal the tail of a fill at offset 0, and uniforms lie in [0, 1).
 */
public interface RandomContract extends DeviceUnderTest {

    /** A random fill request. */
    record RandomCase(Distribution distribution, DType dtype, long seed, long offset, int[] shape) {
        @Override
        public String toString() {
            return distribution + " " + dtype + java.util.Arrays.toString(shape) + " seed " + seed + " offset " + offset;
        }
    }

    @Provide
    default Arbitrary<RandomCase> randomCases() {
        return Combinators.combine(Arbitraries.of(Distribution.values()), Tensors.floating(),
                Arbitraries.longs(), Arbitraries.longs().between(0, 1L << 40), Shapes.shape(0, 4, true))
                .as(RandomCase::new);
    }

    @Property
    @Label("random fills equal the reference and Philox on the host for the same seed and offset")
    default void randomFillsEqualReferenceForTheSameSeedAndOffset(@ForAll("randomCases") RandomCase c) {
        Tensor got = Tensor.random(device(), c.distribution(), c.dtype(), c.seed(), c.offset(), c.shape());
        HostTensor host = HostTensor.of(got);
        double[] expected = new double[host.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Oracle.round(c.dtype(), Philox.sample(c.distribution(), c.dtype() == DType.FLOAT64,
                    c.seed(), c.offset() + i));
            if (c.distribution() == Distribution.UNIFORM) {
                Check.that(host.get(i) >= 0 && host.get(i) < 1, "uniform value " + host.get(i) + " outside [0, 1); " + c);
            }
        }
        Tolerance.Bound bound = Tolerance.elementwise("log", c.dtype());
        Check.close("random", c.toString(), host, new HostTensor(c.dtype(), c.shape(), expected), bound);
        Check.close("random vs reference", c.toString(), host, HostTensor.of(Tensor.random(reference(),
                c.distribution(), c.dtype(), c.seed(), c.offset(), c.shape())), bound);
        if (host.size() > 1) {
            int skip = host.size() / 2;
            Tensor tail = Tensor.random(device(), c.distribution(), c.dtype(), c.seed(), c.offset() + skip,
                    host.size() - skip);
            double[] rest = java.util.Arrays.copyOfRange(host.values(), skip, host.size());
            Check.close("random at a later offset", c.toString(), tail,
                    new HostTensor(c.dtype(), new int[] {rest.length}, rest), Tolerance.exact());
        }
    }
}
