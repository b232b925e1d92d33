package io.gasok.opencl;

import io.gasok.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * Sets a kernel's arguments and enqueues it on the device's in-order queue, always with the fixed
 * local size {@value #WORK_GROUP_SIZE} and the global size padded up to a multiple of it (never a
 * NULL local size: PoCL compiles a work-group function per distinct local size, ~45 ms each). The
 * kernels check their own bounds.
 *
 * <p>A {@code cl_kernel}'s arguments are state shared by every caller, so setting them and
 * enqueueing happen under one lock per queue. A kernel keeps its arguments from one launch to the
 * next, so an argument equal to the one last set on that kernel is not set again: through JOCL a
 * clSetKernelArg costs about 1 µs of host time (measured here on PoCL; 20 ns from C), several per
 * launch, and a loop of small launches mostly repeats its arguments.
 */
final class KernelLauncher {
    /** Work-group size of every launch; also the -DGROUP_SIZE of the tree reductions. */
    static final int WORK_GROUP_SIZE = 64;

    private final cl_command_queue queue;
    /** The arguments last set on each kernel, by index; guarded by this launcher's lock. */
    private final Map<cl_kernel, Argument[]> lastArguments = new IdentityHashMap<>();

    KernelLauncher(cl_command_queue queue) {
        this.queue = queue;
    }

    /** Starts a launch of {@code name} from {@code program}; add arguments in the kernel's order. */
    Launch kernel(ProgramCache.Program program, String name) {
        return new Launch(program.kernel(name), name);
    }

    /**
     * One kernel argument: its size in bytes and its value, a {@code cl_mem} (compared by identity:
     * a new buffer is always set), a boxed number (compared by its raw bits, so -0.0 and each NaN
     * payload are set as given) or a packed layout.
     */
    private record Argument(long size, Object value) {
        boolean sameAs(Argument other) {
            if (other == null || size != other.size) {
                return false;
            }
            return switch (value) {
                case cl_mem memory -> memory == other.value;
                case long[] words -> other.value instanceof long[] otherWords && Arrays.equals(words, otherWords);
                case Float number -> other.value instanceof Float otherNumber
                        && Float.floatToRawIntBits(number) == Float.floatToRawIntBits(otherNumber);
                case Double number -> other.value instanceof Double otherNumber
                        && Double.doubleToRawLongBits(number) == Double.doubleToRawLongBits(otherNumber);
                default -> value.equals(other.value);
            };
        }

        Pointer pointer() {
            return switch (value) {
                case cl_mem memory -> Pointer.to(memory);
                case long[] words -> Pointer.to(words);
                case Long number -> Pointer.to(new long[] {number});
                case Integer number -> Pointer.to(new int[] {number});
                case Float number -> Pointer.to(new float[] {number});
                case Double number -> Pointer.to(new double[] {number});
                case Byte number -> Pointer.to(new byte[] {number});
                default -> throw new IllegalStateException("no kernel argument of type " + value.getClass());
            };
        }
    }

    /** One launch being assembled. */
    final class Launch {
        private final cl_kernel kernel;
        private final String name;
        private final List<Argument> arguments = new ArrayList<>(32);

        private Launch(cl_kernel kernel, String name) {
            this.kernel = kernel;
            this.name = name;
        }

        Launch buffer(ClBuffer buffer) {
            return argument(buffer.memory(), Sizeof.cl_mem);
        }

        Launch int64(long value) {
            return argument(value, Sizeof.cl_long);
        }

        Launch int32(int value) {
            return argument(value, Sizeof.cl_int);
        }

        Launch flag(boolean value) {
            return int32(value ? 1 : 0);
        }

        Launch layout(long[] packed) {
            return argument(packed, StridedLayout.BYTES);
        }

        /** A value of a buffer element type: float, double, int, int64 or uint8 (BOOL). */
        Launch element(DType dtype, double value) {
            return switch (dtype) {
                case FLOAT32 -> float32((float) value);
                case FLOAT64 -> float64(value);
                case INT32 -> int32((int) value);
                case INT64 -> int64((long) value);
                case BOOL -> argument((byte) (value != 0 ? 1 : 0), Sizeof.cl_uchar);
            };
        }

        Launch float32(float value) {
            return argument(value, Sizeof.cl_float);
        }

        Launch float64(double value) {
            return argument(value, Sizeof.cl_double);
        }

        private Launch argument(Object value, long size) {
            arguments.add(new Argument(size, value));
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
                Argument[] last = lastArguments.get(kernel);
                if (last == null || last.length != arguments.size()) {
                    last = new Argument[arguments.size()];
                    lastArguments.put(kernel, last);
                }
                for (int index = 0; index < last.length; index++) {
                    Argument argument = arguments.get(index);
                    if (!argument.sameAs(last[index])) {
                        last[index] = null;
                        OpenClException.check(CL.clSetKernelArg(kernel, index, argument.size(), argument.pointer()),
                                name, "clSetKernelArg(" + index + ")");
                        last[index] = argument;
                    }
                }
                OpenClException.check(CL.clEnqueueNDRangeKernel(queue, kernel, 1, null, new long[] {global},
                        new long[] {localSize}, 0, null, null), name, "clEnqueueNDRangeKernel");
            }
        }
    }
}
