package io.gasok.examples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.BackendUnavailableException;
import io.gasok.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLBlast peer's building, its absence messages, the line protocol it shares, and its device check. */
class ClblastPeerTest {

    @Test
    void aMissingCompilerIsOneLineSayingWhatToInstall(@TempDir Path cache) {
        PeerUnavailableException e = assertThrows(PeerUnavailableException.class,
                () -> ClblastPeer.start("no-such-cc-here", 0, cache));
        assertEquals("clblast not present: no C compiler 'no-such-cc-here' to build the peer (Debian: apt-get install gcc)",
                e.getMessage());
    }

    @Test
    void compilerErrorsBecomeWhatToInstall() {
        String noHeader = """
                /tmp/clblast_peer-1.c:17:10: fatal error: clblast_c.h: No such file or directory
                   17 | #include <clblast_c.h>
                compilation terminated.
                """;
        assertEquals("CLBlast is not installed (/tmp/clblast_peer-1.c:17:10: fatal error: clblast_c.h: No such file or"
                + " directory); Debian/Ubuntu: apt-get install libclblast-dev", ClblastPeer.diagnose("cc", noHeader));
        assertTrue(ClblastPeer.diagnose("cc", "/usr/bin/ld: cannot find -lclblast: No such file or directory\n")
                .endsWith("apt-get install libclblast-dev"));
        assertTrue(ClblastPeer.diagnose("cc", "/usr/bin/ld: cannot find -lOpenCL: No such file or directory\n")
                .endsWith("apt-get install ocl-icd-opencl-dev opencl-c-headers"));
        assertEquals("cc failed to build the peer: x.c:1: error: something else",
                ClblastPeer.diagnose("cc", "x.c:1: error: something else\n"));
    }

    @Test
    void thePeerMustHaveOpenedGasoksDevice() {
        String gasok = "pthread-haswell-AMD EPYC (CPU, Portable Computing Language, OpenCL 3.0 PoCL, 7514 MiB, fp64)";
        assertTrue(ClblastPeer.sameDevice("pthread-haswell-AMD EPYC", "Portable Computing Language", gasok));
        assertFalse(ClblastPeer.sameDevice("pthread-haswell-AMD EPYC", "Oclgrind", gasok));
        assertFalse(ClblastPeer.sameDevice("NVIDIA H100", "Portable Computing Language", gasok));
    }

    @Test
    void answersAreJsonObjectsWithSeconds() throws IOException {
        Map<String, Object> answer = PeerProcess.parseAnswer("clblast", "{\"seconds\": 0.25}");
        assertEquals(0.25, PeerProcess.seconds(answer));
        assertThrows(IOException.class, () -> PeerProcess.seconds(PeerProcess.parseAnswer("clblast", "{\"error\": \"x\"}")));
        assertThrows(IOException.class, () -> PeerProcess.seconds(PeerProcess.parseAnswer("clblast", "{\"seconds\": -1}")));
        IOException notJson = assertThrows(IOException.class, () -> PeerProcess.parseAnswer("clblast", "Segmentation fault"));
        assertEquals("unexpected output from the clblast peer: Segmentation fault", notJson.getMessage());
        assertThrows(IOException.class, () -> PeerProcess.parseAnswer("clblast", "[1, 2]"));
    }

    /**
     * Runs where CLBlast, a C compiler and an OpenCL device are all present (CI installs them);
     * with {@code GASOK_REQUIRE_OPENCL=1} a missing OpenCL device is a failure, not a skip.
     */
    @Test
    void whereClblastIsInstalledThePeerAnswersOnGasoksDevice(@TempDir Path cache) {
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/include/clblast_c.h")), "skipped: libclblast-dev not installed");
        Device device;
        try {
            device = Device.of("opencl");
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv("GASOK_REQUIRE_OPENCL"))) {
                throw new AssertionError("GASOK_REQUIRE_OPENCL=1 but there is no OpenCL device", e);
            }
            Assumptions.abort("skipped: no OpenCL device: " + e.getMessage());
            return;
        }
        try (ClblastPeer peer = ClblastPeer.start("cc", 0, cache)) {
            assertTrue(peer.runsOn(device.description()), peer.device() + " / " + device.description());
            assertTrue(peer.version().matches("\\d+\\.\\d+\\.\\d+"), peer.version());
            assertTrue(peer.time(2, "gemm 8") >= 0);
            PeerUnavailableException e = assertThrows(PeerUnavailableException.class, () -> peer.time(1, "conv_fwd 1"));
            assertTrue(e.getMessage().startsWith("clblast failed on 'conv_fwd 1': unsupported request"), e.getMessage());
        }
        try (ClblastPeer cached = ClblastPeer.start("no-such-cc-here", 0, cache)) {
            assertTrue(cached.time(1, "gemm 4") >= 0, "the cached build runs without a compiler");
        }
    }
}
