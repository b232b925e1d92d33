package io.gasok.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old file or the whole new one, never a part: the
 * bytes go to a temporary file beside the target ({@code .NAME.RANDOM.tmp}, so the rename stays on
 * one file system), are forced to the disk, and the temporary file is then renamed over the target.
 * When anything fails, the temporary file is deleted and the target is left as it was.
 *
 * <p>Where the file system cannot rename atomically, the rename falls back to a plain replacing
 * move; the bytes are still complete on disk before the target is touched.
 */
final class AtomicFile {
    private AtomicFile() {}

    /** What writes the content. */
    interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw new NoSuchFileException(String.valueOf(directory), null,
                    "cannot save " + target + ": the directory does not exist");
        }
        Path temporary = null;
        try {
            FileChannel channel = null;
            while (channel == null) {
                temporary = directory.resolve("." + absolute.getFileName() + "."
                        + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
                channel = createNew(temporary);
            }
            try (FileChannel output = channel) {
                content.writeTo(output);
                output.force(true);
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notHere) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
            forceDirectory(directory);
        } catch (IOException | RuntimeException | Error failure) {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException cleanup) {
                    failure.addSuppressed(cleanup);
                }
            }
            throw failure;
        }
    }

    /** A new file opened for writing, or null when the name is taken. */
    private static FileChannel createNew(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException taken) {
            return null;
        }
    }

    /** Makes the rename itself durable where the platform allows it (POSIX); elsewhere a no-op. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // Windows cannot open a directory as a channel; the rename is still done.
        }
    }
}
