package io.gasok.opencl;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_QUEUE_PROFILING_ENABLE;
import static org.jocl.CL.CL_TRUE;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Distribution;
import io.gasok.spi.Expr;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.Pool2dSpec;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.Upsample2dSpec;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;

/**
 * The OpenCL backend on one device: one context, one in-order command queue with profiling
 * enabled, a {@link BufferPool}, a {@link ProgramCache} and a {@link KernelLauncher}.
 *
 * <p>How the work is split: every kernel is one NDRange launch of work-groups of
 * {@value KernelLauncher#WORK_GROUP_SIZE} items, except GEMM, whose group size follows its tile
 * shape ({@link OpenClGemm}); each kernel source's header in gpu-kernels gives the split.
 * Launches are queued without waiting; {@link #read} blocks until the data is there, which also
 * waits for the kernels before it on the in-order queue, and {@link #synchronize} waits for all.
 * {@link #write} blocks until the host array has been copied, so the caller may reuse it at once.
 *
 * <p>Thread safety: methods may be called from many threads; launches are serialised on the queue.
 */
final class OpenClBackend implements Backend {
    private final OpenClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final BufferPool memory;
    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final OpenClElementwise elementwise;
    private final OpenClReductions reductions;
    private final OpenClPadding padding;
    private final OpenClPooling pooling;
    private final OpenClUpsampling upsampling;
    private final OpenClIndexing indexing;
    private final OpenClGemm gemm;
    private final OpenClConvolution convolution;

    private OpenClBackend(OpenClDevice device) {
        this.device = device;
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        int[] error = new int[1];
        this.context = CL.clCreateContext(properties, 1, new cl_device_id[] {device.device()}, null, null, error);
        OpenClException.check(error[0], "open " + device.name(), "clCreateContext");
        this.queue = createQueue(context, device);
        this.memory = new BufferPool(context);
        this.programs = new ProgramCache(context, device.device(),
                device.correctlyRoundedDivideSqrt() ? "-cl-fp32-correctly-rounded-divide-sqrt" : "");
        this.launcher = new KernelLauncher(queue);
        this.elementwise = new OpenClElementwise(programs, launcher, memory);
        this.reductions = new OpenClReductions(programs, launcher, memory);
        this.padding = new OpenClPadding(programs, launcher, memory);
        this.pooling = new OpenClPooling(programs, launcher, memory, device.doublePrecision());
        this.upsampling = new OpenClUpsampling(programs, launcher, memory, device.doublePrecision());
        this.indexing = new OpenClIndexing(programs, launcher, memory, queue);
        this.gemm = new OpenClGemm(programs, launcher, memory, device);
        this.convolution = new OpenClConvolution(programs, launcher, memory, gemm, this::copy,
                OpenClConvolution.DEFAULT_COLUMN_BUDGET, device.isCpu());
    }

    /** The backend on device {@code index} of {@link OpenClDevices#discover()}'s order. */
    static OpenClBackend open(OpenClDevice device) {
        return new OpenClBackend(device);
    }

    @SuppressWarnings("deprecation") // clCreateCommandQueue also serves OpenCL 1.2 devices
    private static cl_command_queue createQueue(cl_context context, OpenClDevice device) {
        int[] error = new int[1];
        cl_command_queue queue = CL.clCreateCommandQueue(context, device.device(), CL_QUEUE_PROFILING_ENABLE, error);
        OpenClException.check(error[0], "open " + device.name(), "clCreateCommandQueue");
        return queue;
    }

    OpenClDevice device() {
        return device;
    }

    /** Buffers kept for reuse (for the pool's tests). */
    long pooledBuffers() {
        return memory.pooledBuffers();
    }

    /** The GEMM kernels (for tests that try every tile shape). */
    OpenClGemm gemmKernels() {
        return gemm;
    }

    /** The convolution kernels (for tests that shrink their column budget). */
    OpenClConvolution convolution() {
        return convolution;
    }

    /** Programs built so far (for the cache's tests). */
    int builtPrograms() {
        return programs.size();
    }

    @Override
    public String name() {
        return "opencl";
    }

    @Override
    public String deviceDescription() {
        return device.describe();
    }

    // ---- memory ----

