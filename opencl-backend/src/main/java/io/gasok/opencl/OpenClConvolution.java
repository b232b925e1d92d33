package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.gpukernels.EpilogueOptions;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import java.util.function.BiConsumer;

/**
 * Convolution (conv.c in gpu-kernels): the general case as im2col + {@link OpenClGemm} per group
 * (+ col2im for the input gradient), depthwise convolution as direct kernels.
 *
 * <p>Work split: im2col lowers a chunk of samples into a column matrix (rows = input channel ×
 * tap, columns = output pixels), then one batched GEMM per group multiplies it with the group's
 * weights, the epilogue (bias per output channel, activation) applied as the GEMM stores. The
 * chunk holds as many samples as fit {@link #columnBudget} elements (at least one). A 1×1
 * convolution with stride 1 and no padding is its own column matrix, so it skips im2col. The
 * weight gradient lays its columns out as [row][sample][pixel] so that the samples of a chunk
 * join the GEMM's k; chunks after the first add to it with beta = 1 (in order, so deterministic).
 *
 * <p>im2col runs as kernel im2col (one item per element) on GPUs and as im2col_lines (one item per
 * output line) on CPU devices, where the per-element index arithmetic cost 30× the copy (conv.c).
 *
 * <p>Every temporary buffer is freed as soon as its kernels are queued: the queue is in order,
 * so a later user of the pooled memory runs after them.
 */
final class OpenClConvolution {
    /** Elements of the im2col buffer at most (unless one sample needs more): 64 MiB of float32. */
    static final long DEFAULT_COLUMN_BUDGET = 1L << 24;

    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;
    private final OpenClGemm gemm;
    private final BiConsumer<Operand, Operand> stridedCopy;
    private final long columnBudget;
    private final boolean im2colByLines;

