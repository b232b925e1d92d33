package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.spi.Operand;
import io.gasok.spi.ReduceOp;

/**
 * Reductions and softmax: one work-group of {@value KernelLauncher#WORK_GROUP_SIZE} items per
 * output element (per line for softmax), combining partial results by a tree in local memory
 * (kernels reduce.c and softmax.c in gpu-kernels).
 *
 * <p>The host orders the input's axes as (kept..., reduced...), so output element g owns a
 * contiguous range of linear indices of the input's layout; merging axes keeps both groups short.
 */
final class OpenClReductions {
    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;

    OpenClReductions(ProgramCache programs, KernelLauncher launcher, BufferPool memory) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
    }

    /**
     * Per-channel sums of an NCHW operand into {@code out} ({@code [C]}, contiguous): a
     * convolution's bias gradient, in its weight-gradient launch ({@code Backend.conv2dBackwardWeight}).
     */
    void channelSums(Operand nchw, Operand out) {
        reduce(ReduceOp.SUM, nchw, new int[] {0, 2, 3}, Operand.contiguous(out.buffer(), out.offset(), 1, out.size(), 1, 1));
    }

    /**
     * {@code out[g] = op over the window of g}: SUM of an empty window is 0, MAX/MIN propagate NaN,
     * ARGMAX/ARGMIN (one axis) give the first index of the extreme (or of the first NaN) as INT64.
     */
    void reduce(ReduceOp op, Operand in, int[] axes, Operand out) {
        int outputs = out.size();
        if (outputs == 0) {
            return;
        }
        boolean[] reduced = new boolean[in.rank()];
        for (int axis : axes) {
            reduced[axis] = true;
        }
        int keptRank = in.rank() - countTrue(reduced);
        int[] keptExtents = new int[keptRank];
        int[] keptInStrides = new int[keptRank];
        int[] keptOutStrides = new int[keptRank];
        int[] reducedExtents = new int[in.rank() - keptRank];
        int[] reducedStrides = new int[reducedExtents.length];
        long windowSize = 1;
        for (int axis = 0, kept = 0, gone = 0; axis < in.rank(); axis++) {
            if (reduced[axis]) {
                reducedExtents[gone] = in.dim(axis);
                reducedStrides[gone++] = in.stride(axis);
                windowSize *= in.dim(axis);
            } else {
                keptExtents[kept] = in.dim(axis);
                keptInStrides[kept] = in.stride(axis);
                keptOutStrides[kept++] = out.stride(axis);
            }
        }
        long[][] keptMerged = StridedLayout.merge(keptExtents, keptInStrides, keptOutStrides);
        long[][] reducedMerged = StridedLayout.merge(reducedExtents, reducedStrides);
        long[] inLayout = StridedLayout.pack(in.offset(), concat(keptMerged[0], reducedMerged[0]),
                concat(keptMerged[1], reducedMerged[1]), "reduce");
        long[] outLayout = StridedLayout.pack(out.offset(), keptMerged[0], keptMerged[2], "reduce");

        DType t = in.dtype();
        String defines = "-DT=" + DialectTypes.elementType(t) + " -DT_IS_FLOATING=" + (t.isFloating() ? 1 : 0)
                + " -DACC=" + DialectTypes.valueType(t) + " -DOUT_T=" + DialectTypes.elementType(out.dtype())
                + " -DGROUP_SIZE=" + KernelLauncher.WORK_GROUP_SIZE;
        ProgramCache.Program program = programs.family("reduce", defines);
        KernelLauncher.Launch launch = launcher.kernel(program, op == ReduceOp.SUM ? "reduce_sum" : "reduce_extreme")
                .buffer(ClBuffer.of(in, memory)).layout(inLayout).int64(windowSize)
                .buffer(ClBuffer.of(out, memory)).layout(outLayout);
        if (op != ReduceOp.SUM) {
            launch.flag(op == ReduceOp.MIN || op == ReduceOp.ARGMIN).flag(op.isArg());
        }
        launch.run((long) outputs * KernelLauncher.WORK_GROUP_SIZE);
    }

    /** Softmax or log-softmax of every line along {@code axis}, in the input's float type. */
    void softmax(Operand in, int axis, boolean log, Operand out) {
        int extent = in.dim(axis);
        if (in.size() == 0) {
            return;
        }
        int lines = in.size() / extent;
        int[] lineExtents = new int[in.rank() - 1];
        int[] inStrides = new int[lineExtents.length];
        int[] outStrides = new int[lineExtents.length];
        for (int d = 0, k = 0; d < in.rank(); d++) {
            if (d != axis) {
                lineExtents[k] = in.dim(d);
                inStrides[k] = in.stride(d);
                outStrides[k++] = out.stride(d);
            }
        }
        long[][] merged = StridedLayout.merge(lineExtents, inStrides, outStrides);
        String defines = "-DT=" + DialectTypes.elementType(in.dtype()) + " -DGROUP_SIZE=" + KernelLauncher.WORK_GROUP_SIZE;
        launcher.kernel(programs.family("softmax", defines), "softmax")
                .buffer(ClBuffer.of(in, memory)).layout(StridedLayout.pack(in.offset(), merged[0], merged[1], "softmax"))
                .int64(in.stride(axis))
                .buffer(ClBuffer.of(out, memory)).layout(StridedLayout.pack(out.offset(), merged[0], merged[2], "softmax"))
                .int64(out.stride(axis)).int64(extent).flag(log)
                .run((long) lines * KernelLauncher.WORK_GROUP_SIZE);
    }

    private static int countTrue(boolean[] flags) {
        int count = 0;
        for (boolean flag : flags) {
            count += flag ? 1 : 0;
        }
        return count;
    }

    private static long[] concat(long[] first, long[] second) {
        long[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
