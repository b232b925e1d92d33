package io.gasok.tck;

import io.gasok.Device;
import io.gasok.Tensor;
import io.gasok.spi.Operand;
import java.util.Arrays;

/**
 * How a test tensor is laid out in memory: the same logical values built as a dense tensor or as a
 * view that kernels must read through its strides. Every layout first writes a host storage array
 * (unused slots hold a sentinel, NaN for floats, so reading the wrong slot shows), then applies the
 * view op of core: {@code permute}, {@code slice} with a step and an offset, or {@code expand}.
 */
public sealed interface Layout {

    /** A tensor on {@code device} whose logical contents are {@code value}. */
    Tensor realize(Device device, HostTensor value);

    /** Whether {@code value} can take this layout (expanded axes need constant values). */
    default boolean fits(int[] shape) {
        return true;
    }

    /** Dense row-major storage. */
    record Contiguous() implements Layout {
        @Override
        public Tensor realize(Device device, HostTensor value) {
            return value.toTensor(device);
        }

        @Override
        public String toString() {
            return "contiguous";
        }
    }

    /** Storage holding the permuted array; the view is {@code storage.permute(order)}. */
    record Permuted(int[] order) implements Layout {
        @Override
        public Tensor realize(Device device, HostTensor value) {
            int[] shape = value.shape();
            int rank = shape.length;
            int[] storageShape = new int[rank];
            for (int i = 0; i < rank; i++) {
                storageShape[order[i]] = shape[i];
            }
            double[] storage = new double[value.size()];
            int[] storageIndex = new int[rank];
            for (int flat = 0; flat < value.size(); flat++) {
                int[] index = HostTensor.multiIndex(shape, flat);
                for (int i = 0; i < rank; i++) {
                    storageIndex[order[i]] = index[i];
                }
                storage[HostTensor.flatIndex(storageShape, storageIndex)] = value.get(flat);
            }
            return HostTensor.dense(device, value.dtype(), storageShape, storage).permute(order);
        }

        @Override
        public boolean fits(int[] shape) {
            return shape.length == order.length;
        }

        @Override
        public String toString() {
            return "permute" + Arrays.toString(order);
        }
    }

    /** Every {@code step}-th slot along {@code axis}, from slot {@code start} (an offset view). */
    record Stepped(int axis, int start, int step) implements Layout {
        @Override
        public Tensor realize(Device device, HostTensor value) {
            int[] shape = value.shape();
            int n = shape[axis];
            int[] storageShape = shape.clone();
            storageShape[axis] = start + n * step;
            double[] storage = new double[Operand.sizeOf(storageShape)];
            Arrays.fill(storage, Values.sentinel(value.dtype()));
            for (int flat = 0; flat < value.size(); flat++) {
                int[] index = HostTensor.multiIndex(shape, flat);
                index[axis] = start + index[axis] * step;
                storage[HostTensor.flatIndex(storageShape, index)] = value.get(flat);
            }
            return HostTensor.dense(device, value.dtype(), storageShape, storage)
                    .slice(axis, start, start + n * step, step);
        }

        @Override
        public boolean fits(int[] shape) {
            return axis < shape.length;
        }

        @Override
        public String toString() {
            return "slice(axis " + axis + ", from " + start + ", step " + step + ")";
        }
    }

    /** Storage of extent 1 on the {@code broadcast} axes, expanded (stride 0) to the shape. */
    record Expanded(boolean[] broadcast) implements Layout {
        @Override
        public Tensor realize(Device device, HostTensor value) {
            int[] shape = value.shape();
            int[] storageShape = shape.clone();
            for (int d = 0; d < shape.length; d++) {
                if (broadcast[d]) {
                    storageShape[d] = 1;
                }
            }
            double[] storage = new double[Operand.sizeOf(storageShape)];
            for (int flat = 0; flat < storage.length && value.size() > 0; flat++) {
                int[] index = HostTensor.multiIndex(storageShape, flat);
                storage[flat] = value.at(index);
            }
            return HostTensor.dense(device, value.dtype(), storageShape, storage).expand(shape);
        }

        /** Makes {@code values} constant along the broadcast axes (what an expanded view can hold). */
        HostTensor constrain(HostTensor value) {
            int[] shape = value.shape();
            double[] out = new double[value.size()];
            for (int flat = 0; flat < out.length; flat++) {
                int[] index = HostTensor.multiIndex(shape, flat);
                for (int d = 0; d < shape.length; d++) {
                    if (broadcast[d]) {
                        index[d] = 0;
                    }
                }
                out[flat] = shape.length == 0 ? value.get(0) : value.at(index);
            }
            return new HostTensor(value.dtype(), shape, out);
        }

        @Override
        public boolean fits(int[] shape) {
            return shape.length == broadcast.length;
        }

        @Override
        public String toString() {
            return "expand" + Arrays.toString(broadcast);
        }
    }
}
