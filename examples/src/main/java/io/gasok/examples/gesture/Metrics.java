package io.gasok.examples.gesture;

import io.gasok.Device;
import io.gasok.data.Dataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a classifier did on labelled rows: loss, accuracy, the confusion matrix, per-class precision and recall. */
public final class Metrics {
    private Metrics() {}

    /**
     * The mean cross-entropy, the accuracy, each row's predicted class and the confusion matrix
     * ({@code confusion[true][predicted]}).
     */
    public record Evaluation(double loss, double accuracy, int[] predictions, int[][] confusion) {

        /** Precision, recall and support of each class; a class never predicted has precision 0. */
        public List<Map<String, Object>> perClass(List<String> labels) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int c = 0; c < confusion.length; c++) {
                int truePositives = confusion[c][c];
                int support = 0;
                int predicted = 0;
                for (int k = 0; k < confusion.length; k++) {
                    support += confusion[c][k];
                    predicted += confusion[k][c];
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("class", c);
                row.put("label", c < labels.size() ? labels.get(c) : "class " + c);
                row.put("precision", predicted == 0 ? 0.0 : (double) truePositives / predicted);
                row.put("recall", support == 0 ? 0.0 : (double) truePositives / support);
                row.put("support", support);
                rows.add(row);
            }
            return rows;
        }

        public List<List<Integer>> confusionRows() {
            List<List<Integer>> rows = new ArrayList<>();
            for (int[] row : confusion) {
                rows.add(java.util.Arrays.stream(row).boxed().toList());
            }
            return rows;
        }
    }

    /** Evaluates {@code model} on {@code prepared} rows (already {@linkplain GestureModel#prepare prepared}) on {@code device}. */
    public static Evaluation evaluate(GestureModel model, Dataset prepared, Device device) {
        int classes = model.labels().size();
        float[] logits = model.logits(prepared, device);
        int n = prepared.size();
        int[] predictions = new int[n];
        int[][] confusion = new int[classes][classes];
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double value = logits[i * classes + c];
                if (value > max) {
                    max = value;
                    best = c;
                }
            }
            double total = 0;
            for (int c = 0; c < classes; c++) {
                total += Math.exp(logits[i * classes + c] - max);
            }
            int label = prepared.label(i);
            if (label >= classes) {
                throw new IllegalArgumentException("class id " + label + " in the data, but the model knows "
                        + classes + " classes");
            }
            loss += Math.log(total) + max - logits[i * classes + label];
            predictions[i] = best;
            confusion[label][best]++;
            if (best == label) {
                correct++;
            }
        }
        return new Evaluation(n == 0 ? Double.NaN : loss / n, n == 0 ? Double.NaN : (double) correct / n, predictions,
                confusion);
    }
}
