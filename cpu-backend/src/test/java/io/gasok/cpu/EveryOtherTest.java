package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link EveryOther}'s vector loops against their scalar definitions, bit for bit, at every run
 * length and position (whole vectors, tails, runs that end at the array's end): the gather reads
 * {@code x[from + 2j]}, the split both phases of a run, and {@link EveryOther#interleave} joins two
 * runs back into one, writing no other float and reading nothing past either run (runs that end
 * their arrays).
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
    void interleaveJoinsTwoRunsAndWritesNothingElse(@ForAll @IntRange(min = 0, max = 70) int pairs,
                                                    @ForAll @IntRange(min = 0, max = 9) int evenAt,
                                                    @ForAll @IntRange(min = 0, max = 9) int oddAt,
                                                    @ForAll @IntRange(min = 0, max = 9) int at,
                                                    @ForAll @IntRange(min = 0, max = 3) int after,
                                                    @ForAll long seed) {
        // The runs end their arrays (a read past them would throw); dst has `after` floats past the run.
        float[] even = randomFloats(evenAt + pairs, seed);
        float[] odd = randomFloats(oddAt + pairs, seed + 1);
        float[] got = randomFloats(at + 2 * pairs + after, seed + 2);
        float[] expected = got.clone();
        for (int i = 0; i < pairs; i++) {
            expected[at + 2 * i] = even[evenAt + i];
            expected[at + 2 * i + 1] = odd[oddAt + i];
        }
        EveryOther.interleave(even, evenAt, odd, oddAt, pairs, got, at);
        assertArrayEquals(expected, got);
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
