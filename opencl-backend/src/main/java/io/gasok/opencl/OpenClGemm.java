package io.gasok.opencl;

import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.gpukernels.EpilogueOptions;
import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.Operand;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;

/**
 * Batched GEMM with an epilogue (gemm.c in gpu-kernels), in one of the file's two variants,
 * chosen once per device: on GPUs and accelerators gemm_tiled (one work-group per output tile,
 * op(A) and op(B) staged through local memory a TILE_K slice at a time, each item accumulating a
 * register block of outputs); on CPU devices gemm_register_blocked (no local memory, each item
 * keeps a BLOCK_M×BLOCK_N block in registers for the whole k loop and reads op(B) as column
 * panels, packed first by gemm_pack_panels unless B can be read in place). Convolution reuses it
 * through {@link #multiply}.
 *
 * <p>The shape is chosen once per device: on GPUs and accelerators from
 * {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}, the first of {@link #TILE_SHAPES} whose work-group fits;
 * on CPU devices {@link #CPU_TILE_SHAPE}. One program per dtype and activation.
 */
final class OpenClGemm {
    /** Which kernel of gemm.c a tile shape runs. */
    enum Variant {
        /** gemm_tiled: tiles staged through local memory (GPUs). */
        LOCAL_MEMORY_TILES("gemm_tiled"),
        /** gemm_register_blocked, after gemm_pack_panels where B needs packing (CPU devices). */
        REGISTER_BLOCKED_PANELS("gemm_register_blocked");

        final String kernel;

        Variant(String kernel) {
            this.kernel = kernel;
        }
    }

    /**
     * Tile shapes for GPUs, best first: 64×64 tiles of 4×4 blocks need 256 items per group; the
     * others keep the 64×64 tile (so the same reuse of each loaded element) with fewer, busier items.
     */
    static final List<TileShape> TILE_SHAPES = List.of(
            new TileShape(Variant.LOCAL_MEMORY_TILES, 64, 64, 16, 4, 4),
            new TileShape(Variant.LOCAL_MEMORY_TILES, 64, 64, 16, 8, 8),
            new TileShape(Variant.LOCAL_MEMORY_TILES, 32, 32, 16, 4, 4),
            new TileShape(Variant.LOCAL_MEMORY_TILES, 16, 16, 16, 4, 4));

    /**
     * On a CPU device (PoCL), 8 items per group, each a 4×16 block: 8 accumulator registers of 8
     * floats (AVX2), two panel loads and four broadcasts of A per step of k. The 8 items of a group
     * share one panel, read from the core's cache after the first (PoCL runs a group on one core).
     * Measured on PoCL 3.1, 2-core Zen 3, 512³-2048³: 4-6× the GFLOP/s of gemm_tiled's best CPU
     * shape and of CLBlast 1.5.3's SGEMM on the same device; 3×16 to 6×16 blocks and groups of 4 to
     * 16 items measured within the noise of each other.
     */
    static final TileShape CPU_TILE_SHAPE = new TileShape(Variant.REGISTER_BLOCKED_PANELS, 32, 16, 1, 4, 16);

    /** Shapes the tests run on whatever device they have: every GPU shape and the CPU shape. */
    static final List<TileShape> ALL_SHAPES = Stream.concat(TILE_SHAPES.stream(),
            Stream.of(CPU_TILE_SHAPE, new TileShape(Variant.REGISTER_BLOCKED_PANELS, 8, 32, 1, 2, 8))).toList();

    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;
    private final cl_device_id device;
    private final TileShape tileShape;
    private final Set<String> checkedPrograms = ConcurrentHashMap.newKeySet();

    /**
     * A configuration of one of gemm.c's kernels: its -D options and work-group size (tileK is not
     * read by gemm_register_blocked).
     */
    record TileShape(Variant variant, int tileM, int tileN, int tileK, int blockM, int blockN) {
        int groupItems() {
            return (tileM / blockM) * (tileN / blockN);
        }

        String defines() {
            return "-DTILE_M=" + tileM + " -DTILE_N=" + tileN + " -DTILE_K=" + tileK
                    + " -DBLOCK_M=" + blockM + " -DBLOCK_N=" + blockN;
        }
    }

