/**
 * GPU kernels written once for CUDA and OpenCL. Each kernel source is in a small dialect of C
 * ({@code KERNEL}, {@code GLOBAL}, {@code LOCAL}, {@code BARRIER()}, {@code global_id(d)}, ...)
 * that a short prelude per API maps to CUDA C++ or OpenCL C, so a reader compares one kernel, not
 * two copies. Tile sizes and the dtype come in only as {@code -D} macros, local memory is sized
 * statically, every float literal has its {@code f}, and there is no vector-type arithmetic and no
 * float atomic. A fast path that only one API has sits behind a guard beside its portable twin.
 *
 * <p>Elementwise kernels are generated here from the single op definitions in core (their C
 * expressions), one kernel per fused expression, cached by the backends.
 */
package io.gasok.gpukernels;
