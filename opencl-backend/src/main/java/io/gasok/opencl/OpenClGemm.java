package io.gasok.opencl;

import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
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
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;

/**
 * Batched GEMM with an epilogue (kernel gemm_tiled, gemm.c in gpu-kernels): one work-group per
 * output tile, op(A) and op(B) staged through local memory a TILE_K slice at a time, each item
 * accumulating a register block of outputs. Convolution reuses it through {@link #multiply}.
 *
 * <p>The tile shape is chosen once per device: on GPUs and accelerators from
 * {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}, the first of {@link #TILE_SHAPES} whose work-group fits;
 * on CPU devices {@link #CPU_TILE_SHAPE}. One program per dtype and activation.
 */
final class OpenClGemm {
    /**
     * Tile shapes, best first: 64×64 tiles of 4×4 blocks need 256 items per group; the others
     * keep the 64×64 tile (so the same reuse of each loaded element) with fewer, busier items.
     */
    static final List<TileShape> TILE_SHAPES = List.of(
            new TileShape(64, 64, 16, 4, 4),
            new TileShape(64, 64, 16, 8, 8),
            new TileShape(32, 32, 16, 4, 4),
            new TileShape(16, 16, 16, 4, 4));

    /**
     * On a CPU device (PoCL) the items of a group run as a loop that the compiler vectorises, and
     * few items with big register blocks measured fastest (GemmThroughput, 1024³ on 2 cores:
     * 16 items of 8×8 with TILE_K 64 about 3× the 256 items of 4×4).
     */
    static final TileShape CPU_TILE_SHAPE = new TileShape(32, 32, 64, 8, 8);

    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;
    private final cl_device_id device;
    private final TileShape tileShape;
    private final Set<String> checkedPrograms = ConcurrentHashMap.newKeySet();

    /** A tile configuration of gemm_tiled: its -D options and work-group size. */
    record TileShape(int tileM, int tileN, int tileK, int blockM, int blockN) {
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
                (device.type() & CL_DEVICE_TYPE_CPU) != 0 ? CPU_TILE_SHAPE : shapeFor(maxWorkGroupSize(device.device())));
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

    /** The same kernel with another tile shape (tests run every shape on whatever device they have). */
    OpenClGemm withTileShape(TileShape shape) {
        return new OpenClGemm(programs, launcher, memory, device, shape);
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
        Bias biasOrUnread = bias == null ? new Bias(c.buffer(), 0, 0, 0) : bias;
        launcher.kernel(program, "gemm_tiled")
                .int32(m).int32(n).int32(k)
                .buffer(a.buffer()).int64(a.offset()).int64(a.batchStride()).int64(a.rowStride()).flag(transA)
                .buffer(b.buffer()).int64(b.offset()).int64(b.batchStride()).int64(b.rowStride()).flag(transB)
                .buffer(c.buffer()).int64(c.offset()).int64(c.batchStride()).int64(c.rowStride())
                .buffer(biasOrUnread.buffer()).int64(biasOrUnread.offset())
                .int64(biasOrUnread.rowStride()).int64(biasOrUnread.columnStride()).flag(bias != null)
                .element(dtype, e.alpha()).element(dtype, e.beta()).element(dtype, e.activationParam())
                .run(groups * tileShape.groupItems(), tileShape.groupItems());
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
        OpenClException.check(CL.clGetKernelWorkGroupInfo(program.kernel("gemm_tiled"), device, CL_KERNEL_WORK_GROUP_SIZE,
                Sizeof.size_t, Pointer.to(allowed), null), "gemm", "clGetKernelWorkGroupInfo");
        if (allowed[0] < tileShape.groupItems()) {
            throw new IllegalStateException("opencl gemm: the device allows " + allowed[0] + " items per work-group for "
                    + "gemm_tiled, fewer than the " + tileShape.groupItems() + " of tile shape " + tileShape);
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
