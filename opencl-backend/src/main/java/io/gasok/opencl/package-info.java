/**
 * The OpenCL backend: the JOCL context, in-order command queue (profiling enabled) and pooled
 * buffers ({@code cl_mem}, which has no pointer arithmetic, so every kernel takes its operands'
 * element offsets as arguments), and one built program per kernel family and dtype, kept. The
 * kernels themselves are gpu-kernels' shared sources, compiled with its OpenCL prelude.
 *
 * <p>Kernels launch with fixed local sizes and padded global sizes, never a NULL local size: PoCL
 * compiles a work-group function per distinct local size. Work is queued asynchronously and the
 * host waits only when it reads data. A missing OpenCL library or platform makes the backend
 * unavailable with the reason and what to install, never a stack trace.
 */
package io.gasok.opencl;
