package io.gasok.tck;

import io.gasok.Tensor;
import io.gasok.spi.Operand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One view op with its host-array meaning: applied to a tensor through the public API, and to a
 * {@link HostTensor} by index arithmetic written here (no strides involved), so a chain of them
 * checks core's stride bookkeeping and the backends' strided copies.
 */
public sealed interface ViewOp {

    Tensor apply(Tensor x);

    HostTensor apply(HostTensor x);

    record Reshape(int[] shape) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.reshape(shape);
        }

        public HostTensor apply(HostTensor x) {
            int[] resolved = shape.clone();
            for (int d = 0; d < resolved.length; d++) {
                if (resolved[d] == -1) {
                    int known = 1;
                    for (int e = 0; e < resolved.length; e++) {
                        known *= e == d ? 1 : resolved[e];
                    }
                    resolved[d] = x.size() / known;
                }
            }
            return new HostTensor(x.dtype(), resolved, x.values());
        }

        public String toString() {
            return "reshape" + Arrays.toString(shape);
        }
    }

    record Permute(int[] order) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.permute(order);
        }

        public HostTensor apply(HostTensor x) {
            int[] shape = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                shape[i] = x.shape()[order[i]];
            }
            double[] out = new double[x.size()];
            int[] source = new int[order.length];
            for (int flat = 0; flat < out.length; flat++) {
                int[] index = HostTensor.multiIndex(shape, flat);
                for (int i = 0; i < order.length; i++) {
                    source[order[i]] = index[i];
                }
                out[flat] = x.at(source);
            }
            return new HostTensor(x.dtype(), shape, out);
        }

        public String toString() {
            return "permute" + Arrays.toString(order);
        }
    }

    record Transpose(int a, int b) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.transpose(a, b);
        }

        public HostTensor apply(HostTensor x) {
            int rank = x.rank();
            int[] order = new int[rank];
            Arrays.setAll(order, i -> i);
            int na = a < 0 ? a + rank : a;
            int nb = b < 0 ? b + rank : b;
            order[na] = nb;
            order[nb] = na;
            return new Permute(order).apply(x);
        }

        public String toString() {
            return "transpose(" + a + ", " + b + ")";
        }
    }

    /** Python's {@code start:end:step} along an axis (negative start/end count from the end). */
    record Slice(int axis, int start, int end, int step) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.slice(axis, start, end, step);
        }

        public HostTensor apply(HostTensor x) {
            int extent = x.shape()[axis];
            int from = clamp(start, extent);
            int to = Math.max(from, clamp(end, extent));
            int length = (to - from + step - 1) / step;
            int[] shape = x.shape();
            shape[axis] = length;
            double[] out = new double[Operand.sizeOf(shape)];
            for (int flat = 0; flat < out.length; flat++) {
                int[] index = HostTensor.multiIndex(shape, flat);
                index[axis] = from + index[axis] * step;
                out[flat] = x.at(index);
            }
            return new HostTensor(x.dtype(), shape, out);
        }

        private static int clamp(int index, int extent) {
            return Math.max(0, Math.min(index < 0 ? index + extent : index, extent));
        }

        public String toString() {
            return "slice(" + axis + ", " + start + ", " + end + ", " + step + ")";
        }
    }

    record Select(int axis, int index) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.select(axis, index);
        }

        public HostTensor apply(HostTensor x) {
            int extent = x.shape()[axis];
            int i = index < 0 ? index + extent : index;
            HostTensor sliced = new Slice(axis, i, i + 1, 1).apply(x);
            int[] shape = new int[x.rank() - 1];
            for (int d = 0, j = 0; d < x.rank(); d++) {
                if (d != axis) {
                    shape[j++] = x.shape()[d];
                }
            }
            return new HostTensor(x.dtype(), shape, sliced.values());
        }

        public String toString() {
            return "select(" + axis + ", " + index + ")";
        }
    }

    record Expand(int[] shape) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.expand(shape);
        }

        public HostTensor apply(HostTensor x) {
            int[] resolved = shape.clone();
            int lead = shape.length - x.rank();
            for (int d = lead; d < shape.length; d++) {
                if (resolved[d] == -1) {
                    resolved[d] = x.shape()[d - lead];
                }
            }
            double[] out = new double[Operand.sizeOf(resolved)];
            for (int flat = 0; flat < out.length; flat++) {
                out[flat] = x.broadcastAt(HostTensor.multiIndex(resolved, flat));
            }
            return new HostTensor(x.dtype(), resolved, out);
        }

        public String toString() {
            return "expand" + Arrays.toString(shape);
        }
    }

    /** squeeze() when axis is null, else squeeze(axis). */
    record Squeeze(Integer axis) implements ViewOp {
        public Tensor apply(Tensor x) {
            return axis == null ? x.squeeze() : x.squeeze(axis);
        }

        public HostTensor apply(HostTensor x) {
            int only = axis == null ? -1 : axis < 0 ? axis + x.rank() : axis;
            int[] shape = java.util.stream.IntStream.range(0, x.rank())
                    .filter(d -> !(x.shape()[d] == 1 && (only < 0 || d == only))).map(d -> x.shape()[d]).toArray();
            return new HostTensor(x.dtype(), shape, x.values());
        }

        public String toString() {
            return axis == null ? "squeeze()" : "squeeze(" + axis + ")";
        }
    }

    record Unsqueeze(int axis) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.unsqueeze(axis);
        }

        public HostTensor apply(HostTensor x) {
            int d = axis < 0 ? axis + x.rank() + 1 : axis;
            int[] shape = new int[x.rank() + 1];
            for (int i = 0, j = 0; i < shape.length; i++) {
                shape[i] = i == d ? 1 : x.shape()[j++];
            }
            return new HostTensor(x.dtype(), shape, x.values());
        }

        public String toString() {
            return "unsqueeze(" + axis + ")";
        }
    }

    record Flatten(int start, int end) implements ViewOp {
        public Tensor apply(Tensor x) {
            return x.flatten(start, end);
        }

        public HostTensor apply(HostTensor x) {
            int rank = x.rank();
            if (rank == 0) {
                return new HostTensor(x.dtype(), new int[] {1}, x.values());
            }
            int from = start < 0 ? start + rank : start;
            int to = end < 0 ? end + rank : end;
            List<Integer> shape = new ArrayList<>();
            int merged = 1;
            for (int d = 0; d < rank; d++) {
                if (d < from || d > to) {
                    shape.add(x.shape()[d]);
                } else {
                    merged *= x.shape()[d];
                    if (d == to) {
                        shape.add(merged);
                    }
                }
            }
            return new HostTensor(x.dtype(), Shapes.toArray(shape), x.values());
        }

        public String toString() {
            return "flatten(" + start + ", " + end + ")";
        }
    }

    record Contiguous() implements ViewOp {
        public Tensor apply(Tensor x) {
            Tensor y = x.contiguous();
            Check.that(y.numel() == 0 || y.isContiguous(), "contiguous() gave a tensor that is not contiguous: strides "
                    + Arrays.toString(y.strides()));
            return y;
        }

        public HostTensor apply(HostTensor x) {
            return x;
        }

        public String toString() {
            return "contiguous()";
        }
    }

    /** A random view op that applies to a tensor of {@code shape}. */
    static Arbitrary<ViewOp> forShape(int[] shape) {
        int rank = shape.length;
        int size = Operand.sizeOf(shape);
        List<Arbitrary<? extends ViewOp>> ops = new ArrayList<>();
        ops.add(reshapes(size).map(Reshape::new));
        ops.add(Arbitraries.just(new Contiguous()));
        ops.add(Arbitraries.integers().between(-rank - 1, rank).map(Unsqueeze::new));
        ops.add(Arbitraries.just(new Squeeze(null)));
        ops.add(Combinators.combine(Arbitraries.integers().between(0, Math.max(0, 5 - rank)),
                        Arbitraries.of(-1, 1, 1, 2, 3))
                .as((lead, extent) -> {
                    int[] target = new int[lead + rank];
                    Arrays.fill(target, 0, lead, extent < 0 ? 2 : extent);
                    for (int d = 0; d < rank; d++) {
                        target[lead + d] = shape[d] == 1 ? (extent < 0 ? 3 : extent) : (d % 2 == 0 ? -1 : shape[d]);
                    }
                    return new Expand(target);
                }));
        if (rank >= 1) {
            ops.add(Shapes.permutation(rank).map(Permute::new));
            ops.add(Combinators.combine(Arbitraries.integers().between(-rank, rank - 1),
                    Arbitraries.integers().between(-rank, rank - 1)).as(Transpose::new));
            ops.add(Arbitraries.integers().between(0, rank - 1).flatMap(axis -> Combinators.combine(
                    Arbitraries.integers().between(-shape[axis] - 1, shape[axis] + 1),
                    Arbitraries.integers().between(-shape[axis] - 1, shape[axis] + 1),
                    Arbitraries.integers().between(1, 3)).as((start, end, step) -> new Slice(axis, start, end, step))));
            ops.add(Combinators.combine(Arbitraries.integers().between(-rank, rank - 1),
                    Arbitraries.integers().between(-rank, rank - 1)).as((a, b) -> new Flatten(Math.min(
                    a < 0 ? a + rank : a, b < 0 ? b + rank : b), Math.max(a < 0 ? a + rank : a, b < 0 ? b + rank : b))));
            List<Integer> ones = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                if (shape[d] == 1) {
                    ones.add(d);
                }
            }
            if (!ones.isEmpty()) {
                ops.add(Arbitraries.of(ones).map(Squeeze::new));
            }
            List<Integer> nonEmpty = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                if (shape[d] > 0) {
                    nonEmpty.add(d);
                }
            }
            if (!nonEmpty.isEmpty()) {
                ops.add(Arbitraries.of(nonEmpty).flatMap(axis -> Arbitraries.integers()
                        .between(-shape[axis], shape[axis] - 1).map(i -> new Select(axis, i))));
            }
        }
        @SuppressWarnings({"unchecked", "rawtypes"})
        Arbitrary<ViewOp> any = (Arbitrary<ViewOp>) (Arbitrary) Arbitraries.oneOf((List) ops);
        return any;
    }

    /** Shapes holding {@code size} elements (one extent possibly -1). */
    private static Arbitrary<int[]> reshapes(int size) {
        List<int[]> shapes = new ArrayList<>();
        shapes.add(new int[] {size});
        shapes.add(new int[] {-1});
        shapes.add(new int[] {1, size, 1});
        for (int d = 1; d <= size; d++) {
            if (size % d == 0) {
                shapes.add(new int[] {d, size / d});
                shapes.add(new int[] {d, -1});
                if (size / d % 2 == 0) {
                    shapes.add(new int[] {d, 2, size / d / 2});
                }
            }
        }
        if (size == 1) {
            shapes.add(new int[0]);
        }
        if (size == 0) {
            shapes.add(new int[] {0, 3});
            shapes.add(new int[] {2, 0});
        }
        return Arbitraries.of(shapes);
    }
}
