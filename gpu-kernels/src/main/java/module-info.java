/**
 * The GPU kernels shared by the CUDA and OpenCL backends, written once in a common dialect of C,
 * and the generator of elementwise kernels from core's op definitions. It will export
 * {@code io.gasok.gpukernels} to the two GPU backends once that package holds the kernel sources
 * (a module cannot export a package with no classes).
 */
module io.gasok.gpukernels {
    requires io.gasok;
}