    @Override
    public Buffer allocate(DType dtype, int length) {
        if (dtype == DType.FLOAT64 && !device.doublePrecision()) {
            throw new UnsupportedOperationException("opencl: " + device.name() + " has no double precision (cl_khr_fp64)");
        }
        return memory.allocate(dtype, length);
    }

    @Override
    public void free(Buffer buffer) {
        memory.free(ClBuffer.of(buffer, memory));
    }

    @Override
    public long liveBuffers() {
        return memory.liveBuffers();
    }

    /** Blocking: returns when the host array has been copied to the device. */
    @Override
    public void write(Object hostArray, int hostOffset, Buffer dst, int dstOffset, int length) {
        ClBuffer buffer = ClBuffer.of(dst, memory);
        requireArrayOf(buffer.dtype(), hostArray, "write");
        if (length == 0) {
            return;
        }
        long size = buffer.dtype().byteSize();
        OpenClException.check(CL.clEnqueueWriteBuffer(queue, buffer.memory(), CL_TRUE, dstOffset * size, length * size,
                hostPointer(hostArray).withByteOffset(hostOffset * size), 0, null, null), "write", "clEnqueueWriteBuffer");
    }

    /** Blocking: waits for the kernels queued before it, then copies to the host array. */
    @Override
    public void read(Buffer src, int srcOffset, Object hostArray, int hostOffset, int length) {
        ClBuffer buffer = ClBuffer.of(src, memory);
        requireArrayOf(buffer.dtype(), hostArray, "read");
        if (length == 0) {
            return;
        }
        long size = buffer.dtype().byteSize();
        OpenClException.check(CL.clEnqueueReadBuffer(queue, buffer.memory(), CL_TRUE, srcOffset * size, length * size,
                hostPointer(hostArray).withByteOffset(hostOffset * size), 0, null, null), "read", "clEnqueueReadBuffer");
    }

    private static Pointer hostPointer(Object hostArray) {
        return switch (hostArray) {
            case float[] a -> Pointer.to(a);
            case double[] a -> Pointer.to(a);
            case int[] a -> Pointer.to(a);
            case long[] a -> Pointer.to(a);
            case byte[] a -> Pointer.to(a);
            default -> throw new IllegalArgumentException("no OpenCL transfer for " + hostArray.getClass().getSimpleName());
        };
    }

    private static void requireArrayOf(DType dtype, Object hostArray, String kernel) {
        if (hostArray == null || DType.ofArray(hostArray) != dtype) {
            throw new IllegalArgumentException(kernel + ": a " + dtype.shortName() + " buffer needs a host array of "
                    + dtype.newArray(0).getClass().getSimpleName() + ", got "
                    + (hostArray == null ? "null" : hostArray.getClass().getSimpleName()));
        }
    }

    /** {@code dst[e] = src[e]}: kernel copy_strided, moving bits of the element's width. */
    @Override
    public void copy(Operand src, Operand dst) {
        long[][] merged = StridedLayout.merge(dst.shape(), src.strides(), dst.strides());
        launcher.kernel(programs.family("copy", "-DT=" + DialectTypes.bitsType(dst.dtype())), "copy_strided")
                .buffer(ClBuffer.of(src, memory)).layout(StridedLayout.pack(src.offset(), merged[0], merged[1], "copy"))
                .buffer(ClBuffer.of(dst, memory)).layout(StridedLayout.pack(dst.offset(), merged[0], merged[2], "copy"))
                .int64(dst.size())
                .run(dst.size());
    }

    /** {@code dst[e] = value} converted to dst's dtype on the host: kernel fill. */
    @Override
    public void fill(Operand dst, double value) {
        long[][] merged = StridedLayout.merge(dst.shape(), dst.strides());
        launcher.kernel(programs.family("fill", "-DT=" + DialectTypes.elementType(dst.dtype())), "fill")
                .buffer(ClBuffer.of(dst, memory)).layout(StridedLayout.pack(dst.offset(), merged[0], merged[1], "fill"))
                .int64(dst.size()).element(dst.dtype(), value)
                .run(dst.size());
    }

    @Override
    public void pad(Operand src, Operand dst, int[] before, double value) {
        padding.pad(src, dst, before, value);
    }

