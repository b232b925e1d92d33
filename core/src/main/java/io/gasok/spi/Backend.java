package io.gasok.spi;

/**
 * The kernel set every backend implements (DESIGN §4): small and fixed, like tinygrad's primitive
 * ops. Composite ops (softplus, layer norm, cross-entropy, ...) are built in core from these, and
 * every backward rule is written in core with tensor ops, so a backend that implements this
 * interface gets the whole library and its autograd.
 *
 * <p>Conventions for every kernel:
 * <ul>
 *   <li>Operands carry their own offset and strides; inputs may be any view (broadcast operands
 *   have stride 0). Outputs are written through their strides too, but core only passes outputs
 *   that do not overlap an input unless a method says otherwise.</li>
 *   <li>Core has checked shapes and dtypes before a launch; a backend may assume them.</li>
 *   <li>Where a kernel says "contiguous", core has made the operand contiguous first.</li>
 *   <li>Kernels may run asynchronously; {@link #read} and {@link #synchronize} wait for them.</li>
 * </ul>
 * Every launch goes through core's single dispatch point, which adds the profiler, the
 * synchronising debug mode and the error messages that name the op and its operands.
 */
public interface Backend {

    /** The backend's name: {@code reference}, {@code cpu}, {@code opencl}, {@code cuda}. */
    String name();

    /** What it runs on, for people: the processor or GPU name and what matters about it. */
    String deviceDescription();

    // ---- memory ----

    /** A new buffer of {@code length} elements; its contents are undefined until written. */
    Buffer allocate(io.gasok.DType dtype, int length);

    /** Returns a buffer to its backend (for device backends, to the pool). */
    void free(Buffer buffer);

    /** How many buffers this backend has allocated and not yet freed (for leak checks). */
    long liveBuffers();

    /** Copies {@code length} elements from a host array (of the buffer's dtype) into the buffer. */
    void write(Object hostArray, int hostOffset, Buffer dst, int dstOffset, int length);

    /** Copies {@code length} elements of the buffer to a host array, waiting for pending kernels. */
    void read(Buffer src, int srcOffset, Object hostArray, int hostOffset, int length);

    /** Copies the elements of {@code src} into {@code dst} (same shape and dtype, any strides). */
    void copy(Operand src, Operand dst);

    /** Sets every element of {@code dst} to {@code value} (converted to the dtype). */
    void fill(Operand dst, double value);

    /**
     * Writes {@code src} into the middle of {@code dst}, with {@code before[d]} elements of
     * {@code value} before it along each axis and the rest after it. Negative {@code before}
     * crops. Same dtype and rank.
     */
    void pad(Operand src, Operand dst, int[] before, double value);

    /**
     * Concatenates {@code inputs} along {@code axis} into {@code out}; the inputs agree with
     * {@code out} on every other axis.
     */
    void concat(Operand[] inputs, int axis, Operand out);

    // ---- elementwise ----

    /**
     * Evaluates {@code expr} for every element of {@code out}: input slot i reads
     * {@code inputs[i]}, which has {@code out}'s shape (broadcast by stride 0). {@code out} may
     * be one of the inputs with the same strides (in-place updates).
     */
    void elementwise(Expr expr, Operand[] inputs, Operand out);

    /**
     * Evaluates several expressions over the same inputs in one launch: {@code outs[k]} gets
     * {@code exprs[k]} for every element, each expression reading the inputs as they were before the
     * launch, so an out may be one of the inputs with the same strides (an optimizer step updating a
     * parameter and its moments together). The outs share one shape, which the inputs are broadcast
     * to, and do not overlap one another.
     *
     * <p>The default evaluates each expression into a temporary buffer with
     * {@link #elementwise(Expr, Operand[], Operand)} and then copies the temporaries into the outs,
     * which gives those semantics on any backend; a backend overrides it to make one pass.
     */
    default void elementwise(Expr[] exprs, Operand[] inputs, Operand[] outs) {
        Buffer[] temporaries = new Buffer[exprs.length];
        try {
            for (int k = 0; k < exprs.length; k++) {
                temporaries[k] = allocate(outs[k].dtype(), outs[k].size());
                elementwise(exprs[k], inputs, Operand.contiguous(temporaries[k], 0, outs[k].shape()));
            }
            for (int k = 0; k < exprs.length; k++) {
                copy(Operand.contiguous(temporaries[k], 0, outs[k].shape()), outs[k]);
            }
        } finally {
            for (Buffer temporary : temporaries) {
                if (temporary != null) {
                    free(temporary);
                }
            }
        }
    }

