package io.gasok.nn;

import io.gasok.Device;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test on the reference device (as the default device) and fails it when the reference
 * backend holds a different number of live buffers afterwards: every module, optimizer and scope a
 * test opens must free what it allocated. Use with {@code @ExtendWith(LeakCheck.class)}.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);

    private record Start(long liveBuffers, Device defaultDevice) {}

    public LeakCheck() {}

    @Override
    public void beforeEach(ExtensionContext context) {
        Device reference = Device.reference();
        context.getStore(NAMESPACE).put("start", new Start(reference.liveBuffers(), Device.getDefault()));
        Device.setDefault(reference);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Start start = context.getStore(NAMESPACE).remove("start", Start.class);
        Device.setDefault(start.defaultDevice());
        long now = Device.reference().liveBuffers();
        if (now != start.liveBuffers()) {
            throw new AssertionError("reference backend live buffers went from " + start.liveBuffers() + " to " + now
                    + ": the test leaked (or double-freed) tensor storage");
        }
    }
}
