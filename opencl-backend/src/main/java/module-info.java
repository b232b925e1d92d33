/**
 * The OpenCL backend on JOCL. It exports nothing. Once it implements the whole kernel set, core
 * will find it through {@link java.util.ServiceLoader} as an {@code io.gasok.spi.BackendProvider}
 * ({@code provides} is left out until then: see the package documentation).
 *
 * <p>JOCL has no module descriptor; {@code jocl} is its automatic module name. Its native library
 * needs {@code --enable-native-access}, and it finds only the unversioned {@code libOpenCL.so}
 * (Debian's {@code ocl-icd-opencl-dev}).
 */
module io.gasok.opencl {
    requires io.gasok;
    requires io.gasok.gpukernels;
    requires jocl;
}
