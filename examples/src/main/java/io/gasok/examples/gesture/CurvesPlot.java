package io.gasok.examples.gesture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/** The training curves as a PNG: loss and accuracy per epoch, training and validation side by side (XChart, headless). */
public final class CurvesPlot {
    private CurvesPlot() {}

    /** Writes the two charts of {@code history} to {@code file} (a PNG), titled with {@code title}. */
    public static void write(Trainer.History history, String title, Path file) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<Trainer.Epoch> epochs = history.epochs();
        double[] x = epochs.stream().mapToDouble(Trainer.Epoch::epoch).toArray();
        boolean validation = epochs.stream().anyMatch(e -> !Double.isNaN(e.validationLoss()));
        XYChart loss = chart("Loss: " + title, "cross-entropy");
        XYChart accuracy = chart("Accuracy: " + title, "accuracy");
        series(loss, "training", x, epochs.stream().mapToDouble(Trainer.Epoch::loss).toArray());
        series(accuracy, "training", x, epochs.stream().mapToDouble(Trainer.Epoch::accuracy).toArray());
        if (validation) {
            series(loss, "validation", x, epochs.stream().mapToDouble(Trainer.Epoch::validationLoss).toArray());
            series(accuracy, "validation", x, epochs.stream().mapToDouble(Trainer.Epoch::validationAccuracy).toArray());
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path temporary = file.resolveSibling(file.getFileName() + ".partial");
        try {
            try (var out = Files.newOutputStream(temporary)) {
                BitmapEncoder.saveBitmap(List.of(loss, accuracy), 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
            }
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(640).height(420).title(title).xAxisTitle("epoch").yAxisTitle(yTitle)
                .build();
        chart.getStyler().setMarkerSize(0);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        return chart;
    }

    private static void series(XYChart chart, String name, double[] x, double[] y) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
    }
}