    /**
     * A batch of matrices in one buffer, unit stride along columns: element [b][row][col] at
     * {@code offset + b·batchStride + row·rowStride + col}.
     */
    record Matrices(ClBuffer buffer, long offset, long batchStride, long rowStride) {}

    /** A bias read at {@code offset + row·rowStride + column·columnStride} of C's element (row, column). */
    record Bias(ClBuffer buffer, long offset, long rowStride, long columnStride) {}

    OpenClGemm(ProgramCache programs, KernelLauncher launcher, BufferPool memory, OpenClDevice device) {
        this(programs, launcher, memory, device.device(),
                device.isCpu() ? CPU_TILE_SHAPE : shapeFor(maxWorkGroupSize(device.device())));
    }

    private OpenClGemm(ProgramCache programs, KernelLauncher launcher, BufferPool memory, cl_device_id device,
                       TileShape tileShape) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
        this.device = device;
        this.tileShape = tileShape;
    }

    /** The first tile shape whose work-group fits {@code maxWorkGroupSize} items. */
    static TileShape shapeFor(long maxWorkGroupSize) {
        return TILE_SHAPES.stream().filter(shape -> shape.groupItems() <= maxWorkGroupSize).findFirst()
                .orElseThrow(() -> new IllegalStateException("opencl: a work-group of " + maxWorkGroupSize
                        + " items is too small for any gemm tile shape"));
    }

    /** The same kernels with another tile shape (tests run every shape on whatever device they have). */
    OpenClGemm withTileShape(TileShape shape) {
        return new OpenClGemm(programs, launcher, memory, device, shape);
    }

    /** The shape this device's products run with. */
    TileShape tileShape() {
        return tileShape;
    }

    /** {@link GemmSpec}'s product: C[b] = act(alpha · op(A[b]) · op(B[b]) + beta · C[b] + bias). */
    void gemm(GemmSpec spec, Operand a, Operand b, Operand c, Operand bias) {
        Bias columnBias = bias == null ? null
                : new Bias(ClBuffer.of(bias, memory), bias.offset(), 0, vectorStride(bias, "gemm bias"));
        multiply(c.dtype(), spec.batch(), spec.m(), spec.n(), spec.k(),
                matrices(a, "A"), spec.transA(), matrices(b, "B"), spec.transB(), matrices(c, "C"),
                columnBias, spec.epilogue());
    }

    /**
     * The batched product on matrices given by offsets and strides; {@code bias} and
     * {@code epilogue} may be null. Nothing is launched when there is no output element.
     */
    void multiply(DType dtype, int batch, int m, int n, int k, Matrices a, boolean transA, Matrices b, boolean transB,
                  Matrices c, Bias bias, Epilogue epilogue) {
        if ((long) batch * m * n == 0) {
            return;
        }
        Epilogue e = Objects.requireNonNullElse(epilogue, Epilogue.NONE);
        String defines = "-DT=" + DialectTypes.elementType(dtype) + " " + tileShape.defines() + " "
                + EpilogueOptions.activationDefine(e, dtype);
        ProgramCache.Program program = programs.family("gemm", defines.trim());
        requireGroupFits(program, defines);
        long groups = (long) batch * Math.ceilDiv(m, tileShape.tileM()) * Math.ceilDiv(n, tileShape.tileN());
        KernelLauncher.Launch launch = launcher.kernel(program, tileShape.variant().kernel)
                .int32(m).int32(n).int32(k)
                .buffer(a.buffer()).int64(a.offset()).int64(a.batchStride()).int64(a.rowStride()).flag(transA);
        ClBuffer packed = null;
        try {
            if (tileShape.variant() == Variant.LOCAL_MEMORY_TILES) {
                launch.buffer(b.buffer()).int64(b.offset()).int64(b.batchStride()).int64(b.rowStride()).flag(transB);
            } else if (readsPanelsInPlace(m, n, k, transB)) {
                launch.buffer(b.buffer()).int64(b.offset()).int64(b.batchStride()).int64(tileShape.blockN()).int64(b.rowStride());
            } else {
                int packedBatch = b.batchStride() == 0 ? 1 : batch;
                long panelElements = (long) k * tileShape.blockN();
                long matrixElements = Math.ceilDiv(n, tileShape.blockN()) * panelElements;
                if (packedBatch * matrixElements > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("opencl gemm: packing B of " + packedBatch + " × " + k + "×" + n
                            + " needs " + packedBatch * matrixElements + " elements, over a buffer's limit of "
                            + Integer.MAX_VALUE);
                }
                packed = memory.allocate(dtype, (int) (packedBatch * matrixElements));
                launcher.kernel(program, "gemm_pack_panels")
                        .int32(n).int32(k).int32(packedBatch)
                        .buffer(b.buffer()).int64(b.offset()).int64(b.batchStride()).int64(b.rowStride()).flag(transB)
                        .buffer(packed)
                        .run(packedBatch * matrixElements / tileShape.blockN());
                launch.buffer(packed).int64(0).int64(packedBatch == 1 ? 0 : matrixElements).int64(panelElements)
                        .int64(tileShape.blockN());
            }
            Bias biasOrUnread = bias == null ? new Bias(c.buffer(), 0, 0, 0) : bias;
            launch.buffer(c.buffer()).int64(c.offset()).int64(c.batchStride()).int64(c.rowStride())
                    .buffer(biasOrUnread.buffer()).int64(biasOrUnread.offset())
                    .int64(biasOrUnread.rowStride()).int64(biasOrUnread.columnStride()).flag(bias != null)
                    .element(dtype, e.alpha()).element(dtype, e.beta()).element(dtype, e.activationParam())
                    .run(groups * tileShape.groupItems(), tileShape.groupItems());
        } finally {
            // Freed on every path: a failed launch must not leak the packed copy of B.
            if (packed != null) {
                memory.free(packed);
            }
        }
    }

    /**
     * Whether gemm_register_blocked reads B where it lies: only an untransposed B whose panels are
     * whole (n a multiple of BLOCK_N), and only when each panel is read by one row of tiles, since
     * a panel read again and again pays for its packing (contiguous rows instead of rows ldb apart).
     */
    private boolean readsPanelsInPlace(int m, int n, int k, boolean transB) {
        return k == 0 || (!transB && n % tileShape.blockN() == 0 && m <= tileShape.tileM());
    }

    /** A 3-D GEMM operand as {@link Matrices}: a batch extent of 1 is shared by every batch. */
    private Matrices matrices(Operand operand, String name) {
        if (operand.dim(2) > 1 && operand.stride(2) != 1) {
            throw new IllegalArgumentException("opencl gemm: " + name + " needs unit stride along columns, got " + operand);
        }
        long batchStride = operand.dim(0) == 1 ? 0 : operand.stride(0);
        return new Matrices(ClBuffer.of(operand, memory), operand.offset(), batchStride, operand.stride(1));
    }

    /** The stride between consecutive elements of a vector operand of any rank (one axis longer than 1). */
    static long vectorStride(Operand vector, String what) {
        long stride = 0;
        int longAxes = 0;
        for (int d = 0; d < vector.rank(); d++) {
            if (vector.dim(d) > 1) {
                stride = vector.stride(d);
                longAxes++;
            }
        }
        if (longAxes > 1) {
            throw new IllegalArgumentException("opencl: the " + what + " must be a vector, got " + vector);
        }
        return stride;
    }

    /** A kernel may allow fewer items than the device (registers, local memory): say so plainly. */
    private void requireGroupFits(ProgramCache.Program program, String defines) {
        if (checkedPrograms.contains(defines)) {
            return;
        }
        long[] allowed = new long[1];
        OpenClException.check(CL.clGetKernelWorkGroupInfo(program.kernel(tileShape.variant().kernel), device, CL_KERNEL_WORK_GROUP_SIZE,
                Sizeof.size_t, Pointer.to(allowed), null), "gemm", "clGetKernelWorkGroupInfo");
        if (allowed[0] < tileShape.groupItems()) {
            throw new IllegalStateException("opencl gemm: the device allows " + allowed[0] + " items per work-group for "
                    + tileShape.variant().kernel + ", fewer than the " + tileShape.groupItems() + " of tile shape " + tileShape);
        }
        checkedPrograms.add(defines);
    }

    private static long maxWorkGroupSize(cl_device_id device) {
        long[] value = new long[1];
        OpenClException.check(CL.clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t,
                Pointer.to(value), null), "gemm", "clGetDeviceInfo(CL_DEVICE_MAX_WORK_GROUP_SIZE)");
        return value[0];
    }
}
