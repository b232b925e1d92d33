package io.gasok.examples.gesture;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the team's shared data: a sibling {@code shared/data} of the working directory or of a folder above it. */
public final class SharedData {
    private SharedData() {}

    /** {@code shared/data/gesture} with the real keypoint sample, or null when there is none. */
    public static Path gestureFolder() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve("data").resolve("gesture");
            if (dir.getParent() != null && Files.isRegularFile(candidate.resolve("keypoint-sample.csv"))) {
                return candidate;
            }
            Path inside = dir.resolve("shared").resolve("data").resolve("gesture");
            if (Files.isRegularFile(inside.resolve("keypoint-sample.csv"))) {
                return inside;
            }
        }
        return null;
    }
}
