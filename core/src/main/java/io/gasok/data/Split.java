package io.gasok.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A dataset cut into training, validation and test parts, stratified: each class is shuffled on
 * its own (seeded) and split in the same proportions, so every part keeps the class balance of the
 * whole, as scikit-learn's {@code train_test_split(..., stratify=y)} does. Each part keeps the rows
 * in their original order; shuffle them for training with a {@link DataLoader}.
 */
public record Split(Dataset train, Dataset validation, Dataset test) {

    /**
     * Splits {@code data}: of each class's {@code n} rows, {@code round(n · testFraction)} go to
     * the test part, {@code round(n · validationFraction)} to the validation part and the rest to
     * training. Both fractions are of the whole; a class keeps at least one training row when it
     * has any. The same seed gives the same split.
     */
    public static Split stratified(Dataset data, double validationFraction, double testFraction, long seed) {
        Dataset.Checks.fraction(validationFraction, "Split: the validation fraction");
        Dataset.Checks.fraction(testFraction, "Split: the test fraction");
        if (validationFraction + testFraction >= 1) {
            throw new IllegalArgumentException("Split: validation " + validationFraction + " and test " + testFraction
                    + " leave no training rows");
        }
        int classes = data.classCount();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < data.size(); i++) {
            byClass.get(data.label(i)).add(i);
        }
        boolean[] inTest = new boolean[data.size()];
        boolean[] inValidation = new boolean[data.size()];
        SplittableRandom random = new SplittableRandom(seed);
        for (List<Integer> rows : byClass) {
            int[] order = rows.stream().mapToInt(Integer::intValue).toArray();
            DataLoader.shuffle(order, random);
            int n = order.length;
            int test = (int) Math.round(n * testFraction);
            int validation = (int) Math.round(n * validationFraction);
            while (n > 0 && test + validation >= n) {
                if (validation > 0) {
                    validation--;
                } else {
                    test--;
                }
            }
            for (int i = 0; i < test; i++) {
                inTest[order[i]] = true;
            }
            for (int i = test; i < test + validation; i++) {
                inValidation[order[i]] = true;
            }
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            (inTest[i] ? test : inValidation[i] ? validation : train).add(i);
        }
        return new Split(data.subset(toArray(train)), data.subset(toArray(validation)), data.subset(toArray(test)));
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
