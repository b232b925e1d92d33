package io.gasok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTest {

    /** 40 rows of class 0, 20 of class 1, 8 of class 2; feature 0 is the row's index. */
    private static Dataset unbalanced() {
        int n = 68;
        float[] features = new float[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            features[i] = i;
            labels[i] = i < 40 ? 0 : i < 60 ? 1 : 2;
        }
        return new Dataset(features, labels, 1);
    }

    @Test
    void everyPartKeepsTheClassBalance() {
        Split split = Split.stratified(unbalanced(), 0.25, 0.25, 1);
        assertArrayEquals(new int[] {10, 5, 2}, split.test().classCounts());
        assertArrayEquals(new int[] {10, 5, 2}, split.validation().classCounts());
        assertArrayEquals(new int[] {20, 10, 4}, split.train().classCounts());
    }

    @Test
    void thePartsAreDisjointAndCoverTheData() {
        Split split = Split.stratified(unbalanced(), 0.1, 0.3, 9);
        Set<Float> seen = new HashSet<>();
        for (Dataset part : new Dataset[] {split.train(), split.validation(), split.test()}) {
            for (float value : part.features()) {
                assertTrue(seen.add(value), "row " + value + " is in two parts");
            }
        }
        assertEquals(68, seen.size());
    }

    @Test
    void theSameSeedGivesTheSameSplitAndAnotherSeedAnother() {
        Dataset data = unbalanced();
        assertArrayEquals(Split.stratified(data, 0, 0.25, 5).test().features(),
                Split.stratified(data, 0, 0.25, 5).test().features());
        assertFalse(java.util.Arrays.equals(Split.stratified(data, 0, 0.25, 5).test().features(),
                Split.stratified(data, 0, 0.25, 6).test().features()));
    }

    @Test
    void aTinyClassKeepsATrainingRow() {
        Dataset data = new Dataset(new float[] {0, 1, 2, 3}, new int[] {0, 0, 0, 1}, 1);
        Split split = Split.stratified(data, 0.3, 0.6, 0);
        assertEquals(1, split.train().classCounts()[1]);
    }

    @Test
    void fractionsThatLeaveNoTrainingRowsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Split.stratified(unbalanced(), 0.5, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> Split.stratified(unbalanced(), -0.1, 0.2, 0));
    }

    @Test
    void aDatasetChecksItsShape() {
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[5], new int[2], 2));
        assertThrows(IllegalArgumentException.class, () -> new Dataset(new float[2], new int[] {-1}, 2));
        Dataset d = Dataset.of(new float[][] {{1, 2}, {3, 4}}, new int[] {1, 0});
        assertArrayEquals(new float[] {3, 4}, d.row(1));
        assertArrayEquals(new float[] {3, 4, 1, 2}, d.subset(new int[] {1, 0}).features());
        assertEquals(2, d.classCount());
    }
}
