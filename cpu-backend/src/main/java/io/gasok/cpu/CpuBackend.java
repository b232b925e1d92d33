package io.gasok.cpu;

import io.gasok.DType;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Vector API CPU backend: every kernel of the SPI over heap arrays, vectorised with
 * {@link CpuVectors}' species ({@code SPECIES_PREFERRED}: AVX-512, AVX2 or NEON, with scalar
 * tails) and split across the cores by one shared {@link WorkerPool}. Each kernel family lives in its own class,
 * named like the reference backend's, so the two can be read side by side: {@link CpuElementwise},
 * {@link CpuReductions}, {@link CpuGemm}, {@link CpuConvolution}, {@link CpuDepthwise},
 * {@link CpuPooling}, {@link CpuUpsampling}, {@link CpuIndexing}, {@link CpuMemory},
 * {@link CpuRandom}.
 *
 * <p>Kernels run synchronously on the calling thread and the pool's workers; below a size
 * threshold (per kernel) they run serially, so small tensors pay no scheduling cost. Results are
 * deterministic for a given thread count, with one known exception: POW's lanes come from the
 * JDK's vector math library once a kernel is JIT-compiled and from {@link Math} before, which can
 * differ in the last bit during warm-up. (exp, log and tanh, and the activations and softmax built
 * on them, are {@link VectorMath}'s: the same bits either way.)
 *
 * <p>Memory: a buffer is a heap array; a freed buffer's array of 64 KiB or more goes to an
 * {@link ArrayPool} and serves the next buffer of the same dtype and length, so that a loop over
 * the same shapes neither zeroes new arrays nor churns the garbage collector.
 */
final class CpuBackend implements Backend {
    private final WorkerPool pool;
    private final AtomicLong liveBuffers = new AtomicLong();
    private final ArrayPool arrays = ArrayPool.forHeap();
    private final String description;

    CpuBackend(WorkerPool pool) {
        this.pool = pool;
        this.description = processorName() + ", " + pool.threads() + " threads, Vector API "
                + CpuVectors.BITS + "-bit (" + CpuVectors.FLOATS.length() + " float lanes), " + GemmFloat32.blocking();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String deviceDescription() {
        return description;
    }

    // ---- memory ----

    @Override
    public Buffer allocate(DType dtype, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("cpu backend: cannot allocate a buffer of " + length + " elements");
        }
        CpuBuffer buffer = new CpuBuffer(dtype, arrays.take(dtype, length), length);
        liveBuffers.incrementAndGet();
        return buffer;
    }

    /** Frees the buffer; its array goes to the pool ({@link ArrayPool}) for the next buffer of its size. */
    @Override
    public void free(Buffer buffer) {
        CpuBuffer cpu = CpuBuffer.of(buffer);
        if (!cpu.markFreed()) {
            throw new IllegalStateException("cpu backend: buffer freed twice: " + buffer);
        }
        liveBuffers.decrementAndGet();
        arrays.give(cpu.dtype(), cpu.array(), cpu.length());
    }

    /** Bytes of freed buffers' arrays kept for reuse (an upper bound: the collector may take them). */
    long pooledBytes() {
        return arrays.pooledBytes();
    }

    @Override
    public long liveBuffers() {
        return liveBuffers.get();
    }

    @Override
    public void write(Object hostArray, int hostOffset, Buffer dst, int dstOffset, int length) {
        checkHostArray(hostArray, dst);
        System.arraycopy(hostArray, hostOffset, CpuBuffer.of(dst).array(), dstOffset, length);
    }

    @Override
    public void read(Buffer src, int srcOffset, Object hostArray, int hostOffset, int length) {
        checkHostArray(hostArray, src);
        System.arraycopy(CpuBuffer.of(src).array(), srcOffset, hostArray, hostOffset, length);
    }

    private static void checkHostArray(Object hostArray, Buffer buffer) {
        if (DType.ofArray(hostArray) != buffer.dtype()) {
            throw new IllegalArgumentException("cpu backend: a " + hostArray.getClass().getSimpleName()
                    + " cannot hold " + buffer.dtype().shortName() + " elements");
        }
    }

    @Override
    public void copy(Operand src, Operand dst) {
        CpuMemory.copy(src, dst, pool);
    }

    @Override
    public void fill(Operand dst, double value) {
        CpuMemory.fill(dst, value, pool);
    }

    @Override
    public void pad(Operand src, Operand dst, int[] before, double value) {
        CpuMemory.pad(src, dst, before, value, pool);
    }

    @Override
    public void concat(Operand[] inputs, int axis, Operand out) {
        CpuMemory.concat(inputs, axis, out, pool);
    }

    // ---- elementwise, reductions ----

    @Override
    public void elementwise(Expr expr, Operand[] inputs, Operand out) {
        CpuElementwise.evaluate(expr, inputs, out, pool);
    }

    @Override
    public void elementwise(Expr[] exprs, Operand[] inputs, Operand[] outs) {
        CpuElementwise.evaluate(exprs, inputs, outs, pool);
    }

    @Override
    public void reduce(ReduceOp op, Operand in, int[] axes, Operand out) {
        CpuReductions.reduce(op, in, axes, out, pool);
    }

    @Override
    public void softmax(Operand in, int axis, boolean log, Operand out) {
        CpuReductions.softmax(in, axis, log, out, pool);
    }

    // ---- linear algebra and convolution ----

    @Override
    public void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias) {
        CpuGemm.gemm(spec, a, b, c, bias, pool);
    }

    @Override
    public void conv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        CpuConvolution.forward(spec, x, w, bias, y, pool);
    }

    @Override
    public void conv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        CpuConvolution.backwardInput(spec, gy, w, gx, pool);
    }

    @Override
    public void conv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb) {
        CpuConvolution.backwardWeight(spec, x, gy, gw, gb, pool);
    }

    @Override
    public void depthwiseConv2d(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        CpuDepthwise.forward(spec, x, w, bias, y, pool);
    }

    @Override
    public void depthwiseConv2dBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        CpuDepthwise.backwardInput(spec, gy, w, gx, pool);
    }

    @Override
    public void depthwiseConv2dBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb) {
        if (gb != null) {
            CpuReductions.channelSums(gy, gb, pool);
        }
        CpuDepthwise.backwardWeight(spec, x, gy, gw, pool);
    }

    @Override
    public void pool2d(Pool2dSpec spec, Operand x, Operand y) {
        CpuPooling.forward(spec, x, y, pool);
    }

    @Override
    public void pool2dBackward(Pool2dSpec spec, Operand x, Operand gy, Operand gx) {
        CpuPooling.backward(spec, x, gy, gx, pool);
    }

    @Override
    public void upsample2d(Upsample2dSpec spec, Operand x, Operand y) {
        CpuUpsampling.forward(spec, x, y, pool);
    }

    @Override
    public void upsample2dBackward(Upsample2dSpec spec, Operand gy, Operand gx) {
        CpuUpsampling.backward(spec, gy, gx, pool);
    }

    // ---- indexing and random ----

    @Override
    public void gather(Operand in, int axis, Operand index, Operand out) {
        CpuIndexing.gather(in, axis, index, out, pool);
    }

    @Override
    public void indexSelect(Operand in, int axis, Operand index, Operand out) {
        CpuIndexing.indexSelect(in, axis, index, out, pool);
    }

    @Override
    public void scatterAdd(Operand target, int axis, Operand index, Operand src) {
        CpuIndexing.scatterAdd(target, axis, index, src, pool);
    }

    @Override
    public void random(Distribution distribution, long seed, long offset, Operand out) {
        CpuRandom.fill(distribution, seed, offset, out, pool);
    }

    /** Kernels finish before they return: nothing is ever pending. */
    @Override
    public void synchronize() {
    }

    private static String processorName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (java.io.IOException | SecurityException e) {
            // Not Linux, or not readable: fall back to the architecture.
        }
        return System.getProperty("os.arch");
    }
}
