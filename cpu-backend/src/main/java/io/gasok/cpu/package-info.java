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
 *
 * <p>A vector C2 cannot keep in a register is boxed on the heap, tens of bytes an operation and many
 * times slower, and whether it can depends on how the loop was compiled, which differs from JVM to
 * JVM. What the allocation tests ({@code *AllocationTest}, each in a JVM of its own, at this
 * machine's lanes and at 128 bits) caught, and the rules the kernels follow for it:
 * <ul>
 *   <li>Only arrays cross a call C2 may not inline: helpers store their vectors, they do not return
 *   them (a large caller, the GEMM epilogue, did not inline them).
 *   <li>No vector set on one branch only: compute both and blend ({@code VectorMath}'s exp, softmax).
 *   <li>On a vector carried round a loop, only the Vector API's final methods ({@code add},
 *   {@code max}, {@code fma}, ...), not {@code lanewise(op, v)}: a loop's vector has only its
 *   declared type when C2 parses the loop, and an abstract method on it is inlined only through the
 *   call site's own type profile, which an early compile may lack (CpuReductions' max of a line).
 *   <li>No inner loop that carries a vector inside a kernel's loop: polynomials are written out
 *   ({@code VectorMath}).
 * </ul>
 */
package io.gasok.cpu;
