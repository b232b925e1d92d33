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
 * Reductions and softmax: sum, mean, max, min, argmax, argmin, var and std over random axis sets
 * (none meaning all, negative axes, keepDim both ways), on empty tensors where the op has a value,
 * and softmax/log-softmax along a random axis.
 *
 * <p>How: the device's result is compared with the reference and with naive host loops
 * ({@link Reductions}); 2-D float64 sums also with EJML ({@code CommonOps_DDRM.elementSum},
 * {@code sumRows}, {@code sumCols}). Sums are bounded by {@link Tolerance#accumulated} with the
 * sum of magnitudes as Σ|x|; max, min and the arg-reductions are exact, with ties generated on
 * purpose (first index wins) and NaN propagated. A view and its contiguous copy agree within the
 * same bound (a backend may order a strided sum differently).
 */
public interface ReductionContract extends DeviceUnderTest {

    /** A reduction input, the axes, keepDim and (for var/std) the correction. */
    record ReduceCase(Sample x, int[] axes, boolean keepDim, int correction) {
        @Override
        public String toString() {
            return "x=" + x + ", axes=" + Arrays.toString(axes) + ", keepDim=" + keepDim + ", correction=" + correction;
        }
    }

    private static Arbitrary<ReduceCase> reduceCases(Arbitrary<DType> dtypes, Values.Domain domain, boolean empty) {
        return Combinators.combine(dtypes, Shapes.shape(0, 4, empty)).flatAs((dtype, shape) -> Combinators.combine(
                Tensors.sample(dtype, shape, domain), Shapes.axes(shape.length), Arbitraries.of(true, false),
                Arbitraries.of(0, 1)).as(ReduceCase::new));
    }

    @Provide
    default Arbitrary<ReduceCase> floatSumCases() {
        return reduceCases(Tensors.floating(), Values.ANY, true);
    }

    @Property
    @Label("sum and mean over any axes match the reference and naive loops within c·eps·√K·Σ|x|")
    default void sumAndMeanMatchReferenceAndNaiveLoops(@ForAll("floatSumCases") ReduceCase c) {
        DType dtype = c.x().dtype();
        int[] axes = Reductions.normalise(c.axes(), c.x().value().rank());
        int count = Reductions.count(c.x().shape(), axes);
        Tensor x = c.x().on(device());
        Tensor sum = x.sum(c.axes(), c.keepDim());
        HostTensor magnitude = Reductions.sum(c.x().value().abs(), axes, c.keepDim(), DType.FLOAT64);
        Tolerance.Bound bound = Tolerance.accumulated(dtype, count, magnitude);
        String inputs = c.toString();
        Check.close("sum", inputs, sum, Reductions.sum(c.x().value(), axes, c.keepDim(), dtype), bound);
        Check.close("sum vs reference", inputs, sum, HostTensor.of(c.x().on(reference()).sum(c.axes(), c.keepDim())),
                bound);
        Check.close("sum", inputs, sum, HostTensor.of(x.contiguous().sum(c.axes(), c.keepDim())), bound);
        if (count > 0) {
            Tensor mean = x.mean(c.axes(), c.keepDim());
            HostTensor expected = Reductions.sum(c.x().value(), axes, c.keepDim(), DType.FLOAT64)
                    .map(dtype, v -> Oracle.round(dtype, v / count));
            Tolerance.Bound meanBound = Tolerance.accumulatedPlusRelative(dtype, count,
                    magnitude.map(DType.FLOAT64, v -> v / count));
            Check.close("mean", inputs, mean, expected, meanBound);
            Check.close("mean vs reference", inputs, mean,
                    HostTensor.of(c.x().on(reference()).mean(c.axes(), c.keepDim())), meanBound);
        }
    }

    @Provide
    default Arbitrary<ReduceCase> nonEmptyFloatCases() {
        return reduceCases(Tensors.floating(), Values.TIES.withSpecials(), false);
    }

    @Property
    @Label("max and min over any axes pick an element exactly and propagate NaN")
    default void maxAndMinAreExactAndPropagateNan(@ForAll("nonEmptyFloatCases") ReduceCase c) {
        checkExtremes(c);
    }

    private void checkExtremes(ReduceCase c) {
        DType dtype = c.x().dtype();
        int[] axes = Reductions.normalise(c.axes(), c.x().value().rank());
        Tensor x = c.x().on(device());
        String inputs = c.toString();
        Tensor max = x.max(c.axes(), c.keepDim());
        Tensor min = x.min(c.axes(), c.keepDim());
        Check.close("max", inputs, max, Reductions.fold(c.x().value(), axes, c.keepDim(), dtype, 0, true, Math::max),
                Tolerance.exact());
        Check.close("min", inputs, min, Reductions.fold(c.x().value(), axes, c.keepDim(), dtype, 0, true, Math::min),
                Tolerance.exact());
        Check.close("max vs reference", inputs, max,
                HostTensor.of(c.x().on(reference()).max(c.axes(), c.keepDim())), Tolerance.exact());
        Check.identical("max", inputs, max, x.contiguous().max(c.axes(), c.keepDim()));
    }

    @Provide
    default Arbitrary<ReduceCase> integerCases() {
        return reduceCases(Tensors.integer(), Values.SMALL_INTEGERS, true);
    }

    @Property
    @Label("integer sum gives exact INT64; integer max, min and argmax are exact")
    default void integerReductionsAreExact(@ForAll("integerCases") ReduceCase c) {
        int[] axes = Reductions.normalise(c.axes(), c.x().value().rank());
        Tensor x = c.x().on(device());
        Tensor sum = x.sum(c.axes(), c.keepDim());
        Check.that(sum.dtype() == DType.INT64, "sum of " + c.x().dtype() + " gave " + sum.dtype() + ", expected int64");
        Check.close("sum", c.toString(), sum, Reductions.sum(c.x().value(), axes, c.keepDim(), DType.INT64),
                Tolerance.exact());
        if (Reductions.count(c.x().shape(), axes) > 0) {
            checkExtremes(c);
            if (c.x().value().rank() > 0) {
                int axis = axes[0];
                Check.close("argmax", c.toString(), x.argmax(axis, c.keepDim()),
                        Reductions.argExtreme(c.x().value(), axis, c.keepDim(), true), Tolerance.exact());
            }
        }
    }

    /** An arg-reduction input and its axis. */
    record ArgCase(Sample x, int axis, boolean keepDim) {}

    @Provide
    default Arbitrary<ArgCase> argCases() {
        Arbitrary<DType> dtypes = Arbitraries.of(DType.FLOAT32, DType.FLOAT64, DType.INT32, DType.INT64);
        return Combinators.combine(dtypes, Shapes.shape(1, 4, false)).flatAs((dtype, shape) -> Combinators.combine(
                Tensors.sample(dtype, shape, Values.TIES), Arbitraries.integers().between(-shape.length, shape.length - 1),
                Arbitraries.of(true, false)).as(ArgCase::new));
    }

    @Property
    @Label("argmax and argmin return the first index on ties, along any axis")
    default void argmaxAndArgminReturnTheFirstIndexOnTies(@ForAll("argCases") ArgCase c) {
        int axis = c.axis() < 0 ? c.axis() + c.x().value().rank() : c.axis();
        Tensor x = c.x().on(device());
        String inputs = Check.inputs("x", c.x(), "axis", c.axis(), "keepDim", c.keepDim());
        Tensor argmax = x.argmax(c.axis(), c.keepDim());
        Tensor argmin = x.argmin(c.axis(), c.keepDim());
        Check.close("argmax", inputs, argmax, Reductions.argExtreme(c.x().value(), axis, c.keepDim(), true),
                Tolerance.exact());
        Check.close("argmin", inputs, argmin, Reductions.argExtreme(c.x().value(), axis, c.keepDim(), false),
                Tolerance.exact());
        Check.close("argmax vs reference", inputs, argmax,
                HostTensor.of(c.x().on(reference()).argmax(c.axis(), c.keepDim())), Tolerance.exact());
        HostTensor flat = new HostTensor(c.x().dtype(), new int[] {c.x().value().size()}, c.x().value().values());
        Check.close("argmax()", inputs, x.argmax(), Reductions.argExtreme(flat, 0, false, true), Tolerance.exact());
        Check.identical("argmin", inputs, argmin, x.contiguous().argmin(c.axis(), c.keepDim()));
    }

    @Provide
    default Arbitrary<ReduceCase> varianceCases() {
        return reduceCases(Tensors.floating(), Values.ANY, false)
                .filter(c -> Reductions.count(c.x().shape(), Reductions.normalise(c.axes(), c.x().value().rank()))
                        > c.correction());
    }

    @Property
    @Label("var and std with correction 0 and 1 match the two-pass definition")
    default void varAndStdMatchTheTwoPassDefinition(@ForAll("varianceCases") ReduceCase c) {
        DType dtype = c.x().dtype();
        HostTensor value = c.x().value();
        int[] axes = Reductions.normalise(c.axes(), value.rank());
        int count = Reductions.count(value.shape(), axes);
        int dof = count - c.correction();
        HostTensor mean = Reductions.sum(value, axes, true, DType.FLOAT64).map(DType.FLOAT64, v -> v / count);
        double[] squares = new double[value.size()];
        double[] magnitudes = new double[value.size()];
        for (int i = 0; i < squares.length; i++) {
            int[] index = HostTensor.multiIndex(value.shape(), i);
            double m = mean.broadcastAt(index);
            squares[i] = (value.get(i) - m) * (value.get(i) - m);
            magnitudes[i] = (Math.abs(value.get(i)) + Math.abs(m)) * (Math.abs(value.get(i)) + Math.abs(m));
        }
        HostTensor variance = Reductions.sum(new HostTensor(DType.FLOAT64, value.shape(), squares), axes,
                c.keepDim(), DType.FLOAT64).map(dtype, v -> Oracle.round(dtype, v / dof));
        HostTensor magnitude = Reductions.sum(new HostTensor(DType.FLOAT64, value.shape(), magnitudes), axes,
                c.keepDim(), DType.FLOAT64).map(DType.FLOAT64, v -> v / dof);
        Tolerance.Bound varBound = Tolerance.accumulatedPlusRelative(dtype, count, magnitude);
        Tensor x = c.x().on(device());
        String inputs = c.toString();
        Tensor var = x.var(c.axes(), c.correction(), c.keepDim());
        Check.close("var", inputs, var, variance, varBound);
        Check.close("var vs reference", inputs, var,
                HostTensor.of(c.x().on(reference()).var(c.axes(), c.correction(), c.keepDim())), varBound);
        Tolerance.Bound stdBound = (i, expected) -> Math.sqrt(varBound.at(i, expected * expected))
                + Tolerance.rtol(dtype) * Math.abs(expected);
        Check.close("std", inputs, x.std(c.axes(), c.correction(), c.keepDim()),
                variance.map(dtype, v -> Oracle.round(dtype, Math.sqrt(v))), stdBound);
    }

    /** A 2-D float64 matrix for the EJML comparison. */
    @Provide
    default Arbitrary<Sample> matrices() {
        return Shapes.shapeOfRank(2, false).flatMap(shape -> Tensors.sample(DType.FLOAT64, shape, Values.ANY));
    }

    @Property
    @Label("2-D float64 sums agree with EJML's elementSum, sumRows and sumCols")
    default void matrixSumsAgreeWithEjml(@ForAll("matrices") Sample m) {
        int rows = m.shape()[0];
        int cols = m.shape()[1];
        DMatrixRMaj matrix = new DMatrixRMaj(rows, cols, true, m.value().values());
        Tensor x = m.on(device());
        String inputs = Check.inputs("x", m);
        HostTensor magnitudeAll = new HostTensor(DType.FLOAT64, new int[0],
                new double[] {CommonOps_DDRM.elementSumAbs(matrix)});
        Check.close("sum() vs EJML elementSum", inputs, x.sum(),
                new HostTensor(DType.FLOAT64, new int[0], new double[] {CommonOps_DDRM.elementSum(matrix)}),
                Tolerance.accumulated(DType.FLOAT64, rows * cols, magnitudeAll));
        DMatrixRMaj absolute = matrix.copy();
        CommonOps_DDRM.abs(absolute);
        DMatrixRMaj rowSums = CommonOps_DDRM.sumRows(matrix, null);
        DMatrixRMaj rowMagnitudes = CommonOps_DDRM.sumRows(absolute, null);
        Check.close("sum(1) vs EJML sumRows", inputs, x.sum(1),
                new HostTensor(DType.FLOAT64, new int[] {rows}, rowSums.data.clone()),
                Tolerance.accumulated(DType.FLOAT64, cols,
                        new HostTensor(DType.FLOAT64, new int[] {rows}, rowMagnitudes.data.clone())));
        DMatrixRMaj colSums = CommonOps_DDRM.sumCols(matrix, null);
        DMatrixRMaj colMagnitudes = CommonOps_DDRM.sumCols(absolute, null);
        Check.close("sum(0) vs EJML sumCols", inputs, x.sum(0),
                new HostTensor(DType.FLOAT64, new int[] {cols}, colSums.data.clone()),
                Tolerance.accumulated(DType.FLOAT64, rows,
                        new HostTensor(DType.FLOAT64, new int[] {cols}, colMagnitudes.data.clone())));
    }

    /** A softmax input and its axis. */
    record SoftmaxCase(Sample x, int axis, boolean log) {}

    @Provide
    default Arbitrary<SoftmaxCase> softmaxCases() {
        return Combinators.combine(Tensors.floating(), Shapes.shape(0, 4, true)).flatAs((dtype, shape) ->
                Combinators.combine(Tensors.sample(dtype, shape, Values.WIDE),
                        shape.length == 0 ? Arbitraries.just(0)
                                : Arbitraries.integers().between(-shape.length, shape.length - 1),
                        Arbitraries.of(true, false)).as(SoftmaxCase::new));
    }

    @Property
    @Label("softmax and logSoftmax along any axis match the stable definition")
    default void softmaxAndLogSoftmaxMatchTheStableDefinition(@ForAll("softmaxCases") SoftmaxCase c) {
        DType dtype = c.x().dtype();
        HostTensor value = c.x().value();
        int rank = value.rank();
        int axis = rank == 0 ? 0 : c.axis() < 0 ? c.axis() + rank : c.axis();
        int extent = rank == 0 ? 1 : value.shape()[axis];
        int[] axes = rank == 0 ? new int[0] : new int[] {axis};
        HostTensor max = Reductions.fold(value, axes, true, DType.FLOAT64, 0, true, Math::max);
        double[] shifted = new double[value.size()];
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] = value.get(i) - max.broadcastAt(HostTensor.multiIndex(value.shape(), i));
        }
        HostTensor exps = new HostTensor(DType.FLOAT64, value.shape(), shifted).map(DType.FLOAT64, Math::exp);
        HostTensor sums = Reductions.sum(exps, axes, true, DType.FLOAT64);
        double[] expected = new double[value.size()];
        double[] spread = new double[value.size()];
        for (int i = 0; i < expected.length; i++) {
            int[] index = HostTensor.multiIndex(value.shape(), i);
            double s = sums.broadcastAt(index);
            expected[i] = Oracle.round(dtype, c.log() ? shifted[i] - Math.log(s) : exps.get(i) / s);
            spread[i] = c.log() ? Math.abs(value.get(i)) + Math.abs(max.broadcastAt(index)) : Math.abs(shifted[i]);
        }
        Tolerance.Bound bound = Tolerance.softmax(dtype, extent,
                new HostTensor(DType.FLOAT64, value.shape(), spread), c.log());
        Tensor x = c.x().on(device());
        String op = c.log() ? "logSoftmax" : "softmax";
        String inputs = Check.inputs("x", c.x(), "axis", c.axis());
        Tensor got = c.log() ? x.logSoftmax(c.axis()) : x.softmax(c.axis());
        Check.close(op, inputs, got, new HostTensor(dtype, value.shape(), expected), bound);
        Tensor onReference = c.x().on(reference());
        Check.close(op + " vs reference", inputs, got,
                HostTensor.of(c.log() ? onReference.logSoftmax(c.axis()) : onReference.softmax(c.axis())), bound);
        Tensor dense = x.contiguous();
        Check.close(op + " (layout invariance)", inputs, got,
                HostTensor.of(c.log() ? dense.logSoftmax(c.axis()) : dense.softmax(c.axis())), bound);
    }
}
