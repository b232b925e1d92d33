/**
 * The OpenCL backend on JOCL ({@code Device.of("opencl")}). It exports nothing: core finds it
 * through {@link java.util.ServiceLoader} as an {@code io.gasok.spi.BackendProvider}.
 *
 * <p>JOCL has no module descriptor; {@code jocl} is its automatic module name. Its native library
 * needs {@code --enable-native-access}, and it finds only the unversioned {@code libOpenCL.so}
 * (Debian's {@code ocl-icd-opencl-dev}).
 */
module io.gasok.opencl {
    requires io.gasok;
    requires io.gasok.gpukernels;
    requires jocl;

    provides io.gasok.spi.BackendProvider with io.gasok.opencl.OpenClBackendProvider;
}
