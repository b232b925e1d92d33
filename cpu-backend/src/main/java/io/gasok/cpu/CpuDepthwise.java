package io.gasok.cpu;

import io.gasok.DType;
import io.gasok.spi.Conv2dSpec;
import io.gasok.spi.Epilogue;
import io.gasok.spi.Operand;
import io.gasok.spi.UnaryOp;
import java.util.Arrays;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Depthwise 2-D convolution (groups == inChannels == outChannels, which includes a one-channel plain
 * convolution) and its two gradients, as {@code ReferenceConvolution} defines them, by direct loops:
 * each channel plane is convolved with its own kernelH × kernelW filter. At K = kh·kw multiply-adds
 * per output it is bound by memory bandwidth, not arithmetic, so it reads x and writes y once.
 *
 * <p><b>Forward, stride 1: padded plane, row groups.</b> Each input plane is copied once (a vector
 * at a time) into a per-thread zero-padded plane whose padding is written once per call, so output
 * (oh, ow), tap (kh, kw) reads padded (oh·strideH + kh·dilationH, ow + kw·dilationW) and tap kw of
 * outputs [ow, ow + LANES) is one contiguous vector load: no mask, no gather, no border case.
 * Output rows go four at a time. The commonest layer, 3×3 at stride 1 without dilation, has its
 * own kernels, six output rows at a time, each input vector loaded once for every output row it
 * feeds and the nine weights in registers: rows of at least five vector positions go as two bands of
 * three rows ({@code bands3x3}, a counted loop along the row), narrower ones a position at a time
 * ({@code directRows3x3}, eight input rows in straight-line code).
 * Other 3-wide kernels take two vector positions at a time: 4 × 2 accumulators, eight independent
 * fma chains (one chain per vector was bound by fma latency, about 45 cycles per 8 outputs of a
 * 3×3 filter); the rest one position of four rows. Vector positions
 * are ow = 0, LANES, … and a last one at outWidth - LANES overlapping the previous (it recomputes the
 * same sums); a last row group that does not fit is moved back over rows already done likewise.
 * Rows narrower than a vector take the phased path.
 *
 * <p><b>Forward, 3×3 at stride 2: the same padded plane, even columns kept.</b> The commonest
 * downsampling layer is computed at every stride-1 column of its output rows (rows at stride 2,
 * six per call of {@code directRows3x3Stride2}), and each row's even columns are gathered and
 * finished: twice the multiply-adds, but whole-vector loads of a plain padded copy instead of phase
 * rows, whose short gathers and scalar tails cost more than the arithmetic (2.1x at 96×40×40).
 *
 * <p><b>Phased rows</b> (forward with other strides ≥ 2 or rows narrower than a vector, and both
 * gradients). Output column ow, tap kw reads padded input column
 * {@code ow·s + kw·dilationW} (s = strideW, padded column = input column + padLeft). Each input row is
 * copied once per plane into s zero-padded "phase" rows, {@code phase[r][j] = padded[j·s + r]}
 * (stride 1: one zero-padded copy; stride 2: even and odd columns deinterleaved). Then tap kw of
 * outputs [ow, ow + LANES) is one contiguous vector load from {@code phase[(kw·d) % s]} at
 * {@code ow + (kw·d) / s}, with no gather, no lane masks and no border cases: the padding is real
 * zeros. Rows outside the input (top/bottom padding) are skipped per output row.
 *
 * <p>Zero padding read as zeros gives the reference's sums (which skip padded taps) except where a
 * weight is ±inf or NaN (0·inf = NaN), as before; likewise the weight gradient where gy is ±inf
 * or NaN next to the padding.
 *
 * <p><b>FP32 kernels</b> (lanes along the output width, filter taps broadcast):
 * <ul>
 *   <li>forward: per output row, per vector of outputs, the taps accumulate in registers in (kh, kw)
 *       order into a row buffer; then the row is finished into y as
 *       {@code act(beta·y_old + (alpha·acc + bias[c]))}: one small vector loop, then the activation
 *       in place by {@link GemmFloat32Epilogue#activate} (no vector crosses a call, so nothing is
 *       boxed; a call allocates only a few small objects, CpuDepthwiseAllocationTest). The 3×3
 *       stride-1 kernel with a bias-only epilogue (alpha 1, beta 0) writes {@code acc + bias}
 *       into y from its registers instead, the activation following in place: 12% less time at
 *       96×40×40, the row buffer's store and reload gone;
 *   <li>backward input: the scatter of the forward, into zeroed phase rows of gx
 *       ({@code phase[(kw·d) % s][ow + (kw·d)/s] += w·gy[oh, ow]}, vector fma along ow, in
 *       (oh, kh, kw) order), then the phase rows are interleaved back into gx (overwritten);
 *   <li>backward weight: per tap, a dot product of the phase rows with gy rows (vector fma along ow,
 *       one in-order lane sum per image), summed over images in order.
 * </ul>
 * <b>FP64</b> uses plain scalar loops over the contiguous arrays (FP64 is for gradient checks).
 *
 * <p><b>Threads.</b> Forward and backward input split the batch·C planes into one contiguous range
 * per thread of the {@link WorkerPool}; backward weight splits the channels (each channel sums its
 * images itself). Below {@value #PARALLEL_ELEMENTS} elements of x and y together a call runs on the
 * calling thread. Each plane's sums run in a fixed order, so results do not depend on the split.
 * Each thread keeps one padded plane or one plane of phase rows ({@code inH · s · ⌈paddedW / s⌉}
 * floats), and a buffer of six output rows (at stride 2: six rows of stride-1 columns and six of
 * outputs), as scratch.
 */
final class CpuDepthwise {

    private static final VectorSpecies<Float> FLOATS = CpuVectors.FLOATS;
    private static final int LANES = FLOATS.length();
    /** Below this many elements of x plus y a call runs on the calling thread. */
    static final long PARALLEL_ELEMENTS = 1L << 15;

    /** Vectors of slack after a plane of phase rows and after the forward's row of sums. */
    private static final int SLACK_VECTORS = 4;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private CpuDepthwise() {
    }

    /** Where the phase rows of one plane lie: row (ih, r) starts at {@code (ih·stride + r)·length}. */
    private record Phases(int stride, int length, int padLeft, int inWidth, int[] insideFirst, int[] insideEnd) {

        static Phases of(Conv2dSpec spec) {
            int s = spec.strideWidth();
            int paddedWidth = Math.max(spec.padLeft() + spec.inWidth(),
                    (spec.outWidth() - 1) * s + (spec.kernelWidth() - 1) * spec.dilationWidth() + 1);
            int length = (paddedWidth + s - 1) / s;
            // Phase column j of phase r holds input column j·s + r - padLeft: inside [0, inWidth) for
            // j in [insideFirst[r], insideEnd[r]), padding before and after.
            int[] first = new int[s];
            int[] end = new int[s];
            for (int r = 0; r < s; r++) {
                first[r] = Math.min(length, Math.max(0, Math.ceilDiv(spec.padLeft() - r, s)));
                end[r] = Math.max(first[r], Math.min(length, Math.ceilDiv(spec.inWidth() + spec.padLeft() - r, s)));
            }
            return new Phases(s, length, spec.padLeft(), spec.inWidth(), first, end);
        }

        /**
         * Floats of one plane's phase rows, plus {@value #SLACK_VECTORS} vectors of slack so that the
         * forward's last group of vector positions, partly past the row's end, can be loaded whole.
         */
        int planeSize(int inHeight) {
            return inHeight * stride * length + SLACK_VECTORS * LANES;
        }

        /** Index of the first phase row of input row ih. */
        int rowStart(int ih) {
            return ih * stride * length;
        }

        /** Per kernel column kw, where output column 0's tap lies relative to {@link #rowStart}. */
        int[] tapOffsets(int kernelWidth, int dilation) {
            int[] offsets = new int[kernelWidth];
            for (int kw = 0; kw < kernelWidth; kw++) {
                int column = kw * dilation;
                offsets[kw] = column % stride * length + column / stride;
            }
            return offsets;
        }

        /**
         * Copies the input row at {@code src} into the phase rows of row ih, zeros in the padding.
         * At stride 2 the inside of each phase row is gathered a vector at a time ({@link EveryOther}:
         * each phase row loads the input row once, twice in all).
         */
        void split(float[] x, int src, float[] phases, int ih) {
            for (int r = 0; r < stride; r++) {
                int row = (ih * stride + r) * length;
                int first = insideFirst[r];
                int end = insideEnd[r];
                for (int j = 0; j < first; j++) {
                    phases[row + j] = 0f;
                }
                int column = src + first * stride + r - padLeft;
                if (stride == 2) {
                    EveryOther.gather(x, column, phases, row + first, end - first);
                } else {
                    for (int j = first; j < end; j++, column += stride) {
                        phases[row + j] = x[column];
                    }
                }
                for (int j = end; j < length; j++) {
                    phases[row + j] = 0f;
                }
            }
        }

        /** Writes the phase rows of row ih back as the input row at {@code dst} (padding dropped). */
        void merge(float[] phases, int ih, float[] gx, int dst) {
            for (int iw = 0; iw < inWidth; iw++) {
                int column = iw + padLeft;
                gx[dst + iw] = phases[(ih * stride + column % stride) * length + column / stride];
            }
        }
    }

    private static float[] scratch(int slot, int size) {
        float[][] buffers = SCRATCH.get();
        if (buffers[slot].length < size) {
            buffers[slot] = new float[size];
        }
        return buffers[slot];
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(int first, int last);
    }

    /** Splits [0, count) into one contiguous range per thread (or one range when the work is small). */
    private static void forRanges(int count, long elements, WorkerPool pool, RangeBody body) {
        int parts = elements >= PARALLEL_ELEMENTS ? Math.min(pool.threads(), count) : 1;
        if (parts <= 1) {
            body.run(0, count);
            return;
        }
        int perPart = (count + parts - 1) / parts;
        pool.parallelFor((count + perPart - 1) / perPart, part -> body.run(part * perPart, Math.min(count, (part + 1) * perPart)));
    }

    private static long elements(Conv2dSpec spec) {
        return (long) spec.batch() * spec.inChannels()
                * ((long) spec.inHeight() * spec.inWidth() + (long) spec.outHeight() * spec.outWidth());
    }

    /** The input row that kernel row kh of output row oh reads (outside [0, inHeight) is padding). */
    private static int inputRow(Conv2dSpec spec, int oh, int kh) {
        return oh * spec.strideHeight() - spec.padTop() + kh * spec.dilationHeight();
    }

    // ---- forward ----

    static void forward(Conv2dSpec spec, Operand x, Operand w, Operand bias, Operand y, WorkerPool pool) {
        Epilogue epilogue = Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE);
        int channels = spec.inChannels();
        if (y.dtype() == DType.FLOAT32) {
            float[] xs = CpuBuffer.floats(x);
            float[] ws = CpuBuffer.floats(w);
            float[] ys = CpuBuffer.floats(y);
            float[] biases = bias == null ? null : CpuBuffer.floats(bias);
            RowFinish finish = new RowFinish((float) epilogue.alpha(), (float) epilogue.beta(),
                    epilogue.activation(), epilogue.activationParam());
            PaddedPlane direct = PaddedPlane.of(spec);
            PaddedPlane halved = direct == null ? PaddedPlane.ofStride2(spec) : null;
            PaddedPlane padded = direct != null ? direct : halved;
            Phases phases = Phases.of(spec);
            int[] tapOffsets = phases.tapOffsets(spec.kernelWidth(), spec.dilationWidth());
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                float[] rows = scratch(0, padded != null ? padded.size() : phases.planeSize(spec.inHeight()));
                if (padded != null) {
                    Arrays.fill(rows, 0, padded.size(), 0f);
                }
                int sumsWidth = halved != null ? halved.outWidth() : spec.outWidth();
                float[] sums = scratch(1, ROWS3X3 * (sumsWidth + spec.outWidth()) + SLACK_VECTORS * LANES);
                for (int plane = first; plane < last; plane++) {
                    int c = plane % channels;
                    float biasValue = biases == null ? 0f : biases[bias.offset() + c * bias.stride(0)];
                    int xBase = x.offset() + plane * spec.inHeight() * spec.inWidth();
                    int wBase = w.offset() + c * spec.kernelHeight() * spec.kernelWidth();
                    int yBase = y.offset() + plane * spec.outHeight() * spec.outWidth();
                    if (direct != null) {
                        forwardPlaneDirect(spec, direct, rows, xs, xBase, ws, wBase, sums, finish, biasValue, ys, yBase);
                    } else if (halved != null) {
                        forwardPlaneStride2(spec, halved, rows, xs, xBase, ws, wBase, sums, finish, biasValue, ys, yBase);
                    } else {
                        forwardPlanePhased(spec, phases, tapOffsets, rows, xs, xBase, ws, wBase, sums, finish,
                                biasValue, ys, yBase);
                    }
                }
            });
        } else if (y.dtype() == DType.FLOAT64) {
            double[] xs = CpuBuffer.doubles(x);
            double[] ws = CpuBuffer.doubles(w);
            double[] ys = CpuBuffer.doubles(y);
            double[] biases = bias == null ? null : CpuBuffer.doubles(bias);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    int c = plane % channels;
                    double biasValue = biases == null ? 0 : biases[bias.offset() + c * bias.stride(0)];
                    forwardPlane(spec, xs, x.offset() + plane * spec.inHeight() * spec.inWidth(),
                            ws, w.offset() + c * spec.kernelHeight() * spec.kernelWidth(), epilogue, biasValue,
                            ys, y.offset() + plane * spec.outHeight() * spec.outWidth());
                }
            });
        } else {
            throw unsupported("depthwiseConv2d", y);
        }
    }

    /** Rows of outputs the stride-1 path computes together (independent fma chains per vector position). */
    private static final int ROW_GROUP = 4;
    /** Rows of outputs of one {@link #directRows3x3} call: six fma chains, 24 loads for 54 fma. */
    private static final int ROWS3X3 = 6;

    /**
     * The stride-1 forward's zero-padded plane, the same for every plane of a call: {@code height}
     * rows of {@code width} floats, input row ih at row {@code padTop + ih} from column
     * {@code padLeft}, zeros elsewhere (written once per call and thread, never overwritten). Output
     * (oh, ow), tap (kh, kw) reads padded (oh·strideH + kh·dilationH, ow + kw·dilationW). Vector
     * positions along an output row are {@code ow = 0, LANES, 2·LANES, …} while a whole vector
     * fits, and {@code outWidth - LANES} last when LANES does not divide outWidth (overlapping: it
     * recomputes the same sums).
     */
    private record PaddedPlane(int width, int height, int padTop, int padLeft, int inWidth, int outWidth) {

        /** The padded plane of a stride-1 forward, or null when a row is narrower than a vector (phased path then). */
        static PaddedPlane of(Conv2dSpec spec) {
            if (spec.strideWidth() != 1 || spec.outWidth() < LANES) {
                return null;
            }
            int width = Math.max(spec.padLeft() + spec.inWidth(),
                    spec.outWidth() + (spec.kernelWidth() - 1) * spec.dilationWidth());
            int height = Math.max(spec.padTop() + spec.inHeight(),
                    (spec.outHeight() - 1) * spec.strideHeight() + (spec.kernelHeight() - 1) * spec.dilationHeight() + 1);
            return new PaddedPlane(width, height, spec.padTop(), spec.padLeft(), spec.inWidth(), spec.outWidth());
        }

        /**
         * The padded plane of a 3×3 stride-2 forward ({@link #forwardPlaneStride2}): its "outputs"
         * are the stride-1 columns 0 … 2·outWidth - 2, whose even ones are the layer's; null when
         * they are narrower than a vector or the plane has fewer than {@value #ROWS3X3} output rows
         * (phased path then).
         */
        static PaddedPlane ofStride2(Conv2dSpec spec) {
            int columns = 2 * spec.outWidth() - 1;
            if (!isStride2x3x3(spec) || columns < LANES || spec.outHeight() < ROWS3X3) {
                return null;
            }
            int width = Math.max(spec.padLeft() + spec.inWidth(), columns + 2);
            int height = Math.max(spec.padTop() + spec.inHeight(), 2 * spec.outHeight() + 1);
            return new PaddedPlane(width, height, spec.padTop(), spec.padLeft(), spec.inWidth(), columns);
        }

        int size() {
            return width * height;
        }

        /**
         * Copies one input plane (at {@code xBase}) into the padded plane's interior, a vector at a
         * time (a {@code System.arraycopy} per row of a few dozen floats cost as much as the
         * convolution's arithmetic).
         */
        void fill(float[] x, int xBase, int inHeight, float[] padded) {
            int bound = FLOATS.loopBound(inWidth);
            for (int ih = 0; ih < inHeight; ih++) {
                int src = xBase + ih * inWidth;
                int dst = (padTop + ih) * width + padLeft;
                int j = 0;
                for (; j < bound; j += LANES) {
                    FloatVector.fromArray(FLOATS, x, src + j).intoArray(padded, dst + j);
                }
                for (; j < inWidth; j++) {
                    padded[dst + j] = x[src + j];
                }
            }
        }

        /** The vector position after {@code ow}, or -1 after the last. */
        int next(int ow) {
            int last = outWidth - LANES;
            return ow == last ? -1 : Math.min(ow + LANES, last);
        }
    }

    /**
     * One plane, stride 1 (see the class comment): output rows {@value #ROW_GROUP} at a time
     * ({@link #directGroup}), {@value #ROWS3X3} for a 3×3 layer ({@link #directGroup3x3}; a last group that does not fit is moved back over rows already done,
     * which it recomputes identically), or one at a time when the plane has fewer rows. Each row's
     * sums land in {@code sums} (row r of a group at {@code r·outWidth}) and are finished into y,
     * the group's new rows in one pass (they are contiguous in both). A 3×3 group whose epilogue is
     * only the bias (alpha 1, beta 0) skips that pass: {@link #directRows3x3} adds the bias and
     * stores into y from its registers (the same float operation as the finish: {@code fma(sum, 1,
     * bias)} is {@code sum + bias}), and the activation then runs over the group's rows in place;
     * a group moved back over finished rows still goes through the sums.
     */
    private static void forwardPlaneDirect(Conv2dSpec spec, PaddedPlane plane, float[] padded, float[] x, int xBase,
                                           float[] w, int wBase, float[] sums, RowFinish finish, float biasValue,
                                           float[] y, int yBase) {
        plane.fill(x, xBase, spec.inHeight(), padded);
        int outHeight = spec.outHeight();
        int outWidth = plane.outWidth();
        if (outHeight < ROW_GROUP) {
            for (int oh = 0; oh < outHeight; oh++) {
                directRowSums(spec, plane, padded, w, wBase, oh, sums);
                finish.row(sums, 0, biasValue, y, yBase + oh * outWidth, outWidth);
            }
            return;
        }
        boolean rows3x3 = isRows3x3(spec) && outHeight >= ROWS3X3;
        int group = rows3x3 ? ROWS3X3 : ROW_GROUP;
        boolean intoY = rows3x3 && finish.isBiasOnly();
        for (int done = 0; done < outHeight; ) {
            int first = Math.min(done, outHeight - group);
            int end = first + group;
            if (intoY && first == done) {
                directGroup3x3(plane, padded, first * plane.width(), w, wBase, y, yBase + first * outWidth, true,
                        biasValue);
                finish.activate(y, yBase + first * outWidth, group * outWidth);
            } else if (rows3x3) {
                directGroup3x3(plane, padded, first * plane.width(), w, wBase, sums, 0, false, 0f);
                finish.row(sums, (done - first) * outWidth, biasValue, y, yBase + done * outWidth,
                        (end - done) * outWidth);
            } else {
                directGroup(spec, plane, padded, w, wBase, first, sums);
                finish.row(sums, (done - first) * outWidth, biasValue, y, yBase + done * outWidth,
                        (end - done) * outWidth);
            }
            done = end;
        }
    }

    /**
     * One plane of a 3×3 stride-2 layer: {@link #directRows3x3Stride2} computes groups of
     * {@value #ROWS3X3} output rows at every stride-1 column (a last group that does not fit is moved
     * back over rows already done, which it recomputes identically), then each new row's even
     * columns are gathered ({@link EveryOther#gatherPast}, one after the other as in y) and the
     * group's new rows finished into y in one pass. Twice the multiply-adds of the outputs, but every
     * load a whole vector of the padded plane: the phase rows it replaces cost more to build than
     * this to compute (DwOnly probe, 96×40×40 on one thread: 85 against 179-182 us, ReLU 88-90
     * against 207-218).
     */
    private static void forwardPlaneStride2(Conv2dSpec spec, PaddedPlane plane, float[] padded, float[] x, int xBase,
                                            float[] w, int wBase, float[] sums, RowFinish finish, float biasValue,
                                            float[] y, int yBase) {
        plane.fill(x, xBase, spec.inHeight(), padded);
        int outHeight = spec.outHeight();
        int outWidth = spec.outWidth();
        int columns = plane.outWidth();
        int evenRows = ROWS3X3 * columns;
        for (int done = 0; done < outHeight; ) {
            int first = Math.min(done, outHeight - ROWS3X3);
            for (int ow = 0; ow >= 0; ow = plane.next(ow)) {
                directRows3x3Stride2(padded, 2 * first * plane.width() + ow, plane.width(), w, wBase, sums, ow, columns);
            }
            int end = first + ROWS3X3;
            // The new rows' even columns, one after the other as in y; each row's last whole vector
            // runs into the next row's place (written after it) or the slack.
            for (int oh = done; oh < end; oh++) {
                EveryOther.gatherPast(sums, (oh - first) * columns, sums, evenRows + (oh - done) * outWidth, outWidth);
            }
            finish.row(sums, evenRows, biasValue, y, yBase + done * outWidth, (end - done) * outWidth);
            done = end;
        }
    }

    /** Whether {@link #directRows3x3Stride2} computes this layer: 3×3, stride 2 both ways, no dilation. */
    private static boolean isStride2x3x3(Conv2dSpec spec) {
        return spec.kernelHeight() == 3 && spec.kernelWidth() == 3 && spec.strideHeight() == 2
                && spec.strideWidth() == 2 && spec.dilationHeight() == 1 && spec.dilationWidth() == 1;
    }

    /** Whether {@link #directRows3x3} computes this layer's groups: 3×3, stride 1, no dilation. */
    private static boolean isRows3x3(Conv2dSpec spec) {
        return spec.kernelHeight() == 3 && spec.kernelWidth() == 3 && spec.strideHeight() == 1
                && spec.dilationHeight() == 1 && spec.dilationWidth() == 1;
    }

    /**
     * Vector positions along an output row from which a 3×3 group goes by {@link #bands3x3}. One
     * thread, bias only (Zen 3, 8 lanes), bands against a position at a time: in process (ab.sh,
     * alternating in one JVM) 1.26x at 144×56×56 (7 positions), 1.27x at 64×80×80, 1.34x at
     * 32×112×112, two threads 1.02-1.05x (bandwidth-bound); through {@code gasok bench --ops
     * depthwise}, old and new jar in turn, 1.04-1.34x at 56 wide and 1.27-1.32x at 112. At 5
     * positions (40 wide) a first session measured 1.04-1.20x in process but 0.90-0.94x in the
     * bench; measured again (1.10x in process on one thread, 1.06x on two; the bench, two clones
     * alternating, {@code --depthwise 1x96x40x40_96k3s1p1} and {@code 1x192x40x40_192k3s1p1} at 1
     * and 2 threads, seven pairs each: median 1.15x on one thread and on two, single pairs 0.75-2.1x
     * on this noisy machine) they go by bands too. At 3 positions (20 wide) bands were 0.70-0.78x:
     * rows that short keep the per-position kernel.
     */
    static final int BAND_POSITIONS = 5;

    /**
     * One group of {@value #ROWS3X3} output rows of a 3×3 stride-1 layer: the group's input starts at
     * {@code padded[rowAt]}, its output row r at {@code out[outAt + r·outWidth …]} (the sums rows,
     * or y's rows), plus the bias when {@code addBias}: by {@link #bands3x3} when a row has at
     * least {@value #BAND_POSITIONS} vector positions, else by {@link #directRows3x3} a position at a
     * time. Both sum every output's taps in (kh, kw) order: the same bits.
     */
    private static void directGroup3x3(PaddedPlane plane, float[] padded, int rowAt, float[] w, int wBase, float[] out,
                                       int outAt, boolean addBias, float bias) {
        if (plane.outWidth() >= BAND_POSITIONS * LANES) {
            bands3x3(padded, rowAt, plane.width(), w, wBase, out, outAt, plane.outWidth(), addBias, bias);
            return;
        }
        for (int ow = 0; ow >= 0; ow = plane.next(ow)) {
            directRows3x3(padded, rowAt + ow, plane.width(), w, wBase, out, outAt + ow, plane.outWidth(), addBias, bias);
        }
    }

    /**
     * {@value #ROWS3X3} output rows of a 3×3 stride-1 layer as two bands of three, each band along
     * the whole row in a counted loop over the vector positions (whole vectors from 0, then a last
     * one overlapping them when LANES does not divide outWidth): the JIT checks bounds once per
     * loop rather than once per load, and neighbouring positions' fma chains overlap in the core.
     * Per position the band's five input rows are loaded once each and fma'd into every output row
     * they feed, in (kh, kw) order per output: 15 loads for 27 fma, the nine weights and three
     * accumulators in registers (13 of AVX2's 16). Arguments as {@link #directGroup3x3}'s.
     */
    private static void bands3x3(float[] src, int rowAt, int width, float[] w, int wBase, float[] out, int outAt,
                                 int outWidth, boolean addBias, float bias) {
        FloatVector w00 = FloatVector.broadcast(FLOATS, w[wBase]);
        FloatVector w01 = FloatVector.broadcast(FLOATS, w[wBase + 1]);
        FloatVector w02 = FloatVector.broadcast(FLOATS, w[wBase + 2]);
        FloatVector w10 = FloatVector.broadcast(FLOATS, w[wBase + 3]);
        FloatVector w11 = FloatVector.broadcast(FLOATS, w[wBase + 4]);
        FloatVector w12 = FloatVector.broadcast(FLOATS, w[wBase + 5]);
        FloatVector w20 = FloatVector.broadcast(FLOATS, w[wBase + 6]);
        FloatVector w21 = FloatVector.broadcast(FLOATS, w[wBase + 7]);
        FloatVector w22 = FloatVector.broadcast(FLOATS, w[wBase + 8]);
        FloatVector zero = FloatVector.zero(FLOATS);
        int row1 = width;
        int row2 = 2 * width;
        int row3 = 3 * width;
        int row4 = 4 * width;
        int last = outWidth - LANES;
        boolean overlapping = last % LANES != 0;
        for (int band = 0; band < ROWS3X3; band += 3) {
            int at = rowAt + band * width;
            int outRow = outAt + band * outWidth;
            // Pass 0: whole vectors [0, last] at multiples of LANES; pass 1: the overlapping last one.
            for (int pass = 0; pass < (overlapping ? 2 : 1); pass++) {
                int from = pass == 0 ? 0 : last;
                int to = pass == 0 ? (overlapping ? last : last + 1) : last + 1;
                for (int ow = from; ow < to; ow += LANES) {
                    int i = at + ow;
                    // Input row 0 feeds output row 0 (kh 0).
                    FloatVector v = FloatVector.fromArray(FLOATS, src, i);
                    FloatVector out0 = v.fma(w00, zero);
                    v = FloatVector.fromArray(FLOATS, src, i + 1);
                    out0 = v.fma(w01, out0);
                    v = FloatVector.fromArray(FLOATS, src, i + 2);
                    out0 = v.fma(w02, out0);
                    // Input row 1 feeds output rows 0 (kh 1) and 1 (kh 0).
                    v = FloatVector.fromArray(FLOATS, src, i + row1);
                    out0 = v.fma(w10, out0);
                    FloatVector out1 = v.fma(w00, zero);
                    v = FloatVector.fromArray(FLOATS, src, i + row1 + 1);
                    out0 = v.fma(w11, out0);
                    out1 = v.fma(w01, out1);
                    v = FloatVector.fromArray(FLOATS, src, i + row1 + 2);
                    out0 = v.fma(w12, out0);
                    out1 = v.fma(w02, out1);
                    // Input row 2 feeds output rows 0 (kh 2), 1 (kh 1) and 2 (kh 0).
                    v = FloatVector.fromArray(FLOATS, src, i + row2);
                    out0 = v.fma(w20, out0);
                    out1 = v.fma(w10, out1);
                    FloatVector out2 = v.fma(w00, zero);
                    v = FloatVector.fromArray(FLOATS, src, i + row2 + 1);
                    out0 = v.fma(w21, out0);
                    out1 = v.fma(w11, out1);
                    out2 = v.fma(w01, out2);
                    v = FloatVector.fromArray(FLOATS, src, i + row2 + 2);
                    out0 = v.fma(w22, out0);
                    out1 = v.fma(w12, out1);
                    out2 = v.fma(w02, out2);
                    // Input row 3 feeds output rows 1 (kh 2) and 2 (kh 1).
                    v = FloatVector.fromArray(FLOATS, src, i + row3);
                    out1 = v.fma(w20, out1);
                    out2 = v.fma(w10, out2);
                    v = FloatVector.fromArray(FLOATS, src, i + row3 + 1);
                    out1 = v.fma(w21, out1);
                    out2 = v.fma(w11, out2);
                    v = FloatVector.fromArray(FLOATS, src, i + row3 + 2);
                    out1 = v.fma(w22, out1);
                    out2 = v.fma(w12, out2);
                    // Input row 4 feeds output row 2 (kh 2).
                    v = FloatVector.fromArray(FLOATS, src, i + row4);
                    out2 = v.fma(w20, out2);
                    v = FloatVector.fromArray(FLOATS, src, i + row4 + 1);
                    out2 = v.fma(w21, out2);
                    v = FloatVector.fromArray(FLOATS, src, i + row4 + 2);
                    out2 = v.fma(w22, out2);
                    int o = outRow + ow;
                    if (addBias) {
                        out0 = out0.add(bias);
                        out1 = out1.add(bias);
                        out2 = out2.add(bias);
                    }
                    out0.intoArray(out, o);
                    out1.intoArray(out, o + outWidth);
                    out2.intoArray(out, o + 2 * outWidth);
                }
            }
        }
    }

    /** Output rows [oh, oh + ROW_GROUP) into sums rows 0..3. */
    private static void directGroup(Conv2dSpec spec, PaddedPlane plane, float[] padded, float[] w, int wBase, int oh,
                                    float[] sums) {
        int width = plane.width();
        int rowAt = oh * spec.strideHeight() * width;
        int rowStep = spec.dilationHeight() * width;
        int groupStep = spec.strideHeight() * width;
        int ow = 0;
        if (spec.kernelWidth() == 3) {
            for (int second = plane.next(ow); second >= 0; second = plane.next(ow)) {
                directPairWidth3(padded, rowAt, rowStep, groupStep, spec.kernelHeight(), spec.dilationWidth(),
                        w, wBase, sums, ow, second, plane.outWidth());
                ow = plane.next(second);
                if (ow < 0) {
                    return;
                }
            }
        }
        for (; ow >= 0; ow = plane.next(ow)) {
            directQuad(padded, rowAt + ow, rowStep, groupStep, spec.kernelHeight(), spec.kernelWidth(),
                    spec.dilationWidth(), w, wBase, sums, ow, plane.outWidth());
        }
    }

    /**
     * Four output rows at one vector position: {@code src[at + r·groupStep + kh·rowStep + kw·dilation + lane]}
     * is the input of tap (kh, kw) for output row r, lane; sums of row r go to {@code sums[r·outWidth + ow …]}.
     */
    private static void directQuad(float[] src, int at, int rowStep, int groupStep, int kernelHeight,
                                   int kernelWidth, int dilation, float[] w, int wBase, float[] sums, int ow,
                                   int outWidth) {
        FloatVector acc0 = FloatVector.zero(FLOATS);
        FloatVector acc1 = FloatVector.zero(FLOATS);
        FloatVector acc2 = FloatVector.zero(FLOATS);
        FloatVector acc3 = FloatVector.zero(FLOATS);
        for (int kh = 0; kh < kernelHeight; kh++) {
            int row = at + kh * rowStep;
            int weights = wBase + kh * kernelWidth;
            for (int kw = 0; kw < kernelWidth; kw++) {
                FloatVector weight = FloatVector.broadcast(FLOATS, w[weights + kw]);
                int tap = row + kw * dilation;
                acc0 = FloatVector.fromArray(FLOATS, src, tap).fma(weight, acc0);
                acc1 = FloatVector.fromArray(FLOATS, src, tap + groupStep).fma(weight, acc1);
                acc2 = FloatVector.fromArray(FLOATS, src, tap + 2 * groupStep).fma(weight, acc2);
                acc3 = FloatVector.fromArray(FLOATS, src, tap + 3 * groupStep).fma(weight, acc3);
            }
        }
        acc0.intoArray(sums, ow);
        acc1.intoArray(sums, outWidth + ow);
        acc2.intoArray(sums, 2 * outWidth + ow);
        acc3.intoArray(sums, 3 * outWidth + ow);
    }

    /**
     * {@link #directQuad} for kernels 3 wide (most depthwise layers) at two vector positions, ow and
     * ow2 (row r's at {@code src[rowAt + r·groupStep + ow …]}): eight independent fma chains, the
     * three taps of a kernel row written out; the same fma order per output, so the same sums.
     */
    private static void directPairWidth3(float[] src, int rowAt, int rowStep, int groupStep, int kernelHeight,
                                         int dilation, float[] w, int wBase, float[] sums, int ow, int ow2,
                                         int outWidth) {
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = FloatVector.zero(FLOATS);
        FloatVector a2 = FloatVector.zero(FLOATS);
        FloatVector a3 = FloatVector.zero(FLOATS);
        FloatVector b0 = FloatVector.zero(FLOATS);
        FloatVector b1 = FloatVector.zero(FLOATS);
        FloatVector b2 = FloatVector.zero(FLOATS);
        FloatVector b3 = FloatVector.zero(FLOATS);
        for (int kh = 0; kh < kernelHeight; kh++) {
            int weights = wBase + kh * 3;
            for (int kw = 0; kw < 3; kw++) {
                FloatVector weight = FloatVector.broadcast(FLOATS, w[weights + kw]);
                int tap = rowAt + kh * rowStep + kw * dilation;
                int tap1 = tap + groupStep;
                int tap2 = tap + 2 * groupStep;
                int tap3 = tap + 3 * groupStep;
                a0 = FloatVector.fromArray(FLOATS, src, tap + ow).fma(weight, a0);
                a1 = FloatVector.fromArray(FLOATS, src, tap1 + ow).fma(weight, a1);
                a2 = FloatVector.fromArray(FLOATS, src, tap2 + ow).fma(weight, a2);
                a3 = FloatVector.fromArray(FLOATS, src, tap3 + ow).fma(weight, a3);
                b0 = FloatVector.fromArray(FLOATS, src, tap + ow2).fma(weight, b0);
                b1 = FloatVector.fromArray(FLOATS, src, tap1 + ow2).fma(weight, b1);
                b2 = FloatVector.fromArray(FLOATS, src, tap2 + ow2).fma(weight, b2);
                b3 = FloatVector.fromArray(FLOATS, src, tap3 + ow2).fma(weight, b3);
            }
        }
        a0.intoArray(sums, ow);
        a1.intoArray(sums, outWidth + ow);
        a2.intoArray(sums, 2 * outWidth + ow);
        a3.intoArray(sums, 3 * outWidth + ow);
        b0.intoArray(sums, ow2);
        b1.intoArray(sums, outWidth + ow2);
        b2.intoArray(sums, 2 * outWidth + ow2);
        b3.intoArray(sums, 3 * outWidth + ow2);
    }

    /**
     * {@link #directQuad} for the commonest depthwise layer, 3×3 at stride 1 with no dilation: the
     * six output rows read eight input rows, and each input vector is loaded once and fma'd into
     * every output row it feeds (up to three), with the nine weights held in registers: 24 loads for
     * 54 fma instead of 54 + 54, measured about four times faster than the general loop, which C2
     * unrolls into spills (and 4-11% faster than four rows: six fma chains hide more of the fma
     * latency than four). Every output still sums its taps in (kh, kw) order, so the sums are the
     * same. {@code src[at + i·width + kw + lane]} is input row i (0..7), tap column kw, lane; output row r
     * goes to {@code out[outAt + r·outWidth …]}, plus {@code bias} when {@code addBias} (written out
     * at each store: a vector handed to a helper method was boxed, one object per store).
     */
    private static void directRows3x3(float[] src, int at, int width, float[] w, int wBase, float[] out, int outAt,
                                      int outWidth, boolean addBias, float bias) {
        FloatVector w00 = FloatVector.broadcast(FLOATS, w[wBase + 0]);
        FloatVector w01 = FloatVector.broadcast(FLOATS, w[wBase + 1]);
        FloatVector w02 = FloatVector.broadcast(FLOATS, w[wBase + 2]);
        FloatVector w10 = FloatVector.broadcast(FLOATS, w[wBase + 3]);
        FloatVector w11 = FloatVector.broadcast(FLOATS, w[wBase + 4]);
        FloatVector w12 = FloatVector.broadcast(FLOATS, w[wBase + 5]);
        FloatVector w20 = FloatVector.broadcast(FLOATS, w[wBase + 6]);
        FloatVector w21 = FloatVector.broadcast(FLOATS, w[wBase + 7]);
        FloatVector w22 = FloatVector.broadcast(FLOATS, w[wBase + 8]);
        FloatVector zero = FloatVector.zero(FLOATS);
        int row = at;
        FloatVector v;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out0 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out0 = v.fma(w01, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out0 = v.fma(w02, out0);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out1 = v.fma(w00, zero);
        out0 = v.fma(w10, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out1 = v.fma(w01, out1);
        out0 = v.fma(w11, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out1 = v.fma(w02, out1);
        out0 = v.fma(w12, out0);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out2 = v.fma(w00, zero);
        out1 = v.fma(w10, out1);
        out0 = v.fma(w20, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out2 = v.fma(w01, out2);
        out1 = v.fma(w11, out1);
        out0 = v.fma(w21, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out2 = v.fma(w02, out2);
        out1 = v.fma(w12, out1);
        out0 = v.fma(w22, out0);
        if (addBias) {
            out0.add(bias).intoArray(out, outAt);
        } else {
            out0.intoArray(out, outAt);
        }
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out3 = v.fma(w00, zero);
        out2 = v.fma(w10, out2);
        out1 = v.fma(w20, out1);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out3 = v.fma(w01, out3);
        out2 = v.fma(w11, out2);
        out1 = v.fma(w21, out1);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out3 = v.fma(w02, out3);
        out2 = v.fma(w12, out2);
        out1 = v.fma(w22, out1);
        if (addBias) {
            out1.add(bias).intoArray(out, outAt + outWidth);
        } else {
            out1.intoArray(out, outAt + outWidth);
        }
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out4 = v.fma(w00, zero);
        out3 = v.fma(w10, out3);
        out2 = v.fma(w20, out2);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out4 = v.fma(w01, out4);
        out3 = v.fma(w11, out3);
        out2 = v.fma(w21, out2);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out4 = v.fma(w02, out4);
        out3 = v.fma(w12, out3);
        out2 = v.fma(w22, out2);
        if (addBias) {
            out2.add(bias).intoArray(out, outAt + 2 * outWidth);
        } else {
            out2.intoArray(out, outAt + 2 * outWidth);
        }
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out5 = v.fma(w00, zero);
        out4 = v.fma(w10, out4);
        out3 = v.fma(w20, out3);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out5 = v.fma(w01, out5);
        out4 = v.fma(w11, out4);
        out3 = v.fma(w21, out3);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out5 = v.fma(w02, out5);
        out4 = v.fma(w12, out4);
        out3 = v.fma(w22, out3);
        if (addBias) {
            out3.add(bias).intoArray(out, outAt + 3 * outWidth);
        } else {
            out3.intoArray(out, outAt + 3 * outWidth);
        }
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out5 = v.fma(w10, out5);
        out4 = v.fma(w20, out4);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out5 = v.fma(w11, out5);
        out4 = v.fma(w21, out4);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out5 = v.fma(w12, out5);
        out4 = v.fma(w22, out4);
        if (addBias) {
            out4.add(bias).intoArray(out, outAt + 4 * outWidth);
        } else {
            out4.intoArray(out, outAt + 4 * outWidth);
        }
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out5 = v.fma(w20, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out5 = v.fma(w21, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out5 = v.fma(w22, out5);
        if (addBias) {
            out5.add(bias).intoArray(out, outAt + 5 * outWidth);
        } else {
            out5.intoArray(out, outAt + 5 * outWidth);
        }
    }

    /**
     * {@link #directRows3x3} for stride 2 down the plane: six output rows at stride-1 column
     * resolution (their even columns are the outputs) read thirteen input rows, rows 2r, 2r + 1,
     * 2r + 2 for output row r, each input vector loaded once for the one or two rows it feeds, the
     * weights in registers. Raw sums go to {@code out[outAt + r·outWidth …]}; taps in (kh, kw) order.
     */
    private static void directRows3x3Stride2(float[] src, int at, int width, float[] w, int wBase, float[] out,
                                             int outAt, int outWidth) {
        FloatVector w00 = FloatVector.broadcast(FLOATS, w[wBase + 0]);
        FloatVector w01 = FloatVector.broadcast(FLOATS, w[wBase + 1]);
        FloatVector w02 = FloatVector.broadcast(FLOATS, w[wBase + 2]);
        FloatVector w10 = FloatVector.broadcast(FLOATS, w[wBase + 3]);
        FloatVector w11 = FloatVector.broadcast(FLOATS, w[wBase + 4]);
        FloatVector w12 = FloatVector.broadcast(FLOATS, w[wBase + 5]);
        FloatVector w20 = FloatVector.broadcast(FLOATS, w[wBase + 6]);
        FloatVector w21 = FloatVector.broadcast(FLOATS, w[wBase + 7]);
        FloatVector w22 = FloatVector.broadcast(FLOATS, w[wBase + 8]);
        FloatVector zero = FloatVector.zero(FLOATS);
        int row = at;
        FloatVector v;
        v = FloatVector.fromArray(FLOATS, src, row);
        FloatVector out0 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out0 = v.fma(w01, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out0 = v.fma(w02, out0);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out0 = v.fma(w10, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out0 = v.fma(w11, out0);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out0 = v.fma(w12, out0);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out0 = v.fma(w20, out0);
        FloatVector out1 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out0 = v.fma(w21, out0);
        out1 = v.fma(w01, out1);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out0 = v.fma(w22, out0);
        out1 = v.fma(w02, out1);
        out0.intoArray(out, outAt);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out1 = v.fma(w10, out1);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out1 = v.fma(w11, out1);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out1 = v.fma(w12, out1);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out1 = v.fma(w20, out1);
        FloatVector out2 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out1 = v.fma(w21, out1);
        out2 = v.fma(w01, out2);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out1 = v.fma(w22, out1);
        out2 = v.fma(w02, out2);
        out1.intoArray(out, outAt + outWidth);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out2 = v.fma(w10, out2);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out2 = v.fma(w11, out2);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out2 = v.fma(w12, out2);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out2 = v.fma(w20, out2);
        FloatVector out3 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out2 = v.fma(w21, out2);
        out3 = v.fma(w01, out3);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out2 = v.fma(w22, out2);
        out3 = v.fma(w02, out3);
        out2.intoArray(out, outAt + 2 * outWidth);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out3 = v.fma(w10, out3);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out3 = v.fma(w11, out3);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out3 = v.fma(w12, out3);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out3 = v.fma(w20, out3);
        FloatVector out4 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out3 = v.fma(w21, out3);
        out4 = v.fma(w01, out4);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out3 = v.fma(w22, out3);
        out4 = v.fma(w02, out4);
        out3.intoArray(out, outAt + 3 * outWidth);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out4 = v.fma(w10, out4);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out4 = v.fma(w11, out4);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out4 = v.fma(w12, out4);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out4 = v.fma(w20, out4);
        FloatVector out5 = v.fma(w00, zero);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out4 = v.fma(w21, out4);
        out5 = v.fma(w01, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out4 = v.fma(w22, out4);
        out5 = v.fma(w02, out5);
        out4.intoArray(out, outAt + 4 * outWidth);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out5 = v.fma(w10, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out5 = v.fma(w11, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out5 = v.fma(w12, out5);
        row += width;
        v = FloatVector.fromArray(FLOATS, src, row);
        out5 = v.fma(w20, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 1);
        out5 = v.fma(w21, out5);
        v = FloatVector.fromArray(FLOATS, src, row + 2);
        out5 = v.fma(w22, out5);
        out5.intoArray(out, outAt + 5 * outWidth);
    }


    /** One output row into sums row 0 (planes of fewer than {@value #ROW_GROUP} output rows). */
    private static void directRowSums(Conv2dSpec spec, PaddedPlane plane, float[] padded, float[] w, int wBase, int oh,
                                      float[] sums) {
        int width = plane.width();
        int rowAt = oh * spec.strideHeight() * width;
        int rowStep = spec.dilationHeight() * width;
        int kernelWidth = spec.kernelWidth();
        int dilation = spec.dilationWidth();
        for (int ow = 0; ow >= 0; ow = plane.next(ow)) {
            FloatVector acc = FloatVector.zero(FLOATS);
            for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                int row = rowAt + ow + kh * rowStep;
                int weights = wBase + kh * kernelWidth;
                for (int kw = 0; kw < kernelWidth; kw++) {
                    acc = FloatVector.fromArray(FLOATS, padded, row + kw * dilation)
                            .fma(FloatVector.broadcast(FLOATS, w[weights + kw]), acc);
                }
            }
            acc.intoArray(sums, ow);
        }
    }

    /**
     * One plane through phase rows: whole vectors along the output row, four positions at a time
     * (four independent fma chains; one chain is bound by fma latency: a 3×3 filter's nine dependent
     * fma per vector), the last group allowed to run past the row's end, and two positions at a
     * time when only one or two are left; positions past the row are loaded whole (the phase rows
     * and the sums have {@value #SLACK_VECTORS} vectors of slack) and only the valid sums are
     * finished. The phase split's per-phase ranges are computed once per call, not per row (two
     * integer divisions per row and phase were a large part of a stride-2 plane's time).
     */
    private static void forwardPlanePhased(Conv2dSpec spec, Phases phases, int[] tapOffsets, float[] rows,
                                           float[] x, int xBase, float[] w, int wBase, float[] sums,
                                           RowFinish finish, float biasValue, float[] y, int yBase) {
        int outWidth = spec.outWidth();
        int kernelWidth = spec.kernelWidth();
        for (int ih = 0; ih < spec.inHeight(); ih++) {
            phases.split(x, xBase + ih * spec.inWidth(), rows, ih);
        }
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            int firstKh = firstValidKernelRow(spec, oh);
            int lastKh = lastValidKernelRow(spec, oh);
            int ow = 0;
            for (; ow < outWidth; ow += 4 * LANES) {
                FloatVector acc0 = FloatVector.zero(FLOATS);
                FloatVector acc1 = FloatVector.zero(FLOATS);
                FloatVector acc2 = FloatVector.zero(FLOATS);
                FloatVector acc3 = FloatVector.zero(FLOATS);
                for (int kh = firstKh; kh < lastKh; kh++) {
                    int row = phases.rowStart(inputRow(spec, oh, kh)) + ow;
                    int weights = wBase + kh * kernelWidth;
                    for (int kw = 0; kw < kernelWidth; kw++) {
                        FloatVector weight = FloatVector.broadcast(FLOATS, w[weights + kw]);
                        int tap = row + tapOffsets[kw];
                        acc0 = FloatVector.fromArray(FLOATS, rows, tap).fma(weight, acc0);
                        acc1 = FloatVector.fromArray(FLOATS, rows, tap + LANES).fma(weight, acc1);
                        acc2 = FloatVector.fromArray(FLOATS, rows, tap + 2 * LANES).fma(weight, acc2);
                        acc3 = FloatVector.fromArray(FLOATS, rows, tap + 3 * LANES).fma(weight, acc3);
                    }
                }
                acc0.intoArray(sums, ow);
                acc1.intoArray(sums, ow + LANES);
                acc2.intoArray(sums, ow + 2 * LANES);
                acc3.intoArray(sums, ow + 3 * LANES);
                if (ow + 4 * LANES < outWidth && ow + 6 * LANES >= outWidth) {
                    // One or two positions left: a group of four would be mostly padding.
                    ow += 4 * LANES;
                    FloatVector last0 = FloatVector.zero(FLOATS);
                    FloatVector last1 = FloatVector.zero(FLOATS);
                    for (int kh = firstKh; kh < lastKh; kh++) {
                        int row = phases.rowStart(inputRow(spec, oh, kh)) + ow;
                        int weights = wBase + kh * kernelWidth;
                        for (int kw = 0; kw < kernelWidth; kw++) {
                            FloatVector weight = FloatVector.broadcast(FLOATS, w[weights + kw]);
                            int tap = row + tapOffsets[kw];
                            last0 = FloatVector.fromArray(FLOATS, rows, tap).fma(weight, last0);
                            last1 = FloatVector.fromArray(FLOATS, rows, tap + LANES).fma(weight, last1);
                        }
                    }
                    last0.intoArray(sums, ow);
                    last1.intoArray(sums, ow + LANES);
                    break;
                }
            }
            finish.row(sums, 0, biasValue, y, yBase + oh * outWidth, outWidth);
        }
    }

    /**
     * The forward's epilogue for one output row: {@code y = act(beta·y_old + (alpha·sum + bias))}
     * (y_old read only when beta ≠ 0), whole vectors then a scalar tail with the same operations,
     * then the activation in place.
     */
    private record RowFinish(float alpha, float beta, UnaryOp activation, double activationParam) {

        /** Whether a finished row is only {@code sum + bias} (alpha 1, beta 0), before the activation. */
        boolean isBiasOnly() {
            return alpha == 1 && beta == 0;
        }

        /** The activation over {@code y[yi … yi + n)} in place (nothing without one). */
        void activate(float[] y, int yi, int n) {
            if (activation != null) {
                GemmFloat32Epilogue.activate(activation, activationParam, y, yi, n);
            }
        }

        void row(float[] sums, int si, float bias, float[] y, int yi, int n) {
            int bound = FLOATS.loopBound(n);
            if (beta == 0) {
                scaleBias(sums, si, alpha, bias, y, yi, bound);
                for (int j = bound; j < n; j++) {
                    y[yi + j] = Math.fma(sums[si + j], alpha, bias);
                }
            } else {
                scaleBiasAccumulate(sums, si, alpha, bias, beta, y, yi, bound);
                for (int j = bound; j < n; j++) {
                    y[yi + j] = Math.fma(y[yi + j], beta, Math.fma(sums[si + j], alpha, bias));
                }
            }
            activate(y, yi, n);
        }

        private static void scaleBias(float[] sums, int si, float alpha, float bias, float[] y, int yi, int bound) {
            for (int j = 0; j < bound; j += LANES) {
                FloatVector.fromArray(FLOATS, sums, si + j).fma(alpha, bias).intoArray(y, yi + j);
            }
        }

        private static void scaleBiasAccumulate(float[] sums, int si, float alpha, float bias, float beta, float[] y,
                                                int yi, int bound) {
            for (int j = 0; j < bound; j += LANES) {
                FloatVector scaled = FloatVector.fromArray(FLOATS, sums, si + j).fma(alpha, bias);
                FloatVector.fromArray(FLOATS, y, yi + j).fma(FloatVector.broadcast(FLOATS, beta), scaled).intoArray(y, yi + j);
            }
        }
    }

    /** The first kernel row whose input row for output row oh lies inside the input. */
    private static int firstValidKernelRow(Conv2dSpec spec, int oh) {
        int kh = 0;
        while (kh < spec.kernelHeight() && inputRow(spec, oh, kh) < 0) {
            kh++;
        }
        return kh;
    }

    /** One past the last kernel row whose input row for output row oh lies inside the input. */
    private static int lastValidKernelRow(Conv2dSpec spec, int oh) {
        int kh = spec.kernelHeight();
        while (kh > 0 && inputRow(spec, oh, kh - 1) >= spec.inHeight()) {
            kh--;
        }
        return kh;
    }

    private static void forwardPlane(Conv2dSpec spec, double[] x, int xBase, double[] w, int wBase,
                                     Epilogue epilogue, double biasValue, double[] y, int yBase) {
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            for (int ow = 0; ow < spec.outWidth(); ow++) {
                double acc = 0;
                for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                    int ih = inputRow(spec, oh, kh);
                    for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                        int iw = ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
                        if (ih >= 0 && ih < spec.inHeight() && iw >= 0 && iw < spec.inWidth()) {
                            acc += x[xBase + ih * spec.inWidth() + iw] * w[wBase + kh * spec.kernelWidth() + kw];
                        }
                    }
                }
                int at = yBase + oh * spec.outWidth() + ow;
                double value = epilogue.alpha() * acc + biasValue;
                if (epilogue.beta() != 0) {
                    value += epilogue.beta() * y[at];
                }
                y[at] = epilogue.activate(value);
            }
        }
    }

    // ---- backward input ----

    static void backwardInput(Conv2dSpec spec, Operand gy, Operand w, Operand gx, WorkerPool pool) {
        int channels = spec.inChannels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        int taps = spec.kernelHeight() * spec.kernelWidth();
        if (gx.dtype() == DType.FLOAT32) {
            float[] gys = CpuBuffer.floats(gy);
            float[] ws = CpuBuffer.floats(w);
            float[] gxs = CpuBuffer.floats(gx);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    backwardInputPlane(spec, gys, gy.offset() + plane * outPlane,
                            ws, w.offset() + (plane % channels) * taps, gxs, gx.offset() + plane * inPlane);
                }
            });
        } else if (gx.dtype() == DType.FLOAT64) {
            double[] gys = CpuBuffer.doubles(gy);
            double[] ws = CpuBuffer.doubles(w);
            double[] gxs = CpuBuffer.doubles(gx);
            forRanges(spec.batch() * channels, elements(spec), pool, (first, last) -> {
                for (int plane = first; plane < last; plane++) {
                    backwardInputPlane(spec, gys, gy.offset() + plane * outPlane,
                            ws, w.offset() + (plane % channels) * taps, gxs, gx.offset() + plane * inPlane);
                }
            });
        } else {
            throw unsupported("depthwiseConv2dBackwardInput", gx);
        }
    }

    private static void backwardInputPlane(Conv2dSpec spec, float[] gy, int gyBase, float[] w, int wBase,
                                           float[] gx, int gxBase) {
        Phases phases = Phases.of(spec);
        int outWidth = spec.outWidth();
        int vectorWidth = FLOATS.loopBound(outWidth);
        VectorMask<Float> tailMask = FLOATS.indexInRange(vectorWidth, outWidth);
        int kernelWidth = spec.kernelWidth();
        int[] tapOffsets = phases.tapOffsets(kernelWidth, spec.dilationWidth());
        float[] rows = scratch(0, phases.planeSize(spec.inHeight()));
        Arrays.fill(rows, 0, phases.planeSize(spec.inHeight()), 0f);
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            int gyRow = gyBase + oh * outWidth;
            for (int kh = firstValidKernelRow(spec, oh); kh < lastValidKernelRow(spec, oh); kh++) {
                int row = phases.rowStart(inputRow(spec, oh, kh));
                for (int kw = 0; kw < kernelWidth; kw++) {
                    FloatVector weight = FloatVector.broadcast(FLOATS, w[wBase + kh * kernelWidth + kw]);
                    int start = row + tapOffsets[kw];
                    for (int ow = 0; ow < vectorWidth; ow += LANES) {
                        FloatVector.fromArray(FLOATS, gy, gyRow + ow)
                                .fma(weight, FloatVector.fromArray(FLOATS, rows, start + ow))
                                .intoArray(rows, start + ow);
                    }
                    if (vectorWidth < outWidth) {
                        FloatVector.fromArray(FLOATS, gy, gyRow + vectorWidth, tailMask)
                                .fma(weight, FloatVector.fromArray(FLOATS, rows, start + vectorWidth, tailMask))
                                .intoArray(rows, start + vectorWidth, tailMask);
                    }
                }
            }
        }
        for (int ih = 0; ih < spec.inHeight(); ih++) {
            phases.merge(rows, ih, gx, gxBase + ih * spec.inWidth());
        }
    }

    private static void backwardInputPlane(Conv2dSpec spec, double[] gy, int gyBase, double[] w, int wBase,
                                           double[] gx, int gxBase) {
        Arrays.fill(gx, gxBase, gxBase + spec.inHeight() * spec.inWidth(), 0d);
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            for (int kh = 0; kh < spec.kernelHeight(); kh++) {
                int ih = inputRow(spec, oh, kh);
                if (ih < 0 || ih >= spec.inHeight()) {
                    continue;
                }
                for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                    double weight = w[wBase + kh * spec.kernelWidth() + kw];
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        int iw = ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
                        if (iw >= 0 && iw < spec.inWidth()) {
                            gx[gxBase + ih * spec.inWidth() + iw] += weight * gy[gyBase + oh * spec.outWidth() + ow];
                        }
                    }
                }
            }
        }
    }

    // ---- backward weight ----

    static void backwardWeight(Conv2dSpec spec, Operand x, Operand gy, Operand gw, WorkerPool pool) {
        int channels = spec.inChannels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        int taps = spec.kernelHeight() * spec.kernelWidth();
        if (gw.dtype() == DType.FLOAT32) {
            float[] xs = CpuBuffer.floats(x);
            float[] gys = CpuBuffer.floats(gy);
            float[] gws = CpuBuffer.floats(gw);
            forRanges(channels, elements(spec), pool, (first, last) -> {
                for (int c = first; c < last; c++) {
                    int gwBase = gw.offset() + c * taps;
                    Arrays.fill(gws, gwBase, gwBase + taps, 0f);
                    for (int n = 0; n < spec.batch(); n++) {
                        int plane = n * channels + c;
                        backwardWeightPlane(spec, xs, x.offset() + plane * inPlane, gys, gy.offset() + plane * outPlane, gws, gwBase);
                    }
                }
            });
        } else if (gw.dtype() == DType.FLOAT64) {
            double[] xs = CpuBuffer.doubles(x);
            double[] gys = CpuBuffer.doubles(gy);
            double[] gws = CpuBuffer.doubles(gw);
            forRanges(channels, elements(spec), pool, (first, last) -> {
                for (int c = first; c < last; c++) {
                    int gwBase = gw.offset() + c * taps;
                    Arrays.fill(gws, gwBase, gwBase + taps, 0d);
                    for (int n = 0; n < spec.batch(); n++) {
                        int plane = n * channels + c;
                        backwardWeightPlane(spec, xs, x.offset() + plane * inPlane, gys, gy.offset() + plane * outPlane, gws, gwBase);
                    }
                }
            });
        } else {
            throw unsupported("depthwiseConv2dBackwardWeight", gw);
        }
    }

    /** Adds one image's {@code Σ_{oh, ow} x[ih, iw] · gy[oh, ow]} to each tap of gw. */
    private static void backwardWeightPlane(Conv2dSpec spec, float[] x, int xBase, float[] gy, int gyBase,
                                            float[] gw, int gwBase) {
        Phases phases = Phases.of(spec);
        int outWidth = spec.outWidth();
        int vectorWidth = FLOATS.loopBound(outWidth);
        VectorMask<Float> tailMask = FLOATS.indexInRange(vectorWidth, outWidth);
        int kernelWidth = spec.kernelWidth();
        int[] tapOffsets = phases.tapOffsets(kernelWidth, spec.dilationWidth());
        float[] rows = scratch(0, phases.planeSize(spec.inHeight()));
        for (int ih = 0; ih < spec.inHeight(); ih++) {
            phases.split(x, xBase + ih * spec.inWidth(), rows, ih);
        }
        for (int kh = 0; kh < spec.kernelHeight(); kh++) {
            for (int kw = 0; kw < kernelWidth; kw++) {
                FloatVector acc = FloatVector.zero(FLOATS);
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    int ih = inputRow(spec, oh, kh);
                    if (ih < 0 || ih >= spec.inHeight()) {
                        continue;
                    }
                    int start = phases.rowStart(ih) + tapOffsets[kw];
                    int gyRow = gyBase + oh * outWidth;
                    for (int ow = 0; ow < vectorWidth; ow += LANES) {
                        acc = FloatVector.fromArray(FLOATS, rows, start + ow)
                                .fma(FloatVector.fromArray(FLOATS, gy, gyRow + ow), acc);
                    }
                    if (vectorWidth < outWidth) {
                        acc = FloatVector.fromArray(FLOATS, rows, start + vectorWidth, tailMask)
                                .fma(FloatVector.fromArray(FLOATS, gy, gyRow + vectorWidth, tailMask), acc);
                    }
                }
                gw[gwBase + kh * kernelWidth + kw] += sumLanesInOrder(acc);
            }
        }
    }

    private static void backwardWeightPlane(Conv2dSpec spec, double[] x, int xBase, double[] gy, int gyBase,
                                            double[] gw, int gwBase) {
        for (int kh = 0; kh < spec.kernelHeight(); kh++) {
            for (int kw = 0; kw < spec.kernelWidth(); kw++) {
                double acc = 0;
                for (int oh = 0; oh < spec.outHeight(); oh++) {
                    int ih = inputRow(spec, oh, kh);
                    if (ih < 0 || ih >= spec.inHeight()) {
                        continue;
                    }
                    for (int ow = 0; ow < spec.outWidth(); ow++) {
                        int iw = ow * spec.strideWidth() - spec.padLeft() + kw * spec.dilationWidth();
                        if (iw >= 0 && iw < spec.inWidth()) {
                            acc += x[xBase + ih * spec.inWidth() + iw] * gy[gyBase + oh * spec.outWidth() + ow];
                        }
                    }
                }
                gw[gwBase + kh * spec.kernelWidth() + kw] += acc;
            }
        }
    }

    private static UnsupportedOperationException unsupported(String kernel, Operand operand) {
        return new UnsupportedOperationException(kernel + " on the cpu backend takes FLOAT32 or FLOAT64, not " + operand.dtype());
    }

    /**
     * The lanes' sum, lane 0 first: {@code reduceLanes(ADD)} adds in an order that differs between
     * the interpreter and compiled code, so a weight gradient would change once the JIT compiled it.
     */
    private static float sumLanesInOrder(FloatVector v) {
        float sum = 0;
        for (int lane = 0; lane < FLOATS.length(); lane++) {
            sum += v.lane(lane);
        }
        return sum;
    }
}
