package io.gasok;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs each test with the reference device as the default device and fails it when the reference
 * backend holds more or fewer live buffers afterwards than before (every tensor a test creates must
 * be freed by its scope), or when a scope was left open. Use with {@code @ExtendWith(NoLeaks.class)}.
 */
final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoLeaks.class);

    /** What a test started from, restored and compared when it ends. */
    private record Start(long liveBuffers, Device defaultDevice) {}

    NoLeaks() {}

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
        if (Scope.current() != null) {
            throw new AssertionError("the test left a Scope open on its thread");
        }
    }
}
