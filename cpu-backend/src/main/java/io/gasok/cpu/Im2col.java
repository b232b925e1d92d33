package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.NR;

import io.gasok.spi.Conv2dSpec;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * im2col and col2im for {@link CpuConvolution}, on one image, one group and one range of output
 * pixels (a tile), with each thread's reusable column buffer.
 *
 * <p>The column matrix of a tile of output pixels [firstPixel, firstPixel + pixels) (pixel
 * p = oh·outW + ow) has one row per tap r = (ci·kernelH + kh)·kernelW + kw, ci the channel within
 * the group, and one column per pixel of the tile:
 * {@code cols[r·pixels + (p - firstPixel)] = x[ci, oh·strideH - padTop + kh·dilationH,
 * ow·strideW - padLeft + kw·dilationW]}, zero where that falls in the padding. So the weights
 * {@code [outPerGroup, K]} times the columns {@code [K, pixels]} is the tile of the NCHW output.
 *
 * <p>A row of the matrix is walked one output row segment at a time. In FP32 every such segment is
 * consecutive floats of a zero-padded copy of the image split by column phase ({@link PaddedInput}),
 * at every stride: the weight gradient's im2col ({@link #im2colPadded}) copies each with one
 * {@code System.arraycopy} (an intrinsic, vectorised copy), the forward writes the matrix in GEMM's
 * packed layout ({@link #im2colPacked}) with whole vector copies (unless its output rows are
 * narrow enough for it to read tap planes instead: {@code CpuConvolution.TapPlanes}), and the input gradient's col2im
 * ({@link #col2imPadded}) adds segments into an accumulator of that layout, {@link #unpadGradient}
 * moving the sums into the input gradient. The FP64 forms work on x itself: the segment's taps
 * that fall in the padding are zero-filled, the rest copied (or, in col2im, added back) at the
 * stride. Each col2im adds row r's values in pixel order and the rows in r order, so the sums are
 * deterministic.
 *
 * <p>The padded copy holds one image. ({@link CpuDepthwise} splits input rows by phase the same
 * way, per plane and without the padding rows.)
 *
 * <p>Threads: each call fills (or drains) the rows of channels [firstChannel, lastChannel) only,
 * so callers split the rows by channel across threads with no two threads touching one element.
 */
final class Im2col {

    private static final VectorSpecies<Float> FLOATS = CpuVectors.FLOATS;
    private static final VectorSpecies<Double> DOUBLES = CpuVectors.DOUBLES;
    private static final int LANES = FLOATS.length();

    private static final ThreadLocal<Im2col> PER_THREAD = ThreadLocal.withInitial(Im2col::new);

    private float[] floatColumns = new float[0];
    private float[] packedWeights = new float[0];
    private float[] paddedInput = new float[0];
    private double[] doubleColumns = new double[0];

    private Im2col() {
    }

    /** The calling thread's column buffer of at least {@code size} floats (grown, never shrunk). */
    static float[] floatColumns(int size) {
        Im2col scratch = PER_THREAD.get();
        if (scratch.floatColumns.length < size) {
            scratch.floatColumns = new float[size];
        }
        return scratch.floatColumns;
    }

    /**
     * The calling thread's buffer for a convolution's packed weights (the FP32 forward; the FP32
     * input gradient's packed W^T at strides above 1), or the FP32 weight gradient's [K, M]
     * accumulator (grown, never shrunk). They never overlap: each is used within one call, and
     * no call nests another (the stride-1 input gradient is a forward, not inside one).
     */
    static float[] packedWeights(int size) {
        Im2col scratch = PER_THREAD.get();
        if (scratch.packedWeights.length < size) {
            scratch.packedWeights = new float[size];
        }
        return scratch.packedWeights;
    }

    static double[] doubleColumns(int size) {
        Im2col scratch = PER_THREAD.get();
        if (scratch.doubleColumns.length < size) {
            scratch.doubleColumns = new double[size];
        }
        return scratch.doubleColumns;
    }

    /**
     * Tap column kw of a convolution: output column ow reads input column {@code ow·strideW + shift},
     * inside the input for ow in [first, end). Computed once per tap; each output-row segment
     * [owStart, owEnd) of a tile then clamps it ({@link #validStart}, {@link #validEnd}) with no
     * division (per segment, the divisions took a tenth of a stride-2 input gradient).
     */
    private record TapColumns(int shift, int first, int end) {

        static TapColumns of(Conv2dSpec spec, int kw) {
            int shift = kw * spec.dilationWidth() - spec.padLeft();
            int stride = spec.strideWidth();
            return new TapColumns(shift, ceilDiv(-shift, stride), floorDiv(spec.inWidth() - 1 - shift, stride) + 1);
        }

        /** First ow of [owStart, owEnd) inside the input (owEnd when none is). */
        int validStart(int owStart, int owEnd) {
            return Math.min(owEnd, Math.max(owStart, first));
        }

        /** End of the ow of [validStart, owEnd) inside the input. */
        int validEnd(int validStart, int owEnd) {
            return Math.max(validStart, Math.min(owEnd, end));
        }
    }

    /** The input row output row oh reads at tap row kh (outside [0, inHeight): padding). */
    private static int inputRow(Conv2dSpec spec, int oh, int kh) {
        return oh * spec.strideHeight() - spec.padTop() + kh * spec.dilationHeight();
    }

    /**
     * {@link #im2col}'s rows [firstRow, endRow) (row {@code ci·KH·KW + kh·KW + kw}: channel ci's
     * tap) of the group whose channel 0 is {@code groupChannel} of a {@link PaddedInput}, into a
     * column matrix whose row 0 is row firstRow ({@code cols[(r - firstRow)·pixels + p]}): a row's
     * run over one output row is consecutive floats there at every stride (the padding is in the
     * data), so each is one {@code System.arraycopy}, with no zero fills, bounds tests or gathers.
     */
    static void im2colPadded(Conv2dSpec spec, PaddedInput padded, int groupChannel, int firstRow, int endRow,
                             int firstPixel, int pixels, float[] cols) {
        int kernelW = spec.kernelWidth();
        int taps = spec.kernelHeight() * kernelW;
        int outW = spec.outWidth();
        int rowStride = spec.strideHeight() * padded.width();
        int tapRow = spec.dilationHeight() * padded.width();
        float[] data = padded.data();
        int end = firstPixel + pixels;
        for (int r = firstRow; r < endRow; r++) {
            int tap = r % taps;
            int out = (r - firstRow) * pixels - firstPixel;
            int src = padded.channel(groupChannel + r / taps) + tap / kernelW * tapRow
                    + padded.tapColumn(spec, tap % kernelW);
            for (int oh = firstPixel / outW, owStart = firstPixel % outW, rowPixel = oh * outW;
                 rowPixel + owStart < end; oh++, rowPixel += outW, owStart = 0) {
                int owEnd = Math.min(outW, end - rowPixel);
                System.arraycopy(data, src + oh * rowStride + owStart, cols, out + rowPixel + owStart,
                        owEnd - owStart);
            }
        }
    }

    /**
     * One image of the input of an FP32 forward convolution, laid out so that im2col needs neither
     * masks nor bounds tests: every channel zero padded, and split by column phase. Phase q of channel
     * c holds the padded columns {@code q, q + strideW, q + 2·strideW, …}:
     * {@code data[(c·strideW + q)·rows·width + row·width + j] = x[n, c, row - padTop,
     * j·strideW + q - padLeft]}, zero outside the input. Tap (kh, kw) of output pixel (oh, ow) then
     * reads phase {@code (kw·dilationW) % strideW} at row {@code oh·strideH + kh·dilationH}, column
     * {@code ow + (kw·dilationW) / strideW}: consecutive output pixels of a row read consecutive
     * floats, at every stride. {@code rows} and {@code width} are just what the output reaches.
     */
    record PaddedInput(float[] data, int rows, int width, int phases) {

        static PaddedInput of(Conv2dSpec spec, float[] data) {
            return new PaddedInput(data, (spec.outHeight() - 1) * spec.strideHeight()
                    + (spec.kernelHeight() - 1) * spec.dilationHeight() + 1,
                    spec.outWidth() + (spec.kernelWidth() - 1) * spec.dilationWidth() / spec.strideWidth(),
                    spec.strideWidth());
        }

        /** Floats of one image (a spec with output pixels). */
        static int size(Conv2dSpec spec) {
            PaddedInput shape = of(spec, null);
            return spec.inChannels() * shape.phases * shape.rows * shape.width;
        }

        /** Index of phase 0, row 0, column 0 of channel c. */
        int channel(int c) {
            return c * phases * rows * width;
        }

        /** Offset of tap column kw from its output pixel's column (phase plane and shift within it). */
        int tapColumn(Conv2dSpec spec, int kw) {
            int column = kw * spec.dilationWidth();
            return (column % phases) * rows * width + column / phases;
        }
    }

    /**
     * The calling thread's buffer for a padded input (grown, never shrunk): the FP32 forward's and
     * the narrow FP32 weight gradient's padded image, or the FP32 input gradient's accumulator
     * (one call uses it for one of them at a time).
     */
    static float[] paddedInput(int size) {
        Im2col scratch = PER_THREAD.get();
        if (scratch.paddedInput.length < size) {
            scratch.paddedInput = new float[size];
        }
        return scratch.paddedInput;
    }

    /**
     * Writes channels [firstChannel, lastChannel) of image n of x ({@code x[xOffset + (n·C + c)·inH·inW
     * + …]}) into {@code padded} as {@link PaddedInput} lays them out. Each padded row is zeros, a
     * copy of the input row (a {@code System.arraycopy} at stride 1, both phases in one pass at
     * stride 2, a scalar gather of every strideW-th column above), zeros. Threads may fill disjoint
     * channel ranges at once, and (the row-range form) the same rows at once: each float is written
     * once, with its final value (the copies and the margins' zeros cover separate columns), so
     * another thread reading a row while it is padded again sees that value either way.
     */
    static void padInput(Conv2dSpec spec, float[] x, int xOffset, int n, int firstChannel, int lastChannel,
                         PaddedInput padded) {
        padInput(spec, x, xOffset, n, firstChannel, lastChannel, 0, padded.rows(), padded);
    }

    /** {@link #padInput} of the padded rows [firstRow, lastRow) of each channel only. */
    static void padInput(Conv2dSpec spec, float[] x, int xOffset, int n, int firstChannel, int lastChannel,
                         int firstRow, int lastRow, PaddedInput padded) {
        int inH = spec.inHeight();
        int inW = spec.inWidth();
        int stride = padded.phases();
        float[] data = padded.data();
        for (int c = firstChannel; c < lastChannel; c++) {
            int source = xOffset + (n * spec.inChannels() + c) * inH * inW;
            int target = padded.channel(c);
            if (stride == 2) {
                padChannelStride2(spec, x, source, padded, target, firstRow, lastRow);
                continue;
            }
            for (int phase = 0; phase < stride; phase++) {
                // Columns j of this phase read input column j·stride + phase - padLeft: those in [0, inW).
                int shift = phase - spec.padLeft();
                int first = Math.min(padded.width(), Math.max(0, ceilDiv(-shift, stride)));
                int end = Math.max(first, Math.min(padded.width(), floorDiv(inW - 1 - shift, stride) + 1));
                int rowTarget = target + phase * padded.rows() * padded.width() + firstRow * padded.width();
                for (int row = firstRow; row < lastRow; row++, rowTarget += padded.width()) {
                    int inputRow = row - spec.padTop();
                    if (inputRow < 0 || inputRow >= inH) {
                        Arrays.fill(data, rowTarget, rowTarget + padded.width(), 0f);
                        continue;
                    }
                    int rowStart = source + inputRow * inW + shift;
                    zero(data, rowTarget, first);
                    if (stride == 1) {
                        System.arraycopy(x, rowStart + first, data, rowTarget + first, end - first);
                    } else {
                        for (int j = first; j < end; j++) {
                            data[rowTarget + j] = x[rowStart + j * stride];
                        }
                    }
                    zero(data, rowTarget + end, padded.width() - end);
                }
            }
        }
    }

    /**
     * One channel of {@link #padInput} at stride 2, row by row: the input row's even and odd columns
     * go to their phase rows in one pass ({@link EveryOther#split}: each pair of vectors read once,
     * where a gather per phase read the row twice), then each phase row's margins are zeroed.
     */
    private static void padChannelStride2(Conv2dSpec spec, float[] x, int source, PaddedInput padded, int target,
                                          int firstRow, int lastRow) {
        int inH = spec.inHeight();
        int inW = spec.inWidth();
        int width = padded.width();
        float[] data = padded.data();
        int phaseSize = padded.rows() * width;
        // Input column 2i goes to phase padLeft % 2 at column i + evenShift, 2i + 1 to the other at i + oddShift.
        int evenPhase = spec.padLeft() % 2;
        int evenShift = spec.padLeft() / 2;
        int oddShift = (spec.padLeft() + 1) / 2;
        int evenCount = Math.max(0, Math.min((inW + 1) / 2, width - evenShift));
        int oddCount = Math.max(0, Math.min(inW / 2, width - oddShift));
        int evenFirst = Math.min(evenShift, width);
        int oddFirst = Math.min(oddShift, width);
        for (int row = firstRow; row < lastRow; row++) {
            int evenRow = target + evenPhase * phaseSize + row * width;
            int oddRow = target + (1 - evenPhase) * phaseSize + row * width;
            int inputRow = row - spec.padTop();
            if (inputRow < 0 || inputRow >= inH) {
                Arrays.fill(data, evenRow, evenRow + width, 0f);
                Arrays.fill(data, oddRow, oddRow + width, 0f);
                continue;
            }
            int rowStart = source + inputRow * inW;
            int pairs = Math.min(evenCount, oddCount);
            EveryOther.split(x, rowStart, pairs, data, evenRow + evenShift, data, oddRow + oddShift);
            for (int i = pairs; i < evenCount; i++) {
                data[evenRow + evenShift + i] = x[rowStart + 2 * i];
            }
            for (int i = pairs; i < oddCount; i++) {
                data[oddRow + oddShift + i] = x[rowStart + 2 * i + 1];
            }
            zero(data, evenRow, evenFirst);
            zero(data, evenRow + evenFirst + evenCount, width - evenFirst - evenCount);
            zero(data, oddRow, oddFirst);
            zero(data, oddRow + oddFirst + oddCount, width - oddFirst - oddCount);
        }
    }

    /**
     * Zeros {@code data[from, from + count)}: a padded row's margin, most often one float, which
     * costs a store where {@code Arrays.fill}'s call cost a quarter of the padding (a third of
     * 128×40×40 at stride 2, one thread, AMD EPYC Zen 4: 93-101 µs a call with it, 69-72 without).
     */
    private static void zero(float[] data, int from, int count) {
        if (count == 1) {
            data[from] = 0f;
        } else if (count > 1) {
            Arrays.fill(data, from, from + count, 0f);
        }
    }

    /**
     * The column matrix of a tile, as {@link #im2col} defines it, written straight into the packed
     * layout GEMM's micro-kernel reads ({@link GemmFloat32Packing#packB} with kc = K): column j of
     * the tile, row r at {@code packed[at + (j/NR)·K·NR + r·NR + j%NR]}, the columns of the last
     * micro-panel past {@code pixels} zero. One pass over the columns instead of im2col then packing.
     * It reads channels [firstChannel, firstChannel + channels) of a {@link PaddedInput}.
     *
     * <p>When a micro-panel's NR pixels lie on one output row, each row r of the panel is NR
     * consecutive floats of the padded input, whatever the stride: NR/LANES whole vector copies, with
     * no masks and no tests (the padding is in the data). Those panels are filled tap by tap, each
     * tap across all of them, so consecutive copies read consecutive columns of one padded row
     * rather than jumping to another channel's rows (panel by panel, the reads missed the cache:
     * 1.17-1.27x the forward at 32×160×160, the same at 64-256 channels, in-process A/B). A panel
     * that crosses output rows (an output width that is not a multiple of NR) is copied as its runs
     * along output rows, one {@code System.arraycopy} each. That is most panels with AVX-512's 64
     * pixels (every panel at 20-40 pixels a row, three in five at 80), which were copied lane by
     * lane from per-lane offsets: the forward 1.07-1.14x at 20-80 pixels a row and 64-256 channels,
     * 1.09x at 32×160×160, the stride-1 input gradient of 128×40×40 1.16x (in-process A/B, one
     * thread, 2-core Zen 4; two threads 1.10-1.12x; with 256-bit vectors 1.01x). Single-threaded:
     * the forward convolution splits tiles, not rows, across threads.
     */
    static void im2colPacked(Conv2dSpec spec, PaddedInput padded, int firstChannel, int channels,
                             int firstPixel, int pixels, float[] packed, int at) {
        im2colPacked(spec, padded, firstChannel, channels, firstPixel, pixels, false, packed, at);
    }

    /**
     * {@link #im2colPacked(Conv2dSpec, PaddedInput, int, int, int, int, float[], int)}, with, when
     * {@code onesRow}, one more row of ones after the taps (K + 1 rows: the depth step that adds a
     * bias packed after the weights).
     */
    static void im2colPacked(Conv2dSpec spec, PaddedInput padded, int firstChannel, int channels,
                             int firstPixel, int pixels, boolean onesRow, float[] packed, int at) {
        int kernelH = spec.kernelHeight();
        int kernelW = spec.kernelWidth();
        int depth = channels * kernelH * kernelW + (onesRow ? 1 : 0);
        int outW = spec.outWidth();
        int width = padded.width();
        int tapRow = spec.dilationHeight() * width;
        float[] data = padded.data();
        int[] tapColumn = new int[kernelW];
        for (int kw = 0; kw < kernelW; kw++) {
            tapColumn[kw] = padded.tapColumn(spec, kw);
        }
        int panels = ceilDiv(pixels, NR);
        int panelSize = depth * NR;
        // Panels whose NR pixels lie on one output row: where each starts in a padded channel.
        int[] rowPanel = new int[panels];
        int[] rowPanelStart = new int[panels];
        int rowPanels = 0;
        int[] runLane = new int[NR + 1];
        int[] runOffset = new int[NR];
        for (int panel = 0; panel < panels; panel++) {
            int panelStart = panel * NR;
            int lanes = Math.min(NR, pixels - panelStart);
            int first = firstPixel + panelStart;
            int oh = first / outW;
            int ow = first % outW;
            if (lanes == NR && ow + NR <= outW) {
                rowPanel[rowPanels] = at + panel * panelSize;
                rowPanelStart[rowPanels++] = oh * spec.strideHeight() * width + ow;
                continue;
            }
            // The panel's pixels as runs along output rows: lanes [runLane[r], runLane[r + 1]) read
            // consecutive floats of a padded row from runOffset[r] (a copy each, not a gather per lane).
            int runs = 0;
            for (int j = 0; j < lanes; runs++) {
                int runRow = (first + j) / outW;
                int runColumn = (first + j) % outW;
                runLane[runs] = j;
                runOffset[runs] = runRow * spec.strideHeight() * width + runColumn;
                j += Math.min(lanes - j, outW - runColumn);
            }
            runLane[runs] = lanes;
            int out = at + panel * panelSize;
            for (int ci = 0; ci < channels; ci++) {
                int row = padded.channel(firstChannel + ci);
                for (int kh = 0; kh < kernelH; kh++, row += tapRow) {
                    for (int kw = 0; kw < kernelW; kw++, out += NR) {
                        int src = row + tapColumn[kw];
                        for (int r = 0; r < runs; r++) {
                            System.arraycopy(data, src + runOffset[r], packed, out + runLane[r], runLane[r + 1] - runLane[r]);
                        }
                        if (lanes < NR) {
                            Arrays.fill(packed, out + lanes, out + NR, 0f);
                        }
                    }
                }
            }
        }
        if (onesRow) {
            for (int panel = 0; panel < panels; panel++) {
                int ones = at + panel * panelSize + (depth - 1) * NR;
                Arrays.fill(packed, ones, ones + NR, 1f);
            }
        }
        // Tap by tap, across the panels: consecutive panels read consecutive columns of one padded row.
        int tap = 0;
        for (int ci = 0; ci < channels; ci++) {
            int row = padded.channel(firstChannel + ci);
            for (int kh = 0; kh < kernelH; kh++, row += tapRow) {
                for (int kw = 0; kw < kernelW; kw++, tap += NR) {
                    int src = row + tapColumn[kw];
                    for (int i = 0; i < rowPanels; i++) {
                        int from = src + rowPanelStart[i];
                        int to = rowPanel[i] + tap;
                        for (int v = 0; v < NR; v += LANES) {
                            FloatVector.fromArray(FLOATS, data, from + v).intoArray(packed, to + v);
                        }
                    }
                }
            }
        }
    }

    static void im2col(Conv2dSpec spec, double[] x, int inputBase, int firstChannel, int lastChannel,
                       int firstPixel, int pixels, double[] cols) {
        int taps = spec.kernelHeight() * spec.kernelWidth();
        int plane = spec.inHeight() * spec.inWidth();
        int outWidth = spec.outWidth();
        int stride = spec.strideWidth();
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            int channel = inputBase + ci * plane;
            for (int tap = 0; tap < taps; tap++) {
                int kh = tap / spec.kernelWidth();
                int kw = tap % spec.kernelWidth();
                int out = (ci * taps + tap) * pixels - firstPixel;
                TapColumns columns = TapColumns.of(spec, kw);
                int end = firstPixel + pixels;
                for (int oh = firstPixel / outWidth, owStart = firstPixel % outWidth, rowPixel = oh * outWidth;
                     rowPixel + owStart < end; oh++, rowPixel += outWidth, owStart = 0) {
                    int owEnd = Math.min(outWidth, end - rowPixel);
                    int row = inputRow(spec, oh, kh);
                    boolean inside = row >= 0 && row < spec.inHeight();
                    int validStart = inside ? columns.validStart(owStart, owEnd) : owStart;
                    int validEnd = inside ? columns.validEnd(validStart, owEnd) : owStart;
                    Arrays.fill(cols, out + rowPixel + owStart, out + rowPixel + validStart, 0d);
                    int src = channel + row * spec.inWidth() + columns.shift();
                    if (stride == 1 && validEnd > validStart) {
                        System.arraycopy(x, src + validStart, cols, out + rowPixel + validStart,
                                validEnd - validStart);
                    } else if (stride != 1) {
                        for (int ow = validStart; ow < validEnd; ow++) {
                            cols[out + rowPixel + ow] = x[src + ow * stride];
                        }
                    }
                    Arrays.fill(cols, out + rowPixel + validEnd, out + rowPixel + owEnd, 0d);
                }
            }
        }
    }

    /**
     * The reverse of {@link #im2colPacked}'s reads for a tile's column matrix in {@link #im2col}'s
     * layout, from channel {@code colsChannel} on ({@code cols[((ci - colsChannel)·taps + tap)·pixels
     * + p]}, p relative to firstPixel): adds each row of
     * channels [firstChannel, lastChannel) into an accumulator laid out as a {@link PaddedInput} of
     * the group's channels ({@code acc.channel(ci)}). Each (row, output row) run lands on
     * consecutive floats of one phase row, whatever the stride, so it is a plain vector add, where
     * {@link #col2im} adds to every stride-th float of gx; {@link #unpadGradient} then moves the
     * sums into the input gradient. Threads may add disjoint channel ranges at once.
     */
    static void col2imPadded(Conv2dSpec spec, float[] cols, int colsChannel, int firstChannel, int lastChannel,
                             int firstPixel, int pixels, PaddedInput acc) {
        int kernelH = spec.kernelHeight();
        int kernelW = spec.kernelWidth();
        int taps = kernelH * kernelW;
        int outW = spec.outWidth();
        int width = acc.width();
        int tapRow = spec.dilationHeight() * width;
        int rowStride = spec.strideHeight() * width;
        float[] data = acc.data();
        int end = firstPixel + pixels;
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            for (int kh = 0; kh < kernelH; kh++) {
                for (int kw = 0; kw < kernelW; kw++) {
                    int in = ((ci - colsChannel) * taps + kh * kernelW + kw) * pixels - firstPixel;
                    int tapStart = acc.channel(ci) + kh * tapRow + acc.tapColumn(spec, kw);
                    for (int oh = firstPixel / outW, owStart = firstPixel % outW, rowPixel = oh * outW;
                         rowPixel + owStart < end; oh++, rowPixel += outW, owStart = 0) {
                        int owEnd = Math.min(outW, end - rowPixel);
                        int dst = tapStart + oh * rowStride;
                        addInto(cols, in + rowPixel + owStart, data, dst + owStart, owEnd - owStart);
                    }
                }
            }
        }
    }

    /** Zeros rows [firstRow, endRow) of every phase plane of channels [firstChannel, lastChannel). */
    static void zeroRows(PaddedInput acc, int firstChannel, int lastChannel, int firstRow, int endRow) {
        int phaseSize = acc.rows() * acc.width();
        for (int c = firstChannel; c < lastChannel; c++) {
            for (int phase = 0; phase < acc.phases(); phase++) {
                int plane = acc.channel(c) + phase * phaseSize;
                Arrays.fill(acc.data(), plane + firstRow * acc.width(), plane + endRow * acc.width(), 0f);
            }
        }
    }

    /**
     * Input rows [firstRow, endRow) of channels [firstChannel, lastChannel) of an accumulator from
     * {@link #col2imPadded} into the input gradient: {@code gx[gxBase + c·inH·inW + ih·inW + iw]} =
     * the sum at padded row ih + padTop, column iw + padLeft (its phase plane and place there, as
     * {@link #padInput} puts x[ih, iw]), 0 past the padded rows or columns. The caller zeroes the
     * accumulator's rows ({@link #zeroRows}) before any tap reaches them, and every row it moves,
     * those no tap reaches included. Overwrites gx.
     */
    static void unpadGradient(Conv2dSpec spec, PaddedInput acc, int firstChannel, int lastChannel, int firstRow,
                              int endRow, float[] gx, int gxBase) {
        int inH = spec.inHeight();
        int inW = spec.inWidth();
        int stride = acc.phases();
        int width = acc.width();
        int phaseSize = acc.rows() * width;
        float[] data = acc.data();
        for (int c = firstChannel; c < lastChannel; c++) {
            for (int ih = firstRow; ih < endRow; ih++) {
                int target = gxBase + (c * inH + ih) * inW;
                int row = ih + spec.padTop();
                if (row >= acc.rows()) {
                    Arrays.fill(gx, target, target + inW, 0f);
                    continue;
                }
                int source = acc.channel(c) + row * width;
                if (stride == 2) {
                    // As padChannelStride2 splits a row: even columns from one phase, odd from the other.
                    int evenPhase = spec.padLeft() % 2;
                    int evenRow = source + evenPhase * phaseSize + spec.padLeft() / 2;
                    int oddRow = source + (1 - evenPhase) * phaseSize + (spec.padLeft() + 1) / 2;
                    int pairs = Math.max(0, Math.min(inW / 2, Math.min(width - spec.padLeft() / 2,
                            width - (spec.padLeft() + 1) / 2)));
                    EveryOther.interleave(data, evenRow, data, oddRow, pairs, gx, target);
                    for (int iw = 2 * pairs; iw < inW; iw++) {
                        boolean isEven = iw % 2 == 0;
                        int j = iw / 2 + (isEven ? spec.padLeft() / 2 : (spec.padLeft() + 1) / 2);
                        gx[target + iw] = j < width ? data[(isEven ? evenRow : oddRow) + iw / 2] : 0f;
                    }
                    continue;
                }
                // Phase by phase: input columns phase - padLeft (mod stride) on, every stride-th.
                for (int phase = 0; phase < stride; phase++) {
                    int first = Math.floorMod(phase - spec.padLeft(), stride);
                    int from = source + phase * phaseSize;
                    for (int iw = first, j = (first + spec.padLeft()) / stride; iw < inW; iw += stride, j++) {
                        gx[target + iw] = j < width ? data[from + j] : 0f;
                    }
                }
            }
        }
    }

    /**
     * Adds the rows of channels [firstChannel, lastChannel) of a tile's FP64 column matrix into the
     * input gradient {@code gx[inputBase + ci·inH·inW + …]}, skipping the values that fell in the
     * padding (FP32 goes through {@link #col2imPadded} instead).
     */
    static void col2im(Conv2dSpec spec, double[] cols, int firstChannel, int lastChannel,
                       int firstPixel, int pixels, double[] gx, int inputBase) {
        int taps = spec.kernelHeight() * spec.kernelWidth();
        int plane = spec.inHeight() * spec.inWidth();
        int outWidth = spec.outWidth();
        int stride = spec.strideWidth();
        for (int ci = firstChannel; ci < lastChannel; ci++) {
            int channel = inputBase + ci * plane;
            for (int tap = 0; tap < taps; tap++) {
                int kh = tap / spec.kernelWidth();
                int kw = tap % spec.kernelWidth();
                int in = (ci * taps + tap) * pixels - firstPixel;
                TapColumns columns = TapColumns.of(spec, kw);
                int end = firstPixel + pixels;
                for (int oh = firstPixel / outWidth, owStart = firstPixel % outWidth, rowPixel = oh * outWidth;
                     rowPixel + owStart < end; oh++, rowPixel += outWidth, owStart = 0) {
                    int owEnd = Math.min(outWidth, end - rowPixel);
                    int row = inputRow(spec, oh, kh);
                    if (row < 0 || row >= spec.inHeight()) {
                        continue;
                    }
                    int validStart = columns.validStart(owStart, owEnd);
                    int validEnd = columns.validEnd(validStart, owEnd);
                    int dst = channel + row * spec.inWidth() + columns.shift();
                    if (stride == 1) {
                        addInto(cols, in + rowPixel + validStart, gx, dst + validStart, validEnd - validStart);
                    } else {
                        for (int ow = validStart; ow < validEnd; ow++) {
                            gx[dst + ow * stride] += cols[in + rowPixel + ow];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[dstIndex + i] += src[srcIndex + i]} for i in [0, length): whole vectors, the last
     * one ending at the run's end (a run shorter than a vector under a mask). col2im's runs are
     * output rows, 20-80 floats at YOLO's stride-2 layers. The last two vectors overlap, so both
     * read dst before either is stored, and the one that ends the run is stored first: the other's
     * store then overwrites the overlap (added twice in the first) with its sums. Loading the last
     * vector after the store before it, as this did, reads bytes from a store still in flight, which
     * the core cannot forward to a load that only partly overlaps it: the load waits for the store
     * to retire.
     */
    private static void addInto(float[] src, int srcIndex, float[] dst, int dstIndex, int length) {
        if (length < LANES) {
            VectorMask<Float> tail = FLOATS.indexInRange(0, length);
            FloatVector.fromArray(FLOATS, dst, dstIndex, tail)
                    .add(FloatVector.fromArray(FLOATS, src, srcIndex, tail))
                    .intoArray(dst, dstIndex, tail);
            return;
        }
        int bound = FLOATS.loopBound(length);
        int lastWhole = bound - LANES;
        for (int i = 0; i < lastWhole; i += LANES) {
            FloatVector.fromArray(FLOATS, dst, dstIndex + i)
                    .add(FloatVector.fromArray(FLOATS, src, srcIndex + i))
                    .intoArray(dst, dstIndex + i);
        }
        FloatVector whole = FloatVector.fromArray(FLOATS, dst, dstIndex + lastWhole)
                .add(FloatVector.fromArray(FLOATS, src, srcIndex + lastWhole));
        if (bound < length) {
            int last = length - LANES;
            FloatVector.fromArray(FLOATS, dst, dstIndex + last)
                    .add(FloatVector.fromArray(FLOATS, src, srcIndex + last))
                    .intoArray(dst, dstIndex + last);
        }
        whole.intoArray(dst, dstIndex + lastWhole);
    }

    private static void addInto(double[] src, int srcIndex, double[] dst, int dstIndex, int length) {
        int i = 0;
        for (int bound = DOUBLES.loopBound(length); i < bound; i += DOUBLES.length()) {
            DoubleVector.fromArray(DOUBLES, dst, dstIndex + i)
                    .add(DoubleVector.fromArray(DOUBLES, src, srcIndex + i))
                    .intoArray(dst, dstIndex + i);
        }
        for (; i < length; i++) {
            dst[dstIndex + i] += src[srcIndex + i];
        }
    }

    static int ceilDiv(int x, int y) {
        return Math.floorDiv(x + y - 1, y);
    }

    private static int floorDiv(int x, int y) {
        return Math.floorDiv(x, y);
    }
}