    OpenClConvolution(ProgramCache programs, KernelLauncher launcher, BufferPool memory, OpenClGemm gemm,
                      BiConsumer<Operand, Operand> stridedCopy, long columnBudget, boolean im2colByLines) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
        this.gemm = gemm;
        this.stridedCopy = stridedCopy;
        this.columnBudget = columnBudget;
        this.im2colByLines = im2colByLines;
    }

    /** The same kernels with another column budget (tests use a tiny one to exercise chunking). */
    OpenClConvolution withColumnBudget(long elements) {
        return new OpenClConvolution(programs, launcher, memory, gemm, stridedCopy, elements, im2colByLines);
    }

    /** The same kernels with im2col by lines (CPU devices) or by elements (GPUs), for tests of both. */
    OpenClConvolution withIm2colByLines(boolean byLines) {
        return new OpenClConvolution(programs, launcher, memory, gemm, stridedCopy, columnBudget, byLines);
    }

    /** {@code y = act(alpha · conv(x, w) + bias + beta · y)}: per chunk, im2col then one GEMM per group. */
    void forward(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        Shape s = new Shape(spec);
        if (y.size() == 0) {
            return;
        }
        DType dtype = y.dtype();
        ClBuffer weights = ClBuffer.of(w, memory);
        ClBuffer output = ClBuffer.of(y, memory);
        long biasStride = bias == null ? 0 : OpenClGemm.vectorStride(bias, "convolution bias");
        int chunk = s.isOwnColumnMatrix() ? spec.batch() : s.samplesPerChunk(columnBudget);
        ClBuffer columns = s.isOwnColumnMatrix() ? null : memory.allocate(dtype, Math.toIntExact(chunk * s.columnElements()));
        try {
            for (int first = 0; first < spec.batch(); first += chunk) {
                int samples = Math.min(chunk, spec.batch() - first);
                OpenClGemm.Matrices lowered;
                if (columns == null) {
                    lowered = new OpenClGemm.Matrices(ClBuffer.of(x, memory), x.offset() + (long) first * s.columnElements(),
                            s.columnElements(), s.positions);
                } else {
                    im2col(spec, x, first, samples, columns, s.columnElements(), s.positions);
                    lowered = new OpenClGemm.Matrices(columns, 0, s.columnElements(), s.positions);
                }
                for (int group = 0; group < spec.groups(); group++) {
                    OpenClGemm.Bias channelBias = bias == null ? null : new OpenClGemm.Bias(ClBuffer.of(bias, memory),
                            bias.offset() + group * s.outPerGroup * biasStride, biasStride, 0);
                    gemm.multiply(dtype, samples, s.outPerGroup, s.positions, s.rowsPerGroup,
                            new OpenClGemm.Matrices(weights, w.offset() + (long) group * s.outPerGroup * s.rowsPerGroup,
                                    0, s.rowsPerGroup), false,
                            shifted(lowered, (long) group * s.rowsPerGroup * s.positions), false,
                            new OpenClGemm.Matrices(output, y.offset()
                                    + ((long) first * spec.outChannels() + (long) group * s.outPerGroup) * s.positions,
                                    (long) spec.outChannels() * s.positions, s.positions),
                            channelBias, spec.epilogue());
                }
            }
        } finally {
            release(columns);
        }
    }

    /** {@code gx = Σ w^T · gy} per group into columns, gathered back by col2im. Overwrites gx. */
    void backwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        Shape s = new Shape(spec);
        if (gx.size() == 0) {
            return;
        }
        DType dtype = gx.dtype();
        int chunk = s.isOwnColumnMatrix() ? spec.batch() : s.samplesPerChunk(columnBudget);
        ClBuffer columns = s.isOwnColumnMatrix() ? null : memory.allocate(dtype, Math.toIntExact(chunk * s.columnElements()));
        try {
            for (int first = 0; first < spec.batch(); first += chunk) {
                int samples = Math.min(chunk, spec.batch() - first);
                OpenClGemm.Matrices lowered = columns == null
                        ? new OpenClGemm.Matrices(ClBuffer.of(gx, memory), gx.offset() + (long) first * s.columnElements(),
                                s.columnElements(), s.positions)
                        : new OpenClGemm.Matrices(columns, 0, s.columnElements(), s.positions);
                for (int group = 0; group < spec.groups(); group++) {
                    gemm.multiply(dtype, samples, s.rowsPerGroup, s.positions, s.outPerGroup,
                            new OpenClGemm.Matrices(ClBuffer.of(w, memory),
                                    w.offset() + (long) group * s.outPerGroup * s.rowsPerGroup, 0, s.rowsPerGroup), true,
                            new OpenClGemm.Matrices(ClBuffer.of(gy, memory), gy.offset()
                                    + ((long) first * spec.outChannels() + (long) group * s.outPerGroup) * s.positions,
                                    (long) spec.outChannels() * s.positions, s.positions), false,
                            shifted(lowered, (long) group * s.rowsPerGroup * s.positions),
                            null, Epilogue.NONE);
                }
                if (columns != null) {
                    geometry(launcher.kernel(program(dtype, ""), "col2im")
                            .buffer(columns).int64(s.columnElements()).int64(s.positions).int32(samples), spec)
                            .buffer(ClBuffer.of(gx, memory))
                            .int64(gx.offset() + (long) first * spec.inChannels() * spec.inHeight() * spec.inWidth())
                            .run((long) samples * spec.inChannels() * spec.inHeight() * spec.inWidth());
                }
            }
        } finally {
            release(columns);
        }
    }

    /**
     * {@code gw[g] = Σ_chunks gy[g] · columns[g]^T}, each chunk's samples joined along k by the
     * [row][sample][pixel] layout. Overwrites gw.
     */
    void backwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw) {
        Shape s = new Shape(spec);
        if (gw.size() == 0) {
            return;
        }
        DType dtype = gw.dtype();
        int chunk = Math.max(1, Math.min(spec.batch(), s.samplesPerChunk(columnBudget)));
        ClBuffer columns = memory.allocate(dtype, Math.toIntExact(chunk * s.columnElements()));
        ClBuffer gradients = chunk > 1 ? memory.allocate(dtype, Math.toIntExact((long) chunk * spec.outChannels() * s.positions)) : null;
        try {
            int first = 0;
            do {
                int samples = Math.min(chunk, spec.batch() - first);
                long depth = (long) samples * s.positions;
                im2col(spec, x, first, samples, columns, s.positions, depth);
                OpenClGemm.Matrices outputGradients;
                if (samples > 1) {
                    long gyFirst = gy.offset() + (long) first * spec.outChannels() * s.positions;
                    stridedCopy.accept(
                            new Operand(gy.buffer(), dtype, Math.toIntExact(gyFirst),
                                    new int[] {spec.outChannels(), samples, s.positions},
                                    new int[] {s.positions, spec.outChannels() * s.positions, 1}),
                            Operand.contiguous(gradients, 0, spec.outChannels(), samples, s.positions));
                    outputGradients = new OpenClGemm.Matrices(gradients, 0, 0, depth);
                } else {
                    outputGradients = new OpenClGemm.Matrices(ClBuffer.of(gy, memory),
                            gy.offset() + (long) first * spec.outChannels() * s.positions, 0, s.positions);
                }
                Epilogue accumulate = new Epilogue(1, first == 0 ? 0 : 1, null, 0);
                for (int group = 0; group < spec.groups(); group++) {
                    gemm.multiply(dtype, 1, s.outPerGroup, s.rowsPerGroup, Math.toIntExact(depth),
                            shifted(outputGradients, (long) group * s.outPerGroup * outputGradients.rowStride()), false,
                            new OpenClGemm.Matrices(columns, (long) group * s.rowsPerGroup * depth, 0, depth), true,
                            new OpenClGemm.Matrices(ClBuffer.of(gw, memory),
                                    gw.offset() + (long) group * s.outPerGroup * s.rowsPerGroup, 0, s.rowsPerGroup),
                            null, accumulate);
                }
                first += samples;
            } while (first < spec.batch());
        } finally {
            release(columns);
            release(gradients);
        }
    }

    /** Depthwise forward: one item per output element, the epilogue applied as it stores. */
    void depthwiseForward(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y) {
        if (y.size() == 0) {
            return;
        }
        DType dtype = y.dtype();
        Epilogue epilogue = spec.epilogue() == null ? Epilogue.NONE : spec.epilogue();
        ClBuffer biasBuffer = ClBuffer.of(bias == null ? y : bias, memory);
        geometry(launcher.kernel(program(dtype, EpilogueOptions.activationDefine(epilogue, dtype)), "depthwise_forward")
                .buffer(ClBuffer.of(x, memory)).int64(x.offset()).buffer(ClBuffer.of(w, memory)).int64(w.offset())
                .buffer(biasBuffer).int64(bias == null ? 0 : bias.offset())
                .int64(bias == null ? 0 : OpenClGemm.vectorStride(bias, "convolution bias")).flag(bias != null)
                .buffer(ClBuffer.of(y, memory)).int64(y.offset()).int32(spec.batch()), spec)
                .element(dtype, epilogue.alpha()).element(dtype, epilogue.beta()).element(dtype, epilogue.activationParam())
                .run(y.size());
    }

    /** Depthwise input gradient: one item per input element, gathering its taps. Overwrites gx. */
    void depthwiseBackwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx) {
        if (gx.size() == 0) {
            return;
        }
        geometry(launcher.kernel(program(gx.dtype(), ""), "depthwise_backward_input")
                .buffer(ClBuffer.of(gy, memory)).int64(gy.offset()).buffer(ClBuffer.of(w, memory)).int64(w.offset())
                .buffer(ClBuffer.of(gx, memory)).int64(gx.offset()).int32(spec.batch()), spec)
                .run(gx.size());
    }

    /** Depthwise weight gradient: one work-group per weight, a tree sum over (n, oh, ow). Overwrites gw. */
    void depthwiseBackwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw) {
        if (gw.size() == 0) {
            return;
        }
        geometry(launcher.kernel(program(gw.dtype(), ""), "depthwise_backward_weight")
                .buffer(ClBuffer.of(x, memory)).int64(x.offset()).buffer(ClBuffer.of(gy, memory)).int64(gy.offset())
                .buffer(ClBuffer.of(gw, memory)).int64(gw.offset()).int32(spec.batch()), spec)
                .run((long) gw.size() * KernelLauncher.WORK_GROUP_SIZE);
    }

    /** im2col of samples [first, first + samples) of x into {@code columns} with the given strides. */
    private void im2col(Conv2dSpec spec, Operand x, int first, int samples, ClBuffer columns, long sampleStride,
                        long rowStride) {
        Shape s = new Shape(spec);
        geometry(launcher.kernel(program(x.dtype(), ""), im2colByLines ? "im2col_lines" : "im2col")
                .buffer(ClBuffer.of(x, memory))
                .int64(x.offset() + (long) first * spec.inChannels() * spec.inHeight() * spec.inWidth())
                .int32(samples), spec)
                .buffer(columns).int64(sampleStride).int64(rowStride)
                .run(im2colByLines ? (long) samples * s.rowsPerGroup * spec.groups() * spec.outHeight()
                        : (long) samples * s.columnElements());
    }

    private ProgramCache.Program program(DType dtype, String activationDefine) {
        String defines = "-DT=" + DialectTypes.elementType(dtype) + " -DGROUP_SIZE=" + KernelLauncher.WORK_GROUP_SIZE
                + " " + activationDefine;
        return programs.family("conv", defines.trim());
    }

    /** The arguments CONV_GEOMETRY declares in conv.c, in its order. */
    private static KernelLauncher.Launch geometry(KernelLauncher.Launch launch, Conv2dSpec spec) {
        return launch.int32(spec.inChannels()).int32(spec.inHeight()).int32(spec.inWidth())
                .int32(spec.kernelHeight()).int32(spec.kernelWidth())
                .int32(spec.strideHeight()).int32(spec.strideWidth())
                .int32(spec.padTop()).int32(spec.padLeft())
                .int32(spec.dilationHeight()).int32(spec.dilationWidth())
                .int32(spec.outHeight()).int32(spec.outWidth());
    }

    private static OpenClGemm.Matrices shifted(OpenClGemm.Matrices matrices, long elements) {
        return new OpenClGemm.Matrices(matrices.buffer(), matrices.offset() + elements, matrices.batchStride(),
                matrices.rowStride());
    }

    private void release(ClBuffer buffer) {
        if (buffer != null) {
            memory.free(buffer);
        }
    }

    /** The sizes of the lowered products. */
    private static final class Shape {
        final int positions;
        final int rowsPerGroup;
        final int outPerGroup;
        private final Conv2dSpec spec;

        Shape(Conv2dSpec spec) {
            this.spec = spec;
            this.positions = spec.outHeight() * spec.outWidth();
            this.rowsPerGroup = spec.inChannels() / spec.groups() * spec.kernelHeight() * spec.kernelWidth();
            this.outPerGroup = spec.outChannels() / spec.groups();
        }

        /** Elements of one sample's column matrix: (input channels · taps) × output pixels. */
        long columnElements() {
            return (long) rowsPerGroup * spec.groups() * positions;
        }

        /** A 1×1 kernel with stride 1 and no padding: the input already is the column matrix. */
        boolean isOwnColumnMatrix() {
            return spec.kernelHeight() == 1 && spec.kernelWidth() == 1 && spec.strideHeight() == 1
                    && spec.strideWidth() == 1 && spec.padTop() == 0 && spec.padLeft() == 0
                    && spec.padBottom() == 0 && spec.padRight() == 0;
        }

        int samplesPerChunk(long budget) {
            return (int) Math.clamp(budget / Math.max(columnElements(), 1), 1, Math.max(spec.batch(), 1));
        }
    }
}
