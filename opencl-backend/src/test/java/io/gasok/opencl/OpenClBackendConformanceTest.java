package io.gasok.opencl;

import io.gasok.Device;
import io.gasok.tck.BackendConformance;

/**
 * The whole conformance suite on OpenCL device 0 (PoCL in CI), against the reference backend.
 * Fewer tries than a CPU backend: every new expression structure or kernel variant is a program
 * build (about half a second on PoCL), and CI runs this on two cores. Without an OpenCL device the
 * properties are skipped with the reason, unless GASOK_REQUIRE_OPENCL=1 makes that a failure.
 */
class OpenClBackendConformanceTest extends BackendConformance {

    @Override
    public Device device() {
        OpenClTestBackend.backend();
        return Device.of("opencl");
    }

    @Override
    public int tries() {
        return 30;
    }
}
