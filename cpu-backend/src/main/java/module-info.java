/**
 * The Vector API CPU backend ({@code Device.of("cpu")}). It exports nothing: core finds it through
 * {@link java.util.ServiceLoader} as an {@code io.gasok.spi.BackendProvider}.
 *
 * <p>{@code jdk.incubator.vector} is an incubator module, so a program using this backend starts
 * with {@code --add-modules jdk.incubator.vector}; without it the backend reports itself unavailable
 * and says so.
 */
module io.gasok.cpu {
    requires io.gasok;
    requires jdk.incubator.vector;

    provides io.gasok.spi.BackendProvider with io.gasok.cpu.CpuBackendProvider;
}
