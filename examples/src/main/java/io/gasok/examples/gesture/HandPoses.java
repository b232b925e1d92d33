package io.gasok.examples.gesture;

import io.gasok.data.Dataset;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The embedded data of {@code gasok gesture}: a seeded generator of plausible hand poses in
 * MediaPipe's 21-landmark layout (0 wrist; 1-4 thumb CMC, MCP, IP, tip; 5-8 index MCP, PIP, DIP,
 * tip; 9-12 middle; 13-16 ring; 17-20 little finger).
 *
 * <p>A kinematic right hand: the knuckles sit on a palm in the x-y plane, fingers point up the
 * image (towards -y, as in a camera image whose y grows downwards), and each joint bends its finger
 * towards the palm (+z) by an angle set per gesture (the thumb bends across the palm). Each sample
 * jitters every joint angle (sd 14°) and the finger spread, varies the hand's proportions, turns the hand
 * in the image plane (±35°) and tilts it out of it (±30°), projects it onto the image at a random
 * size in pixels, rounds to whole pixels as the camera projects do, adds pixel noise, and finally
 * applies {@link KeypointCsv#preprocess}, so rows look like those of the MediaPipe projects' CSV.
 */
public final class HandPoses {

    /** A gesture: its name and its joint angles in degrees, per finger (thumb first) MCP, PIP, DIP. */
    record Gesture(String name, double[][] flexion) {}

    private static final double[] EXTENDED = {5, 5, 5};
    private static final double[] CURLED = {80, 95, 60};
    private static final double[] THUMB_OUT = {-10, 5, 5};
    private static final double[] THUMB_TUCKED = {50, 50, 40};

    /** The gestures, in class order: the first four are those of the real sample (Open, Close, Pointer, OK). */
    static final List<Gesture> GESTURES = List.of(
            new Gesture("Open", new double[][] {THUMB_OUT, EXTENDED, EXTENDED, EXTENDED, EXTENDED}),
            new Gesture("Close", new double[][] {THUMB_TUCKED, CURLED, CURLED, CURLED, CURLED}),
            new Gesture("Pointer", new double[][] {THUMB_TUCKED, EXTENDED, CURLED, CURLED, CURLED}),
            new Gesture("OK", new double[][] {{30, 25, 20}, {45, 60, 35}, EXTENDED, {10, 8, 5}, {15, 10, 5}}),
            new Gesture("Peace", new double[][] {THUMB_TUCKED, EXTENDED, EXTENDED, CURLED, CURLED}),
            new Gesture("ThumbUp", new double[][] {{-25, 0, 0}, CURLED, CURLED, CURLED, CURLED}));

    /** Knuckle (MCP; CMC for the thumb) positions on the palm, in palm lengths, wrist at the origin. */
    private static final double[][] KNUCKLES = {{0.25, -0.15}, {0.28, -0.9}, {0.05, -0.95}, {-0.15, -0.88}, {-0.32, -0.75}};
    /** Segment lengths per finger, in palm lengths: metacarpal of the thumb, then proximal, middle, distal. */
    private static final double[][] SEGMENTS = {{0.35, 0.3, 0.25}, {0.42, 0.25, 0.2}, {0.48, 0.3, 0.22},
        {0.44, 0.28, 0.2}, {0.34, 0.2, 0.18}};
    /** The direction each finger points in the palm plane, in degrees from straight up (positive: outwards to +x). */
    private static final double[] SPREAD = {55, 8, 0, -8, -18};

    private HandPoses() {}

    /** The gesture names, in class order. */
    public static List<String> names(int classes) {
        checkClasses(classes);
        return GESTURES.subList(0, classes).stream().map(Gesture::name).toList();
    }

    /** The largest number of gestures the generator knows. */
    public static int maxClasses() {
        return GESTURES.size();
    }

    /** {@code perClass} samples of each of the first {@code classes} gestures, class by class; 42 values a row. */
    public static Dataset generate(int classes, int perClass, long seed) {
        checkClasses(classes);
        if (perClass < 1) {
            throw new IllegalArgumentException("the generator needs at least 1 sample per class, not " + perClass);
        }
        SplittableRandom random = new SplittableRandom(seed);
        float[][] rows = new float[classes * perClass][];
        int[] labels = new int[rows.length];
        for (int c = 0; c < classes; c++) {
            for (int i = 0; i < perClass; i++) {
                rows[c * perClass + i] = sample(GESTURES.get(c), random);
                labels[c * perClass + i] = c;
            }
        }
        return Dataset.of(rows, labels);
    }

    /** One pose of {@code gesture}: 21 landmarks as x,y, preprocessed. */
    static float[] sample(Gesture gesture, SplittableRandom random) {
        double[][] points = new double[KeypointCsv.LANDMARKS][];
        points[0] = new double[] {0, 0, 0};
        double palmScale = 1 + 0.08 * random.nextGaussian();
        double spreadScale = 1 + 0.25 * random.nextGaussian();
        for (int finger = 0; finger < 5; finger++) {
            double[] knuckle = {KNUCKLES[finger][0] * palmScale, KNUCKLES[finger][1] * palmScale, 0};
            int first = 1 + 4 * finger;
            points[first] = knuckle;
            double spread = Math.toRadians(SPREAD[finger] * spreadScale + 4 * random.nextGaussian());
            double[] along = {Math.sin(spread), -Math.cos(spread), 0};
            // Fingers bend towards the palm; the thumb bends across it, towards the little finger.
            double[] bend = finger == 0 ? normalise(new double[] {-0.8, -0.2, 0.6}) : new double[] {0, 0, 1};
            double angle = 0;
            double[] at = knuckle;
            for (int joint = 0; joint < 3; joint++) {
                angle += Math.toRadians(gesture.flexion()[finger][joint] + 14 * random.nextGaussian());
                double length = SEGMENTS[finger][joint] * palmScale * (1 + 0.05 * random.nextGaussian());
                double[] next = new double[3];
                for (int k = 0; k < 3; k++) {
                    next[k] = at[k] + length * (Math.cos(angle) * along[k] + Math.sin(angle) * bend[k]);
                }
                points[first + 1 + joint] = next;
                at = next;
            }
        }
        double roll = Math.toRadians(35 * (2 * random.nextDouble() - 1));
        double pitch = Math.toRadians(30 * (2 * random.nextDouble() - 1));
        double yaw = Math.toRadians(30 * (2 * random.nextDouble() - 1));
        double pixels = 60 + 140 * random.nextDouble();
        double noise = 1.0 + 3 * random.nextDouble();
        float[] row = new float[2 * KeypointCsv.LANDMARKS];
        for (int i = 0; i < points.length; i++) {
            double[] p = rotate(points[i], roll, pitch, yaw);
            row[2 * i] = (float) Math.rint(pixels * p[0] + noise * random.nextGaussian());
            row[2 * i + 1] = (float) Math.rint(pixels * p[1] + noise * random.nextGaussian());
        }
        return KeypointCsv.preprocess(row, 2);
    }

    /** Tilt about x (pitch) and y (yaw), then turn in the image plane (roll). */
    private static double[] rotate(double[] p, double roll, double pitch, double yaw) {
        double y1 = p[1] * Math.cos(pitch) - p[2] * Math.sin(pitch);
        double z1 = p[1] * Math.sin(pitch) + p[2] * Math.cos(pitch);
        double x2 = p[0] * Math.cos(yaw) + z1 * Math.sin(yaw);
        double z2 = -p[0] * Math.sin(yaw) + z1 * Math.cos(yaw);
        double x3 = x2 * Math.cos(roll) - y1 * Math.sin(roll);
        double y3 = x2 * Math.sin(roll) + y1 * Math.cos(roll);
        return new double[] {x3, y3, z2};
    }

    private static double[] normalise(double[] v) {
        double norm = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        return new double[] {v[0] / norm, v[1] / norm, v[2] / norm};
    }

    private static void checkClasses(int classes) {
        if (classes < 2 || classes > GESTURES.size()) {
            throw new IllegalArgumentException("the generator knows 2 to " + GESTURES.size() + " gestures, not " + classes);
        }
    }
}
