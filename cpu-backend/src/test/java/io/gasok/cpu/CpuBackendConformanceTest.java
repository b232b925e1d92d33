package io.gasok.cpu;

import io.gasok.Device;
import io.gasok.tck.BackendConformance;

/** The whole conformance suite on the Vector API backend, against the reference backend. */
class CpuBackendConformanceTest extends BackendConformance {

    @Override
    public Device device() {
        return Device.of("cpu");
    }
}
