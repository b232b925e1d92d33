package io.gasok.reference;

import io.gasok.spi.Backend;
import io.gasok.spi.BackendProvider;

/** Registers the scalar reference backend: one device, always available. */
public final class ReferenceBackendProvider implements BackendProvider {
    private static final ReferenceBackend SHARED = new ReferenceBackend();

    public ReferenceBackendProvider() {}

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Kind kind() {
        return Kind.REFERENCE;
    }

    /** The one shared reference backend for device 0. */
    @Override
    public Backend open(int index) {
        if (index != 0) {
            throw new IllegalArgumentException("the reference backend has one device, index 0; got index " + index);
        }
        return SHARED;
    }

    @Override
    public int deviceCount() {
        return 1;
    }
}
