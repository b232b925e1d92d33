package io.gasok.opencl;

import io.gasok.DType;
import io.gasok.gpukernels.DialectTypes;
import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * Constant padding and cropping (kernel pad.c in gpu-kernels): one work item per element of dst,
 * which copies its element of src or writes the value. Like a copy, it moves bits of the element's
 * width, so float32 and int32 share one program; the value is converted to dst's dtype here, as
 * the reference backend's fill converts it.
 *
 * <p>Before packing, extent-1 axes of dst are folded into the offsets and neighbouring axes that
 * are neither padded nor cropped are merged, so padding the last two axes of an NCHW image is a
 * rank-3 walk whatever the batch and channel counts.
 */
final class OpenClPadding {
    private final ProgramCache programs;
    private final KernelLauncher launcher;
    private final BufferPool memory;

    OpenClPadding(ProgramCache programs, KernelLauncher launcher, BufferPool memory) {
        this.programs = programs;
        this.launcher = launcher;
        this.memory = memory;
    }

    /** {@code dst[j] = src[j - before]} where that lies inside src, else {@code value}. */
    void pad(Operand src, Operand dst, int[] before, double value) {
        if (dst.size() == 0) {
            return;
        }
        int rank = dst.rank();
        long[] extents = new long[rank];
        long[] dstStrides = new long[rank];
        long[] srcStrides = new long[rank];
        long[] first = new long[rank];
        long[] end = new long[rank];
        long srcOffset = src.offset();
        int kept = 0;
        for (int axis = 0; axis < rank; axis++) {
            long extent = dst.dim(axis);
            long axisFirst = before[axis];
            long axisEnd = axisFirst + src.dim(axis);
            boolean allInside = axisFirst <= 0 && axisEnd >= extent;
            if (allInside) {
                srcOffset -= axisFirst * src.stride(axis);
                axisFirst = 0;
                axisEnd = extent;
            }
            if (extent == 1 && allInside) {
                continue;
            }
            int previous = kept - 1;
            if (previous >= 0 && allInside && first[previous] == 0 && end[previous] == extents[previous]
                    && dstStrides[previous] == dst.stride(axis) * extent
                    && srcStrides[previous] == src.stride(axis) * extent) {
                extents[previous] *= extent;
                end[previous] = extents[previous];
                dstStrides[previous] = dst.stride(axis);
                srcStrides[previous] = src.stride(axis);
                continue;
            }
            extents[kept] = extent;
            dstStrides[kept] = dst.stride(axis);
            srcStrides[kept] = src.stride(axis);
            first[kept] = axisFirst;
            end[kept] = axisEnd;
            kept++;
        }
        long[] keptExtents = Arrays.copyOf(extents, kept);
        launcher.kernel(programs.family("pad", "-DT=" + DialectTypes.bitsType(dst.dtype())), "pad")
                .buffer(ClBuffer.of(src, memory))
                .layout(StridedLayout.pack(srcOffset, keptExtents, Arrays.copyOf(srcStrides, kept), "pad"))
                .buffer(ClBuffer.of(dst, memory))
                .layout(StridedLayout.pack(dst.offset(), keptExtents, Arrays.copyOf(dstStrides, kept), "pad"))
                .layout(box(valueBits(dst.dtype(), value), Arrays.copyOf(first, kept), Arrays.copyOf(end, kept)))
                .int64(dst.size())
                .run(dst.size());
    }

    /** pad.c's PadBox: the value's bits, the rank, then first[] and end[] (StridedLayout's size). */
    private static long[] box(long valueBits, long[] first, long[] end) {
        long[] packed = new long[2 + 2 * StridedLayout.MAX_RANK];
        packed[0] = valueBits;
        packed[1] = first.length;
        System.arraycopy(first, 0, packed, 2, first.length);
        System.arraycopy(end, 0, packed, 2 + StridedLayout.MAX_RANK, end.length);
        return packed;
    }

    /** The value converted to {@code dtype} as the reference converts it, as the element's bits. */
    static long valueBits(DType dtype, double value) {
        return switch (dtype) {
            case FLOAT32 -> Float.floatToRawIntBits((float) value) & 0xFFFF_FFFFL;
            case FLOAT64 -> Double.doubleToRawLongBits(value);
            case INT32 -> (int) value & 0xFFFF_FFFFL;
            case INT64 -> (long) value;
            case BOOL -> value != 0 ? 1 : 0;
        };
    }
}
