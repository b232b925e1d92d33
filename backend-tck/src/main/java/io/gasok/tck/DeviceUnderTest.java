package io.gasok.tck;

import io.gasok.Device;

/**
 * What every contract needs: the device under test. {@link BackendConformance} leaves it to each
 * backend's test class; the contracts compare it with {@link Device#reference()} and with host
 * oracles.
 */
public interface DeviceUnderTest {

    /** The device whose backend is under test. */
    Device device();

    /** The oracle: the scalar reference backend. */
    default Device reference() {
        return Device.reference();
    }
}
