package io.gasok.io;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The team's shared data folder, {@code shared/data} beside the checkout: found by walking up from
 * the working directory (the module when Maven runs the tests). A test that needs it is skipped,
 * with the reason, where it is absent.
 */
final class SharedData {
    private SharedData() {}

    static Path directory(String name) {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path candidate = at.resolve("shared").resolve("data").resolve(name);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return Assumptions.abort("shared/data/" + name + " not found above " + Path.of("").toAbsolutePath()
                + " (the team's shared data folder is absent here)");
    }
}
