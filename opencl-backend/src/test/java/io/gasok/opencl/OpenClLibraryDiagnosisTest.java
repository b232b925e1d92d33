package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The "cannot load OpenCL" explanations, on simulated library directories (no device needed). */
class OpenClLibraryDiagnosisTest {
    private static final List<Path> SEARCH_PATH = OpenClLibraryDiagnosis.librarySearchPath(null, "amd64");
    private static final UnsatisfiedLinkError JOCL_ERROR = new UnsatisfiedLinkError(
            "Could not initialize native OpenCL library. Implementation library could not be loaded");

    @Test
    void onlyTheVersionedLoaderSaysToInstallTheDevelopmentLinkOrMakeOne() {
        Set<Path> files = Set.of(Path.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1"));
        String message = OpenClLibraryDiagnosis.explain(SEARCH_PATH, files::contains, JOCL_ERROR);
        assertTrue(message.contains("only /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 is installed"), message);
        assertTrue(message.contains("sudo apt-get install ocl-icd-opencl-dev"), message);
        assertTrue(message.contains("ln -s /usr/lib/x86_64-linux-gnu/libOpenCL.so.1 ~/.local/lib/gasok-opencl/libOpenCL.so"),
                message);
        assertTrue(message.contains("LD_LIBRARY_PATH=$HOME/.local/lib/gasok-opencl"), message);
    }

    @Test
    void noLoaderAtAllSaysToInstallALoaderAndADriver() {
        String message = OpenClLibraryDiagnosis.explain(SEARCH_PATH, path -> false, JOCL_ERROR);
        assertTrue(message.startsWith("no OpenCL loader (libOpenCL.so)"), message);
        assertTrue(message.contains("pocl-opencl-icd"), message);
    }

    @Test
    void aPresentLoaderThatStillFailsNamesTheErrorAndNativeAccess() {
        Set<Path> files = Set.of(Path.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so"), Path.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so.1"));
        String message = OpenClLibraryDiagnosis.explain(SEARCH_PATH, files::contains, JOCL_ERROR);
        assertTrue(message.contains("although /usr/lib/x86_64-linux-gnu/libOpenCL.so exists"), message);
        assertTrue(message.contains("--enable-native-access"), message);
    }

    @Test
    void theSearchPathStartsWithLdLibraryPathThenTheMultiarchDirectory() {
        List<Path> path = OpenClLibraryDiagnosis.librarySearchPath("/opt/a::/opt/b", "aarch64");
        assertEquals(List.of(Path.of("/opt/a"), Path.of("/opt/b"), Path.of("/usr/lib/aarch64-linux-gnu")), path.subList(0, 3));
    }
}
