/**
 * The GPU kernels shared by the CUDA and OpenCL backends, written once in a common dialect of C
 * (sources and the two preludes are resources of {@code io.gasok.gpukernels}), and the generator
 * of elementwise kernels from core's op definitions.
 */
module io.gasok.gpukernels {
    requires transitive io.gasok;

    exports io.gasok.gpukernels;
}
