package io.gasok.tck;

import io.gasok.Device;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The backend conformance suite (DESIGN §6): a backend's test class extends this one class,
 * implements {@link #device()}, and inherits every property of every contract.
 *
 * <pre>{@code
 * class CpuBackendConformanceTest extends BackendConformance {
 *     public Device device() { return Device.of("cpu"); }
 *     public int tries() { return 200; }          // optional: the tries per property
 * }
 * }</pre>
 *
 * <p>Every try runs in its own {@link io.gasok.Scope} and fails on a leaked buffer
 * ({@link LeakCheck}); the tries per property come from {@link #tries()} or the system property
 * {@value TckSettings#TRIES_PROPERTY} ({@link TckSettings}).
 */
@AddLifecycleHook(TckSettings.TriesHook.class)
@AddLifecycleHook(LeakCheck.class)
public abstract class BackendConformance implements ElementwiseContract, ReductionContract, LinalgContract,
        ConvolutionContract, IndexingContract, ShapeContract, RandomContract, KernelContract,
        MultiOutputElementwiseContract, ErrorContract {

    /** The device under test. */
    @Override
    public abstract Device device();

    /**
     * Tries per property for this backend, unless {@value TckSettings#TRIES_PROPERTY} is set:
     * {@value TckSettings#DEFAULT_TRIES}, the figure for CPU-side backends. A slow backend (a GPU
     * emulated on PoCL in CI) overrides it with fewer.
     */
    public int tries() {
        return TckSettings.DEFAULT_TRIES;
    }
}
