package io.gasok.tck;

import io.gasok.Device;
import io.gasok.Scope;
import java.util.List;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * Runs every try of every TCK property inside {@code try (Scope scope = Scope.open())} and fails
 * the try when the device under test or the reference holds more live buffers after the scope
 * closed than before it opened: every tensor a property or an op makes must be freed by its scope,
 * and a kernel must not keep buffers of its own. A try that fails is reported as it failed; the
 * buffers it may have stranded mid-op are not counted against the tries after it.
 */
public final class LeakCheck implements AroundTryHook {

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters) {
        if (!(context.testInstance() instanceof BackendConformance tck)) {
            return aTry.execute(parameters);
        }
        Device device = tck.device();
        Device reference = Device.reference();
        long deviceBefore = device.liveBuffers();
        long referenceBefore = reference.liveBuffers();
        TryExecutionResult result;
        try (Scope scope = Scope.open()) {
            result = aTry.execute(parameters);
        }
        if (result.isFalsified()) {
            return result;
        }
        long deviceAfter = device.liveBuffers();
        long referenceAfter = reference.liveBuffers();
        if (deviceAfter > deviceBefore || (device != reference && referenceAfter > referenceBefore)) {
            String where = device == reference ? "" : ", " + reference.name() + ": " + referenceBefore + " -> " + referenceAfter;
            return TryExecutionResult.falsified(new AssertionError(context.label() + " leaked buffers: live buffers on "
                    + device.name() + " went " + deviceBefore + " -> " + deviceAfter + where
                    + " across a closed Scope; inputs " + parameters));
        }
        return result;
    }

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }
}
