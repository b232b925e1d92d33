package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link EveryOther}'s vector loops against their scalar definitions, bit for bit, at every run
 * length and position (whole vectors, tails, runs that end at the array's end): the gather reads
 * {@code x[from + 2j]}, the split both phases of a run, and {@link EveryOther#addInto} adds into {@code x[to + 2j]}, changes no
 * other float and reads nothing past the run's last float (a run that ends the array).
 */
class EveryOtherTest {

    @Property(tries = 400)
    void gatherTakesEveryOtherFloat(@ForAll @IntRange(min = 0, max = 70) int count,
                                    @ForAll @IntRange(min = 0, max = 9) int from,
                                    @ForAll @IntRange(min = 0, max = 9) int at,
                                    @ForAll @IntRange(min = 0, max = 3) int slack,
                                    @ForAll long seed) {
        float[] x = randomFloats(from + 2 * Math.max(0, count - 1) + 1 + slack, seed);
        float[] got = randomFloats(at + count + 3, seed + 1);
        float[] expected = got.clone();
        for (int j = 0; j < count; j++) {
            expected[at + j] = x[from + 2 * j];
        }
        EveryOther.gather(x, from, got, at, count);
        assertArrayEquals(expected, got);
    }

    @Property(tries = 400)
    void splitWritesEvenAndOddFloatsToTheirRuns(@ForAll @IntRange(min = 0, max = 70) int pairs,
                                                @ForAll @IntRange(min = 0, max = 9) int from,
                                                @ForAll @IntRange(min = 0, max = 9) int evenAt,
                                                @ForAll @IntRange(min = 0, max = 9) int oddAt,
                                                @ForAll long seed) {
        // The run ends the array: a read past it would throw.
        float[] x = randomFloats(from + 2 * pairs, seed);
        float[] even = randomFloats(evenAt + pairs + 2, seed + 1);
        float[] odd = randomFloats(oddAt + pairs + 2, seed + 2);
        float[] expectedEven = even.clone();
        float[] expectedOdd = odd.clone();
        for (int i = 0; i < pairs; i++) {
            expectedEven[evenAt + i] = x[from + 2 * i];
            expectedOdd[oddAt + i] = x[from + 2 * i + 1];
        }
        EveryOther.split(x, from, pairs, even, evenAt, odd, oddAt);
        assertArrayEquals(expectedEven, even);
        assertArrayEquals(expectedOdd, odd);
    }

    @Property(tries = 400)
    void addIntoAddsToEveryOtherFloatAndNothingElse(@ForAll @IntRange(min = 0, max = 70) int count,
                                                    @ForAll @IntRange(min = 0, max = 9) int from,
                                                    @ForAll @IntRange(min = 0, max = 9) int to,
                                                    @ForAll @IntRange(min = 0, max = 40) int after,
                                                    @ForAll long seed) {
        float[] src = randomFloats(from + count + 2, seed);
        // after = 0: the run's last float ends the array, so a vector past the run would throw.
        float[] got = randomFloats(to + 2 * Math.max(0, count - 1) + 1 + after, seed + 1);
        float[] expected = got.clone();
        for (int j = 0; j < count; j++) {
            expected[to + 2 * j] += src[from + j];
        }
        float[] untouched = got.clone();
        EveryOther.addInto(src, from, got, to, count);
        assertArrayEquals(expected, got);
        for (int i = 0; i < got.length; i++) {
            boolean inRun = i >= to && i <= to + 2 * (count - 1) && (i - to) % 2 == 0;
            if (!inRun && Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(untouched[i])) {
                throw new AssertionError("float " + i + " outside the run changed");
            }
        }
    }

    private static float[] randomFloats(int length, long seed) {
        Random random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = random.nextFloat() * 4 - 2;
        }
        return values;
    }
}
