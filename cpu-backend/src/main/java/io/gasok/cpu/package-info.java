/**
 * The CPU backend's kernels on the Vector API, over heap arrays ({@code float[]}, {@code double[]},
 * ...), with the same kernel names as the reference, CUDA and OpenCL backends so they can be read
 * side by side: GEMM with packed panels and a register-blocked micro-kernel, convolution (direct and
 * depthwise), pooling, the fused elementwise interpreter, reductions, softmax, gather/scatter.
 *
 * <p>Each loop has the shape {@code species.loopBound(n)}, {@code fma} inside, one
 * {@code reduceLanes} at the end and a scalar tail, with a scalar path beside it that a property
 * selects so tests can compare them. Work is split over one shared pool sized to the cores, in
 * blocks big enough to pay for a task, serially below that; results are deterministic for a given
 * thread count.
 */
package io.gasok.cpu;
