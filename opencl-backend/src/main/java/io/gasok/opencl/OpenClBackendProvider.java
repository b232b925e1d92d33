package io.gasok.opencl;

import io.gasok.BackendUnavailableException;
import io.gasok.spi.Backend;
import io.gasok.spi.BackendProvider;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OpenCL backend's provider: {@code opencl:N} is device N of the discovery order (GPUs, then
 * accelerators, then CPUs), so plain {@code opencl} is the best GPU when there is one. Its kind is
 * GPU when that first device is a GPU, else CPU_OPENCL (PoCL never outranks the native CPU backend).
 *
 * <p>Not registered with {@link java.util.ServiceLoader} yet: the backend implements only part of
 * the kernel set (see {@link OpenClBackend}), and a user must not be handed an incomplete backend.
 */
public final class OpenClBackendProvider implements BackendProvider {
    private final Map<Integer, OpenClBackend> opened = new ConcurrentHashMap<>();
    private volatile Discovery discovery;

    /** Devices in order, or why there are none; found once. */
    private record Discovery(List<OpenClDevice> devices, BackendUnavailableException failure) {}

    public OpenClBackendProvider() {}

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public Kind kind() {
        List<OpenClDevice> devices = discovery().devices();
        return !devices.isEmpty() && devices.getFirst().isGpu() ? Kind.GPU : Kind.CPU_OPENCL;
    }

    /**
     * The backend of device {@code index}, created once.
     *
     * @throws BackendUnavailableException when OpenCL cannot run here, saying why and what to install
     */
    @Override
    public Backend open(int index) {
        Discovery found = discovery();
        if (found.failure() != null) {
            throw found.failure();
        }
        if (index < 0 || index >= found.devices().size()) {
            throw new BackendUnavailableException("opencl", "no device opencl:" + index + "; there are "
                    + found.devices().size() + ": " + found.devices().stream().map(OpenClDevice::describe).toList());
        }
        return opened.computeIfAbsent(index, i -> OpenClBackend.open(found.devices().get(i)));
    }

    @Override
    public int deviceCount() {
        return discovery().devices().size();
    }

    private Discovery discovery() {
        Discovery found = discovery;
        if (found == null) {
            synchronized (this) {
                found = discovery;
                if (found == null) {
                    found = discover();
                    discovery = found;
                }
            }
        }
        return found;
    }

    private static Discovery discover() {
        try {
            return new Discovery(OpenClDevices.discover(), null);
        } catch (BackendUnavailableException e) {
            return new Discovery(List.of(), e);
        }
    }
}
