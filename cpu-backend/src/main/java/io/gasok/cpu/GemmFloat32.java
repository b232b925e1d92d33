package io.gasok.cpu;

import static io.gasok.cpu.GemmFloat32MicroKernels.MR;
import static io.gasok.cpu.GemmFloat32MicroKernels.NR;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * FP32 batched GEMM on heap arrays, BLIS-style:
 * {@code C[b] = act(alpha · op(A[b]) · op(B[b]) + beta · C[b] + bias)} for b in [0, batch), op(A)
 * m×k, op(B) k×n, C m×n, bias n (added to every row), as {@link GemmSpec} and
 * {@link io.gasok.spi.Epilogue} define it; {@code beta == 0} never reads C.
 *
 * <p><b>Blocked path</b> (m·n·k ≥ {@value #SMALL_PRODUCT}). The five loops of BLIS around a
 * register-blocked micro-kernel ({@link GemmFloat32MicroKernels}: MR × NR = 4 × 2 vectors on AVX2, 6 × 4
 * vectors where there are 32 vector registers):
 * <pre>
 * for jc in [0, n) step NC                      columns of C and B
 *   for pc in [0, k) step kc ≤ KC               k-blocks: pack B[pc:pc+kc, jc:jc+NC]  (≈ L3)
 *     for ic in [0, m) step MC                  pack A[ic:ic+MC, pc:pc+KC]           (≈ L2)
 *       for jr in [0, NC) step NR               one B micro-panel, KC × NR           (≈ L1/L2)
 *         for ir in [0, MC) step MR             one A micro-panel, MR × KC           (≈ L1)
 *           tile = Apanel · Bpanel in registers; epilogue stores it into C
 * </pre>
 * ({@code -Dgasok.cpu.gemm.order=apanel} swaps the two innermost loops: {@link #A_PANEL_OUTER}.)
 * The k-blocks are of equal depth, at most KC ({@link #depthBlocks}; {@link #multiplyPacked}'s at
 * most {@link #PACKED_KC}): k = 576 (a 3×3 convolution of 64 channels) is two blocks of 288 rather
 * than 512 and a thin 64 that would cost a second pass over C for little work. Packing pads the
 * edges with zeros, so the micro-kernel has no tail; the epilogue stores only the valid part of an
 * edge tile (lane masks). With 32 registers, an edge micro-panel whose columns leave its last
 * vectors empty runs a kernel of only the vectors that hold them
 * ({@link GemmFloat32MicroKernels#multiplyEdge}; on the 2-core Zen 4, in-process A/B, one thread:
 * 256 × 400 × 2304, a 256-channel 3×3 layer at 20×20, 1.10x; 1000³ 1.02x). Over k-blocks the first
 * applies beta and the bias, the last the activation ({@link GemmFloat32Epilogue}). With native
 * access each packed B block starts on a 64-byte cache line of its buffer ({@link CacheLines}), so
 * that no vector load of it spans two lines. A row-major op(A) times a block of at most
 * {@value #UNPACKED_A_COLUMNS} columns (a skinny C, as in a convolution's weight gradient) is not
 * packed: the micro-kernel reads its whole micro-panels of rows in place, and only the last rows,
 * fewer than MR, are packed with their zero padding.
 *
 * <p><b>Small path</b> (m·n·k below {@value #SMALL_PRODUCT}, e.g. the gesture MLP's 128×42×20):
 * {@link GemmFloat32Small}, serial, no blocking.
 *
 * <p><b>Threads.</b> Work of at least {@value #PARALLEL_WORK} multiply-adds is split over the
 * {@link WorkerPool}'s threads. With at least as many batch items as threads, each thread takes whole
 * items and runs the loops above alone, with its own packing buffers ({@link GemmFloat32Scratch}).
 * When C has at most MC rows (one A block: a convolution's few output channels times many pixels,
 * a thin product), or at least {@value #OWN_COLUMNS} columns a thread, and at least a micro-panel
 * of columns a thread (else the rows split below: 96 × 64 × 20000 ran 0.79x on its one panel),
 * thread t takes micro-panels [t·P/T, (t+1)·P/T) of C's columns and runs the loops on them alone:
 * it packs its own B blocks (with one A block, sized to stay in L2: {@link #thinBlockColumns}) and
 * all of A for itself, and meets the others only at the end. Sharing B blocks there cost two barriers per block, each thread
 * reading from L3 the panels the other packed, and its two-thread rate moved from one JVM to the
 * next on the 2-core Zen 4 (in-process A/B, results/epyc-zen4-avx512/ab-thin-gemm.txt and
 * ab-own-columns.txt): 32 × 25600 × 288 went at 47 GF/s in one and 119 in the next, 96 × 4096 ×
 * 1024 at 103 and 177, 128 × 6400 × 576 at 109-116 and 184-185, where the threads' own columns held
 * 121-123, 175-177 and 167-190; 64 × 400 × 576 2.4x and 1.3x; 256 × 1152 × 400 (Bᵀ) 1.22x; the
 * others within 0.99-1.03x, 2048³ 1.03x. All within 0.93x of OpenBLAS's rate or above it. On one
 * thread, from the L2-sized blocks alone, 1.00-1.09x.
 * Otherwise, with at least {@value #OWN_B_ROWS} rows of C a thread, thread t takes rows [t·R,
 * (t+1)·R) of C (R a multiple of MR) and runs the loops on them alone, packing every B block for
 * itself: a core then never reads what the other packed, which took 4x as long in a third of the
 * two-thread JVMs on the 2-core Zen 4 (see CpuConvolution's class comment, "Threads"), and
 * saves two barriers a block. Two threads, against shared blocks (in-process A/B,
 * results/epyc-zen4-avx512/ab-own-b.txt): 256³ 1.32x, 256 × 400 × 1152 1.08-1.15x, 256 × 400 ×
 * 2304 1.05-1.08x, 512³ and the weight and input gradient products of the stride-2 layers
 * 0.99-1.07x (A/A floor about 0.97-1.03).
 * Otherwise the threads share each packed B block, as BLIS does: per (jc, pc) block, one
 * {@code parallelFor} packs it, thread t packing micro-panels [t·P/T, (t+1)·P/T) into the calling
 * thread's buffer (it stays in L3, read by all), and a second one multiplies: thread t takes rows
 * [t·R, (t+1)·R) of C (R a multiple of MR, packing its own A blocks into its own L2), or, when C has
 * too few row tiles to give each thread two, micro-panels [t·P/T, (t+1)·P/T) of the block's columns.
 * The end of each {@code parallelFor} is the barrier between packing and multiplying. Every element
 * of C is summed in the same order whatever the split (k-blocks in order from 0, each accumulator
 * lane summing its own element in k order), so results are bitwise identical for every thread count.
 */
public final class GemmFloat32 {

    /**
     * Prefix of the system properties that set the block sizes: {@code gasok.cpu.gemm.kc}, {@code .mc},
     * {@code .nc}, {@code .packedkc}.
     */
    public static final String BLOCK_PROPERTY_PREFIX = "gasok.cpu.gemm.";
    /**
     * Most depth of a k-block: a B micro-panel is at most KC × NR floats. 512 by default (measured on
     * AVX2 here; the AVX-512 trial also used 512), or {@code -Dgasok.cpu.gemm.kc}: the block
     * sizes are read once, when the class loads, so that the JIT folds them as constants. They are
     * for tuning on a new CPU (see tools/device/check.sh's sweep). Another KC splits the sums over k
     * differently, so the last bits of a result may change with it; MC and NC change no sum.
     */
    static final int KC = blockSize("kc", 512, 1);
    /** Rows of a packed A block (a multiple of MR): 96 by default, or {@code -Dgasok.cpu.gemm.mc}. */
    static final int MC = blockSize("mc", 96, MR);
    /** Columns of a packed B block (a multiple of NR): 2048 by default, or {@code -Dgasok.cpu.gemm.nc}. */
    static final int NC = blockSize("nc", 2048, NR);
    /**
     * Most depth of a k-block in {@link #multiplyPacked}: B micro-panels of up to 2^16 floats (256
     * KiB, half a core's L2 here; 4096 deep with NR = 16), or KC if that is more; or
     * {@code -Dgasok.cpu.gemm.packedkc} (the tests' small blocks, to reach several k-blocks there).
     */
    static final int PACKED_KC = blockSize("packedkc", Math.max(KC, (1 << 16) / NR), 1);
    /**
     * Whether the A micro-panel is the outer of the two innermost loops: one A micro-panel (MR × kc,
     * held in L1) times every B micro-panel of the packed B block, which must then fit L2 (a small
     * NC), as GotoBLAS holds its broadcast operand; by default ({@code bpanel}) one B micro-panel
     * (KC × NR) times every A micro-panel of the A block. {@code -Dgasok.cpu.gemm.order=apanel} picks
     * it, for tuning: on the AVX-512 Xeon (6 × 4 tile, B micro-panels of 128 KiB, beyond its L1)
     * it measured 0.97-1.16x at 1024³-2048³ with NC 768 or KC 384 and NC 1024, in runs whose
     * buffers sat at chance offsets in a cache line (results/xeon-avx512-h100/ab-order.txt); on the
     * AVX2 machine here 0.94x (B micro-panels of 32 KiB fit L1 there).
     */
    static final boolean A_PANEL_OUTER = aPanelOuter(System.getProperty(BLOCK_PROPERTY_PREFIX + "order"));
    /** Most floats of a packed B block, KC × NC (one array, indexed by int). */
    static final long MAX_PACKED_B = 1L << 28;

    static {
        checkPackedBlock(KC, NC);
    }
    /**
     * Most columns a block of C may have for a row-major op(A) to be read in place rather than
     * packed ({@link GemmFloat32MicroKernels#multiplyRows}). A packed A element is read once per B
     * micro-panel, and packing a row-major A is a scalar transpose: with few panels it cost more
     * than it saved. Here (Zen 3, AVX2, 16-column panels; in-process A/B) reading in place was 1.22x
     * at 32 columns (a 3×3 weight gradient of 32 channels: [K, 32] = cols · gYᵀ), 1.11x at 64 and
     * 1.06x at 128, 0.97x at 256, and 0.89-0.95x on 1024³-2048³, where a block's 96 rows of A lie on
     * 96 pages and every B micro-panel sweeps them again. The limit is in columns, as measured: with
     * 64-column panels (AVX-512) it allows two, where eight might pay too, but that is unmeasured.
     */
    static final int UNPACKED_A_COLUMNS = 128;
    /**
     * Fewest columns of C a thread must get for the threads to split C's columns, each packing all
     * of A for itself: its A packing is then at most 1/1024 of its multiply-adds.
     */
    static final int OWN_COLUMNS = 512;
    /**
     * Fewest rows of C a thread must get for the threads to split C's rows, each packing every B
     * block for itself: its B packing is then at most 1/128 of its multiply-adds.
     */
    static final int OWN_B_ROWS = 128;
    /** Most floats of a packed B block when C's rows are one A block: 512 KiB, half a core's L2 here. */
    static final int THIN_PACKED_B = 1 << 17;
    /** Below this m·n·k a product takes the small path. */
    static final long SMALL_PRODUCT = 48L * 48 * 48;
    /** Below this batch·m·n·k a product runs on the calling thread only. */
    static final long PARALLEL_WORK = 96L * 96 * 96;

    private GemmFloat32() {
    }

    /**
     * Computes the product described by {@code spec} on the shared {@link WorkerPool}; see
     * {@link #gemm(GemmSpec, float[], GemmLayout, float[], GemmLayout, float[], GemmLayout, float[], int,
     * WorkerPool)}.
     */
    public static void gemm(GemmSpec spec, float[] a, GemmLayout aLayout, float[] b, GemmLayout bLayout,
                            float[] c, GemmLayout cLayout, float[] bias, int biasOffset) {
        gemm(spec, a, aLayout, b, bLayout, c, cLayout, bias, biasOffset, WorkerPool.shared());
    }

    /**
     * Computes the product described by {@code spec}. The layouts give each operand as stored
     * ({@code [batch, rows, cols]}: A is k×m when {@code spec.transA()}, B is n×k when
     * {@code spec.transB()}); {@code bias} (n floats from {@code biasOffset}) may be null.
     *
     * @throws IllegalArgumentException when C's columns are not contiguous, or a batch of more than
     *     one shares one C
     */
    public static void gemm(GemmSpec spec, float[] a, GemmLayout aLayout, float[] b, GemmLayout bLayout,
                            float[] c, GemmLayout cLayout, float[] bias, int biasOffset, WorkerPool pool) {
        int batch = spec.batch();
        int m = spec.m();
        int n = spec.n();
        int k = spec.k();
        if (cLayout.colStride() != 1) {
            throw new IllegalArgumentException("GEMM needs C with unit column stride, not " + cLayout);
        }
        if (batch > 1 && cLayout.batchStride() == 0 && m > 0 && n > 0) {
            throw new IllegalArgumentException("a GEMM batch of " + batch + " cannot share one C (batch stride 0)");
        }
        if (batch <= 0 || m <= 0 || n <= 0) {
            return;
        }
        Operands ops = new Operands(spec, a, aLayout, b, bLayout, c, cLayout, new GemmFloat32Epilogue(
                Objects.requireNonNullElse(spec.epilogue(), Epilogue.NONE), bias, biasOffset));
        long product = (long) m * n * k;
        boolean small = product < SMALL_PRODUCT;
        int threads = product * batch >= PARALLEL_WORK ? pool.threads() : 1;

        if (threads == 1 || batch >= threads) {
            int perPart = ceilDiv(batch, threads);
            pool.parallelFor(ceilDiv(batch, perPart), part -> {
                GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
                for (int item = part * perPart; item < Math.min(batch, (part + 1) * perPart); item++) {
                    if (small) {
                        ops.small(item, scratch);
                    } else {
                        ops.blocked(item, scratch);
                    }
                }
            });
            return;
        }
        if (small) {
            GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
            for (int item = 0; item < batch; item++) {
                ops.small(item, scratch);
            }
            return;
        }
        int columnPanels = ceilDiv(n, NR);
        if (columnPanels >= threads && (m <= MC || (long) n >= (long) threads * OWN_COLUMNS)) {
            // Thread t takes micro-panels [t·P/T, (t+1)·P/T) of C's columns and runs the loops on
            // them alone, packing its own B blocks and A blocks (no barrier until the end).
            for (int item = 0; item < batch; item++) {
                int block = item;
                pool.parallelFor(threads, part -> ops.blocked(block, part * columnPanels / threads * NR,
                        Math.min(n, (part + 1) * columnPanels / threads * NR), GemmFloat32Scratch.forCurrentThread()));
            }
            return;
        }
        int rowTiles = ceilDiv(m, MR);
        boolean splitRows = rowTiles >= 2 * threads;
        int rowsPerPart = ceilDiv(rowTiles, threads) * MR;
        if (splitRows && rowsPerPart >= OWN_B_ROWS) {
            // Thread t takes rows [t·R, (t+1)·R) of C and runs the loops on them alone, packing
            // every B block for itself (no barrier until the end).
            for (int item = 0; item < batch; item++) {
                int block = item;
                pool.parallelFor(threads, part -> {
                    GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
                    int rowStart = Math.min(m, part * rowsPerPart);
                    int rowEnd = Math.min(m, (part + 1) * rowsPerPart);
                    if (rowStart < rowEnd) {
                        ops.forEachBlock(0, n, NC, (jc, nc, panels, pc, kc) -> {
                            float[] packedB = scratch.packedB(kc * panels * NR);
                            int at = CacheLines.lineStart(packedB);
                            ops.packB(block, jc, nc, pc, kc, packedB, at, 0, panels);
                            ops.multiplyBlock(block, jc, nc, pc, kc, packedB, at, rowStart, rowEnd, 0, panels, scratch);
                        });
                    }
                });
            }
            return;
        }
        GemmFloat32Scratch callers = GemmFloat32Scratch.forCurrentThread();
        for (int item = 0; item < batch; item++) {
            int block = item;
            ops.forEachBlock(0, n, NC, (jc, nc, panels, pc, kc) -> {
                float[] packedB = callers.packedB(kc * panels * NR);
                int at = CacheLines.lineStart(packedB);
                pool.parallelFor(threads, part -> ops.packB(block, jc, nc, pc, kc, packedB, at,
                        part * panels / threads, (part + 1) * panels / threads));
                pool.parallelFor(threads, part -> {
                    GemmFloat32Scratch scratch = GemmFloat32Scratch.forCurrentThread();
                    if (splitRows) {
                        ops.multiplyBlock(block, jc, nc, pc, kc, packedB, at,
                                Math.min(m, part * rowsPerPart), Math.min(m, (part + 1) * rowsPerPart),
                                0, panels, scratch);
                    } else {
                        ops.multiplyBlock(block, jc, nc, pc, kc, packedB, at, 0, m,
                                part * panels / threads, (part + 1) * panels / threads, scratch);
                    }
                });
            });
        }
    }

    /** One (column block, k-block) of the loops: columns [jc, jc + nc) in {@code panels} micro-panels, depth [pc, pc + kc). */
    @FunctionalInterface
    private interface BlockBody {
        void run(int jc, int nc, int panels, int pc, int kc);
    }

    /**
     * The block size named {@code name}: system property {@value #BLOCK_PROPERTY_PREFIX}{@code name}
     * or {@code fallback}, which must be a positive multiple of {@code multiple}.
     *
     * @throws IllegalArgumentException naming the property when its value is not such a number
     */
    static int blockSize(String name, int fallback, int multiple) {
        String property = BLOCK_PROPERTY_PREFIX + name;
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        int size;
        try {
            size = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            size = 0;
        }
        if (size <= 0 || size % multiple != 0 || size > 1 << 16) {
            throw new IllegalArgumentException("system property " + property + " must be a positive multiple of "
                    + multiple + " up to 65536 (GEMM's " + name.toUpperCase(Locale.ROOT) + "), not '" + value + "'");
        }
        return size;
    }

    /**
     * Whether {@code value} ({@value #BLOCK_PROPERTY_PREFIX}{@code order}) puts the A micro-panel
     * outer: {@code apanel}; {@code bpanel} or nothing, the B micro-panel.
     *
     * @throws IllegalArgumentException naming the property for any other value
     */
    static boolean aPanelOuter(String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.strip()) {
            case "apanel" -> true;
            case "bpanel" -> false;
            default -> throw new IllegalArgumentException("system property " + BLOCK_PROPERTY_PREFIX
                    + "order must be apanel or bpanel, not '" + value + "'");
        };
    }

    /**
     * Rejects block sizes whose packed B block (KC × NC floats, one int-indexed array) would hold
     * more than {@link #MAX_PACKED_B} floats.
     *
     * @throws IllegalArgumentException naming both properties
     */
    static void checkPackedBlock(int kc, int nc) {
        if ((long) kc * nc > MAX_PACKED_B) {
            throw new IllegalArgumentException("system properties " + BLOCK_PROPERTY_PREFIX + "kc and "
                    + BLOCK_PROPERTY_PREFIX + "nc give a packed B block of KC " + kc + " x NC " + nc
                    + " floats, more than " + MAX_PACKED_B);
        }
    }

    /** The block sizes and the micro-kernel's tile, as a device description names them. */
    static String blocking() {
        return "GEMM tile " + MR + "x" + NR + ", KC " + KC + ", MC " + MC + ", NC " + NC + ", packed KC " + PACKED_KC
                + (A_PANEL_OUTER ? ", A micro-panels outer" : "") + ", " + CacheLines.describe();
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * Columns of a packed B block when C has at most MC rows (one A block): the most whole
     * micro-panels of depth {@code kc} within {@value #THIN_PACKED_B} floats, at least one, at most
     * NC. With one A block each packed B block is read once, just after it is packed, so a block
     * that stays in L2 between the two serves better than NC's, sized for L3 and the reuse of many
     * A blocks.
     */
    static int thinBlockColumns(int kc) {
        return Math.min(NC, Math.max(1, THIN_PACKED_B / (kc * NR)) * NR);
    }

    /** How many k-blocks a depth of k takes: the fewest of at most KC each. */
    static int depthBlocks(int k) {
        return Math.max(1, ceilDiv(k, KC));
    }

    /** Where k-block {@code block} of {@code blocks} equal ones starts (block = blocks gives k). */
    static int blockStart(int block, int blocks, int k) {
        return (int) ((long) block * k / blocks);
    }

    /**
     * {@code C = epilogue(A · B)} for operands already packed over their whole depth k, with no
     * threads and no packing: {@code packedA} holds op(A)'s m rows as {@link GemmFloat32Packing#packA}
     * lays out an m × k block (from {@code aIndex}), {@code packedB} op(B)'s n columns as
     * {@link GemmFloat32Packing#packB} lays out a k × n block (from {@code bIndex}). C is m × n at
     * {@code c[cIndex + i·ldc + j]}.
     * For callers that pack as they produce the data (the convolution's im2col writes packed columns)
     * and reuse one packed operand many times (its weights).
     *
     * <p>Loops: per k-block, per block of MC rows, per B micro-panel, per A micro-panel. The
     * k-blocks are at most {@link #PACKED_KC} deep, not KC: the callers' packed B is a convolution
     * tile's columns, sized to stay in L2 whole (or one micro-panel of them), or the stride-2 input
     * gradient's gY, whose depth is the output channels (one k-block up to 4096 either way), and L2
     * feeds the micro-kernel's B loads fast enough, while every k-block more costs a pass over C's
     * tile and splits each micro-kernel call. Against k-blocks of at most KC (in-process A/B, 11-15 rounds),
     * one thread: 256×20×20 → 256 forward 1.07-1.08x and its input gradient 1.05x, 128×40×40 → 128
     * forward 1.02x and input gradient 1.10x, 64×80×80 → 64 forward 1.05x, 128×40×40 → 256 at
     * stride 2 1.04x, 32×160×160 → 32 1.02x; two threads 0.98-1.06x. k-blocks of 256 were 0.97x.
     */
    static void multiplyPacked(int m, int n, int k, float[] packedA, int aIndex, float[] packedB, int bIndex,
                               float[] c, int cIndex, int ldc, GemmFloat32Epilogue epilogue,
                               GemmFloat32Scratch scratch) {
        multiplyBlocks(m, n, k, packedA, aIndex, packedB, bIndex, null, null, 0, c, cIndex, ldc, epilogue, scratch);
    }

    /**
     * {@link #multiplyPacked} with B read where it lies: column j of depth p at
     * {@code b[taps[p] + pixel + j]}, for a convolution's forward whose columns are consecutive floats
     * of its input's tap planes (see {@code CpuConvolution.TapPlanes}): no column matrix at all. The
     * whole micro-panels run {@link GemmFloat32MicroKernels#multiplyTaps}; the last one, if it has
     * fewer than NR columns, is copied into {@code edge} (from {@code edgeIndex}, k × NR floats, zero
     * past n in the vectors read) and runs the packed edge kernels. Same loops as {@link #multiplyPacked}, so the same
     * sums in the same order.
     */
    static void multiplyTaps(int m, int n, int k, float[] packedA, int aIndex, float[] b, int[] taps, int pixel,
                             float[] edge, int edgeIndex, float[] c, int cIndex, int ldc, GemmFloat32Epilogue epilogue,
                             GemmFloat32Scratch scratch) {
        int whole = n / NR;
        if (whole * NR < n) {
            // Zero past n up to the last vector the edge kernel reads (multiplyEdge).
            int cols = n - whole * NR;
            int read = GemmFloat32MicroKernels.edgeVectors(cols) * GemmFloat32MicroKernels.LANES;
            for (int p = 0, to = edgeIndex; p < k; p++, to += NR) {
                System.arraycopy(b, taps[p] + pixel + whole * NR, edge, to, cols);
                Arrays.fill(edge, to + cols, to + read, 0f);
            }
        }
        multiplyBlocks(m, n, k, packedA, aIndex, b, pixel, taps, edge, edgeIndex, c, cIndex, ldc, epilogue, scratch);
    }

    /**
     * The loops of {@link #multiplyPacked} (B's micro-panels packed from {@code bIndex}, where
     * {@code taps} is null) and of {@link #multiplyTaps} (B in place, from pixel {@code bIndex};
     * its edge panel packed in {@code edge}).
     */
    private static void multiplyBlocks(int m, int n, int k, float[] packedA, int aIndex, float[] b, int bIndex,
                                       int[] taps, float[] edge, int edgeIndex, float[] c, int cIndex, int ldc,
                                       GemmFloat32Epilogue epilogue, GemmFloat32Scratch scratch) {
        float[] tile = scratch.tile();
        int panels = ceilDiv(n, NR);
        int whole = n / NR;
        int blocks = Math.max(1, ceilDiv(k, PACKED_KC));
        for (int kb = 0; kb < blocks; kb++) {
            int pc = blockStart(kb, blocks, k);
            int kc = blockStart(kb + 1, blocks, k) - pc;
            boolean firstBlock = kb == 0;
            boolean lastBlock = kb == blocks - 1;
            for (int ic = 0; ic < m; ic += MC) {
                int rowEnd = Math.min(m, ic + MC);
                for (int panel = 0; panel < panels; panel++) {
                    int jr = panel * NR;
                    int cols = Math.min(NR, n - jr);
                    // This panel's B: packed (from bIndex, or the edge panel's copy) or in place.
                    boolean inPlace = taps != null && panel < whole;
                    float[] panelB = taps == null || inPlace ? b : edge;
                    int panelIndex = taps == null ? bIndex + jr * k + pc * NR : inPlace ? bIndex + jr : edgeIndex + pc * NR;
                    if (epilogue.readsC(firstBlock)) {
                        touch(c, cIndex + ic * ldc + jr, ldc, rowEnd - ic, cols, scratch);
                    }
                    for (int ir = ic; ir < rowEnd; ir += MR) {
                        multiplyTile(kc, packedA, aIndex + ir * k + pc * MR, false, 0, panelB, panelIndex,
                                inPlace ? taps : null, pc, Math.min(MR, m - ir), cols, c, cIndex + ir * ldc + jr, ldc,
                                jr, epilogue, firstBlock, lastBlock, tile);
                    }
                }
            }
        }
    }

    /**
     * One micro-kernel call and its epilogue: {@code rows × cols} of C at {@code c[cIndex…]} (column
     * {@code col} of C first) from one A and one B micro-panel over a k-block; A packed, or
     * ({@code inPlace}) MR rows of a row-major op(A) {@code lda} floats apart. A whole tile the
     * epilogue allows ({@link GemmFloat32Epilogue#direct}) goes from the accumulators straight into C
     * (added to C's values when the block adds to them, in the order the epilogue's would be); an
     * edge tile, or one with alpha, bias or beta to apply, goes through {@code tile} and
     * {@link GemmFloat32Epilogue#store}.
     */
    private static void multiplyTile(int kc, float[] a, int aIndex, boolean inPlace, int lda, float[] packedB, int bIndex,
                                     int rows, int cols,
                                     float[] c, int cIndex, int ldc, int col, GemmFloat32Epilogue epilogue,
                                     boolean firstBlock, boolean lastBlock, float[] tile) {
        multiplyTile(kc, a, aIndex, inPlace, lda, packedB, bIndex, null, 0, rows, cols, c, cIndex, ldc, col, epilogue,
                firstBlock, lastBlock, tile);
    }

    /**
     * {@link #multiplyTile}, or with {@code taps} (A packed, a whole NR columns) B read in place:
     * depth p's columns at {@code packedB[taps[tapIndex + p] + bIndex …]}
     * ({@link GemmFloat32MicroKernels#multiplyTaps}).
     */
    private static void multiplyTile(int kc, float[] a, int aIndex, boolean inPlace, int lda, float[] packedB, int bIndex,
                                     int[] taps, int tapIndex, int rows, int cols,
                                     float[] c, int cIndex, int ldc, int col, GemmFloat32Epilogue epilogue,
                                     boolean firstBlock, boolean lastBlock, float[] tile) {
        boolean direct = rows == MR && cols == NR && epilogue.direct(firstBlock);
        float[] out = direct ? c : tile;
        int outIndex = direct ? cIndex : 0;
        int ldo = direct ? ldc : NR;
        boolean accumulate = direct && epilogue.readsC(firstBlock);
        int edgeVectors = GemmFloat32MicroKernels.edgeVectors(cols);
        if (taps != null) {
            GemmFloat32MicroKernels.multiplyTaps(kc, a, aIndex, packedB, taps, tapIndex, bIndex, out, outIndex, ldo,
                    accumulate);
        } else if (inPlace) {
            GemmFloat32MicroKernels.multiplyRows(kc, a, aIndex, lda, packedB, bIndex, out, outIndex, ldo, accumulate);
        } else if (!direct && edgeVectors < GemmFloat32MicroKernels.VECTORS_WIDE) {
            // An edge panel of few columns: only the vectors that hold them (into the scratch tile).
            GemmFloat32MicroKernels.multiplyEdge(edgeVectors, kc, a, aIndex, packedB, bIndex, out, outIndex, ldo);
        } else {
            GemmFloat32MicroKernels.multiply(kc, a, aIndex, packedB, bIndex, out, outIndex, ldo, accumulate);
        }
        if (!direct) {
            epilogue.store(tile, NR, rows, cols, c, cIndex, ldc, col, firstBlock, lastBlock);
        } else if (lastBlock) {
            epilogue.activateRows(c, cIndex, ldc, MR, NR);
        }
    }

    /**
     * Loads the first and last float of every row of a {@code rows × cols} strip of C (one B
     * micro-panel's columns, an A block's rows) before the micro-kernel calls that add to it. Java
     * has no prefetch instruction. Missed one tile at a time, each miss stalls the micro-kernel at
     * its store; loaded together the misses overlap (independent loads, nothing waits on them).
     * Where C is out of cache when the next k-block comes back to it (2048³: 16 MiB) this gave
     * 2-10% in six alternating runs, and nothing measurable at 512³-1024³ or on a 64×80×80 conv.
     * The sum goes to the thread's scratch so the JIT keeps the loads.
     */
    private static void touch(float[] c, int index, int ldc, int rows, int cols, GemmFloat32Scratch scratch) {
        float sum = 0;
        for (int r = 0, row = index; r < rows; r++, row += ldc) {
            sum += c[row] + c[row + cols - 1];
        }
        scratch.touched = sum;
    }

    /** The operands of one call, with op(A) and op(B) resolved to (row step, column step) pairs. */
    private record Operands(int m, int n, int k,
                            float[] a, GemmLayout aLayout, int aRowStep, int aColStep,
                            float[] b, GemmLayout bLayout, int bRowStep, int bColStep,
                            float[] c, GemmLayout cLayout, GemmFloat32Epilogue epilogue) {

        Operands(GemmSpec spec, float[] a, GemmLayout aLayout, float[] b, GemmLayout bLayout,
                 float[] c, GemmLayout cLayout, GemmFloat32Epilogue epilogue) {
            this(spec.m(), spec.n(), spec.k(),
                    a, aLayout, spec.transA() ? aLayout.colStride() : aLayout.rowStride(),
                    spec.transA() ? aLayout.rowStride() : aLayout.colStride(),
                    b, bLayout, spec.transB() ? bLayout.colStride() : bLayout.rowStride(),
                    spec.transB() ? bLayout.rowStride() : bLayout.colStride(),
                    c, cLayout, epilogue);
        }

        void small(int item, GemmFloat32Scratch scratch) {
            GemmFloat32Small.gemm(m, n, k, a, aLayout.index(item, 0, 0), aRowStep, aColStep,
                    b, bLayout.index(item, 0, 0), bRowStep, bColStep,
                    c, cLayout.index(item, 0, 0), cLayout.rowStride(), epilogue, scratch);
        }

        /**
         * The (column block, k-block) pairs of the loops over columns [colStart, colEnd), blocks of
         * at most {@code blockColumns}, column blocks outer, k-blocks in order.
         */
        void forEachBlock(int colStart, int colEnd, int blockColumns, BlockBody body) {
            int blocks = depthBlocks(k);
            for (int jc = colStart; jc < colEnd; jc += blockColumns) {
                int nc = Math.min(blockColumns, colEnd - jc);
                for (int kb = 0; kb < blocks; kb++) {
                    int pc = blockStart(kb, blocks, k);
                    body.run(jc, nc, ceilDiv(nc, NR), pc, blockStart(kb + 1, blocks, k) - pc);
                }
            }
        }

        /** All of C for batch item {@code item}, on the calling thread with its own packing buffers. */
        void blocked(int item, GemmFloat32Scratch scratch) {
            blocked(item, 0, n, scratch);
        }

        /**
         * Columns [colStart, colEnd) of C for batch item {@code item} (colStart a multiple of NR),
         * on the calling thread with its own packing buffers; in column blocks of NC, or of
         * {@link #thinBlockColumns} where C's rows are one A block.
         */
        void blocked(int item, int colStart, int colEnd, GemmFloat32Scratch scratch) {
            int blockColumns = m <= MC ? thinBlockColumns(blockStart(1, depthBlocks(k), k)) : NC;
            forEachBlock(colStart, colEnd, blockColumns, (jc, nc, panels, pc, kc) -> {
                float[] packedB = scratch.packedB(kc * panels * NR);
                int at = CacheLines.lineStart(packedB);
                packB(item, jc, nc, pc, kc, packedB, at, 0, panels);
                multiplyBlock(item, jc, nc, pc, kc, packedB, at, 0, m, 0, panels, scratch);
            });
        }

        /**
         * Packs micro-panels [firstPanel, endPanel) of B block (pc, jc) of batch item {@code item}
         * into {@code packedB} from index {@code at}.
         */
        void packB(int item, int jc, int nc, int pc, int kc, float[] packedB, int at, int firstPanel, int endPanel) {
            GemmFloat32Packing.packB(kc, nc, b, bLayout.index(item, 0, 0) + pc * bRowStep + jc * bColStep,
                    bRowStep, bColStep, packedB, at, firstPanel, endPanel);
        }

        /**
         * Rows [rowStart, rowEnd) of C times B micro-panels [firstPanel, endPanel) of the packed block
         * (pc, jc), packed from {@code packedB[at]}: packs A blocks of MC rows into {@code scratch} and
         * runs the micro-kernel over them.
         */
        void multiplyBlock(int item, int jc, int nc, int pc, int kc, float[] packedB, int at, int rowStart, int rowEnd,
                           int firstPanel, int endPanel, GemmFloat32Scratch scratch) {
            int aBase = aLayout.index(item, 0, 0);
            int cBase = cLayout.index(item, 0, 0);
            int ldc = cLayout.rowStride();
            boolean firstBlock = pc == 0;
            boolean lastBlock = pc + kc == k;
            float[] tile = scratch.tile();
            boolean inPlace = aColStep == 1 && (endPanel - firstPanel) * NR <= UNPACKED_A_COLUMNS;
            for (int ic = rowStart; ic < rowEnd; ic += MC) {
                int mc = Math.min(MC, rowEnd - ic);
                // Rows [0, inPlaceRows) of the block are read in place (whole micro-panels), the rest packed.
                int inPlaceRows = inPlace ? mc / MR * MR : 0;
                float[] packedA = scratch.packedA(ceilDiv(mc - inPlaceRows, MR) * MR * kc);
                int aBlock = aBase + ic * aRowStep + pc * aColStep;
                if (inPlaceRows < mc) {
                    GemmFloat32Packing.packA(mc - inPlaceRows, kc, a, aBlock + inPlaceRows * aRowStep,
                            aRowStep, aColStep, packedA);
                }
                // The two innermost loops, B micro-panels and A micro-panels, in ORDER's nesting.
                int rowTiles = ceilDiv(mc, MR);
                int panels = endPanel - firstPanel;
                int outer = A_PANEL_OUTER ? rowTiles : panels;
                int inner = A_PANEL_OUTER ? panels : rowTiles;
                for (int o = 0; o < outer; o++) {
                    if (epilogue.readsC(firstBlock)) {
                        // The strip of C the inner loop adds to: one panel's columns of all rows, or
                        // one row tile's rows of all the panels' columns.
                        int firstColumn = (firstPanel + (A_PANEL_OUTER ? 0 : o)) * NR;
                        int endColumn = Math.min(nc, (A_PANEL_OUTER ? endPanel : firstPanel + o + 1) * NR);
                        int firstRow = A_PANEL_OUTER ? o * MR : 0;
                        int endRow = A_PANEL_OUTER ? Math.min(mc, firstRow + MR) : mc;
                        touch(c, cBase + (ic + firstRow) * ldc + jc + firstColumn, ldc, endRow - firstRow,
                                endColumn - firstColumn, scratch);
                    }
                    for (int i = 0; i < inner; i++) {
                        int jr = (firstPanel + (A_PANEL_OUTER ? i : o)) * NR;
                        int ir = (A_PANEL_OUTER ? o : i) * MR;
                        boolean packed = ir >= inPlaceRows;
                        multiplyTile(kc, packed ? packedA : a, packed ? (ir - inPlaceRows) * kc : aBlock + ir * aRowStep,
                                !packed, aRowStep, packedB, at + jr * kc, Math.min(MR, mc - ir), Math.min(NR, nc - jr),
                                c, cBase + (ic + ir) * ldc + jc + jr, ldc, jc + jr, epilogue, firstBlock, lastBlock, tile);
                    }
                }
            }
        }
    }
}
