/**
 * The CUDA backend: JCuda's driver API (context, stream, device memory pooled per device, pinned
 * staging buffers for transfers), the CUDA prelude that maps the shared kernel dialect to CUDA C++,
 * and the PTX built from the shared kernels by {@code nvcc}, committed with a manifest (source hash,
 * nvcc version, flags) so a build without nvcc works.
 *
 * <p>Work is queued on a stream and the host waits only when it reads data. No driver, a missing
 * {@code libcuda.so.1} or a driver too old for the shipped PTX
 * ({@code CUDA_ERROR_UNSUPPORTED_PTX_VERSION}) makes the backend unavailable with the reason and
 * what to do, never a stack trace.
 */
package io.gasok.cuda;
