package io.gasok.tck;

import io.gasok.Device;

/**
 * The TCK run against the reference backend itself: device and oracle coincide, so what this
 * checks is the reference's semantics against the TCK's independent host oracles (scalar
 * definitions, naive loops, EJML) plus layout invariance and leaks. The reference is cheap, so it
 * runs more tries per property than a device backend.
 */
class ReferenceBackendConformanceTest extends BackendConformance {

    @Override
    public Device device() {
        return Device.reference();
    }

    @Override
    public int tries() {
        return 300;
    }
}
