package io.gasok;

import io.gasok.spi.Backend;
import io.gasok.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One device of one backend: {@code reference}, {@code cpu}, {@code opencl:1}, {@code cuda:0}.
 *
 * <p>Backends are found with {@link ServiceLoader}. Asking for one by name that cannot run here
 * throws {@link BackendUnavailableException} with the reason; Gasok never falls back to another
 * backend silently. A failed probe is kept, so a second request gets the same first reason.
 *
 * <p>{@link #best()} follows one stated policy: a real GPU (CUDA, or OpenCL on a GPU), then the
 * Vector API CPU backend, then OpenCL on a CPU (PoCL never outranks the native CPU backend), then
 * the scalar reference; {@link #survey()} tells which one it picked and why the others were passed
 * over.
 *
 * <p>Thread safety: a Device may be used from many threads. Tensors created without naming a
 * device go to {@link #getDefault()}: the device named by the {@code gasok.device} system property
 * or the {@code GASOK_DEVICE} environment variable, else {@code cpu} when the Vector API backend is
 * available, else {@code reference}. GPUs are used only when asked for (or through
 * {@code best()}), so creating a tensor never initialises a GPU driver behind the user's back.
 */
public final class Device {
    private static final Map<String, Device> OPENED = new ConcurrentHashMap<>();
    private static final Map<String, BackendUnavailableException> FAILED = new ConcurrentHashMap<>();
    private static volatile List<BackendProvider> providers;
    private static volatile Device defaultDevice;

    private final String name;
    private final BackendProvider.Kind kind;
    private final Backend backend;

    private Device(String name, BackendProvider.Kind kind, Backend backend) {
        this.name = name;
        this.kind = kind;
        this.backend = backend;
    }

    /**
     * The device named {@code spec}: a backend name with an optional device index,
     * {@code "cuda:1"}; the index defaults to 0.
     *
     * @throws BackendUnavailableException when that backend cannot run here, with the reason
     * @throws IllegalArgumentException for a name no backend has
     */
    public static Device of(String spec) {
        String trimmed = spec.trim().toLowerCase(Locale.ROOT);
        int colon = trimmed.indexOf(':');
        String backendName = colon < 0 ? trimmed : trimmed.substring(0, colon);
        int index;
        try {
            index = colon < 0 ? 0 : Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device index in '" + spec + "': expected name[:index], e.g. cuda:0");
        }
        if (index < 0) {
            throw new IllegalArgumentException("bad device index in '" + spec + "': an index is 0 or more");
        }
        String key = backendName + ":" + index;
        Device opened = OPENED.get(key);
        if (opened != null) {
            return opened;
        }
        BackendUnavailableException failed = FAILED.get(key);
        if (failed != null) {
            throw failed;
        }
        BackendProvider provider = provider(backendName, spec);
        synchronized (Device.class) {
            opened = OPENED.get(key);
            if (opened != null) {
                return opened;
            }
            try {
                Backend backend = provider.open(index);
                String name = index == 0 && colon < 0 ? backendName : key;
                Device device = new Device(name, provider.kind(), backend);
                OPENED.put(key, device);
                return device;
            } catch (BackendUnavailableException e) {
                FAILED.put(key, e);
                throw e;
            } catch (RuntimeException | LinkageError e) {
                BackendUnavailableException wrapped = new BackendUnavailableException(backendName,
                        "initialisation failed: " + e, e);
                FAILED.put(key, wrapped);
                throw wrapped;
            }
        }
    }

    /**
     * The backend names {@link #of} accepts here, available or not: those of the backend modules on
     * the class or module path. For checking a device name before opening it (a command line).
     */
    public static List<String> backendNames() {
        return providers().stream().map(BackendProvider::name).toList();
    }

    /** The scalar reference backend, always available. */
    public static Device reference() {
        return of("reference");
    }

    /** The best device here by the policy in the class comment. */
    public static Device best() {
        for (Candidate candidate : survey()) {
            if (candidate.best()) {
                return of(candidate.name());
            }
        }
        return reference();
    }

    /**
     * Every backend found, in the order {@link #best()} considers them, each available or not with
     * its description or reason; exactly one is marked best.
     */
    public static List<Candidate> survey() {
        List<BackendProvider> sorted = new ArrayList<>(providers());
        sorted.sort(Comparator.comparing(BackendProvider::kind));
        List<Candidate> candidates = new ArrayList<>();
        Device chosen = null;
        for (BackendProvider provider : sorted) {
            try {
                Device device = of(provider.name());
                String reason = chosen == null ? "best available by the policy GPU > cpu > OpenCL on a CPU > reference"
                        : "passed over: " + chosen.name + " ranks higher";
                candidates.add(new Candidate(provider.name(), provider.kind().name().toLowerCase(Locale.ROOT),
                        true, device.description(), reason, chosen == null));
                if (chosen == null) {
                    chosen = device;
                }
            } catch (BackendUnavailableException e) {
                candidates.add(new Candidate(provider.name(), provider.kind().name().toLowerCase(Locale.ROOT),
                        false, "", e.getMessage(), false));
            }
        }
        return candidates;
    }

    /** What {@link #survey()} reports of one backend. */
    public record Candidate(String name, String kind, boolean available, String description, String reason,
                            boolean best) {}

    /** The device new tensors go to when none is named (see the class comment). */
    public static Device getDefault() {
        Device device = defaultDevice;
        if (device == null) {
            synchronized (Device.class) {
                if (defaultDevice == null) {
                    defaultDevice = initialDefault();
                }
                device = defaultDevice;
            }
        }
        return device;
    }

    /** Makes {@code device} the default for tensors created without a device, on every thread. */
    public static void setDefault(Device device) {
        defaultDevice = device;
    }

    private static Device initialDefault() {
        String named = System.getProperty("gasok.device", System.getenv("GASOK_DEVICE"));
        if (named != null && !named.isBlank()) {
            return of(named);
        }
        if (providers().stream().anyMatch(p -> p.name().equals("cpu"))) {
            try {
                return of("cpu");
            } catch (BackendUnavailableException e) {
                return reference();
            }
        }
        return reference();
    }

    private static BackendProvider provider(String backendName, String spec) {
        for (BackendProvider provider : providers()) {
            if (provider.name().equals(backendName)) {
                return provider;
            }
        }
        List<String> known = providers().stream().map(BackendProvider::name).toList();
        throw new IllegalArgumentException("unknown device '" + spec + "': backends found are " + known
                + " (a backend module missing from the class path is not found)");
    }

    private static List<BackendProvider> providers() {
        List<BackendProvider> found = providers;
        if (found == null) {
            synchronized (Device.class) {
                if (providers == null) {
                    List<BackendProvider> loaded = new ArrayList<>();
                    ServiceLoader.load(BackendProvider.class, Device.class.getClassLoader()).forEach(loaded::add);
                    providers = List.copyOf(loaded);
                }
                found = providers;
            }
        }
        return found;
    }

    /** The name this device was asked for by: {@code cpu}, {@code cuda:1}. */
    public String name() {
        return name;
    }

    /** The backend's name: reference, cpu, opencl, cuda. */
    public String backendName() {
        return backend.name();
    }

    /** What it runs on, for reports: the processor or GPU and what matters about it. */
    public String description() {
        return backend.deviceDescription();
    }

    /** The kind of device, as {@link #best()} ranks them. */
    public BackendProvider.Kind kind() {
        return kind;
    }

    /** The backend's kernels (the SPI); for backend authors and the TCK. */
    public Backend backend() {
        return backend;
    }

    /** Waits for every kernel launched on this device. */
    public void synchronize() {
        backend.synchronize();
    }

    /** Buffers allocated on this device and not yet freed: a leak check for tests. */
    public long liveBuffers() {
        return backend.liveBuffers();
    }

    @Override
    public String toString() {
        return name;
    }
}
