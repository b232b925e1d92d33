package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.MR;
import static io.gasok.cpu.GemmFloat32MicroKernels.NR;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2-D convolution (cross-correlation) and its two gradients, as {@code ReferenceConvolution}
 * defines them, by im2col + GEMM ({@link Im2col}, {@link GemmFloat32}, {@link GemmFloat64}). Not
 * for depthwise convolutions ({@link CpuDepthwise}). Operands are contiguous NCHW; FP32 and FP64.
 *
 * <p>Notation: per image n and group g, K = inPerGroup·kernelH·kernelW taps, P = outH·outW output
 * pixels, M = outPerGroup. The weights of group g are the row-major matrix {@code W_g [M, K]}; a
 * tile of output pixels [p0, p0 + T) has the column matrix {@code cols [K, T]} (see
 * {@link Im2col}); the NCHW output block {@code y[n, g·M + co, p0 + j]} is the matrix
 * {@code Y [M, T]} with row stride P. So:
 * <ul>
 *   <li>forward: {@code Y = act(alpha · W_g · cols + bias[co] + beta · Y)};
 *   <li>backward input: {@code gcols = W_g^T · gY} (GEMM with transA), then col2im adds gcols into gx;
 *       in FP32 at stride 1, a forward convolution of gY with the flipped, transposed weights
 *       instead (see {@code transposedConvolution}); in FP32 at larger strides each thread takes a
 *       range of input channels, packs their rows of W_g^T a block of channels at a time and runs
 *       every tile's GEMM on the block, and col2im adds into a padded, phase-split accumulator
 *       with whole-vector adds ({@link Im2col#col2imPadded}), whose rows go into gx once no later
 *       tile reaches them (see
 *       {@code inputGradientByChannelRanges});
 *   <li>backward weight: {@code gW_g = Σ_{n, tiles} gY · cols^T} (GEMM with transB, the first
 *       tile with beta = 0 in FP32, the others accumulating); in FP32 with at most
 *       {@link GemmFloat32#UNPACKED_A_COLUMNS} output channels a group as its transpose
 *       {@code Σ cols · gY^T} into a [K, M] scratch, transposed into gw once at the end (see
 *       {@code transposedWeightGradientSpec}); each thread takes a range of input channels, their
 *       rows of cols and their columns of gW ({@code weightGradientByChannelRanges}), with more
 *       output channels gY's tile packed once and cols made a block of rows at a time
 *       ({@code blockedWeightGradient}); with at most
 *       {@link #IN_PLACE_WEIGHT_GRADIENT_CHANNELS} output channels a group, with no cols at all:
 *       the micro-kernel reads their rows from the padded input ({@code weightGradientFromPaddedInput}).
 * </ul>
 * A 1×1 convolution with stride 1 and no padding needs no im2col: x's channels of the group already
 * are the {@code [K, P]} matrix (row stride P). With no bias step (below) the FP32 forward's
 * micro-kernel reads them in place, depth step k at row k ({@link GemmFloat32#multiplyTaps}), and
 * so does its input gradient, a forward convolution (see {@code transposedConvolution}); with one,
 * GEMM packs straight from x.
 *
 * <p><b>Padding.</b> im2col writes the padding as zeros, which the GEMM multiplies, where the
 * reference's sums skip padded taps: a ±inf or NaN weight (or gy, in the gradients) that meets the
 * padding gives NaN here (0·inf) where the reference's sum may stay finite. Finite values give the
 * same sums.
 *
 * <p><b>FP32 forward.</b> The weights are packed once per call into GEMM's A micro-panel layout
 * (by each part for itself, or once for all; see "Threads"), and each tile's columns are written
 * by im2col straight into GEMM's B micro-panel layout ({@link Im2col#im2colPacked}), so
 * {@link GemmFloat32#multiplyPacked} runs the micro-kernel over them with no further copy: one pass
 * over the columns instead of three (im2col, then GEMM's packing of the columns and of the weights
 * per tile). With at most {@value #IN_PLACE_FORWARD_CHANNELS}
 * channels a group in and out there is no column matrix at all: the micro-kernel reads the columns
 * in place from the padded input ({@code InPlaceColumns}). A tile's packed columns are at most
 * {@value #PACKED_COLUMN_BUDGET} floats (or one micro-panel, NR pixels, when K·NR is more), so they
 * stay in L2 while the weights stream over them. Where output rows are narrower than a micro-panel,
 * every packed panel crosses output rows and im2col copied it run by run (20 floats a run at 20
 * pixels a row) from a padded copy of the input made first; there, when a micro-panel's K·NR
 * columns are at most {@value #TAP_COLUMN_BUDGET} floats, the input is instead gathered once into
 * tap planes, in which each tap's columns of consecutive output pixels are consecutive floats
 * across output rows too, and the micro-kernel reads them in place ({@code TapPlanes},
 * {@link GemmFloat32#multiplyTaps}): one copy of the input instead of two, no column matrix.
 *
 * <p><b>Bias.</b> GEMM's bias is per column of C, but a convolution's is per output channel, a row of
 * Y. Computing the transpose {@code Y^T = cols^T · W_g^T} would put the bias on columns but give NHWC
 * output and need a transposing pass over Y. Instead, with alpha = 1, the bias is one more depth
 * step: each row's packed weights end with its bias, and each packed column (im2col's, or x's
 * for a 1×1 convolution) ends with a 1, so {@code Y = [W_g | bias] · [cols; 1]} and the GEMM's
 * epilogue applies beta and the activation (a 16-channel layer at 320×320 1.13x faster, 32
 * channels at 160×160 1.08x, 1×1 layers of 64-256 channels at 20-80 px 1.06-1.16x, as fast as
 * with no bias; in-process A/B, one thread). With alpha ≠ 1 each tile first fills its block of Y with
 * {@code bias[co] + beta · Y_old} (one pass over a block that then stays in cache for the GEMM) and
 * the GEMM runs with beta = 1, applying alpha and the activation in its own epilogue. Without a bias
 * the spec's epilogue goes to the GEMM unchanged. The reference's rounding order differs
 * ({@code alpha·acc + bias + beta·old}); results agree to rounding.
 *
 * <p><b>Threads.</b> The FP32 forward's (image, group, pixel tile) tasks are split over the
 * {@link WorkerPool} in contiguous ranges, one parallel call for all images ({@code ForwardTiles});
 * there are at least as many tasks as threads, so one image's layer keeps every core busy. Each
 * part runs im2col into its own thread's column buffer and a serial GEMM, writing a disjoint block
 * of y (GEMM is not nested inside the parts). A part reads nothing another thread wrote in the
 * call: it copies the input rows its tiles read, zero padded and split by column phase
 * ({@link Im2col.PaddedInput}: what lets im2col copy whole vectors with no masks, at every
 * stride), into its own thread's buffer (or, reading tap planes, builds the plane rows its tiles
 * read there, a band of output rows at a time, just before the band's tiles), image by image, all
 * of them before its first tile; or, at
 * vertical strides above 1 with at most {@value #PAD_PER_TILE_WEIGHTS} packed weights, each tile
 * just before its im2col, the rows it reads that its part has not padded yet, which are then still
 * in cache when read (16→32 channels at 320×320, stride 2: 1.13-1.22x on one thread, 1.29x on two;
 * 32→64 at 160×160 1.03-1.05x; in-process A/B; at stride 1 it made no difference). And it packs
 * all the weights into its own thread's buffer, where the copies are few against the flops
 * ({@link #ownWeights}); otherwise (many threads, or few pixels for the weights) the pool's threads
 * pack one copy that all the parts read ({@code packShared}). Before, the parts always shared
 * one packed copy and one padded image, each written by both threads: in about a third of
 * two-thread JVMs on the 2-core Zen 4 VM (a state of the host that comes in streaks) a core
 * reading lines the other one had just written took 4x as long, and those two phases 5x
 * (results/epyc-zen4-avx512/two-thread-slow-state.txt); the forward of 128×40×40 → 256 at
 * stride 2 ran at 104-105 GFLOP/s in such JVMs and 164-168 in the others, and now at 159-172 in
 * each; 256×20×20 → 256 126-177 before, 174-179 now, 128×40×40 → 128, 1×1, 144-169 before,
 * 169-181 now (a JVM per run, 6-8 runs each, two threads). The forward of few channels that reads
 * its columns in place ({@code InPlaceColumns}) shares its few packed weights and pads per part,
 * micro-tile by micro-tile, into one buffer, and runs no im2col: its parts take contiguous ranges
 * of micro-tiles and run the micro-kernel on them. The FP32 input gradient at stride 1 is such a
 * forward pass itself (see {@code transposedConvolution}).
 * Where whole tiles split unevenly over the parts, the last task's rows (output channels) are
 * shared between them ({@code ForwardTiles}).
 * The FP32 input gradient at larger strides (or with a padding wider than the kernel's reach)
 * splits each group's input channels over the pool: each thread runs every tile's GEMM, col2im and
 * unpadding for its channels alone (see {@code inputGradientByChannelRanges}). The FP32 weight
 * gradient splits them too, each thread padding its channels, copying their columns and running
 * its GEMM for its columns of gW ({@code weightGradientByChannelRanges}), or, with few output
 * channels, taking ranges of the column matrix's row tiles ({@code weightGradientFromPaddedInput});
 * either way one parallel call, each sum over images and tiles in order (the first also sums the
 * bias gradient, its share of output channels a part). All three keep to their
 * own thread's buffers, as the forward's parts do. The FP64 backward passes loop over groups,
 * images and tiles in that order: their GEMMs use the pool internally and im2col/col2im split the
 * tile's rows by input channel; the tile order fixes every sum's order. Results are deterministic for a thread
 * count, and the FP32 ones tested here the same bits on one and two threads; the forward's (and so the
 * stride-1 FP32 input gradient's) are the same for every thread count, activations included
 * ({@link VectorMath}'s exp and tanh are the same bits compiled or not).
 *
 * <p><b>Memory.</b> A GEMM-path tile has at most {@value #COLUMN_BUDGET} elements of columns (at
 * least {@value #MIN_TILE_PIXELS} pixels), an FP32 forward tile's packed columns at most
 * {@value #PACKED_COLUMN_BUDGET} (at least NR pixels), so the column buffer stays within about
 * 1 MiB of floats per thread whatever the image size, except for the weight gradient, whose tiles
 * are at least {@link GemmFloat32#KC} pixels (K·KC floats: 4.5 MiB at 256 channels, 3×3). The FP32
 * forward's padded input, one image (about the size of the image plus its padding), or its tap
 * planes, one band of output rows (at most {@value #TAP_BAND_FLOATS} floats, or one tile's rows), is in each
 * part's thread's buffer, as are the packed weights where the parts pack their own. So are the
 * FP32 gradients' buffers: the weight gradient's padded input (one image) and [K, M] scratch, the
 * input gradient's accumulator (stride above 1: one block of a part's channels, one image), packed W^T rows and
 * one micro-panel of gY (the edge panel's copy), each part using its own share.
 */
final class CpuConvolution {

    /** Most elements of one tile's column matrix (1 MiB of floats: within a core's L2 here). */
    static final int COLUMN_BUDGET = 1 << 18;
    /** Most elements of one FP32 forward tile's packed columns (256 KiB: half a core's L2 here). */
    static final int PACKED_COLUMN_BUDGET = 1 << 16;
    /** Fewest pixels per tile, so a tile feeds GEMM whole micro-panels even for a large K. */
    static final int MIN_TILE_PIXELS = 64;
    /**
     * Most output channels a group for the FP32 weight gradient read from the padded input (no
     * im2col): 16, or the tile's NR columns where that is more (64 on AVX-512, where its
     * micro-kernel is one, two or four vectors wide: {@link GemmFloat32MicroKernels#vectorsFor}).
     * Measured on AVX2 (16-column tiles) up to 16. On AVX-512, against the column matrix and GEMM
     * (in-process A/B): 32 output channels at 160×160 and 16 → 32 at 320×320, stride 2, 2.2-2.4x on
     * one thread (that GEMM kept half the lanes of its 64-column tile; AMD EPYC Zen 4); 64 channels
     * at 80×80 and 32 → 64 at 160×160, stride 2, 1.10-1.18x on one thread and 1.05-1.10x on two
     * there, 1.12-1.31x on one thread and 1.54-1.88x on 16 on the Xeon host of the lent GPU machine,
     * where the GEMM path met the pool about 40 times a call and one late thread stalled the rest
     * (that layer's 16-thread backward read 9.8-95 GFLOP/s, now 139-281).
     */
    static final int IN_PLACE_WEIGHT_GRADIENT_CHANNELS = Math.max(16, GemmFloat32MicroKernels.NR);
    /**
     * Micro-panels (NR output pixels each) per tile of the FP32 input gradient at strides above 1:
     * its gcols tile (a block of channels' rows times the tile's pixels) then stays in L1 or L2
     * between the GEMM that writes it and the col2im that reads it back. The column budget's tiles
     * ({@code tilePixels}: 192 pixels at 128 → 256 channels, 1792 at 16 → 32), with all of a
     * part's rows, went out to L3 and back: against them, in process, one thread 1.02x (128×40×40 →
     * 256), 1.06x (64×80×80 → 128), 1.09x (16×320×320 → 32), two threads 1.05x, 1.08x and 1.14x
     * (9 rounds; one panel a tile 0.99-1.05x). With blocks of channels, seven panels (all 400
     * pixels of 128×40×40 → 256 in one tile) or four measured the same as two.
     */
    static final int INPUT_GRADIENT_TILE_PANELS = 2;
    /**
     * Rows of the column matrix (input channels' taps) per block of the FP32 weight gradient with
     * more than {@link GemmFloat32#UNPACKED_A_COLUMNS} output channels ({@code blockedWeightGradient}):
     * two of GEMM's B micro-panels, so that a block's columns and their packed copy (2 × 128 floats
     * a pixel of the tile: 400 KB at 128×40×40 → 256 at stride 2, whose tile is its 400 pixels) stay
     * in L2. Blocks of 64, 256, 512 and all 1152 rows of that layer measured within a few percent of
     * it (in-process A/B, one thread).
     */
    static final int WEIGHT_GRADIENT_BLOCK_ROWS = 2 * NR;
    /** Pixels (whole output rows) per tile of that weight gradient. */
    static final int IN_PLACE_TILE_PIXELS = 1024;
    /**
     * Most floats a micro-panel's columns (depth × NR), scattered over the tap planes, of an FP32
     * forward that reads them there ({@code TapPlanes}): a core's L2 here (1 MiB), where they are
     * read back for each row panel of the weights. Against packing them (im2col), in-process A/B,
     * 12 rounds, each variant twice in the JVM, 2-core Zen 4, one thread / two: 128×40×40 → 256 at
     * stride 2 (74 K floats) 1.00-1.02x / 1.01-1.02x, 64×80×80 → 128 at stride 2 1.00-1.04x /
     * 0.98-1.00x, 128×40×40 → 128 1.00-1.06x / 1.00-1.02x and its input gradient 1.05-1.06x /
     * 1.02-1.17x, 256×20×20 → 256 (148 K) 1.03-1.05x / 1.03-1.09x and its input gradient
     * 1.00-1.04x / 0.98-1.01x. Nothing measured past 148 K.
     */
    static final int TAP_COLUMN_BUDGET = 1 << 18;
    /**
     * Most floats of tap planes a part builds at a time, a band of output rows ({@code TapPlanes}),
     * unless one tile's rows take more: they stay in L2 (half of a core's here) for the tiles
     * that read them. Half and twice this measured alike (64×80×80 → 128 at stride 2, 1.05-1.08x
     * each against whole planes; 128×40×40 → 256 at stride 2 level).
     */
    static final int TAP_BAND_FLOATS = 1 << 17;
    /** Most channels a group, in and out, of the FP32 forward that reads its columns in place ({@code InPlaceColumns}). */
    static final int IN_PLACE_FORWARD_CHANNELS = 16;
    /**
     * Most packed weight floats (all groups) of an FP32 forward at stride above 1 whose tiles pad
     * their own input rows (128 KiB): with more, the rows each tile pads push the weights out of L2,
     * and padding the whole image first measured faster (64→128 channels at 80×80, padding per
     * tile: 0.96x).
     */
    static final int PAD_PER_TILE_WEIGHTS = 1 << 15;
    /**
     * Fewest floats of packed weights that the pool's threads pack together where the forward's
     * parts share them ({@code packShared}); fewer, the calling thread does it alone.
     */
    static final int PARALLEL_PACK_FLOATS = 1 << 15;
    /**
     * Fewest flops per float of weight copies, all parts' together, for the FP32 forward's parts to
     * pack copies of their own ({@link #ownWeights}): at most about 4% of a part's time goes to
     * packing all the weights (at 256 channels, 3×3, 20×20, two threads: 1/400).
     */
    static final int OWN_WEIGHTS_FLOPS_PER_FLOAT = 128;
    /**
     * What packing a float of the stride-1 input gradient's weights, transposed and flipped as they
     * are read ({@link ForwardWeights#pack}), costs against a float of the forward's, which go
     * through registers eight depth steps at a time: 256 × 256 × 3 × 3 weights in 184-214 µs
     * through {@link KernelFlip} against 123-132 (one thread, AMD EPYC Zen 4). Element by element
     * (kernels {@link KernelFlip} does not take) it is nearer 4: 486-594 µs.
     */
    static final int FLIPPED_PACK_COST = 2;
    /** Below this many flops a convolution runs on the calling thread. */
    static final long PARALLEL_FLOPS = 2L * 64 * 64 * 64;

    private static final WorkerPool SERIAL = new WorkerPool(1);
    private static final VectorSpecies<Float> FLOATS = CpuVectors.FLOATS;
    private static final int LANES = FLOATS.length();
    private static final VectorSpecies<Double> DOUBLES = CpuVectors.DOUBLES;

    private CpuConvolution() {
    }

    /** The sizes of one convolution seen as per-group matrix products. */
    record Geometry(int inPerGroup, int outPerGroup, int taps, int pixels, int inputPlane,
                            boolean needsColumns) {

        static Geometry of(Conv2dSpec spec) {
            int inPerGroup = spec.inChannels() / spec.groups();
            boolean pointwise = spec.kernelHeight() == 1 && spec.kernelWidth() == 1
                    && spec.strideHeight() == 1 && spec.strideWidth() == 1
                    && spec.padTop() == 0 && spec.padLeft() == 0 && spec.padBottom() == 0 && spec.padRight() == 0;
            return new Geometry(inPerGroup, spec.outChannels() / spec.groups(),
                    inPerGroup * spec.kernelHeight() * spec.kernelWidth(),
                    spec.outHeight() * spec.outWidth(), spec.inHeight() * spec.inWidth(), !pointwise);
        }

        /** Element index of channel 0 of group g of image n in x (or gx). */
        int inputBase(Conv2dSpec spec, int n, int g) {
            return (n * spec.inChannels() + g * inPerGroup) * inputPlane;
        }

        /** Element index of channel 0 of group g of image n in y (or gy). */
        int outputBase(Conv2dSpec spec, int n, int g) {
            return (n * spec.outChannels() + g * outPerGroup) * pixels;
        }

        /**
         * Pixels per tile of the FP32 forward, whose packed columns ({@code K × tile}) should stay in
         * L2 with the weights' A block while every row block of the weights passes over them: the
         * packed column budget in whole micro-panels, at least one, never more than P.
         */
        int packedTilePixels() {
            int nr = GemmFloat32MicroKernels.NR;
            int panels = Math.max(1, PACKED_COLUMN_BUDGET / (Math.max(1, taps) * nr));
            return Math.max(1, Math.min(pixels, panels * nr));
        }

        /** Pixels per tile: the column budget, never fewer than MIN_TILE_PIXELS, never more than P. */
        int tilePixels() {
            return Math.max(1, Math.min(pixels, Math.max(MIN_TILE_PIXELS, COLUMN_BUDGET / Math.max(1, taps))));
        }

        /**
         * Pixels per tile of the weight gradient, whose GEMM sums over the tile's pixels (its depth k):
         * at least one whole k-block of GEMM ({@link GemmFloat32#KC}), so each pass over the [K, M]
         * accumulator does a full block of work (with the column budget alone, 256 channels gave
         * k ≈ 113 and the accumulator's traffic dominated).
         */
        int weightGradientTilePixels() {
            return Math.max(1, Math.min(pixels, Math.max(tilePixels(), GemmFloat32.KC)));
        }
    }

    /** One tile of work: image, group, first output pixel and pixel count. */
    @FunctionalInterface
    private interface TileBody {
        void run(int image, int group, int firstPixel, int pixels);
    }

    // ---- forward ----

    static void forward(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y, WorkerPool pool) {
        Geometry geometry = Geometry.of(spec);
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        Epilogue gemmEpilogue = bias == null ? epilogue
                : new Epilogue(epilogue.alpha(), 1, epilogue.activation(), epilogue.activationParam());
        int biasStride = bias == null ? 0 : bias.stride(0);
        if (y.dtype() == DType.FLOAT32) {
            forwardFloat32(spec, CpuBuffer.floats(x), x.offset(), CpuBuffer.floats(w), w.offset(), false,
                    bias == null ? null : CpuBuffer.floats(bias), bias == null ? 0 : bias.offset(), biasStride,
                    CpuBuffer.floats(y), y.offset(), pool);
        } else if (y.dtype() == DType.FLOAT64) {
            double[] xs = CpuBuffer.doubles(x);
            double[] ws = CpuBuffer.doubles(w);
            double[] ys = CpuBuffer.doubles(y);
            double[] biases = bias == null ? null : CpuBuffer.doubles(bias);
            for (int image = 0; image < spec.batch(); image++) {
                int n = image;
                forEachForwardTile(spec, geometry, n, geometry.tilePixels(), pool, (unused, g, p0, count) -> {
                    int yBase = y.offset() + geometry.outputBase(spec, n, g) + p0;
                    if (biases != null) {
                        prefillBias(ys, yBase, geometry.pixels, geometry.outPerGroup, count, biases,
                                bias.offset() + g * geometry.outPerGroup * biasStride, biasStride, epilogue.beta());
                    }
                    double[] b = xs;
                    GemmLayout bLayout = new GemmLayout(x.offset() + geometry.inputBase(spec, n, g) + p0, geometry.pixels, 1, 0);
                    if (geometry.needsColumns) {
                        b = Im2col.doubleColumns(geometry.taps * count);
                        Im2col.im2col(spec, xs, x.offset() + geometry.inputBase(spec, n, g), 0, geometry.inPerGroup, p0, count, b);
                        bLayout = new GemmLayout(0, count, 1, 0);
                    }
                    GemmFloat64.gemm(new GemmSpec(1, geometry.outPerGroup, count, geometry.taps, false, false, gemmEpilogue),
                            ws, weightLayout(w, geometry, g), b, bLayout, ys, new GemmLayout(yBase, geometry.pixels, 1, 0),
                            null, 0, SERIAL);
                });
            }
        } else {
            throw unsupported("conv2d", y);
        }
    }

    /**
     * The FP32 forward on arrays (x, y contiguous NCHW from their offsets; the weights as
     * {@link ForwardWeights#pack} reads them from {@code ws}; bias {@code outC} values
     * {@code biasStride} apart, or null), with the spec's epilogue.
     */
    private static void forwardFloat32(Conv2dSpec spec, float[] xs, int xOffset, float[] ws, int wOffset,
                                       boolean flipped, float[] biases, int biasOffset, int biasStride, float[] ys,
                                       int yOffset, WorkerPool pool) {
        Geometry geometry = Geometry.of(spec);
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        // The bias as one more depth step (see the class comment).
        boolean biasStep = biases != null && epilogue.alpha() == 1;
        int depth = geometry.taps + (biasStep ? 1 : 0);
        ForwardWeights weights = new ForwardWeights(ws, wOffset, flipped, biasStep ? biases : null, biasOffset,
                biasStride, depth);
        Epilogue gemmEpilogue = biases == null || biasStep ? epilogue
                : new Epilogue(epilogue.alpha(), 1, epilogue.activation(), epilogue.activationParam());
        GemmFloat32Epilogue tileEpilogue = new GemmFloat32Epilogue(gemmEpilogue, null, 0);
        int groupWeights = weights.groupFloats(geometry);
        int threads = spec.flops() >= PARALLEL_FLOPS ? pool.threads() : 1;
        if (InPlaceColumns.applies(spec, geometry, biases == null || biasStep, depth)) {
            InPlaceColumns inPlace = InPlaceColumns.of(spec);
            Im2col.PaddedInput padded = Im2col.PaddedInput.of(spec,
                    Im2col.paddedInput(Im2col.PaddedInput.size(spec) + inPlace.end()));
            inPlace.forward(spec, geometry, xs, xOffset, padded, biasStep, depth,
                    packShared(spec, geometry, weights, threads, pool), groupWeights, ys, yOffset, tileEpilogue,
                    threads, pool);
            return;
        }
        ForwardTiles tiles = ForwardTiles.of(spec.batch(), spec.groups(), geometry, geometry.packedTilePixels(), threads,
                true);
        if (tiles.parts() == 0) {
            return;
        }
        long weightFloats = (long) spec.groups() * groupWeights;
        TapPlanes planes = TapPlanes.applies(spec, geometry)
                ? TapPlanes.of(spec, geometry, biasStep, geometry.packedTilePixels()) : null;
        float[] shared = ownWeights(spec, weightFloats, flipped, tiles.parts()) ? null
                : packShared(spec, geometry, weights, threads, pool);
        // A 1×1 convolution's B is x's channel rows (K × pixels, row-major): with no bias step (whose
        // ones are no row of x) the micro-kernel reads them in place, depth step k at row k.
        int[] inPlaceRows = geometry.needsColumns || biasStep ? null : rowStarts(geometry.taps, geometry.pixels);
        // At vertical strides above 1, with few weights, each tile pads its own rows just before
        // im2col reads them; otherwise a part pads every row its tiles of an image read first.
        boolean padPerTile = spec.strideHeight() > 1 && weightFloats <= PAD_PER_TILE_WEIGHTS;
        pool.parallelFor(tiles.parts(), part -> {
            float[] packed = shared;
            if (packed == null) {
                packed = Im2col.packedWeights((int) weightFloats);
                weights.pack(spec, geometry, packed, 0, spec.groups() * weights.rowPanels(geometry));
            }
            Im2col.PaddedInput padded = geometry.needsColumns && planes == null
                    ? Im2col.PaddedInput.of(spec, Im2col.paddedInput(Im2col.PaddedInput.size(spec))) : null;
            float[] planeData = planes == null ? null : planes.buffer();
            GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
            int[] paddedRows = new int[2];
            // The part's whole tasks, then its rows of the shared task (ForwardTiles), if any.
            int whole = tiles.start(part + 1) - tiles.start(part);
            boolean sharing = tiles.shares() && tiles.sharedRows(part + 1) > tiles.sharedRows(part);
            int items = whole + (sharing ? 1 : 0);
            for (int item = 0; item < items; ) {
                int n = tiles.image(tiles.task(part, item));
                int imageEnd = item;
                while (imageEnd < items && tiles.image(tiles.task(part, imageEnd)) == n) {
                    imageEnd++;
                }
                paddedRows[0] = -1;
                paddedRows[1] = 0;
                // The tap planes' band: its tiles [item, bandEnd), from output row bandRow on.
                int bandEnd = item;
                int bandRow = 0;
                if (padded != null && !padPerTile) {
                    for (int i = item; i < imageEnd; i++) {
                        int t = tiles.task(part, i);
                        padRowsFor(spec, geometry, xs, xOffset, n, tiles.group(t), tiles.firstPixel(t), tiles.pixels(t),
                                padded, paddedRows);
                    }
                }
                for (; item < imageEnd; item++) {
                    int task = tiles.task(part, item);
                    int firstRow = item < whole ? 0 : tiles.sharedRows(part) * MR;
                    int endRow = item < whole ? geometry.outPerGroup
                            : Math.min(geometry.outPerGroup, tiles.sharedRows(part + 1) * MR);
                    int g = tiles.group(task);
                    int p0 = tiles.firstPixel(task);
                    int count = tiles.pixels(task);
                    if (padded != null && padPerTile) {
                        padRowsFor(spec, geometry, xs, xOffset, n, g, p0, count, padded, paddedRows);
                    }
                    int yBase = yOffset + geometry.outputBase(spec, n, g) + p0 + firstRow * geometry.pixels;
                    if (biases != null && !biasStep) {
                        prefillBias(ys, yBase, geometry.pixels, endRow - firstRow, count, biases,
                                biasOffset + (g * geometry.outPerGroup + firstRow) * biasStride, biasStride,
                                (float) epilogue.beta());
                    }
                    if (planes != null || inPlaceRows != null) {
                        if (planes != null && item >= bandEnd) {
                            // A new band: this tile and the part's next tiles of the plane that
                            // follow on from it, as many as the band's rows take, in one pass.
                            int outW = spec.outWidth();
                            int end = p0 + count;
                            bandRow = p0 / outW;
                            bandEnd = item + 1;
                            for (; bandEnd < imageEnd; bandEnd++) {
                                int t = tiles.task(part, bandEnd);
                                int next = end + tiles.pixels(t);
                                if (tiles.group(t) != g || tiles.firstPixel(t) != end
                                        || (next - 1) / outW + 1 - bandRow > planes.bandRows()) {
                                    break;
                                }
                                end = next;
                            }
                            planes.build(spec, xs, xOffset + geometry.inputBase(spec, n, g), bandRow,
                                    (end - 1) / outW + 1, planeData);
                        }
                        // B in place: the band's tap planes, or (1×1, no bias step) x's channel rows as they lie.
                        float[] edge = Im2col.floatColumns(depth * NR + CacheLines.LINE_FLOATS);
                        GemmFloat32.multiplyTaps(endRow - firstRow, count, depth, packed,
                                g * groupWeights + firstRow * depth, planes != null ? planeData : xs,
                                planes != null ? planes.taps() : inPlaceRows,
                                planes != null ? p0 - bandRow * spec.outWidth()
                                        : xOffset + geometry.inputBase(spec, n, g) + p0,
                                edge, CacheLines.lineStart(edge), ys, yBase, geometry.pixels, tileEpilogue, scratch);
                        continue;
                    }
                    int columnPanels = Im2col.ceilDiv(count, NR);
                    float[] columns = Im2col.floatColumns(depth * columnPanels * NR + CacheLines.LINE_FLOATS);
                    int at = CacheLines.lineStart(columns);
                    if (padded != null) {
                        Im2col.im2colPacked(spec, padded, g * geometry.inPerGroup, geometry.inPerGroup, p0, count,
                                biasStep, columns, at);
                    } else {
                        GemmFloat32Packing.packB(geometry.taps, depth, count, NR, xs,
                                xOffset + geometry.inputBase(spec, n, g) + p0, geometry.pixels, 1, columns, at, 0,
                                columnPanels);
                        if (biasStep) {
                            for (int panel = 0; panel < columnPanels; panel++) {
                                int ones = at + (panel * depth + geometry.taps) * NR;
                                Arrays.fill(columns, ones, ones + NR, 1f);
                            }
                        }
                    }
                    GemmFloat32.multiplyPacked(endRow - firstRow, count, depth, packed,
                            g * groupWeights + firstRow * depth, columns, at, ys, yBase, geometry.pixels, tileEpilogue,
                            scratch);
                }
            }
        });
    }

    /**
     * Whether each of the FP32 forward's {@code parts} packs a copy of the weights of its own (see
     * the class comment, "Threads"): where the copies' floats, all together, are at most 1/{@value
     * #OWN_WEIGHTS_FLOPS_PER_FLOAT} of the flops, and 1/{@value #FLIPPED_PACK_COST} of that when
     * they are {@code flipped} (the stride-1 input gradient's). One part always packs its own.
     *
     * @param weightFloats the packed weights' floats, all groups ({@link ForwardWeights#groupFloats} each)
     */
    static boolean ownWeights(Conv2dSpec spec, long weightFloats, boolean flipped, int parts) {
        return parts <= 1 || parts * weightFloats * (flipped ? FLIPPED_PACK_COST : 1)
                <= spec.flops() / OWN_WEIGHTS_FLOPS_PER_FLOAT;
    }

    /**
     * Packs the forward's weights into the calling thread's buffer, the pool's threads each taking
     * a range of row panels from {@value #PARALLEL_PACK_FLOATS} floats on, for parts that share them.
     */
    private static float[] packShared(Conv2dSpec spec, Geometry geometry, ForwardWeights weights, int threads,
                                      WorkerPool pool) {
        int panels = spec.groups() * weights.rowPanels(geometry);
        long floats = (long) spec.groups() * weights.groupFloats(geometry);
        float[] packed = Im2col.packedWeights((int) floats);
        int parts = floats >= PARALLEL_PACK_FLOATS ? Math.min(threads, panels) : 1;
        pool.parallelFor(parts, part -> weights.pack(spec, geometry, packed, part * panels / parts,
                (part + 1) * panels / parts));
        return packed;
    }

    /**
     * The FP32 forward's weights as it reads them: w itself ({@code [outC, inC/groups, kh, kw]}
     * from {@code offset}), or, {@code flipped}, for the stride-1 input gradient, the weights of
     * the convolution this one is the transpose of ({@link #transposedConvolution}), transposed and
     * flipped as they are read; with {@code biases} (the bias as a depth step) or null.
     */
    private record ForwardWeights(float[] ws, int offset, boolean flipped, float[] biases, int biasOffset,
                                  int biasStride, int depth) {

        int rowPanels(Geometry geometry) {
            return Im2col.ceilDiv(geometry.outPerGroup, MR);
        }

        /** Packed floats of one group: its row panels, {@code MR × depth} each. */
        int groupFloats(Geometry geometry) {
            return rowPanels(geometry) * MR * depth;
        }

        /**
         * Packs row panels [firstPanel, endPanel) of all groups (panel {@code g·rowPanels + r} is
         * rows [r·MR, r·MR + MR) of group g) into GEMM's A micro-panel layout at
         * {@code packed[g·groupFloats + r·MR·depth]}: each panel's K weights, and with biases its MR
         * biases after them, zero past M. Panels are independent, so threads can pack ranges of them.
         * Flipped, row r of group g is input channel g·I + r of the convolution this one transposes
         * (I its input channels a group, M its outputs), and depth step co·KH·KW + t its weight
         * {@code w[g·M + co][r][KH·KW - 1 - t]}: per output channel co, a block of KH·KW steps read
         * backwards, one pass over the weights where flipping them into a buffer first took two.
         * Packing on the pool's threads (now {@link #packShared}), against the calling thread alone,
         * on two threads: 256×20×20 → 256 forward 1.05x and input gradient 1.12x, 128×40×40 → 256
         * at stride 2 forward 1.10x, 64×80×80 → 64 forward 1.08x, 128×40×40 → 128 input gradient
         * 1.06x (in-process A/B, 11-15 rounds).
         */
        void pack(Conv2dSpec spec, Geometry geometry, float[] packed, int firstPanel, int endPanel) {
            int rowPanels = rowPanels(geometry);
            int groupFloats = groupFloats(geometry);
            int kernel = spec.kernelHeight() * spec.kernelWidth();
            for (int task = firstPanel; task < endPanel; ) {
                int g = task / rowPanels;
                int panel = task % rowPanels;
                // Without biases a group's panels in the range go as one block; else one by one.
                int panelEnd = biases != null ? panel + 1 : Math.min(rowPanels, panel + endPanel - task);
                int first = panel * MR;
                int rows = Math.min(geometry.outPerGroup, panelEnd * MR) - first;
                int at = g * groupFloats + first * depth;
                if (flipped) {
                    packFlipped(geometry, kernel, g, first, rows, packed, at);
                } else {
                    GemmFloat32Packing.packA(rows, geometry.taps, ws, offset + (g * geometry.outPerGroup + first) * geometry.taps,
                            geometry.taps, 1, packed, at);
                }
                if (biases != null) {
                    for (int r = 0; r < MR; r++) {
                        int co = first + r;
                        packed[at + geometry.taps * MR + r] = co < geometry.outPerGroup
                                ? biases[biasOffset + (g * geometry.outPerGroup + co) * biasStride] : 0f;
                    }
                }
                task += panelEnd - panel;
            }
        }

        /**
         * The flipped pack of rows [first, first + rows) of group g into panels from {@code at}:
         * whole panels output channel by output channel (each channel's weights read once, in
         * order), a block of MR rows' kernels at a time through {@link KernelFlip} where it
         * applies; a last panel of fewer rows, and kernels it does not take, element by element.
         * A 1×1 kernel (no flip) all at once as GEMM's transposed A ({@link GemmFloat32Packing#packA}).
         */
        private void packFlipped(Geometry geometry, int kernel, int g, int first, int rows, float[] packed, int at) {
            if (kernel == 1 && depth == geometry.taps) {
                // A 1×1 kernel's flip is itself: the rows are w_g's columns, GEMM's transposed A.
                GemmFloat32Packing.packA(rows, depth, ws, offset + g * geometry.inPerGroup * geometry.outPerGroup
                        + first, 1, geometry.outPerGroup, packed, at);
                return;
            }
            KernelFlip flip = KernelFlip.forTaps(kernel);
            int block = kernel * MR;
            int wholePanels = flip == null ? 0 : rows / MR;
            int channelStep = geometry.outPerGroup * kernel;
            int base = offset + g * geometry.inPerGroup * channelStep + first * kernel;
            for (int co = 0; co < geometry.inPerGroup; co++) {
                int source = base + co * channelStep;
                if (wholePanels > 0) {
                    flip.pack(wholePanels, ws, source, block, packed, at + co * block, MR * depth);
                }
                int done = wholePanels * MR;
                for (int panel = done; panel < rows; panel += MR) {
                    GemmFloat32Packing.packA(Math.min(MR, rows - panel), kernel, ws, source + panel * kernel + kernel - 1,
                            kernel, -1, packed, at + panel * depth + co * block);
                }
            }
        }
    }

    /**
     * The FP32 forward with no column matrix (implicit im2col), for layers of few channels: the
     * micro-kernel reads each depth step's NR columns straight from the padded input
     * ({@link GemmFloat32MicroKernels#multiply4x2Taps}), where a tap's values at consecutive output
     * pixels of a row are consecutive floats. A step costs about 1.3x a packed one, and packing the
     * columns costs the same whatever the output channels, so this pays where they are few: with at
     * most {@value #IN_PLACE_FORWARD_CHANNELS} channels a group in and out (16×320×320 → 16
     * 1.15-1.34x, 16×160×160 → 16 1.17x, its stride-1 input gradient 1.06-1.12x, 3×640×640 → 16 at
     * stride 2 1.05-1.19x; 16 → 32 0.98x, 32 → 16 0.93x; in-process A/B, one thread; on two threads
     * 16×320×320 → 16 1.01-1.11x, 16×160×160 → 16 1.03x, 3×640×640 → 16 0.97x), and with the
     * 4 × 2 tile (the 6 × 4 one has no such kernel: unmeasured).
     *
     * <p>Pixels are counted along the padded rows: output pixel (oh, ow) is pixel
     * {@code oh·rowStride + ow}, rowStride the padded width times the vertical stride, and tap t
     * reads its values from {@code taps[t]} on. At vertical stride 1 the rows follow one another, so
     * micro-tiles of NR such pixels run across row ends (the padded columns between rows are
     * computed and not stored: 2 in 322 at 320×320); at larger strides rowStride skips rows, so each
     * output row starts micro-tiles of its own. The tiles' places depend on the shape alone, so the
     * results are the same bits on every thread count. A micro-tile inside one output row, with an
     * epilogue the kernel can apply ({@link GemmFloat32Epilogue#direct}) and all MR output channels
     * of its panel (not the last panel of a count that is not a multiple of MR), goes straight into y;
     * others through the thread's tile and {@link GemmFloat32Epilogue#store}, row piece by row
     * piece. The bias step reads ones that lie after the padded input, where the last micro-tiles'
     * reads past it also land ({@code end} floats). Each part pads the input rows its micro-tiles
     * read just before them ({@link #padRowsFor}): padded whole first, the image was out of cache
     * by then and the kernel's reads missed (0.86x instead of 1.15x at 16 → 16).
     *
     * @param perRow micro-tiles of an output row, or 0 when they run across rows
     * @param tiles micro-tiles of a group
     * @param end pixels up to the end of the last micro-tile
     */
    private record InPlaceColumns(int rowStride, int perRow, int tiles, int end) {

        /** Whether the FP32 forward of spec goes this way (see the record comment). */
        static boolean applies(Conv2dSpec spec, Geometry geometry, boolean biasOrNone, int depth) {
            return MR == 4 && NR == 2 * FLOATS.length() && geometry.needsColumns && geometry.pixels > 0 && biasOrNone
                    && geometry.inPerGroup <= IN_PLACE_FORWARD_CHANNELS
                    && geometry.outPerGroup <= IN_PLACE_FORWARD_CHANNELS && depth <= GemmFloat32.KC;
        }

        static InPlaceColumns of(Conv2dSpec spec) {
            int rowStride = spec.strideHeight() * Im2col.PaddedInput.of(spec, null).width();
            if (spec.strideHeight() == 1) {
                int tiles = Im2col.ceilDiv((spec.outHeight() - 1) * rowStride + spec.outWidth(), NR);
                return new InPlaceColumns(rowStride, 0, tiles, tiles * NR);
            }
            int perRow = Im2col.ceilDiv(spec.outWidth(), NR);
            return new InPlaceColumns(rowStride, perRow, spec.outHeight() * perRow,
                    (spec.outHeight() - 1) * rowStride + perRow * NR);
        }

        void forward(Conv2dSpec spec, Geometry geometry, float[] xs, int xOffset, Im2col.PaddedInput padded,
                     boolean biasStep, int depth, float[] packedWeights, int groupWeights, float[] ys, int yOffset,
                     GemmFloat32Epilogue epilogue, int threads, WorkerPool pool) {
            // Each group's depth steps: tap (ci, kh, kw) in the weights' order, then the bias step's ones.
            int[] taps = new int[spec.groups() * depth];
            int size = Im2col.PaddedInput.size(spec);
            for (int g = 0, t = 0; g < spec.groups(); g++) {
                for (int ci = 0; ci < geometry.inPerGroup; ci++) {
                    int channel = padded.channel(g * geometry.inPerGroup + ci);
                    for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                        for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                            taps[t++] = channel + kh * spec.dilationHeight() * padded.width() + padded.tapColumn(spec, kw);
                        }
                    }
                }
                if (biasStep) {
                    taps[t++] = size;
                }
            }
            Arrays.fill(padded.data(), size, size + end, 1f);
            // Per group, the micro-tiles in one contiguous range per part, at least as many ranges as threads.
            int chunks = Math.min(tiles, Math.max(1, threads / gcd(spec.groups(), threads)));
            int tasks = spec.groups() * chunks;
            int parts = Math.min(threads, tasks);
            for (int image = 0; image < spec.batch(); image++) {
                int n = image;
                pool.parallelFor(parts, part -> {
                    int[] paddedRows = {-1, 0};
                    for (int task = part * tasks / parts; task < (part + 1) * tasks / parts; task++) {
                        int g = task / chunks;
                        int chunk = task % chunks;
                        run(spec, geometry, xs, xOffset, n, g, padded, paddedRows, taps, g * depth, depth, packedWeights,
                                g * groupWeights, ys, yOffset + geometry.outputBase(spec, n, g), epilogue,
                                (int) ((long) chunk * tiles / chunks), (int) ((long) (chunk + 1) * tiles / chunks));
                    }
                });
            }
        }

        /** Micro-tiles [first, last) of group g of image n: all its output channels, MR at a time, per micro-tile. */
        private void run(Conv2dSpec spec, Geometry geometry, float[] xs, int xOffset, int n, int g,
                         Im2col.PaddedInput padded, int[] paddedRows, int[] taps, int tapIndex, int depth,
                         float[] packedWeights, int weightIndex, float[] y, int yBase, GemmFloat32Epilogue epilogue,
                         int first, int last) {
            float[] data = padded.data();
            int outW = spec.outWidth();
            int outH = spec.outHeight();
            int channels = geometry.outPerGroup;
            int ldy = geometry.pixels;
            boolean direct = epilogue.direct(true);
            boolean accumulate = epilogue.readsC(true);
            float[] tile = GemmFloat32Scratch.forCurrentThread().tile();
            for (int m = first; m < last; m++) {
                int pixel = perRow == 0 ? m * NR : (m / perRow) * rowStride + (m % perRow) * NR;
                int oh = pixel / rowStride;
                int ow = pixel % rowStride;
                int lastRow = Math.min(outH - 1, (pixel + NR - 1) / rowStride);
                padRowsFor(spec, geometry, xs, xOffset, n, g, oh * outW, (lastRow - oh + 1) * outW, padded, paddedRows);
                boolean inRow = ow + NR <= outW;
                for (int co = 0; co < channels; co += MR) {
                    int rows = Math.min(MR, channels - co);
                    int aIndex = weightIndex + co * depth;
                    if (inRow && rows == MR && direct) {
                        int o = yBase + co * ldy + oh * outW + ow;
                        GemmFloat32MicroKernels.multiply4x2Taps(depth, packedWeights, aIndex, data, taps, tapIndex, pixel,
                                y, o, ldy, accumulate);
                        epilogue.activateRows(y, o, ldy, MR, NR);
                        continue;
                    }
                    GemmFloat32MicroKernels.multiply4x2Taps(depth, packedWeights, aIndex, data, taps, tapIndex, pixel,
                            tile, 0, NR, false);
                    for (int j = 0; j < NR; ) {
                        int row = (pixel + j) / rowStride;
                        if (perRow != 0 && row != oh) {
                            break; // the next output row's own micro-tiles store it
                        }
                        int column = (pixel + j) % rowStride;
                        int run = Math.min(NR - j, rowStride - column);
                        int valid = row < outH ? Math.min(run, outW - column) : 0;
                        if (valid > 0) {
                            epilogue.store(tile, j, NR, rows, valid, y, yBase + co * ldy + row * outW + column, ldy, 0,
                                    true, true);
                        }
                        j += run;
                    }
                }
            }
        }
    }

    /**
     * The FP32 forward's columns read where they lie, with no column matrix: each input channel's
     * rows gathered once per kernel column kw into planes exactly {@code outW} floats wide, and split
     * by row phase (row r of phase q is input row {@code r·strideH + q}), so that tap (ci, kh, kw)
     * of output pixels p = oh·outW + ow, p0 ≤ p < p0 + NR, is the NR consecutive floats from
     * {@code taps[t] + p0}: across output rows too, as a plane row is one output row's worth. Zeros
     * where a tap falls in the padding are in the planes (whole zero rows above and below, columns
     * gathered as zero). {@link GemmFloat32#multiplyTaps} runs the micro-kernel over them in place.
     * The bias step's tap reads ones after the planes.
     *
     * <p>For output rows narrower than a micro-panel (NR pixels), where im2col's packed panels cross
     * output rows and were copied run by run (three to four runs of 20 floats a panel at 20 pixels a
     * row) from a padded copy of the input made first. A micro-panel reads K runs of NR floats
     * scattered over the planes, so this is for micro-panels whose K·NR floats stay within
     * {@value #TAP_COLUMN_BUDGET} ({@link #applies}).
     *
     * <p>Bands. The planes of a whole image hold about kernelW/strideW times its floats (2.4 MB at
     * 64×80×80 → 128, stride 2), more than a core's L2 here: built whole before the first tile,
     * the tiles read them back from L3 or memory, and their build wrote them there too (344 µs a
     * call in the running layer, 131 µs with everything in L3, 380-510 µs with x and the buffer
     * evicted first: a probe building them alone). So each part builds them a band of output rows
     * at a time ({@link #build}), into a buffer that holds {@link #bandRows} of them, at most
     * {@value #TAP_BAND_FLOATS} floats (or one tile's rows where they take more): a band is the
     * part's next tile of a plane and the tiles that follow on from it there, as many as its rows
     * take, built in one pass just before them, its rows numbered from the band's first output
     * row (the taps the same for every band, the tiles' pixels taken from the band's first).
     * Neighbouring bands each build the rows they share. In-process A/B (10 rounds, each variant
     * twice; 2-core Zen 4): 64×80×80 → 128 at stride 2 1.10-1.16x on one thread, 1.07-1.19x on two;
     * 128×40×40 → 128 1.00-1.03x; 128×40×40 → 256 at stride 2 (planes of 1.3 MB) and 256×20×20 →
     * 256 level (0.97-1.01x); the stride-1 input gradients of 128×40×40 1.02-1.05x and 256×20×20
     * level.
     *
     * <p>Lanes ({@link #gather}): a plane's rows are written LANES columns at a time, one kernel
     * column and one run of LANES output columns over all the rows being built, so the loop over
     * rows is a counted one whose loads and stores C2 checks once, not per row: at stride 1 a vector
     * load of the input row from the tap's first column, at stride 2 the even lanes of two (rows
     * narrower than a vector, and larger strides, element by element). A row's last run ends at
     * its end (over columns the run before it wrote too), and lanes whose columns lie in the
     * padding are zeroed by a blend, so every load and store is a whole vector (masked stores here
     * once boxed the vectors: see {@link #gather}). Each run's padding lanes are worked out once
     * ({@code runPadding}), and x's ends tested once a run, so that a band's short row loops pay
     * little before them. Against splitting each input row into a scratch
     * with zero margins and copying each kernel column's plane row out of it (System.arraycopy)
     * tile by tile (a micro-panel of 64 pixels here), 128×40×40 → 256 at stride 2, the 41 plane
     * rows of 128 channels: 103 µs in one pass against 178 (best of 1000 builds, each way in a JVM
     * of its own; run tile by tile, where each tile adds three or four rows a phase, the loops
     * over rows are too short to pay).
     *
     * @param channels input channels of a group
     * @param phaseLow per row phase, its first plane row (the lowest {@code floorDiv(kh·dilationH - padTop, strideH)} of its taps)
     * @param phaseHigh per row phase, one past its last plane row
     * @param bandRows most output rows a band covers
     * @param phaseStart per row phase, the band's plane rows of the phases before it
     * @param planeRows a band's plane rows of all phases (one plane per channel and kernel column)
     * @param taps per depth step of one group, where its columns start in the buffer (for the band's first pixel)
     * @param ones where the bias step's ones start (a band's pixels + NR of them)
     * @param size floats of the buffer
     * @param runPadding per kernel column and run of LANES plane columns ({@link #gather}), its lanes in the padding
     */
    record TapPlanes(int channels, int outW, int bandRows, int planeRows, int[] phaseLow, int[] phaseHigh,
                     int[] phaseStart, int[] taps, int ones, int size, long[] runPadding) {

        /** Whether the FP32 forward of spec reads its columns this way (see the record comment). */
        static boolean applies(Conv2dSpec spec, Geometry geometry) {
            return geometry.needsColumns && geometry.pixels > 0 && spec.outWidth() < NR
                    && (long) (geometry.taps + 1) * NR <= TAP_COLUMN_BUDGET;
        }

        /**
         * The planes of spec's forward, built a band of output rows at a time ({@link #build}),
         * for tiles of at most {@code tilePixels} output pixels.
         */
        static TapPlanes of(Conv2dSpec spec, Geometry geometry, boolean biasStep, int tilePixels) {
            int strideH = spec.strideHeight();
            int kernelH = spec.kernelHeight();
            int kernelW = spec.kernelWidth();
            int outW = spec.outWidth();
            int channels = geometry.inPerGroup;
            // Output rows a band covers: what the budget holds, and at least a tile's rows.
            int tileRows = Math.ceilDiv(tilePixels - 1, outW) + 1;
            long rowFloats = (long) channels * kernelW * strideH * outW;
            int bandRows = Math.min(spec.outHeight(),
                    (int) Math.max(tileRows, TAP_BAND_FLOATS / Math.max(1, rowFloats)));
            int[] low = new int[strideH];
            int[] high = new int[strideH];
            Arrays.fill(low, Integer.MAX_VALUE);
            Arrays.fill(high, Integer.MIN_VALUE);
            for (int kh = 0; kh < kernelH; kh++) {
                int offset = kh * spec.dilationHeight() - spec.padTop();
                int phase = Math.floorMod(offset, strideH);
                low[phase] = Math.min(low[phase], Math.floorDiv(offset, strideH));
                high[phase] = Math.max(high[phase], Math.floorDiv(offset, strideH) + spec.outHeight());
            }
            int[] start = new int[strideH];
            int rows = 0;
            for (int phase = 0; phase < strideH; phase++) {
                if (low[phase] == Integer.MAX_VALUE) {
                    low[phase] = 0;
                    high[phase] = 0;
                }
                start[phase] = rows;
                // A band of bandRows output rows reads this many of the phase's rows.
                rows += Math.max(0, high[phase] - low[phase] - spec.outHeight() + bandRows);
            }
            int[] taps = new int[geometry.taps + (biasStep ? 1 : 0)];
            for (int ci = 0, t = 0; ci < channels; ci++) {
                for (int kh = 0; kh < kernelH; kh++) {
                    int offset = kh * spec.dilationHeight() - spec.padTop();
                    int phase = Math.floorMod(offset, strideH);
                    int row = start[phase] + Math.floorDiv(offset, strideH) - low[phase];
                    for (int kw = 0; kw < kernelW; kw++) {
                        taps[t++] = ((ci * kernelW + kw) * rows + row) * outW;
                    }
                }
            }
            int ones = channels * kernelW * rows * outW;
            if (biasStep) {
                taps[geometry.taps] = ones;
            }
            // Per kernel column and run of LANES plane columns (see gather), its lanes in the padding.
            int runs = Math.ceilDiv(outW, LANES);
            long[] runPadding = new long[kernelW * runs];
            for (int kw = 0; kw < kernelW; kw++) {
                for (int run = 0; run < runs; run++) {
                    int column = kw * spec.dilationWidth() - spec.padLeft()
                            + Math.min(run * LANES, outW - LANES) * spec.strideWidth();
                    for (int lane = 0; lane < LANES; lane++) {
                        int c = column + lane * spec.strideWidth();
                        runPadding[kw * runs + run] |= c < 0 || c >= spec.inWidth() ? 1L << lane : 0;
                    }
                }
            }
            return new TapPlanes(channels, outW, bandRows, rows, low, high, start, taps, ones,
                    ones + bandRows * outW + NR, runPadding);
        }

        /** The calling thread's buffer for the planes, with the bias step's ones in place. */
        float[] buffer() {
            float[] data = Im2col.paddedInput(size);
            Arrays.fill(data, ones, size, 1f);
            return data;
        }

        /**
         * Builds the plane rows that output rows [firstRow, endRow) (at most {@link #bandRows}) of
         * one group of one image read ({@code inputBase}: its channel 0 in x) into the buffer,
         * over the band built before: output pixel p of the band then reads its columns from
         * {@code taps[t] + p - firstRow·outW}.
         */
        void build(Conv2dSpec spec, float[] x, int inputBase, int firstRow, int endRow, float[] data) {
            int phases = phaseLow.length;
            int kernelW = spec.kernelWidth();
            int strideH = spec.strideHeight();
            int inH = spec.inHeight();
            int inW = spec.inWidth();
            for (int phase = 0; phase < phases; phase++) {
                // Output rows [firstRow, endRow) read plane rows [firstRow + low, endRow + high - outH).
                int from = firstRow + phaseLow[phase];
                int to = endRow + phaseHigh[phase] - spec.outHeight();
                if (to <= from) {
                    continue;
                }
                // Plane row r of the phase is input row r·strideH + phase: rows [inFrom, inTo) lie in
                // the input, the others in the padding (zero rows).
                int inFrom = Math.clamp(Math.ceilDiv(-phase, strideH), from, to);
                int inTo = Math.clamp(Math.ceilDiv(inH - phase, strideH), inFrom, to);
                int rowBase = phaseStart[phase] - from;
                for (int ci = 0; ci < channels; ci++) {
                    for (int kw = 0; kw < kernelW; kw++) {
                        int row0 = (ci * kernelW + kw) * planeRows + rowBase;
                        zeroRows(data, row0, from, inFrom);
                        zeroRows(data, row0, inTo, to);
                    }
                }
                if (inTo > inFrom) {
                    gather(spec, x, inputBase + (inFrom * strideH + phase) * inW, inTo - inFrom, data,
                            (rowBase + inFrom) * outW);
                }
            }
        }

        /** Plane rows [from, to) of the phase whose row 0 is row {@code row0} of the buffer, as zeros. */
        private void zeroRows(float[] data, int row0, int from, int to) {
            if (to > from) {
                Arrays.fill(data, (row0 + from) * outW, (row0 + to) * outW, 0f);
            }
        }

        /**
         * The plane rows of {@code rows} input rows of every channel and kernel column: channel ci's
         * first row at {@code x[firstInput + ci·inH·inW]}, the next strideH rows below each; kernel
         * column kw's plane row r at {@code data[(ci·kernelW + kw)·planeRows·outW + at + r·outW]},
         * its column ow input column {@code kw·dilationW - padLeft + ow·strideW}, zero in the padding.
         * See the record comment ("Lanes"). One method, every vector in it: split into small ones
         * (a run's loop each), C2 at times compiled them inlined into a caller too big to inline
         * the Vector API's calls too, and their vectors went to the heap (0.7-2.9 MB a call).
         */
        private void gather(Conv2dSpec spec, float[] x, int firstInput, int rows, float[] data, int at) {
            int inH = spec.inHeight();
            int inW = spec.inWidth();
            int strideW = spec.strideWidth();
            int kernelW = spec.kernelWidth();
            int step = spec.strideHeight() * inW;
            boolean vectors = strideW <= 2 && outW >= LANES;
            int runs = Math.ceilDiv(outW, LANES);
            FloatVector zero = FloatVector.zero(FLOATS);
            for (int ci = 0; ci < channels; ci++) {
                int input = firstInput + ci * inH * inW;
                for (int kw = 0; kw < kernelW; kw++) {
                    int plane = (ci * kernelW + kw) * planeRows * outW + at;
                    int first = kw * spec.dilationWidth() - spec.padLeft();
                    if (!vectors) {
                        gatherScalar(x, input + first, step, 0, rows, first, inW, strideW, outW, data, plane);
                        continue;
                    }
                    for (int ow = 0; ow < outW; ow += LANES) {
                        // A row's last run ends at its end, over columns the run before it wrote too.
                        int start = Math.min(ow, outW - LANES);
                        int column = first + start * strideW;
                        int src = input + column;
                        int dst = plane + start;
                        // Rows whose strideW vectors [src + r·step, + strideW·LANES) lie within x
                        // (past the row's end they read the next row); those before and after them,
                        // at x's ends, go element by element.
                        int from = 0;
                        int to = rows;
                        if (src < 0 || src + (rows - 1) * step + strideW * LANES > x.length) {
                            from = src >= 0 ? 0 : Math.min(rows, Math.ceilDiv(-src, step));
                            to = Math.clamp(Math.floorDiv(x.length - strideW * LANES - src, step) + 1, from, rows);
                            gatherScalar(x, src, step, 0, from, column, inW, strideW, LANES, data, dst);
                            gatherScalar(x, src, step, to, rows, column, inW, strideW, LANES, data, dst);
                        }
                        VectorMask<Float> pad = VectorMask.fromLong(FLOATS, runPadding[kw * runs + ow / LANES]);
                        if (strideW == 1) {
                            for (int r = from; r < to; r++) {
                                FloatVector.fromArray(FLOATS, x, src + r * step).blend(zero, pad)
                                        .intoArray(data, dst + r * outW);
                            }
                        } else {
                            for (int r = from; r < to; r++) {
                                FloatVector a = FloatVector.fromArray(FLOATS, x, src + r * step);
                                FloatVector b = FloatVector.fromArray(FLOATS, x, src + r * step + LANES);
                                a.rearrange(EveryOther.EVEN_LANES, b).blend(zero, pad).intoArray(data, dst + r * outW);
                            }
                        }
                    }
                }
            }
        }

        /**
         * Rows [from, to) of a run of {@code count} plane columns from input column {@code column}
         * (row r's at {@code x[src + r·step]}), element by element: strides above 2, rows narrower
         * than a vector, and rows whose vectors would leave x.
         */
        private void gatherScalar(float[] x, int src, int step, int from, int to, int column, int inW, int strideW,
                                  int count, float[] data, int dst) {
            for (int r = from; r < to; r++) {
                for (int j = 0; j < count; j++) {
                    int c = column + j * strideW;
                    data[dst + r * outW + j] = c >= 0 && c < inW ? x[src + r * step + j * strideW] : 0f;
                }
            }
        }
    }

    /**
     * {@code rows} taps for {@link GemmFloat32#multiplyTaps} over a row-major matrix whose rows are
     * {@code rowLength} floats: depth step k reads row k in place.
     */
    private static int[] rowStarts(int rows, int rowLength) {
        int[] starts = new int[rows];
        for (int k = 0; k < rows; k++) {
            starts[k] = k * rowLength;
        }
        return starts;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * The forward's (image, group, pixel tile) tasks, in that order, and their split over the pool:
     * per group the pixels split into equal tiles of at most {@code maxTilePixels}; where that
     * makes fewer than 8 tasks a thread, into the count, up to 8 tasks a thread, whose busiest part
     * has the fewest pixels (the fewest tiles of those). Part p runs tasks [start(p), start(p + 1))
     * in order. Tiles are whole micro-panels (multiples of NR pixels, the last one the rest), so the
     * GEMM epilogue's vector runs and scalar tails fall on the same pixels whatever the thread
     * count, and the results are the same bits on every thread count. (Before, more tiles until
     * their count was a multiple of the threads: 256×20×20 → 256, 1×1, went in tiles of 128, 128,
     * 128 and 16 pixels, 256 pixels for one thread and 144 for the other; now 192 and 16 + 192.)
     *
     * <p>Whole tiles rarely split evenly: 400 pixels are tiles of 192, 192 and 16, 1600 pixels 25
     * tiles of 64 (one micro-panel, at K = 576 and more), so one of two threads had 208 pixels or
     * 13 tiles against 192 or 12, and idled for 4-8% of the call. So where it evens the parts, the
     * last task is shared ({@link #shares}): the others split as before ({@link #start} over them
     * alone), and each part also takes a range of the last task's rows of M (output channels, in
     * whole MR-row tiles, {@link #sharedRows}) in proportion to what it lacks of an even share; a
     * part with no rows there does not run it. Each part copies that tile's columns for itself (a
     * tile's worth, one of many). Every output element is still the same micro-kernel call over the
     * same depth, so the bits do not change either.
     */
    record ForwardTiles(int groups, int tilesPerPlane, int tilePixels, int pixels, int tasks, int parts,
                        int rowTiles, int[] sharedRows) {

        private static ForwardTiles of(int images, int groups, Geometry geometry, int maxTilePixels, int threads,
                                       boolean shareLastTask) {
            ForwardTiles tiles = of(images, groups, geometry.outPerGroup == 0 ? 0 : geometry.pixels, geometry.outPerGroup,
                    maxTilePixels, threads);
            return shareLastTask || !tiles.shares() ? tiles : tiles.unshared();
        }

        /** This split with no shared task. */
        private ForwardTiles unshared() {
            return new ForwardTiles(groups, tilesPerPlane, tilePixels, pixels, tasks, parts, rowTiles, null);
        }

        /** The tasks of {@code pixels} output pixels and {@code rows} output channels a plane (0 where there is no output). */
        static ForwardTiles of(int images, int groups, int pixels, int rows, int maxTilePixels, int threads) {
            int planes = images * groups;
            int rowTiles = Math.max(1, Im2col.ceilDiv(rows, MR));
            if (planes == 0 || pixels == 0) {
                return new ForwardTiles(groups, 1, 1, 0, 0, 0, rowTiles, null);
            }
            ForwardTiles best = split(planes, groups, pixels, Im2col.ceilDiv(pixels, maxTilePixels), threads, rowTiles);
            if (threads > 1 && best.tasks < 8L * threads) {
                long fewest = best.busiestPart();
                int most = Math.min(Im2col.ceilDiv(pixels, NR), (int) (8L * threads / planes));
                for (int tiles = best.tilesPerPlane + 1; tiles <= most; tiles++) {
                    ForwardTiles candidate = split(planes, groups, pixels, tiles, threads, rowTiles);
                    long busiest = candidate.busiestPart();
                    if (busiest < fewest) {
                        best = candidate;
                        fewest = busiest;
                    }
                }
            }
            return best.sharingTheLastTask();
        }

        /** Each plane's pixels in about {@code tiles} tiles of whole micro-panels. */
        private static ForwardTiles split(int planes, int groups, int pixels, int tiles, int threads, int rowTiles) {
            int tilePixels = Math.min(pixels, Im2col.ceilDiv(Im2col.ceilDiv(pixels, tiles), NR) * NR);
            int tilesPerPlane = Im2col.ceilDiv(pixels, tilePixels);
            int tasks = planes * tilesPerPlane;
            return new ForwardTiles(groups, tilesPerPlane, tilePixels, pixels, tasks, Math.min(threads, tasks), rowTiles,
                    null);
        }

        /**
         * This split with its last task's rows shared between the parts, where that makes the busiest
         * part's work (pixels times rows) smaller; else this split.
         */
        private ForwardTiles sharingTheLastTask() {
            if (parts < 2 || rowTiles < 2) {
                return this;
            }
            int[] rows = new int[parts + 1];
            ForwardTiles shared = new ForwardTiles(groups, tilesPerPlane, tilePixels, pixels, tasks, parts, rowTiles, rows);
            long last = pixels(tasks - 1);
            double[] lacking = new double[parts];
            double total = last;
            for (int part = 0; part < parts; part++) {
                total += shared.fullPixels(part);
            }
            double lackingAll = 0;
            for (int part = 0; part < parts; part++) {
                lacking[part] = Math.max(0, total / parts - shared.fullPixels(part));
                lackingAll += lacking[part];
            }
            double sum = 0;
            for (int part = 0; part < parts; part++) {
                sum += lacking[part];
                rows[part + 1] = part + 1 == parts ? rowTiles
                        : (int) Math.min(rowTiles, Math.round(sum / lackingAll * rowTiles));
            }
            return shared.busiestWork() < busiestWork() ? shared : this;
        }

        /** Whether the last task's rows are shared between the parts. */
        boolean shares() {
            return sharedRows != null;
        }

        /** The shared task ({@link #shares}): the last one. */
        int sharedTask() {
            return tasks - 1;
        }

        /** Part p's item i: its whole tasks in order, then (i = their count) the shared task. */
        int task(int part, int item) {
            int task = start(part) + item;
            return task < start(part + 1) ? task : sharedTask();
        }

        /** Part p's rows of the shared task, in MR-row tiles: [sharedRows(p), sharedRows(p + 1)). */
        int sharedRows(int part) {
            return sharedRows[part];
        }

        /** Pixels of part p's whole tasks. */
        private long fullPixels(int part) {
            long sum = 0;
            for (int task = start(part); task < start(part + 1); task++) {
                sum += pixels(task);
            }
            return sum;
        }

        /** The most pixels times row tiles any part computes. */
        long busiestWork() {
            long most = 0;
            for (int part = 0; part < parts; part++) {
                long work = fullPixels(part) * rowTiles;
                if (shares()) {
                    work += (long) pixels(sharedTask()) * (sharedRows[part + 1] - sharedRows[part]);
                }
                most = Math.max(most, work);
            }
            return most;
        }

        /**
         * The most pixels any part has, sharing nothing: a part's tasks [a, b) are whole tiles but for
         * the last tile of each plane among them (the tasks t with (t + 1) % tilesPerPlane == 0),
         * which falls short by the same count.
         */
        long busiestPart() {
            long shortfall = (long) tilesPerPlane * tilePixels - pixels;
            long most = 0;
            for (int part = 0; part < parts; part++) {
                int first = start(part);
                int end = start(part + 1);
                most = Math.max(most, (long) (end - first) * tilePixels
                        - (end / tilesPerPlane - first / tilesPerPlane) * shortfall);
            }
            return most;
        }

        /**
         * Part {@code part}'s first whole task; {@code start(parts)} is the end of the last part's
         * (the shared task, when there is one, comes after them).
         */
        int start(int part) {
            int whole = shares() ? tasks - 1 : tasks;
            return (int) ((long) part * whole / parts);
        }

        /** The first task of group g of image n. */
        int start(int n, int g) {
            return (n * groups + g) * tilesPerPlane;
        }

        int image(int task) {
            return task / tilesPerPlane / groups;
        }

        int group(int task) {
            return task / tilesPerPlane % groups;
        }

        int firstPixel(int task) {
            return task % tilesPerPlane * tilePixels;
        }

        int pixels(int task) {
            return Math.min(tilePixels, pixels - firstPixel(task));
        }
    }

    /** Runs the {@link ForwardTiles} of image n on the pool, each part its range of them. */
    private static void forEachForwardTile(Conv2dSpec spec, Geometry geometry, int n, int maxTilePixels,
                                           WorkerPool pool, TileBody body) {
        int threads = spec.flops() >= PARALLEL_FLOPS ? pool.threads() : 1;
        ForwardTiles tiles = ForwardTiles.of(1, spec.groups(), geometry, maxTilePixels, threads, false);
        pool.parallelFor(tiles.parts(), part -> {
            for (int task = tiles.start(part); task < tiles.start(part + 1); task++) {
                body.run(n, tiles.group(task), tiles.firstPixel(task), tiles.pixels(task));
            }
        });
    }

    /**
     * Pads the input rows that output pixels [p0, p0 + count) of group g read and that this part
     * has not padded yet: {@code paddedRows} holds the group and the end of the rows the part padded
     * last (its tiles come in pixel order). Two parts may both pad the rows where their ranges meet,
     * writing the same values.
     */
    private static void padRowsFor(Conv2dSpec spec, Geometry geometry, float[] xs, int xOffset, int n, int g, int p0,
                                   int count, Im2col.PaddedInput padded, int[] paddedRows) {
        int outW = spec.outWidth();
        int firstRow = (p0 / outW) * spec.strideHeight();
        int lastRow = Math.min(padded.rows(), ((p0 + count - 1) / outW) * spec.strideHeight()
                + (spec.kernelHeight() - 1) * spec.dilationHeight() + 1);
        int from = paddedRows[0] == g ? Math.max(firstRow, paddedRows[1]) : firstRow;
        if (lastRow > from) {
            Im2col.padInput(spec, xs, xOffset, n, g * geometry.inPerGroup, (g + 1) * geometry.inPerGroup, from, lastRow,
                    padded);
        }
        paddedRows[0] = g;
        paddedRows[1] = Math.max(lastRow, from);
    }

    /** Y rows [0, rows) × columns [0, count) from {@code yBase} (row stride ldy) := bias[row] + beta·Y. */
    private static void prefillBias(float[] y, int yBase, int ldy, int rows, int count,
                                    float[] bias, int biasIndex, int biasStride, float beta) {
        for (int row = 0; row < rows; row++) {
            int start = yBase + row * ldy;
            float value = bias[biasIndex + row * biasStride];
            if (beta == 0) {
                Arrays.fill(y, start, start + count, value);
                continue;
            }
            int j = 0;
            for (int bound = FLOATS.loopBound(count); j < bound; j += FLOATS.length()) {
                FloatVector.fromArray(FLOATS, y, start + j).fma(beta, value).intoArray(y, start + j);
            }
            for (; j < count; j++) {
                y[start + j] = Math.fma(beta, y[start + j], value);
            }
        }
    }

    private static void prefillBias(double[] y, int yBase, int ldy, int rows, int count,
                                    double[] bias, int biasIndex, int biasStride, double beta) {
        for (int row = 0; row < rows; row++) {
            int start = yBase + row * ldy;
            double value = bias[biasIndex + row * biasStride];
            if (beta == 0) {
                Arrays.fill(y, start, start + count, value);
                continue;
            }
            int j = 0;
            for (int bound = DOUBLES.loopBound(count); j < bound; j += DOUBLES.length()) {
                DoubleVector.fromArray(DOUBLES, y, start + j).fma(beta, value).intoArray(y, start + j);
            }
            for (; j < count; j++) {
                y[start + j] = Math.fma(beta, y[start + j], value);
            }
        }
    }

    // ---- backward input ----

    static void backwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx, WorkerPool pool) {
        Geometry geometry = Geometry.of(spec);
        WorkerPool gemmPool = spec.flops() >= PARALLEL_FLOPS ? pool : SERIAL;
        if (gx.dtype() == DType.FLOAT32) {
            float[] gys = CpuBuffer.floats(gy);
            float[] ws = CpuBuffer.floats(w);
            float[] gxs = CpuBuffer.floats(gx);
            Conv2dSpec transposed = transposedConvolution(spec);
            if (transposed != null) {
                forwardFloat32(transposed, gys, gy.offset(), ws, w.offset(), true, null, 0, 0, gxs, gx.offset(), pool);
                return;
            }
            if (spec.batch() == 0 || geometry.pixels == 0) {
                // No tap reaches the input: its gradient is zero.
                Arrays.fill(gxs, gx.offset(), gx.offset() + gx.size(), 0f);
                return;
            }
            inputGradientByChannelRanges(spec, geometry, gys, gy.offset(), ws, w.offset(), gxs, gx.offset(), gemmPool);
            return;
        } else if (gx.dtype() == DType.FLOAT64) {
            double[] gys = CpuBuffer.doubles(gy);
            double[] ws = CpuBuffer.doubles(w);
            double[] gxs = CpuBuffer.doubles(gx);
            if (!geometry.needsColumns) {
                forEachPlane(spec, (n, g) -> GemmFloat64.gemm(inputGradientSpec(geometry, geometry.pixels),
                        ws, weightLayout(w, geometry, g), gys, outputLayout(gy, spec, geometry, n, g, 0),
                        gxs, new GemmLayout(gx.offset() + geometry.inputBase(spec, n, g), geometry.pixels, 1, 0),
                        null, 0, gemmPool));
                return;
            }
            Arrays.fill(gxs, gx.offset(), gx.offset() + gx.size(), 0d);
            forEachSerialTile(spec, geometry, geometry.tilePixels(), (n, g, p0, count) -> {
                double[] gcols = Im2col.doubleColumns(geometry.taps * count);
                GemmFloat64.gemm(inputGradientSpec(geometry, count), ws, weightLayout(w, geometry, g),
                        gys, outputLayout(gy, spec, geometry, n, g, p0), gcols, new GemmLayout(0, count, 1, 0),
                        null, 0, gemmPool);
                int gxBase = gx.offset() + geometry.inputBase(spec, n, g);
                forChannelRanges(geometry, gemmPool, (first, last) ->
                        Im2col.col2im(spec, gcols, first, last, p0, count, gxs, gxBase));
            });
        } else {
            throw unsupported("conv2dBackwardInput", gx);
        }
    }

    /**
     * At stride 1 the input gradient is itself a forward convolution, of gy with each group's
     * weights transposed (in and out channels swapped) and flipped in both kernel axes, padded by
     * {@code dilation·(kernel - 1) - pad} on each side: gx[ci, ih, iw] = Σ gy[co, ih + padTop -
     * kh·dh, iw + padLeft - kw·dw] · w[co, ci, kh, kw]. So it runs on the FP32 forward's packed path,
     * with no col2im. Returns that convolution's spec, or null where it does not apply (stride > 1,
     * or a padding wider than the kernel's reach).
     */
    private static Conv2dSpec transposedConvolution(Conv2dSpec spec) {
        if (spec.strideHeight() != 1 || spec.strideWidth() != 1) {
            return null;
        }
        int reachH = spec.dilationHeight() * (spec.kernelHeight() - 1);
        int reachW = spec.dilationWidth() * (spec.kernelWidth() - 1);
        int top = reachH - spec.padTop();
        int left = reachW - spec.padLeft();
        int bottom = reachH - spec.padBottom();
        int right = reachW - spec.padRight();
        if (top < 0 || left < 0 || bottom < 0 || right < 0) {
            return null;
        }
        return new Conv2dSpec(spec.batch(), spec.outChannels(), spec.outHeight(), spec.outWidth(), spec.inChannels(),
                spec.kernelHeight(), spec.kernelWidth(), 1, 1, top, left, bottom, right,
                spec.dilationHeight(), spec.dilationWidth(), spec.groups(), Epilogue.NONE);
    }

    /** Square blocks of {@link #transpose}: both a block's rows and its columns stay in L1. */
    private static final int TRANSPOSE_BLOCK = 16;

    /**
     * {@code dst[dstBase + c·rows + r] = src[srcBase + r·cols + c]} for rows r in [firstRow, endRow)
     * of the row-major rows × cols matrix (columns of dst: threads can share one transpose), block
     * by block, so that reads and writes both walk whole cache lines (element by element, one of
     * the two strides a line per element: the weight gradient's final transpose took a fifth of its
     * time that way at 256 channels).
     */
    static void transpose(float[] src, int srcBase, int rows, int cols, int firstRow, int endRow, float[] dst,
                          int dstBase) {
        for (int r0 = firstRow; r0 < endRow; r0 += TRANSPOSE_BLOCK) {
            int rEnd = Math.min(endRow, r0 + TRANSPOSE_BLOCK);
            for (int c0 = 0; c0 < cols; c0 += TRANSPOSE_BLOCK) {
                int cEnd = Math.min(cols, c0 + TRANSPOSE_BLOCK);
                for (int r = r0; r < rEnd; r++) {
                    for (int c = c0; c < cEnd; c++) {
                        dst[dstBase + c * rows + r] = src[srcBase + r * cols + c];
                    }
                }
            }
        }
    }

    /**
     * The FP32 input gradient at strides above 1: {@code gcols = W_g^T · gY} tile by tile, col2im'd
     * into a padded, phase-split accumulator of one block of channels of one image ({@link Im2col#col2imPadded}:
     * whole-vector adds where gx would take every stride-th float), zeroed row by row just before a
     * tile first reaches a row, each input row moved into gx ({@link Im2col#unpadGradient}) once no
     * later tile reaches it, while still in cache.
     *
     * <p>Threads take ranges of the group's input channels, and with them the rows of W_g^T and of
     * gcols (the channel's taps) and the accumulator's channels. A part goes through its channels
     * in blocks of about GEMM's MC rows of W_g^T (whole channels, whole MR-row panels): it packs a
     * block's rows, which then stay in L2, and, per image, runs the block's GEMM, col2im, zeroing
     * and unpadding for every tile, as GEMM itself keeps a block of packed A while every panel of
     * B goes by. Each tile ran all of the part's rows before, and so read all of its packed W_g^T
     * (1.2 MB at 128 → 256 channels on one thread) from L3 once per tile: against that, in
     * process (8-10 rounds, each variant twice), one thread 1.03-1.04x at 128×40×40 → 256 (the old
     * code's second copy 1.006x), 1.02-1.04x at 64×80×80 → 128 and 32×160×160 → 64 (within their
     * A/A pairs' spread); two threads 0.98-1.01x at 128 → 256, 1.11-1.17x at 64 → 128 (at
     * 16×320×320 → 32 and 32 → 64 two copies of the old code differed as much as the change did).
     * The accumulator holds one block's channels, and every block reuses it, so that it stays in L2
     * from block to block; with a region of the part's accumulator per block, each block zeroed,
     * filled and read back lines that had gone out to L3 or memory since the call before (against
     * that, in process, 8 rounds, each variant twice: one thread 1.04-1.05x at 64×80×80 → 128 and
     * 1.03x at 128×40×40 → 256, A/A pairs 0.99-1.00x; two threads level; zeroing from 3.5% to 1.1%
     * of the 64 → 128 input gradient's time in JFR).
     * Each part works with no other thread, all in its own
     * thread's buffers
     * (the accumulator too: when it was the group's, in the calling thread's buffer, the
     * other threads wrote lines that thread had written in the call before, the forward's padding
     * or the weight gradient's). One parallel call per group, where
     * splitting each step of each tile over the pool took five per tile (on two threads 10% of the
     * time went to waiting at them); gY packed by all the threads together, as before, had each
     * read the others' panels, which the two-thread state of the class comment ("Threads") slows.
     * The GEMM reads gY in place ({@link GemmFloat32#multiplyTaps}, depth step k its row k: NR
     * consecutive pixels a step), where each part packed all of it for itself before: on two
     * threads a copy of gY a thread (128 × 1600 floats at 64×80×80 → 128, 59 µs of each part's
     * 1.66 ms), and a buffer of gY's size a thread (in-process A/B, 16 rounds, each variant
     * twice: 1.00-1.04x on two threads at 64 → 128 and 128 → 256 at stride 2; one thread 0.97-1.05x).
     * Every sum is in the same order for every split into parts and blocks (GEMM's over the depth
     * M, col2im's tile by tile, tap by tap, and a channel's taps are all in its block), so the
     * results are the same bits on every thread count.
     * A group of fewer input channels than threads uses as many threads as it has channels (a
     * 3-channel stem's input gradient, two or three of them; one, with one channel a group).
     */
    private static void inputGradientByChannelRanges(Conv2dSpec spec, Geometry geometry, float[] gys, int gyOffset,
                                                     float[] ws, int wOffset, float[] gxs, int gxOffset,
                                                     WorkerPool pool) {
        int kernel = spec.kernelHeight() * spec.kernelWidth();
        int depth = geometry.outPerGroup;
        int parts = Math.min(pool.threads(), geometry.inPerGroup);
        // Part p's channels [c_p, c_p+1).
        int[] firstChannel = new int[parts + 1];
        for (int part = 0; part <= parts; part++) {
            firstChannel[part] = (int) ((long) part * geometry.inPerGroup / parts);
        }
        // gY read in place (GemmFloat32.multiplyTaps): depth step k is its row k.
        int[] gyRows = rowStarts(depth, geometry.pixels);
        Im2col.PaddedInput shape = Im2col.PaddedInput.of(spec, null);
        int channelFloats = shape.phases() * shape.rows() * shape.width();
        // Whole micro-panels, so that each tile but the last reads whole micro-panels of gY.
        int tilePixels = INPUT_GRADIENT_TILE_PANELS * NR;
        int outW = spec.outWidth();
        int reach = (spec.kernelHeight() - 1) * spec.dilationHeight() + 1;
        GemmFloat32Epilogue overwrite = new GemmFloat32Epilogue(Epilogue.NONE, null, 0);
        // Blocks of whole channels, about GEMM's MC rows of W_g^T, each a whole number of MR-row micro-panels.
        int unit = MR / gcd(kernel, MR);
        int blockChannels = Math.max(unit, GemmFloat32.MC / kernel / unit * unit);
        for (int g = 0; g < spec.groups(); g++) {
            int group = g;
            pool.parallelFor(parts, part -> {
                int c0 = firstChannel[part];
                int c1 = firstChannel[part + 1];
                // This thread's buffers: the accumulator (a block's channels) and the packed rows are this part's alone.
                float[] packedWeights = Im2col.packedWeights(Im2col.ceilDiv(Math.min(c1 - c0, blockChannels) * kernel, MR)
                        * MR * depth);
                // One block's channels: every block reuses it, so it stays in L2 from block to block.
                Im2col.PaddedInput acc = Im2col.PaddedInput.of(spec,
                        Im2col.paddedInput(Math.min(c1 - c0, blockChannels) * channelFloats));
                GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
                float[] edge = scratch.packedB(depth * NR + CacheLines.LINE_FLOATS);
                int edgeAt = CacheLines.lineStart(edge);
                for (int b0 = c0; b0 < c1; b0 += blockChannels) {
                    int b1 = Math.min(c1, b0 + blockChannels);
                    int rows = (b1 - b0) * kernel;
                    GemmFloat32Packing.packA(rows, depth, ws, wOffset + group * depth * geometry.taps + b0 * kernel, 1,
                            geometry.taps, packedWeights, 0);
                    int channels = b1 - b0;
                    for (int n = 0; n < spec.batch(); n++) {
                        // The accumulator's channel 0 is the block's first, gx's too from here.
                        int gxBase = gxOffset + geometry.inputBase(spec, n, group) + b0 * geometry.inputPlane;
                        int gyBase = gyOffset + geometry.outputBase(spec, n, group);
                        int zeroed = 0;
                        int finished = 0;
                        for (int p0 = 0; p0 < geometry.pixels; p0 += tilePixels) {
                            int count = Math.min(tilePixels, geometry.pixels - p0);
                            int zeroTo = ((p0 + count - 1) / outW) * spec.strideHeight() + reach;
                            if (zeroTo > zeroed) {
                                Im2col.zeroRows(acc, 0, channels, zeroed, zeroTo);
                                zeroed = zeroTo;
                            }
                            float[] gcols = Im2col.floatColumns(rows * count);
                            GemmFloat32.multiplyTaps(rows, count, depth, packedWeights, 0, gys, gyRows, gyBase + p0,
                                    edge, edgeAt, gcols, 0, count, overwrite, scratch);
                            Im2col.col2imPadded(spec, gcols, 0, 0, channels, p0, count, acc);
                            // Later tiles start at output row (p0 + count) / outW: padded rows above its first tap are final.
                            int unpadTo = p0 + count == geometry.pixels ? spec.inHeight()
                                    : Math.max(0, Math.min(spec.inHeight(),
                                            (p0 + count) / outW * spec.strideHeight() - spec.padTop()));
                            if (unpadTo > finished) {
                                // Rows no tap reaches (a stride past the kernel's reach) are zero too.
                                int reachedTo = Math.min(shape.rows(), unpadTo + spec.padTop());
                                if (reachedTo > zeroed) {
                                    Im2col.zeroRows(acc, 0, channels, zeroed, reachedTo);
                                    zeroed = reachedTo;
                                }
                                Im2col.unpadGradient(spec, acc, 0, channels, finished, unpadTo, gxs, gxBase);
                                finished = unpadTo;
                            }
                        }
                    }
                }
            });
        }
    }

    /** {@code gcols [K, count] = W_g^T · gY [M, count]}: W_g is stored M × K. */
    private static GemmSpec inputGradientSpec(Geometry geometry, int count) {
        return new GemmSpec(1, geometry.taps, count, geometry.outPerGroup, true, false, Epilogue.NONE);
    }

    // ---- backward weight ----

    /**
     * The weight gradient into gw and, where gb is not null, the bias gradient (each output
     * channel's sum of gy) into gb: by the FP32 weight gradient's parts as they go
     * ({@link #weightGradientByChannelRanges}), else by {@link CpuReductions#channelSums} first.
     */
    static void backwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, Operand gb, WorkerPool pool) {
        Geometry geometry = Geometry.of(spec);
        WorkerPool gemmPool = spec.flops() >= PARALLEL_FLOPS ? pool : SERIAL;
        boolean byChannelRanges = gw.dtype() == DType.FLOAT32
                && (!geometry.needsColumns || geometry.outPerGroup > IN_PLACE_WEIGHT_GRADIENT_CHANNELS);
        boolean partsSumBias = byChannelRanges && spec.batch() > 0 && geometry.pixels > 0;
        if (gb != null && !partsSumBias) {
            CpuReductions.channelSums(gy, gb, pool);
        }
        if (gw.dtype() == DType.FLOAT32) {
            float[] xs = CpuBuffer.floats(x);
            float[] gys = CpuBuffer.floats(gy);
            float[] gws = CpuBuffer.floats(gw);
            int groupWeights = geometry.taps * geometry.outPerGroup;
            // See transposedWeightGradientSpec: the transposed form where GEMM reads the columns in place.
            boolean transposedForm = geometry.outPerGroup <= GemmFloat32.UNPACKED_A_COLUMNS;
            if (spec.batch() == 0 || geometry.pixels == 0) {
                // No tile will write the gradient (or its accumulator): it is zero.
                Arrays.fill(gws, gw.offset(), gw.offset() + gw.size(), 0f);
                return;
            }
            if (byChannelRanges) {
                weightGradientByChannelRanges(spec, geometry, x, xs, gy, gys, gw, gws, partsSumBias ? gb : null,
                        transposedForm, gemmPool);
                return;
            }
            weightGradientFromPaddedInput(spec, geometry, xs, x.offset(), gys, gy.offset(), gws, gw.offset(), gemmPool);
        } else if (gw.dtype() == DType.FLOAT64) {
            double[] xs = CpuBuffer.doubles(x);
            double[] gys = CpuBuffer.doubles(gy);
            double[] gws = CpuBuffer.doubles(gw);
            Arrays.fill(gws, gw.offset(), gw.offset() + gw.size(), 0d);
            forEachSerialTile(spec, geometry, geometry.weightGradientTilePixels(), (n, g, p0, count) -> {
                int xBase = x.offset() + geometry.inputBase(spec, n, g);
                double[] b = xs;
                GemmLayout bLayout = new GemmLayout(xBase + p0, geometry.pixels, 1, 0);
                if (geometry.needsColumns) {
                    double[] cols = Im2col.doubleColumns(geometry.taps * count);
                    forChannelRanges(geometry, gemmPool, (first, last) ->
                            Im2col.im2col(spec, xs, xBase, first, last, p0, count, cols));
                    b = cols;
                    bLayout = new GemmLayout(0, count, 1, 0);
                }
                GemmFloat64.gemm(weightGradientSpec(geometry, geometry.taps, count, false), gys,
                        outputLayout(gy, spec, geometry, n, g, p0), b, bLayout,
                        gws, weightLayout(gw, geometry, g), null, 0, gemmPool);
            });
        } else {
            throw unsupported("conv2dBackwardWeight", gw);
        }
    }

    /**
     * FP32 with at most {@link GemmFloat32#UNPACKED_A_COLUMNS} output channels a group: {@code gW_g^T
     * [rows, M] += cols [rows, count] · gY [M, count]^T} ({@code =} for the group's first tile), all K
     * rows or a part's range of them, into a [K, M] scratch that is transposed into gw at the end. This GEMM reads the wide column matrix in
     * place as its A operand (a C of so few columns is not worth packing A for) and packs only the
     * narrow gY, transposed, as B; the direct form ({@link #weightGradientSpec}) packs the whole
     * column matrix transposed as its B: 0.69-0.94x at 32-128 channels (in-process A/B, one thread).
     * With more output channels GEMM packs the columns either way, and the direct form saves the
     * final transpose and its scratch: 1.02-1.11x on a 3×3 weight gradient of 256 channels at 20×20,
     * 1.07-1.22x on a 1×1 one, 1.03-1.08x on the 128→256 stride-2 layer; 0.98-1.03x on two threads.
     */
    private static GemmSpec transposedWeightGradientSpec(Geometry geometry, int rows, int count, boolean first) {
        return new GemmSpec(1, rows, geometry.outPerGroup, count, false, true,
                new Epilogue(1, first ? 0 : 1, null, 0));
    }

    /**
     * The FP32 weight gradient through a column matrix per tile (x itself for a 1×1 convolution),
     * in the transposed form ({@code transposedForm}: into a [K, M] scratch, then transposed into
     * gw), else straight into gw ({@link #blockedWeightGradient} where the columns are copied). The
     * columns are copied from the image's padded, phase-split input
     * ({@link Im2col#im2colPadded}), which each group's first tile pads: one copy a row run at every
     * stride, where im2col from x itself deinterleaved the input for every tap at stride 2
     * (32×160×160 → 64 and 64×80×80 → 128 at stride 2 1.02-1.03x, stride 1 unchanged; in-process
     * A/B, one thread).
     *
     * <p>Threads take ranges of the group's input channels, and with them the rows of the column
     * matrix (the channels' taps) and the columns of gW (rows of gW^T): each part pads its channels
     * of the image, copies their columns tile by tile, runs its GEMM on its own thread, and at the
     * end transposes its rows of gW^T into gw, all in its own thread's buffers. One parallel call in
     * all, with no thread reading or rewriting what another wrote (see the class comment,
     * "Threads"); before, each tile
     * padded, copied and multiplied in three parallel calls, and the GEMM's threads packed columns
     * the other thread had copied. Each GEMM sums over the tile's pixels in k-blocks that depend on
     * the tile alone, and the tiles go in the same order, so the results are the same bits on every
     * thread count.
     *
     * <p>With gb, the parts also sum the bias gradient: part p takes output channels [p·M/P,
     * (p+1)·M/P) of each group and adds each tile's sums of their gY rows ({@link CpuReductions#sumLine})
     * just before its GEMM reads the tile, which then finds them in cache; each channel's sum runs
     * over images and tiles in order, the same bits on every thread count. Against the reduction
     * over gy first (in the same launch), through autograd in one JVM, six rounds each: one thread
     * 0.93-0.99x the time at 128×40×40 1×1, 0.96-1.0x at 256×20×20 1×1, 0.97-1.04x at 64×80×80 1×1,
     * 0.97-1.05x at 64 → 128 stride 2; two threads 0.93-1.0x at 64 → 128 stride 2 and 0.92-1.01x at
     * 128 → 256 stride 2.
     */
    private static void weightGradientByChannelRanges(Conv2dSpec spec, Geometry geometry, Operand x, float[] xs,
                                                      Operand gy, float[] gys, Operand gw, float[] gws, Operand gb,
                                                      boolean transposedForm, WorkerPool pool) {
        int groupWeights = geometry.taps * geometry.outPerGroup;
        int kernel = spec.kernelHeight() * spec.kernelWidth();
        int tilePixels = geometry.weightGradientTilePixels();
        int parts = Math.min(pool.threads(), geometry.inPerGroup);
        float[] gbs = gb == null ? null : CpuBuffer.floats(gb);
        pool.parallelFor(parts, part -> {
            int c0 = (int) ((long) part * geometry.inPerGroup / parts);
            int c1 = (int) ((long) (part + 1) * geometry.inPerGroup / parts);
            int rows = (c1 - c0) * kernel;
            int firstRow = c0 * kernel;
            // The output channels of each group whose bias gradient this part sums: [o0, o1).
            int o0 = (int) ((long) part * geometry.outPerGroup / parts);
            int o1 = (int) ((long) (part + 1) * geometry.outPerGroup / parts);
            double[] biasSums = gbs == null ? null : new double[o1 - o0];
            // This thread's buffers, of which the part writes and reads its channels' share alone.
            Im2col.PaddedInput padded = geometry.needsColumns
                    ? Im2col.PaddedInput.of(spec, Im2col.paddedInput(Im2col.PaddedInput.size(spec))) : null;
            float[] transposed = transposedForm ? Im2col.packedWeights(spec.groups() * groupWeights) : null;
            for (int g = 0; g < spec.groups(); g++) {
                int groupChannel = g * geometry.inPerGroup;
                if (biasSums != null) {
                    Arrays.fill(biasSums, 0);
                }
                for (int n = 0; n < spec.batch(); n++) {
                    int xBase = x.offset() + geometry.inputBase(spec, n, g);
                    if (padded != null) {
                        Im2col.padInput(spec, xs, x.offset(), n, groupChannel + c0, groupChannel + c1, padded);
                    }
                    for (int p0 = 0; p0 < geometry.pixels; p0 += tilePixels) {
                        int count = Math.min(tilePixels, geometry.pixels - p0);
                        if (biasSums != null) {
                            // The bias gradient from this part's share of the tile's gY rows, which
                            // the GEMM below then reads from cache.
                            int gyTile = gy.offset() + geometry.outputBase(spec, n, g) + p0;
                            for (int o = o0; o < o1; o++) {
                                biasSums[o - o0] += CpuReductions.sumLine(gys, gyTile + o * geometry.pixels, count);
                            }
                        }
                        // The group's first tile writes the gradient (beta 0), the others add to it.
                        boolean first = n == 0 && p0 == 0;
                        if (padded != null && transposed == null) {
                            blockedWeightGradient(spec, geometry, padded, groupChannel, firstRow, firstRow + rows, gys,
                                    gy.offset() + geometry.outputBase(spec, n, g) + p0, p0, count, first, gws,
                                    gw.offset() + g * groupWeights);
                            continue;
                        }
                        float[] columns = xs;
                        GemmLayout columnsLayout = new GemmLayout(xBase + firstRow * geometry.pixels + p0,
                                geometry.pixels, 1, 0);
                        if (padded != null) {
                            columns = Im2col.floatColumns(rows * count);
                            Im2col.im2colPadded(spec, padded, groupChannel, firstRow, firstRow + rows, p0, count, columns);
                            columnsLayout = new GemmLayout(0, count, 1, 0);
                        }
                        if (transposed != null) {
                            GemmFloat32.gemm(transposedWeightGradientSpec(geometry, rows, count, first), columns,
                                    columnsLayout, gys,
                                    outputLayout(gy, spec, geometry, n, g, p0), transposed,
                                    new GemmLayout(g * groupWeights + firstRow * geometry.outPerGroup,
                                            geometry.outPerGroup, 1, 0), null, 0, SERIAL);
                        } else {
                            GemmFloat32.gemm(weightGradientSpec(geometry, rows, count, first), gys,
                                    outputLayout(gy, spec, geometry, n, g, p0), columns, columnsLayout, gws,
                                    new GemmLayout(gw.offset() + g * groupWeights + firstRow, geometry.taps, 1, 0),
                                    null, 0, SERIAL);
                        }
                    }
                }
                if (transposed != null) {
                    // Rows [firstRow, firstRow + rows) of the [K, M] accumulator: columns of gw no other part writes.
                    transpose(transposed, g * groupWeights, geometry.taps, geometry.outPerGroup, firstRow,
                            firstRow + rows, gws, gw.offset() + g * groupWeights);
                }
                if (biasSums != null) {
                    for (int o = o0; o < o1; o++) {
                        gbs[gb.offset() + g * geometry.outPerGroup + o] = (float) biasSums[o - o0];
                    }
                }
            }
        });
    }

    /**
     * One tile's {@code gW_g[:, firstRow..endRow) (+)= gY_tile · cols_tile^T} with the column
     * matrix made a block of {@link #WEIGHT_GRADIENT_BLOCK_ROWS} rows at a time: gY's tile is packed
     * once (GEMM's A), and each block of rows is copied from the padded input, packed transposed
     * (GEMM's B) and multiplied ({@link GemmFloat32#multiplyPacked}) while both copies are still in
     * L2. A GEMM of the whole tile's columns instead wrote them all (1.8 MB at 128×40×40 → 256 at
     * stride 2 on one thread) out to L3, packed them from there into a B block as large, and read
     * that back for each block of MC rows of gY. In-process A/B (10 rounds, each variant twice):
     * one thread 1.03-1.06x at 128 → 256 stride 2, 1.10-1.14x at 256×20×20 → 256; two threads
     * 1.04x and 1.0-1.1x. The sum over the tile's pixels is in the same order whatever the block,
     * so the same bits on every thread count.
     */
    private static void blockedWeightGradient(Conv2dSpec spec, Geometry geometry, Im2col.PaddedInput padded,
                                              int groupChannel, int firstRow, int endRow, float[] gys, int gyBase,
                                              int p0, int count, boolean first, float[] gws, int gwBase) {
        int m = geometry.outPerGroup;
        GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
        float[] packedGy = scratch.packedA(Im2col.ceilDiv(m, MR) * MR * count);
        GemmFloat32Packing.packA(m, count, gys, gyBase, geometry.pixels, 1, packedGy, 0);
        GemmFloat32Epilogue epilogue = new GemmFloat32Epilogue(new Epilogue(1, first ? 0 : 1, null, 0), null, 0);
        int blockRows = WEIGHT_GRADIENT_BLOCK_ROWS;
        for (int r0 = firstRow; r0 < endRow; r0 += blockRows) {
            int r1 = Math.min(endRow, r0 + blockRows);
            // The block's rows of cols are its columns of gW.
            int width = r1 - r0;
            int panels = Im2col.ceilDiv(width, NR);
            float[] columns = Im2col.floatColumns(width * count);
            Im2col.im2colPadded(spec, padded, groupChannel, r0, r1, p0, count, columns);
            float[] packed = scratch.packedB(panels * NR * count);
            int at = CacheLines.lineStart(packed);
            GemmFloat32Packing.packB(count, width, columns, 0, 1, count, packed, at, 0, panels);
            GemmFloat32.multiplyPacked(m, width, count, packedGy, 0, packed, at, gws, gwBase + r0, geometry.taps,
                    epilogue, scratch);
        }
    }

    /**
     * The transposed form's {@code gW_g^T [K, M] = Σ cols · gY^T} ({@link #transposedWeightGradientSpec})
     * with no column matrix. Row (ci, kh, kw) of cols over one output row is a run of outW
     * consecutive floats of the image's padded input ({@link Im2col.PaddedInput}, as the forward
     * reads it, at every stride), so the micro-kernel reads its MR rows there, output row after
     * output row, all in one tile's registers ({@link GemmFloat32MicroKernels#multiplyRowsAt}).
     * A tile is whole output rows, about {@value #IN_PLACE_TILE_PIXELS} pixels (one row if wider); its gY
     * rows are packed transposed as B. Thread t takes a range of cols' row tiles, and in one
     * parallel call pads the input channels they read, packs each tile's gY, adds into its rows of
     * the [K, M] accumulator and at the end transposes them into gw, all in its own thread's
     * buffers: before, the threads padded channel ranges and packed gY's micro-panels (all of one
     * on the calling thread where M takes one panel, as it mostly does) into buffers they then all
     * read, two parallel calls a tile, and the reads of lines the other core had just written (the
     * class comment's "Threads") left 32×160×160 → 64 at stride 2 at 1886-1923 µs in some
     * two-thread JVMs against 1444 in others. Each sum runs over images, tiles, rows and columns in
     * that order whatever the thread count. The im2col it replaces writes and reads back K floats per
     * pixel for 2·K·M flops: a fifth of the time of a 16-channel layer at 320×320. Used up to
     * {@link #IN_PLACE_WEIGHT_GRADIENT_CHANNELS} output channels a group, as measured (on AVX2,
     * in-process A/B against im2col + GEMM, 13 rounds): 16×320×320 → 16 1.08-1.10x on one thread and
     * 1.3-1.5x on two, 32×160×160 → 32 1.01-1.04x and 0.83-1.04x, 64×80×80 → 64 0.94-0.96x /
     * 0.93-0.97x, 128×40×40 0.93-1.03x / 0.92-0.94x. The im2col's share shrinks as M grows, while
     * this kernel switches rows every output row (short runs at 40-80 pixels). The gY panels are as
     * wide as M needs ({@link GemmFloat32MicroKernels#vectorsFor}): on AVX-512 a 64-column tile
     * computed 16 output channels in a quarter of its lanes and sent every tile through the scratch;
     * one vector wide, 16×320×320 → 16 ran 4.3x faster (16.4 → 70.7 GFLOP/s; in-process A/B, one
     * thread, AMD EPYC Zen 4).
     *
     * <p>The accumulator is zeroed first and every whole tile adds into it. When the image's first
     * tile instead wrote its sums (the kernel's {@code accumulate} false, then true for every later
     * tile), the JIT could compile the kernel while it had seen only one side of that branch; taking
     * the other deoptimized it, and the loop was then recompiled on-stack (OSR) with its vector
     * accumulators as heap objects, one allocation per fma: the two-vector kernel ran at 7-10
     * instead of 71-82 GFLOP/s in most JVMs that loaded the backend twice (ab.sh's A/A), and with
     * -XX:-UseOnStackReplacement, or with this zeroing, in none.
     */
    private static void weightGradientFromPaddedInput(Conv2dSpec spec, Geometry geometry, float[] xs, int xOffset,
                                                      float[] gys, int gyOffset, float[] gws, int gwOffset,
                                                      WorkerPool pool) {
        int taps = geometry.taps;
        int kernel = spec.kernelHeight() * spec.kernelWidth();
        int outPerGroup = geometry.outPerGroup;
        int outW = spec.outWidth();
        int outH = spec.outHeight();
        int rowTiles = Im2col.ceilDiv(taps, MR);
        int vectors = GemmFloat32MicroKernels.vectorsFor(outPerGroup);
        int width = vectors * GemmFloat32MicroKernels.LANES;
        int panels = Im2col.ceilDiv(outPerGroup, width);
        int tileRows = Math.max(1, Math.min(outH, IN_PLACE_TILE_PIXELS / outW));
        int groupWeights = taps * outPerGroup;
        int parts = Math.min(pool.threads(), rowTiles);
        pool.parallelFor(parts, part -> {
            int firstTile = part * rowTiles / parts;
            int endTile = (part + 1) * rowTiles / parts;
            // The input channels (of a group) whose taps the part's rows are.
            int firstChannel = firstTile * MR / kernel;
            int endChannel = Math.min(geometry.inPerGroup, Im2col.ceilDiv(Math.min(taps, endTile * MR), kernel));
            // This thread's buffers: the padded input (the part's channels of it) and the [K, M] accumulator.
            Im2col.PaddedInput padded = Im2col.PaddedInput.of(spec, Im2col.paddedInput(Im2col.PaddedInput.size(spec)));
            float[] acc = Im2col.packedWeights(spec.groups() * groupWeights);
            GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
            float[] packedGy = scratch.packedB(panels * width * tileRows * outW + CacheLines.LINE_FLOATS);
            int gyAt = CacheLines.lineStart(packedGy);
            float[] tile = scratch.tile();
            int rowStride = spec.strideHeight() * padded.width();
            int tapRow = spec.dilationHeight() * padded.width();
            int[] starts = new int[rowTiles * MR];
            for (int g = 0; g < spec.groups(); g++) {
                int accBase = g * groupWeights;
                Arrays.fill(acc, accBase + firstTile * MR * outPerGroup, accBase + Math.min(taps, endTile * MR) * outPerGroup, 0f);
            }
            for (int n = 0; n < spec.batch(); n++) {
                for (int g = 0; g < spec.groups(); g++) {
                    int groupChannel = g * geometry.inPerGroup;
                    Im2col.padInput(spec, xs, xOffset, n, groupChannel + firstChannel, groupChannel + endChannel, padded);
                    // Where each row of cols starts at output row 0; rows past K repeat the last (their sums are dropped).
                    for (int row = firstTile * MR; row < endTile * MR; row++) {
                        int r = Math.min(row, taps - 1);
                        int ci = r / kernel;
                        int kh = r % kernel / spec.kernelWidth();
                        int kw = r % spec.kernelWidth();
                        starts[row] = padded.channel(groupChannel + ci) + kh * tapRow + padded.tapColumn(spec, kw);
                    }
                    int accBase = g * groupWeights;
                    for (int oh0 = 0; oh0 < outH; oh0 += tileRows) {
                        int rows = Math.min(tileRows, outH - oh0);
                        int count = rows * outW;
                        GemmFloat32Packing.packB(count, count, outPerGroup, width, gys,
                                gyOffset + geometry.outputBase(spec, n, g) + oh0 * outW, 1, geometry.pixels, packedGy, gyAt,
                                0, panels);
                        int shift = oh0 * rowStride;
                        for (int rt = firstTile; rt < endTile; rt++) {
                            int validRows = Math.min(MR, taps - rt * MR);
                            for (int panel = 0; panel < panels; panel++) {
                                int validColumns = Math.min(width, outPerGroup - panel * width);
                                int o = accBase + rt * MR * outPerGroup + panel * width;
                                if (validRows == MR && validColumns == width) {
                                    GemmFloat32MicroKernels.multiplyRowsAt(vectors, rows, outW, rowStride, padded.data(), starts,
                                            rt * MR, shift, packedGy, gyAt + panel * count * width, acc, o, outPerGroup, true);
                                    continue;
                                }
                                GemmFloat32MicroKernels.multiplyRowsAt(vectors, rows, outW, rowStride, padded.data(), starts,
                                        rt * MR, shift, packedGy, gyAt + panel * count * width, tile, 0, width, false);
                                for (int r = 0; r < validRows; r++) {
                                    for (int j = 0; j < validColumns; j++) {
                                        acc[o + r * outPerGroup + j] += tile[r * width + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Rows [firstTile·MR, endTile·MR) of each group's [K, M] accumulator: columns of gw no other part writes.
            for (int g = 0; g < spec.groups(); g++) {
                transpose(acc, g * groupWeights, taps, outPerGroup, firstTile * MR, Math.min(taps, endTile * MR), gws,
                        gwOffset + g * groupWeights);
            }
        });
    }

    /**
     * {@code gW_g [M, columns] += gY [M, count] · cols [columns, count]^T} ({@code =} for a group's
     * first tile when {@code first}): all K columns of gW, or a part's range of them.
     */
    private static GemmSpec weightGradientSpec(Geometry geometry, int columns, int count, boolean first) {
        return new GemmSpec(1, geometry.outPerGroup, columns, count, false, true,
                new Epilogue(1, first ? 0 : 1, null, 0));
    }

    // ---- shared pieces ----

    /** W_g (or gW_g) as the row-major matrix [M, K]. */
    private static GemmLayout weightLayout(Operand w, Geometry geometry, int group) {
        return new GemmLayout(w.offset() + group * geometry.outPerGroup * geometry.taps, geometry.taps, 1, 0);
    }

    /** Rows of y (or gy) for image n, group g, from pixel p0 on: [M, …] with row stride P. */
    private static GemmLayout outputLayout(Operand y, Conv2dSpec spec, Geometry geometry, int n, int g, int p0) {
        return new GemmLayout(y.offset() + geometry.outputBase(spec, n, g) + p0, geometry.pixels, 1, 0);
    }

    @FunctionalInterface
    private interface PlaneBody {
        void run(int image, int group);
    }

    private static void forEachPlane(Conv2dSpec spec, PlaneBody body) {
        for (int n = 0; n < spec.batch(); n++) {
            for (int g = 0; g < spec.groups(); g++) {
                body.run(n, g);
            }
        }
    }

    /** Tiles of the column budget, in (group, image, pixel) order, on the calling thread. */
    private static void forEachSerialTile(Conv2dSpec spec, Geometry geometry, int tilePixels, TileBody body) {
        for (int g = 0; g < spec.groups(); g++) {
            for (int n = 0; n < spec.batch(); n++) {
                for (int p0 = 0; p0 < geometry.pixels; p0 += tilePixels) {
                    body.run(n, g, p0, Math.min(tilePixels, geometry.pixels - p0));
                }
            }
        }
    }

    @FunctionalInterface
    private interface IndexRange {
        void run(int first, int end);
    }

    /** Splits the group's input channels into one contiguous range per thread of {@code pool}. */
    private static void forChannelRanges(Geometry geometry, WorkerPool pool, IndexRange body) {
        forRowRanges(geometry.inPerGroup, pool, body);
    }

    /** Splits [0, count) into one contiguous range per thread of the pool (at most count ranges). */
    private static void forRowRanges(int count, WorkerPool pool, IndexRange body) {
        int parts = Math.min(pool.threads(), count);
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        int perPart = Im2col.ceilDiv(count, parts);
        pool.parallelFor(Im2col.ceilDiv(count, perPart), part ->
                body.run(part * perPart, Math.min(count, (part + 1) * perPart)));
    }

    private static UnsupportedOperationException unsupported(String kernel, Operand operand) {
        return new UnsupportedOperationException(kernel + " on the cpu backend takes FLOAT32 or FLOAT64, not " + operand.dtype());
    }
}