    // ---- reductions ----

    /**
     * Reduces {@code in} over {@code axes} into {@code out}, which has {@code in}'s rank with
     * those axes of size 1. ARGMAX/ARGMIN take exactly one axis and write INT64 indices.
     * Reducing an empty axis: SUM gives 0; the others are rejected by core.
     */
    void reduce(ReduceOp op, Operand in, int[] axes, Operand out);

    /** Softmax (or log-softmax when {@code log}) of {@code in} along {@code axis}, numerically stable. */
    void softmax(Operand in, int axis, boolean log, Operand out);

    // ---- linear algebra and convolution ----

    /** Batched GEMM as {@link GemmSpec} describes; {@code bias} may be null. */
    void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias);

    /** Convolution forward; x, w and y contiguous; bias ({@code [outChannels]}) may be null. */
    void conv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y);

    /** Gradient of the input: {@code gx = conv2d^T(gy, w)}; all contiguous; overwrites gx. */
    void conv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx);

    /**
     * Gradient of the weights, {@code gw = Σ x ⋆ gy}, and, where {@code gb} ({@code [outChannels]})
     * is not null, of the bias, {@code gb[co] = Σ_{n, oh, ow} gy[n, co, oh, ow]}, in the same launch
     * (a separate reduction launch cost the CPU backend's backward of a 128×40×40 → 256 stride-2
     * layer 1-2% more on its own); all contiguous; overwrites gw and gb.
     */
    void conv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb);

    /**
     * Depthwise convolution forward (spec.isDepthwise(), which includes a plain one-channel
     * convolution), its own kernel: bandwidth-bound.
     */
    void depthwiseConv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y);

    void depthwiseConv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx);

    /** Depthwise {@link #conv2dBackwardWeight}: gw, and gb where it is not null. */
    void depthwiseConv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb);

    /** Max or average pooling forward; contiguous. */
    void pool2d(Pool2dSpec spec, Operand x, Operand y);

    /**
     * Pooling backward: overwrites gx; max pooling reads x to find each window's first maximum
     * (core passes x for both kinds).
     */
    void pool2dBackward(Pool2dSpec spec, Operand x, Operand gy, Operand gx);

    /** Nearest or bilinear upsampling forward; contiguous. */
    void upsample2d(Upsample2dSpec spec, Operand x, Operand y);

    /** Upsampling backward: overwrites gx with the sum of the gradients each input fed. */
    void upsample2dBackward(Upsample2dSpec spec, Operand gy, Operand gx);

    // ---- indexing and random ----

    /**
     * PyTorch's gather: {@code out[..., i_axis, ...] = in[..., index[..., i_axis, ...], ...]};
     * index (INT64) has out's shape. Indices were checked by core where it could; a backend
     * treats an out-of-range index as an error it reports, never as a read outside the buffer.
     */
    void gather(Operand in, int axis, Operand index, Operand out);

    /**
     * ONNX's Gather / PyTorch's index_select: picks whole slices of {@code in} along {@code axis} by
     * a 1-D INT64 index; out has in's shape with that axis replaced by the index length.
     */
    void indexSelect(Operand in, int axis, Operand index, Operand out);

    /**
     * In place: {@code target[..., index[..., i, ...], ...] += src[..., i, ...]} along {@code axis}
     * (PyTorch's scatter_add_); index has src's shape. Deterministic: on GPUs without float atomics.
     */
    void scatterAdd(Operand target, int axis, Operand index, Operand src);

    /** Fills {@code out} by {@link Philox}: element i (row-major) is drawn for counter {@code offset + i}. */
    void random(Distribution distribution, long seed, long offset, Operand out);

    /** Waits until every launched kernel has finished; errors of asynchronous kernels surface here. */
    void synchronize();
}