    @Override
    public void concat(Operand[] inputs, int axis, Operand out) {
        int start = 0;
        for (Operand input : inputs) {
            Operand slice = new Operand(out.buffer(), out.dtype(), out.offset() + start * out.stride(axis),
                    input.shape(), out.strides());
            copy(input, slice);
            start += input.dim(axis);
        }
    }

    // ---- elementwise, reductions ----

    @Override
    public void elementwise(Expr expr, Operand[] inputs, Operand out) {
        elementwise.run(expr, inputs, out);
    }

    @Override
    public void reduce(ReduceOp op, Operand in, int[] axes, Operand out) {
        reductions.reduce(op, in, axes, out);
    }

    @Override
    public void softmax(Operand in, int axis, boolean log, Operand out) {
        reductions.softmax(in, axis, log, out);
    }

    // ---- linear algebra and convolution: OpenClGemm, OpenClConvolution ----

    @Override
    public void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias) {
        gemm.gemm(spec, a, b, c, bias);
    }

    @Override
    public void conv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        convolution.forward(spec, x, w, bias, y);
    }

    @Override
    public void conv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        convolution.backwardInput(spec, gy, w, gx);
    }

    @Override
    public void conv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb) {
        convolution.backwardWeight(spec, x, gy, gw);
        if (gb != null) {
            reductions.channelSums(gy, gb);
        }
    }

    @Override
    public void depthwiseConv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        convolution.depthwiseForward(spec, x, w, bias, y);
    }

    @Override
    public void depthwiseConv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        convolution.depthwiseBackwardInput(spec, gy, w, gx);
    }

    @Override
    public void depthwiseConv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb) {
        convolution.depthwiseBackwardWeight(spec, x, gy, gw);
        if (gb != null) {
            reductions.channelSums(gy, gb);
        }
    }

    // ---- pooling, upsampling, indexing ----

    @Override
    public void pool2d(Pool2dSpec spec, Operand x, Operand y) {
        pooling.pool2d(spec, x, y);
    }

    @Override
    public void pool2dBackward(Pool2dSpec spec, Operand x, Operand gy, Operand gx) {
        pooling.pool2dBackward(spec, x, gy, gx);
    }

    @Override
    public void upsample2d(Upsample2dSpec spec, Operand x, Operand y) {
        upsampling.upsample2d(spec, x, y);
    }

    @Override
    public void upsample2dBackward(Upsample2dSpec spec, Operand gy, Operand gx) {
        upsampling.upsample2dBackward(spec, gy, gx);
    }

    @Override
    public void gather(Operand in, int axis, Operand index, Operand out) {
        indexing.gather(in, axis, index, out);
    }

    @Override
    public void indexSelect(Operand in, int axis, Operand index, Operand out) {
        indexing.indexSelect(in, axis, index, out);
    }

    @Override
    public void scatterAdd(Operand target, int axis, Operand index, Operand src) {
        indexing.scatterAdd(target, axis, index, src);
    }

    // ---- random, synchronisation ----

    /**
     * {@code out[e] = Philox draw for counter offset + e}, e the row-major index: kernel
     * random_fill, the same numbers as {@link io.gasok.spi.Philox} on the host.
     */
    @Override
    public void random(Distribution distribution, long seed, long offset, Operand out) {
        if (!out.dtype().isFloating()) {
            throw new IllegalArgumentException("random: fills float32 or float64, got " + out.dtype().shortName());
        }
        boolean isDouble = out.dtype() == DType.FLOAT64;
        String defines = "-DT=" + DialectTypes.elementType(out.dtype()) + " -DT_IS_DOUBLE=" + (isDouble ? 1 : 0)
                + " -DBOX_MULLER_DOUBLE=" + (device.doublePrecision() ? 1 : 0);
        long[][] merged = StridedLayout.merge(out.shape(), out.strides());
        launcher.kernel(programs.family("random", defines), "random_fill")
                .buffer(ClBuffer.of(out, memory)).layout(StridedLayout.pack(out.offset(), merged[0], merged[1], "random"))
                .int64(out.size()).int64(seed).int64(offset).flag(distribution == Distribution.NORMAL)
                .run(out.size());
    }

    @Override
    public void synchronize() {
        OpenClException.check(CL.clFinish(queue), "synchronize", "clFinish");
    }
}
