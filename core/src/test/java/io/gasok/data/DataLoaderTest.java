package io.gasok.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.gasok.Device;
import io.gasok.Scope;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DataLoaderTest {

    private static Dataset rows(int n) {
        float[] features = new float[n * 2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            features[2 * i] = i;
            features[2 * i + 1] = -i;
            labels[i] = i % 3;
        }
        return new Dataset(features, labels, 2);
    }

    @Test
    void anEpochVisitsEveryRowOnceInBatchesWithASmallerLastOne() {
        DataLoader loader = new DataLoader(rows(10), 4, true, 7);
        assertEquals(3, loader.batchCount());
        boolean[] seen = new boolean[10];
        int batches = 0;
        try (Scope scope = Scope.open()) {
            for (DataLoader.Batch batch : loader.epoch(0, Device.reference())) {
                assertEquals(batches < 2 ? 4 : 2, batch.size());
                float[] x = batch.features().toFloatArray();
                long[] y = batch.labels().toLongArray();
                for (int i = 0; i < batch.size(); i++) {
                    int row = (int) x[2 * i];
                    assertEquals(-row, x[2 * i + 1]);
                    assertEquals(row % 3, y[i]);
                    assertFalse(seen[row]);
                    seen[row] = true;
                }
                batches++;
            }
        }
        assertEquals(3, batches);
        for (boolean s : seen) {
            assertEquals(true, s);
        }
    }

    @Test
    void theOrderDependsOnlyOnTheSeedAndTheEpoch() {
        DataLoader a = new DataLoader(rows(50), 8, true, 3);
        DataLoader b = new DataLoader(rows(50), 8, true, 3);
        assertArrayEquals(a.order(5), b.order(5));
        assertFalse(Arrays.equals(a.order(0), a.order(1)));
        assertFalse(Arrays.equals(a.order(0), new DataLoader(rows(50), 8, true, 4).order(0)));
        int[] sorted = a.order(2).clone();
        Arrays.sort(sorted);
        assertArrayEquals(new DataLoader(rows(50), 8, false, 3).order(2), sorted);
    }

    @Test
    void aBadBatchSizeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(rows(3), 0, false, 0));
    }
}
