/**
 * The CUDA backend on JCuda's driver API ({@code Device.of("cuda:0")}). It exports nothing: core
 * finds it through {@link java.util.ServiceLoader} as an {@code io.gasok.spi.BackendProvider}.
 *
 * <p>JCuda has no module descriptor; {@code jcuda} is its automatic module name. Its native
 * libraries need {@code --enable-native-access} and the NVIDIA driver's {@code libcuda.so.1}.
 */
module io.gasok.cuda {
    requires io.gasok;
    requires io.gasok.gpukernels;
    requires jcuda;
}
