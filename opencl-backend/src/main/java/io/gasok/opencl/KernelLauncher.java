package io.gasok.opencl;

import io.gasok.DType;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;

/**
 * Sets a kernel's arguments and enqueues it on the device's in-order queue, always with the fixed
 * local size {@value #WORK_GROUP_SIZE} and the global size padded up to a multiple of it (never a
 * NULL local size: PoCL compiles a work-group function per distinct local size, ~45 ms each). The
 * kernels check their own bounds.
 *
 * <p>A {@code cl_kernel}'s arguments are state shared by every caller, so setting them and
 * enqueueing happen under one lock per queue.
 */
final class KernelLauncher {
    /** Work-group size of every launch; also the -DGROUP_SIZE of the tree reductions. */
    static final int WORK_GROUP_SIZE = 64;

    private final cl_command_queue queue;

    KernelLauncher(cl_command_queue queue) {
        this.queue = queue;
    }

    /** Starts a launch of {@code name} from {@code program}; add arguments in the kernel's order. */
    Launch kernel(ProgramCache.Program program, String name) {
        return new Launch(program.kernel(name), name);
    }

    /** One launch being assembled. */
    final class Launch {
        private final cl_kernel kernel;
        private final String name;
        private final List<Pointer> values = new ArrayList<>();
        private final List<Long> sizes = new ArrayList<>();

        private Launch(cl_kernel kernel, String name) {
            this.kernel = kernel;
            this.name = name;
        }

        Launch buffer(ClBuffer buffer) {
            return argument(Pointer.to(buffer.memory()), Sizeof.cl_mem);
        }

        Launch int64(long value) {
            return argument(Pointer.to(new long[] {value}), Sizeof.cl_long);
        }

        Launch int32(int value) {
            return argument(Pointer.to(new int[] {value}), Sizeof.cl_int);
        }

        Launch flag(boolean value) {
            return int32(value ? 1 : 0);
        }

        Launch layout(long[] packed) {
            return argument(Pointer.to(packed), StridedLayout.BYTES);
        }

        /** A value of a buffer element type: float, double, int, int64 or uint8 (BOOL). */
        Launch element(DType dtype, double value) {
            return switch (dtype) {
                case FLOAT32 -> argument(Pointer.to(new float[] {(float) value}), Sizeof.cl_float);
                case FLOAT64 -> argument(Pointer.to(new double[] {value}), Sizeof.cl_double);
                case INT32 -> int32((int) value);
                case INT64 -> int64((long) value);
                case BOOL -> argument(Pointer.to(new byte[] {(byte) (value != 0 ? 1 : 0)}), Sizeof.cl_uchar);
            };
        }

        Launch float32(float value) {
            return argument(Pointer.to(new float[] {value}), Sizeof.cl_float);
        }

        Launch float64(double value) {
            return argument(Pointer.to(new double[] {value}), Sizeof.cl_double);
        }

        private Launch argument(Pointer value, long size) {
            values.add(value);
            sizes.add(size);
            return this;
        }

        /** Enqueues {@code workItems} items (padded to whole work-groups); nothing for 0. */
        void run(long workItems) {
            run(workItems, WORK_GROUP_SIZE);
        }

        /**
         * Enqueues {@code workItems} items in work-groups of {@code localSize} (padded to whole
         * groups), for the kernels whose tile sizes fix their own work-group size (gemm).
         */
        void run(long workItems, int localSize) {
            if (workItems == 0) {
                return;
            }
            long global = Math.ceilDiv(workItems, localSize) * localSize;
            synchronized (KernelLauncher.this) {
                for (int index = 0; index < values.size(); index++) {
                    OpenClException.check(CL.clSetKernelArg(kernel, index, sizes.get(index), values.get(index)),
                            name, "clSetKernelArg(" + index + ")");
                }
                OpenClException.check(CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {global},
                        new long[] {localSize}, 0, null, null), name, "clEnqueueNDRangeKernel");
            }
        }
    }
}
