package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Tensor;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Matrix products: {@code matmul} with NumPy's rules (1-D operands promoted and the added axis
 * removed, batch axes broadcast), on transposed, permuted, stepped and expanded views, with
 * extents 0 to 5 (an empty inner dimension gives zeros).
 *
 * <p>How: the device's product is compared with the reference and with a naive host product
 * (batched, broadcast, computed in double), and 2-D products with EJML
 * ({@code CommonOps_DDRM.mult}; float32 inputs are exact in double, the result rounded once). The
 * bound is {@code c·eps·√K·(|A|·|B|)}, with {@code |A|·|B|} computed by matmul of the magnitudes
 * on the reference. A view and its contiguous copy agree within the same bound.
 */
public interface LinalgContract extends DeviceUnderTest {

    /** Two matmul operands. */
    record MatmulCase(Sample a, Sample b) {}

    @Provide
    default Arbitrary<MatmulCase> matmulCases() {
        Arbitrary<Integer> extent = Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(1)), net.jqwik.api.Tuple.of(10, Arbitraries.integers().between(2, 5)));
        return Combinators.combine(Tensors.floating(), Arbitraries.of("vector-vector", "vector-matrix",
                        "matrix-vector", "matrix-matrix"), extent, extent, extent, Shapes.broadcastPair(2, false))
                .flatAs((dtype, kind, m, k, n, batches) -> {
                    int[] aShape = switch (kind) {
                        case "vector-vector", "vector-matrix" -> new int[] {k};
                        default -> concat(batches[0], m, k);
                    };
                    int[] bShape = switch (kind) {
                        case "vector-vector", "matrix-vector" -> new int[] {k};
                        default -> concat(batches[1], k, n);
                    };
                    return Combinators.combine(Tensors.sample(dtype, aShape, Values.ANY),
                            Tensors.sample(dtype, bShape, Values.ANY)).as(MatmulCase::new);
                });
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = cols;
        return shape;
    }

    @Property
    @Label("matmul matches the reference and a naive host product, batched, broadcast and on views")
    default void matmulMatchesReferenceOnBatchedBroadcastViews(@ForAll("matmulCases") MatmulCase c) {
        DType dtype = c.a().dtype();
        int k = c.a().shape()[c.a().shape().length - 1];
        Tensor a = c.a().on(device());
        Tensor b = c.b().on(device());
        Tensor got = a.matmul(b);
        Tensor magnitudes = c.a().on(reference()).abs().matmul(c.b().on(reference()).abs());
        Tolerance.Bound bound = Tolerance.accumulated(dtype, k, HostTensor.of(magnitudes));
        String inputs = Check.inputs("a", c.a(), "b", c.b());
        Check.close("matmul", inputs, got, hostMatmul(c.a().value(), c.b().value(), dtype), bound);
        Check.close("matmul vs reference", inputs, got,
                HostTensor.of(c.a().on(reference()).matmul(c.b().on(reference()))), bound);
        Check.close("matmul (layout invariance)", inputs, got, HostTensor.of(a.contiguous().matmul(b.contiguous())),
                bound);
    }

    /** NumPy's matmul on the host, accumulated in double and rounded to {@code dtype}. */
    static HostTensor hostMatmul(HostTensor a, HostTensor b, DType dtype) {
        boolean vectorA = a.rank() == 1;
        boolean vectorB = b.rank() == 1;
        int[] aShape = vectorA ? new int[] {1, a.shape()[0]} : a.shape();
        int[] bShape = vectorB ? new int[] {b.shape()[0], 1} : b.shape();
        HostTensor left = new HostTensor(a.dtype(), aShape, a.values());
        HostTensor right = new HostTensor(b.dtype(), bShape, b.values());
        int m = aShape[aShape.length - 2];
        int k = aShape[aShape.length - 1];
        int n = bShape[bShape.length - 1];
        int[] batch = HostTensor.broadcast(Arrays.copyOf(aShape, aShape.length - 2), Arrays.copyOf(bShape, bShape.length - 2));
        int[] outShape = concat(batch, m, n);
        double[] out = new double[io.gasok.spi.Operand.sizeOf(outShape)];
        for (int flat = 0; flat < out.length; flat++) {
            int[] index = HostTensor.multiIndex(outShape, flat);
            int[] aIndex = index.clone();
            int[] bIndex = index.clone();
            double sum = 0;
            for (int p = 0; p < k; p++) {
                aIndex[outShape.length - 1] = p;
                bIndex[outShape.length - 2] = p;
                sum += left.broadcastAt(aIndex) * right.broadcastAt(bIndex);
            }
            out[flat] = Oracle.round(dtype, sum);
        }
        int[] shape = outShape;
        if (vectorB) {
            shape = Arrays.copyOf(shape, shape.length - 1);
        }
        if (vectorA) {
            int drop = shape.length - (vectorB ? 1 : 2);
            int[] reduced = new int[shape.length - 1];
            for (int d = 0, j = 0; d < shape.length; d++) {
                if (d != drop) {
                    reduced[j++] = shape[d];
                }
            }
            shape = reduced;
        }
        return new HostTensor(dtype, shape, out);
    }

    @Provide
    default Arbitrary<MatmulCase> matrixPairs() {
        return Combinators.combine(Tensors.floating(), Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 6), Arbitraries.integers().between(1, 6))
                .flatAs((dtype, m, k, n) -> Combinators.combine(Tensors.sample(dtype, new int[] {m, k}, Values.ANY),
                        Tensors.sample(dtype, new int[] {k, n}, Values.ANY)).as(MatmulCase::new));
    }

    @Property
    @Label("2-D matmul agrees with EJML's CommonOps_DDRM.mult in float32 and float64")
    default void matmulAgreesWithEjml(@ForAll("matrixPairs") MatmulCase c) {
        DType dtype = c.a().dtype();
        int m = c.a().shape()[0];
        int k = c.a().shape()[1];
        int n = c.b().shape()[1];
        DMatrixRMaj a = new DMatrixRMaj(m, k, true, c.a().value().values());
        DMatrixRMaj b = new DMatrixRMaj(k, n, true, c.b().value().values());
        DMatrixRMaj product = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(a, b, product);
        DMatrixRMaj absA = a.copy();
        DMatrixRMaj absB = b.copy();
        CommonOps_DDRM.abs(absA);
        CommonOps_DDRM.abs(absB);
        DMatrixRMaj magnitude = new DMatrixRMaj(m, n);
        CommonOps_DDRM.mult(absA, absB, magnitude);
        HostTensor expected = new HostTensor(DType.FLOAT64, new int[] {m, n}, product.data.clone())
                .map(dtype, v -> Oracle.round(dtype, v));
        Tensor got = c.a().on(device()).matmul(c.b().on(device()));
        Check.close("matmul vs EJML", Check.inputs("a", c.a(), "b", c.b()), got, expected,
                Tolerance.accumulated(dtype, k, new HostTensor(DType.FLOAT64, new int[] {m, n}, magnitude.data.clone())));
    }
}
