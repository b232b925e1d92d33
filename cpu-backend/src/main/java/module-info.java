/**
 * The Vector API CPU backend ({@code Device.of("cpu")}). It exports nothing: core finds it through
 * {@link java.util.ServiceLoader} as an {@code io.gasok.spi.BackendProvider}.
 *
 * <p>{@code jdk.incubator.vector} is an incubator module, so a program using this backend starts
 * with {@code --add-modules jdk.incubator.vector}; without it the backend reports itself unavailable
 * and says so. With native access ({@code --enable-native-access=io.gasok.cpu} on the module path,
 * {@code =ALL-UNNAMED} on the class path) it starts its packed GEMM panels on cache lines
 * ({@code CacheLines}); without it they start where its buffers do, and the device description says so.
 */
module io.gasok.cpu {
    requires io.gasok;
    requires jdk.incubator.vector;

    provides io.gasok.spi.BackendProvider with io.gasok.cpu.CpuBackendProvider;
}
