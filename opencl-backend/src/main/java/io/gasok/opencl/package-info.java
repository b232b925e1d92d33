/**
 * The OpenCL backend: the JOCL context, command queue and buffers ({@code cl_mem}, which has no
 * pointer arithmetic, so every kernel takes its operands' element offsets as arguments), the OpenCL
 * prelude that maps the shared kernel dialect to OpenCL C, and one built program per kernel family
 * and dtype, kept.
 *
 * <p>Kernels launch with fixed local sizes and padded global sizes, never a NULL local size: PoCL
 * compiles a work-group function per distinct local size. Work is queued asynchronously and the
 * host waits only when it reads data. A missing OpenCL library or platform makes the backend
 * unavailable with the reason and what to install, never a stack trace.
 */
package io.gasok.opencl;
