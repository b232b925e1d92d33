package io.gasok.examples.gesture;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

/**
 * The training curves as an image: loss and accuracy per epoch, training and validation side by side
 * (XChart, headless). The file name's extension picks the format: .png, .jpg (.jpeg), .gif or .bmp.
 */
public final class CurvesPlot {
    private CurvesPlot() {}

    /**
     * The image format {@code file}'s extension names.
     *
     * @throws IllegalArgumentException for any other extension, naming the file and the formats
     */
    public static String format(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        String extension = name.lastIndexOf('.') < 0 ? ""
                : name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
        return switch (extension) {
            case "png", "gif", "bmp" -> extension;
            case "jpg", "jpeg" -> "jpg";
            default -> throw new IllegalArgumentException("plot " + file
                    + ": the file name must end in .png, .jpg, .jpeg, .gif or .bmp (the image format)");
        };
    }

    /** Writes the two charts of {@code history} to {@code file} in the format its extension names, titled with {@code title}. */
    public static void write(Trainer.History history, String title, Path file) throws IOException {
        String format = format(file);
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
                if (!ImageIO.write(sideBySide(loss, accuracy), format, out)) {
                    throw new IOException("plot " + file + ": this Java has no " + format + " image writer");
                }
            }
            Files.move(temporary, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * The charts drawn side by side on an opaque (RGB) image: JPEG and BMP have no alpha channel, and
     * their writers refuse XChart's ARGB images.
     */
    private static BufferedImage sideBySide(XYChart... charts) {
        int width = 0;
        int height = 0;
        for (XYChart chart : charts) {
            width += chart.getWidth();
            height = Math.max(height, chart.getHeight());
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        try {
            graphics.setColor(Color.WHITE);
            graphics.fillRect(0, 0, width, height);
            int x = 0;
            for (XYChart chart : charts) {
                graphics.drawImage(BitmapEncoder.getBufferedImage(chart), x, 0, null);
                x += chart.getWidth();
            }
        } finally {
            graphics.dispose();
        }
        return image;
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
