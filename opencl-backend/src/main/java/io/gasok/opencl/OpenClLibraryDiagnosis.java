package io.gasok.opencl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Says why JOCL could not load OpenCL and what to install, from a listing of the library
 * directories (a predicate, so tests can simulate a machine).
 *
 * <p>JOCL 2.0.5 asks the dynamic linker for the unversioned {@code libOpenCL.so} only, with no
 * path and no property to point it elsewhere (its {@code LibInitializer} has one candidate name on
 * Linux). GPU drivers and Debian's {@code ocl-icd-libopencl1} install only {@code libOpenCL.so.1};
 * the unversioned link comes with the development package ({@code ocl-icd-opencl-dev}). A link in
 * a private directory named by {@code LD_LIBRARY_PATH} works without root; it must be set before
 * the JVM starts, since the dynamic linker reads it once.
 */
final class OpenClLibraryDiagnosis {
    static final String UNVERSIONED = "libOpenCL.so";
    static final String VERSIONED = "libOpenCL.so.1";

    private OpenClLibraryDiagnosis() {}

    /** The directories the dynamic linker searches for {@code libOpenCL.so} on this machine. */
    static List<Path> librarySearchPath(String ldLibraryPath, String osArch) {
        Set<Path> directories = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String entry : ldLibraryPath.split(":")) {
                if (!entry.isBlank()) {
                    directories.add(Path.of(entry));
                }
            }
        }
        String multiarch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            default -> osArch + "-linux-gnu";
        };
        for (String directory : List.of("/usr/lib/" + multiarch, "/lib/" + multiarch, "/usr/lib64", "/lib64",
                "/usr/lib", "/lib", "/usr/local/lib")) {
            directories.add(Path.of(directory));
        }
        return new ArrayList<>(directories);
    }

    /**
     * Why OpenCL cannot be loaded, given the search path, which files exist, and the error JOCL
     * gave; ends with what to do.
     */
    static String explain(List<Path> searchPath, Predicate<Path> exists, Throwable loadError) {
        Path unversioned = firstIn(searchPath, UNVERSIONED, exists);
        Path versioned = firstIn(searchPath, VERSIONED, exists);
        if (unversioned == null && versioned != null) {
            return "JOCL 2.0.5 loads only the unversioned " + UNVERSIONED + ", but only " + versioned
                    + " is installed (an OpenCL driver's loader without the development link). Install the link with "
                    + "'sudo apt-get install ocl-icd-opencl-dev' (Fedora: 'sudo dnf install ocl-icd-devel'), or "
                    + "without root: 'mkdir -p ~/.local/lib/gasok-opencl && ln -s " + versioned
                    + " ~/.local/lib/gasok-opencl/" + UNVERSIONED + "' and start Java with "
                    + "LD_LIBRARY_PATH=$HOME/.local/lib/gasok-opencl";
        }
        if (unversioned == null) {
            return "no OpenCL loader (" + UNVERSIONED + ") in " + searchPath + ". Install the ICD loader and a "
                    + "driver: 'sudo apt-get install ocl-icd-opencl-dev' plus your GPU vendor's OpenCL driver, or "
                    + "'pocl-opencl-icd' to run OpenCL on the CPU";
        }
        return "JOCL could not initialise OpenCL although " + unversioned + " exists: " + loadError
                + ". Check that the JVM runs with --enable-native-access=ALL-UNNAMED and that JOCL 2.0.5 has a "
                + "native library for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    }

    private static Path firstIn(List<Path> searchPath, String fileName, Predicate<Path> exists) {
        for (Path directory : searchPath) {
            Path candidate = directory.resolve(fileName);
            if (exists.test(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
