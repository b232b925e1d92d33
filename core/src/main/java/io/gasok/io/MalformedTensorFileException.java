package io.gasok.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tensor file (safetensors or {@code .npy}) that is corrupt, truncated, hostile or uses a feature
 * Gasok does not read. The message names the file and what is wrong with it: the tensor, the byte
 * offset in the file, the value found and the value expected.
 */
public class MalformedTensorFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public MalformedTensorFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }
}
