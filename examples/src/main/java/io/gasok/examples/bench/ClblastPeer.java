package io.gasok.examples.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CLBlast's SGEMM as the peer of Gasok's OpenCL rows: {@code clblast_peer.c} (a resource beside
 * this class) is compiled on first use with {@code cc ... -lclblast -lOpenCL} into
 * {@code $XDG_CACHE_HOME/gasok} (else {@code ~/.cache/gasok}, else the temporary directory), named
 * by its source's hash so that a changed source is built again, and run as one process per Gasok
 * OpenCL device, speaking {@link PeerProcess}'s protocol: {@code CALLS gemm N}, each call followed
 * by {@code clFinish}.
 *
 * <p>The program orders the OpenCL devices as Gasok does (GPUs, then accelerators, then CPUs, in
 * platform order), takes Gasok's device index and says which platform and device it opened; the
 * bench compares the two and uses the peer only when it runs on the device Gasok runs on.
 * Where CLBlast is not installed (Debian: {@code libclblast-dev}) or there is no C compiler, the
 * peer is absent with a one-line reason.
 */
public final class ClblastPeer implements AutoCloseable {
    static final String SOURCE_RESOURCE = "/io/gasok/examples/bench/clblast_peer.c";

    private final PeerProcess process;

    private ClblastPeer(PeerProcess process) {
        this.process = process;
    }

    /**
     * Builds the peer with {@code compiler} (normally {@code cc}) if its cached build is missing,
     * and starts it on OpenCL device {@code deviceIndex} in Gasok's order.
     *
     * @throws PeerUnavailableException "clblast not present: why" (no compiler, no CLBlast, no device)
     */
    public static ClblastPeer start(String compiler, int deviceIndex) {
        return start(compiler, deviceIndex, cacheDirectory());
    }

    /** {@link #start(String, int)} with the build cached in {@code directory}. */
    static ClblastPeer start(String compiler, int deviceIndex, Path directory) {
        Path program = build(compiler, directory);
        ProcessBuilder builder = new ProcessBuilder(List.of(program.toString(), Integer.toString(deviceIndex)));
        return new ClblastPeer(PeerProcess.start("clblast", builder));
    }

    /** CLBlast's version (from the header it was built against). */
    public String version() {
        return String.valueOf(process.info().getOrDefault("clblast", "unknown"));
    }

    /** The OpenCL platform the peer runs on, e.g. "Portable Computing Language". */
    public String platform() {
        return String.valueOf(process.info().getOrDefault("platform", "unknown"));
    }

    /** The OpenCL device the peer runs on (CL_DEVICE_NAME). */
    public String device() {
        return String.valueOf(process.info().getOrDefault("device", "unknown"));
    }

    public String deviceVersion() {
        return String.valueOf(process.info().getOrDefault("device_version", "unknown"));
    }

    /**
     * Whether the peer's device is the one Gasok describes as {@code gasokDescription}: Gasok's
     * OpenCL description starts with the device's name and names its platform.
     */
    public boolean runsOn(String gasokDescription) {
        return sameDevice(device(), platform(), gasokDescription);
    }

    static boolean sameDevice(String device, String platform, String gasokDescription) {
        return gasokDescription.startsWith(device + " (") && gasokDescription.contains(", " + platform + ",");
    }

    /** Seconds for {@code calls} calls of {@code request} ({@code gemm N}), each waited for with clFinish. */
    public double time(int calls, String request) {
        return process.time(calls, request);
    }

    @Override
    public void close() {
        process.close();
    }

    // ------------------------------------------------------------------------------------ building

    /** The built program in {@code directory}, compiled now unless a build of the same source is there. */
    private static Path build(String compiler, Path directory) {
        byte[] source = source();
        Path program = directory.resolve("clblast-peer-" + hash(source));
        if (Files.isExecutable(program)) {
            return program;
        }
        try {
            Path sourceFile = Files.createTempFile(directory, "clblast_peer-", ".c");
            Path output = Files.createTempFile(directory, "clblast-peer-", ".building");
            try {
                Files.write(sourceFile, source);
                Process cc;
                try {
                    cc = new ProcessBuilder(List.of(compiler, "-O2", "-o", output.toString(), sourceFile.toString(),
                            "-lclblast", "-lOpenCL")).redirectErrorStream(true).start();
                } catch (IOException e) {
                    throw new PeerUnavailableException("clblast not present: no C compiler '" + compiler
                            + "' to build the peer (Debian: apt-get install gcc)");
                }
                String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!cc.waitFor(120, TimeUnit.SECONDS)) {
                    cc.destroyForcibly();
                    throw new PeerUnavailableException("clblast not present: " + compiler + " took over 2 minutes");
                }
                if (cc.exitValue() != 0) {
                    throw new PeerUnavailableException("clblast not present: " + diagnose(compiler, log));
                }
                try {
                    Files.move(output, program, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(output, program, StandardCopyOption.REPLACE_EXISTING);
                }
                return program;
            } finally {
                Files.deleteIfExists(sourceFile);
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new PeerUnavailableException("clblast not present: cannot build the peer in " + directory + ": "
                    + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerUnavailableException("clblast not present: interrupted while building the peer");
        }
    }

    /** One line saying why the compiler failed, with what to install where that is known. */
    static String diagnose(String compiler, String log) {
        if (log.contains("clblast_c.h") || log.contains("-lclblast")) {
            return "CLBlast is not installed (" + firstError(log) + "); Debian/Ubuntu: apt-get install libclblast-dev";
        }
        if (log.contains("CL/cl.h") || log.contains("-lOpenCL")) {
            return "the OpenCL development files are missing (" + firstError(log)
                    + "); Debian/Ubuntu: apt-get install ocl-icd-opencl-dev opencl-c-headers";
        }
        return compiler + " failed to build the peer: " + firstError(log);
    }

    private static String firstError(String log) {
        for (String line : log.lines().toList()) {
            if (line.contains("error") || line.contains("cannot find")) {
                return line.strip();
            }
        }
        return log.strip().lines().findFirst().orElse("no output");
    }

    private static byte[] source() {
        try (InputStream in = ClblastPeer.class.getResourceAsStream(SOURCE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the gasok-examples jar has no " + SOURCE_RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + SOURCE_RESOURCE, e);
        }
    }

    /** $XDG_CACHE_HOME/gasok, else ~/.cache/gasok, else the temporary directory's gasok folder. */
    private static Path cacheDirectory() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        for (Path candidate : List.of(base.resolve("gasok"), Path.of(System.getProperty("java.io.tmpdir"), "gasok"))) {
            try {
                Files.createDirectories(candidate);
                if (Files.isWritable(candidate)) {
                    return candidate;
                }
            } catch (IOException | SecurityException ignored) {
                // try the next one
            }
        }
        throw new PeerUnavailableException("clblast not present: no writable cache directory to build the peer in");
    }

    private static String hash(byte[] source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
