package io.gasok.io;

import io.gasok.Device;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test with the reference device as the default and fails it when the test leaves more
 * or fewer live reference buffers than it found (a loaded tensor never closed, or one closed
 * twice): loading must not leak, even when it fails half-way.
 */
final class NoLeakedTensors implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeakedTensors.class);

    private record Start(long liveBuffers, Device defaultDevice) {}

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("start", new Start(Device.reference().liveBuffers(), Device.getDefault()));
        Device.setDefault(Device.reference());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Start start = context.getStore(NAMESPACE).remove("start", Start.class);
        Device.setDefault(start.defaultDevice());
        long now = Device.reference().liveBuffers();
        if (now != start.liveBuffers()) {
            throw new AssertionError("reference backend live buffers went from " + start.liveBuffers() + " to " + now);
        }
    }
}
