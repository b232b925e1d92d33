package io.gasok.reference;

import io.gasok.DType;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Distribution;
import io.gasok.spi.Expr;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import io.gasok.spi.Philox;
import io.gasok.spi.Pool2dSpec;
import io.gasok.spi.ReduceOp;
import io.gasok.spi.Upsample2dSpec;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The scalar reference backend: every kernel of {@link Backend} in plain Java, straight from its
 * definition, written to be read. It is the oracle every other backend is tested against.
 *
 * <p>How the work is split: it is not. Every kernel runs serially on the calling thread, one
 * output element after another in row-major order, and has finished when the method returns
 * ({@link #synchronize} has nothing to wait for). Buffers are heap arrays ({@link HostBuffer}).
 *
 * <p>Numerics: sums, dot products and convolutions accumulate in double; integer elementwise
 * work and integer sums run in long, never through double, so large int64 values stay exact.
 * Results are written with the conversion {@link Expr#castValue} describes.
 *
 * <p>The memory, copy, elementwise and random kernels live here; the other kernel families have
 * their own classes: {@link ReferenceReductions}, {@link ReferenceGemm},
 * {@link ReferenceConvolution}, {@link ReferencePooling}, {@link ReferenceUpsampling} and
 * {@link ReferenceIndexing}. Methods are safe to call from many threads on distinct outputs.
 */
public final class ReferenceBackend implements Backend {
    private final AtomicLong liveBuffers = new AtomicLong();

    public ReferenceBackend() {}

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String deviceDescription() {
        return "scalar Java reference on " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores (runs serially on one)";
    }

    // ---- memory ----

    /** A zeroed heap array of {@code length} elements. */
    @Override
    public Buffer allocate(DType dtype, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("cannot allocate a buffer of " + length + " elements");
        }
        HostBuffer buffer = new HostBuffer(this, dtype, length);
        liveBuffers.incrementAndGet();
        return buffer;
    }

    /** Forgets the buffer (the garbage collector takes the array); a second free is an error. */
    @Override
    public void free(Buffer buffer) {
        if (!(buffer instanceof HostBuffer host) || host.owner() != this) {
            throw new IllegalStateException("reference backend cannot free a buffer it did not allocate: " + buffer);
        }
        if (!host.markFreed()) {
            throw new IllegalStateException("buffer freed twice: " + buffer);
        }
        liveBuffers.decrementAndGet();
    }

    @Override
    public long liveBuffers() {
        return liveBuffers.get();
    }

    /** {@code dst[dstOffset + i] = hostArray[hostOffset + i]} for i in [0, length). */
    @Override
    public void write(Object hostArray, int hostOffset, Buffer dst, int dstOffset, int length) {
        HostBuffer buffer = HostBuffer.of(dst);
        requireArrayOf(buffer.dtype(), hostArray, "write");
        System.arraycopy(hostArray, hostOffset, buffer.array(), dstOffset, length);
    }

    /** {@code hostArray[hostOffset + i] = src[srcOffset + i]} for i in [0, length). */
    @Override
    public void read(Buffer src, int srcOffset, Object hostArray, int hostOffset, int length) {
        HostBuffer buffer = HostBuffer.of(src);
        requireArrayOf(buffer.dtype(), hostArray, "read");
        System.arraycopy(buffer.array(), srcOffset, hostArray, hostOffset, length);
    }

    private static void requireArrayOf(DType dtype, Object hostArray, String kernel) {
        if (hostArray == null || DType.ofArray(hostArray) != dtype) {
            throw new IllegalArgumentException(kernel + ": a " + dtype.shortName() + " buffer needs a host array of "
                    + dtype.newArray(0).getClass().getSimpleName() + ", got "
                    + (hostArray == null ? "null" : hostArray.getClass().getSimpleName()));
        }
    }

    /** {@code dst[i] = src[i]} for every element i, each operand walked through its own strides. */
    @Override
    public void copy(Operand src, Operand dst) {
        HostBuffer from = HostBuffer.of(src);
        HostBuffer to = HostBuffer.of(dst);
        for (Odometer walk = new Odometer(dst.shape(), src, dst); walk.hasElement(); walk.advance()) {
            HostBuffer.copyElement(from, walk.position(0), to, walk.position(1));
        }
    }

    /** {@code dst[i] = value} converted to dst's dtype, for every element i. */
    @Override
    public void fill(Operand dst, double value) {
        HostBuffer to = HostBuffer.of(dst);
        for (Odometer walk = new Odometer(dst.shape(), dst); walk.hasElement(); walk.advance()) {
            to.setDouble(walk.position(0), value);
        }
    }

    /**
     * For every element j of dst: {@code dst[j] = src[j - before]} where that lies inside src,
     * else {@code value}. A negative {@code before[d]} crops {@code -before[d]} elements off the
     * front of src along d; a dst shorter than what remains crops its back.
     */
    @Override
    public void pad(Operand src, Operand dst, int[] before, double value) {
        HostBuffer from = HostBuffer.of(src);
        HostBuffer to = HostBuffer.of(dst);
        for (Odometer walk = new Odometer(dst.shape(), dst); walk.hasElement(); walk.advance()) {
            int source = padSource(src, walk, before);
            if (source < 0) {
                to.setDouble(walk.position(0), value);
            } else {
                HostBuffer.copyElement(from, source, to, walk.position(0));
            }
        }
    }

    /** The buffer index in src of the walk's dst element shifted back by {@code before}, or -1 outside src. */
    private static int padSource(Operand src, Odometer walk, int[] before) {
        int position = src.offset();
        for (int axis = 0; axis < src.rank(); axis++) {
            int coordinate = walk.coordinate(axis) - before[axis];
            if (coordinate < 0 || coordinate >= src.dim(axis)) {
                return -1;
            }
            position += coordinate * src.stride(axis);
        }
        return position;
    }

    /**
     * Input k is copied into the slice of out along {@code axis} that starts after inputs 0..k-1:
     * each slice is a view of out with the input's shape, filled by {@link #copy}.
     */
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

    // ---- elementwise ----

    /**
     * {@code out[i] = expr(inputs[0][i], inputs[1][i], ...)} for every element i of out, the tree
     * interpreted node by node by {@link ExprEvaluator}. An element's inputs are all read before
     * it is written, so out may alias an input with the same strides.
     */
    @Override
    public void elementwise(Expr expr, Operand[] inputs, Operand out) {
        HostBuffer[] sources = new HostBuffer[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            sources[i] = HostBuffer.of(inputs[i]);
        }
        Operand[] walked = Arrays.copyOf(inputs, inputs.length + 1);
        walked[inputs.length] = out;
        HostBuffer result = HostBuffer.of(out);
        ExprEvaluator evaluator = new ExprEvaluator(sources);
        for (Odometer walk = new Odometer(out.shape(), walked); walk.hasElement(); walk.advance()) {
            evaluator.evaluateInto(expr, walk, result, walk.position(inputs.length));
        }
    }

    // ---- reductions ----

    /** See {@link ReferenceReductions#reduce}. */
    @Override
    public void reduce(ReduceOp op, Operand in, int[] axes, Operand out) {
        ReferenceReductions.reduce(op, in, axes, out);
    }

    /** See {@link ReferenceReductions#softmax}. */
    @Override
    public void softmax(Operand in, int axis, boolean log, Operand out) {
        ReferenceReductions.softmax(in, axis, log, out);
    }

    // ---- linear algebra and convolution ----

    /** See {@link ReferenceGemm#gemm}. */
    @Override
    public void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias) {
        ReferenceGemm.gemm(spec, a, b, c, bias);
    }

    /** See {@link ReferenceConvolution#conv2d}. */
    @Override
    public void conv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        ReferenceConvolution.conv2d(spec, x, w, bias, y);
    }

    /** See {@link ReferenceConvolution#conv2dBackwardInput}. */
    @Override
    public void conv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        ReferenceConvolution.conv2dBackwardInput(spec, gy, w, gx);
    }

    /** See {@link ReferenceConvolution#conv2dBackwardWeight}. */
    @Override
    public void conv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb) {
        ReferenceConvolution.conv2dBackwardWeight(spec, x, gy, gw, gb);
    }

    /** See {@link ReferenceConvolution#depthwiseConv2d}. */
    @Override
    public void depthwiseConv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        ReferenceConvolution.depthwiseConv2d(spec, x, w, bias, y);
    }

    /** See {@link ReferenceConvolution#depthwiseConv2dBackwardInput}. */
    @Override
    public void depthwiseConv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        ReferenceConvolution.depthwiseConv2dBackwardInput(spec, gy, w, gx);
    }

    /** See {@link ReferenceConvolution#depthwiseConv2dBackwardWeight}. */
    @Override
    public void depthwiseConv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb) {
        ReferenceConvolution.depthwiseConv2dBackwardWeight(spec, x, gy, gw, gb);
    }

    /** See {@link ReferencePooling#pool2d}. */
    @Override
    public void pool2d(Pool2dSpec spec, Operand x, Operand y) {
        ReferencePooling.pool2d(spec, x, y);
    }

    /** See {@link ReferencePooling#pool2dBackward}. */
    @Override
    public void pool2dBackward(Pool2dSpec spec, Operand x, Operand gy, Operand gx) {
        ReferencePooling.pool2dBackward(spec, x, gy, gx);
    }

    /** See {@link ReferenceUpsampling#upsample2d}. */
    @Override
    public void upsample2d(Upsample2dSpec spec, Operand x, Operand y) {
        ReferenceUpsampling.upsample2d(spec, x, y);
    }

    /** See {@link ReferenceUpsampling#upsample2dBackward}. */
    @Override
    public void upsample2dBackward(Upsample2dSpec spec, Operand gy, Operand gx) {
        ReferenceUpsampling.upsample2dBackward(spec, gy, gx);
    }

    // ---- indexing and random ----

    /** See {@link ReferenceIndexing#gather}. */
    @Override
    public void gather(Operand in, int axis, Operand index, Operand out) {
        ReferenceIndexing.gather(in, axis, index, out);
    }

    /** See {@link ReferenceIndexing#indexSelect}. */
    @Override
    public void indexSelect(Operand in, int axis, Operand index, Operand out) {
        ReferenceIndexing.indexSelect(in, axis, index, out);
    }

    /** See {@link ReferenceIndexing#scatterAdd}. */
    @Override
    public void scatterAdd(Operand target, int axis, Operand index, Operand src) {
        ReferenceIndexing.scatterAdd(target, axis, index, src);
    }

    /**
     * {@code out[i] = Philox.sample(distribution, seed, offset + i)} for i the row-major index of
     * each element of out, drawn in out's precision (float32 or float64 words).
     */
    @Override
    public void random(Distribution distribution, long seed, long offset, Operand out) {
        if (!out.dtype().isFloating()) {
            throw new IllegalArgumentException("random: fills float32 or float64, got " + out.dtype().shortName());
        }
        boolean doublePrecision = out.dtype() == DType.FLOAT64;
        HostBuffer result = HostBuffer.of(out);
        long counter = offset;
        for (Odometer walk = new Odometer(out.shape(), out); walk.hasElement(); walk.advance()) {
            result.setDouble(walk.position(0), Philox.sample(distribution, doublePrecision, seed, counter++));
        }
    }

    /** Every kernel has finished when it returns: nothing to wait for. */
    @Override
    public void synchronize() {}
}
