package io.gasok.opencl;

import io.gasok.BackendUnavailableException;
import java.nio.file.Files;
import org.jocl.CL;

/**
 * Loads JOCL's native library and, through it, {@code libOpenCL.so}, once per JVM. A failed load
 * is kept with its explanation: JOCL's {@code CL} class fails in its static initialiser, after
 * which every use would be a reason-less {@code NoClassDefFoundError}.
 */
final class OpenClLibrary {
    private static final String FAILURE = probe();

    private OpenClLibrary() {}

    /** Returns when OpenCL can be called; else throws with the reason and what to install. */
    static void requireLoaded() {
        if (FAILURE != null) {
            throw new BackendUnavailableException("opencl", FAILURE);
        }
    }

    private static String probe() {
        try {
            CL.setExceptionsEnabled(false);
            return null;
        } catch (LinkageError e) {
            return OpenClLibraryDiagnosis.explain(
                    OpenClLibraryDiagnosis.librarySearchPath(System.getenv("LD_LIBRARY_PATH"), System.getProperty("os.arch")),
                    Files::exists, e);
        }
    }
}
