package io.gasok.examples.gesture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.data.Dataset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandPosesTest {

    @Test
    void theSameSeedGivesTheSamePosesAndAnotherSeedOthers() {
        assertArrayEquals(HandPoses.generate(4, 10, 3).features(), HandPoses.generate(4, 10, 3).features());
        assertFalse(Arrays.equals(HandPoses.generate(4, 10, 3).features(), HandPoses.generate(4, 10, 4).features()));
    }

    @Test
    void rowsHaveTwentyOneLandmarksPreprocessedAsTheProjectsDo() {
        Dataset poses = HandPoses.generate(6, 20, 1);
        assertEquals(120, poses.size());
        assertEquals(42, poses.width());
        assertArrayEquals(new int[] {20, 20, 20, 20, 20, 20}, poses.classCounts());
        for (int i = 0; i < poses.size(); i++) {
            float[] row = poses.row(i);
            assertEquals(0f, row[0]);
            assertEquals(0f, row[1]);
            float max = 0;
            for (float v : row) {
                max = Math.max(max, Math.abs(v));
            }
            assertEquals(1f, max, 1e-6f);
        }
        assertEquals(java.util.List.of("Open", "Close", "Pointer", "OK"), HandPoses.names(4));
    }

    @Test
    void theGesturesDifferOnAverage() {
        Dataset poses = HandPoses.generate(6, 200, 5);
        double[][] means = new double[6][42];
        for (int i = 0; i < poses.size(); i++) {
            float[] row = poses.row(i);
            for (int j = 0; j < 42; j++) {
                means[poses.label(i)][j] += row[j] / 200.0;
            }
        }
        for (int a = 0; a < 6; a++) {
            for (int b = a + 1; b < 6; b++) {
                double distance = 0;
                for (int j = 0; j < 42; j++) {
                    distance += Math.pow(means[a][j] - means[b][j], 2);
                }
                assertTrue(Math.sqrt(distance) > 0.2, "gestures " + a + " and " + b + " look alike: " + Math.sqrt(distance));
            }
        }
        // An open hand reaches further from the wrist than a fist: the middle fingertip (landmark 12).
        double openTip = Math.hypot(means[0][24], means[0][25]);
        double fistTip = Math.hypot(means[1][24], means[1][25]);
        assertTrue(openTip > fistTip + 0.2, openTip + " vs " + fistTip);
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HandPoses.generate(7, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> HandPoses.generate(3, 0, 0));
    }
}
