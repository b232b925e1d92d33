package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.BinaryOp;
import io.gasok.spi.Expr;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class UpdateInPlaceTest {

    @Test
    void aMomentumStepIsOneFusedUpdateOfTheParameter() {
        try (Scope scope = Scope.open()) {
            Tensor p = Tensor.of(new double[] {1, 2, 3});
            Tensor v = Tensor.of(new double[] {0.5, 0, -1});
            Tensor g = Tensor.of(new double[] {1, 1, 1});
            Expr pIn = Expr.input(0, DType.FLOAT64);
            Expr vIn = Expr.input(1, DType.FLOAT64);
            Expr gIn = Expr.input(2, DType.FLOAT64);
            Expr step = Expr.sub(pIn, Expr.mul(Expr.constant(0.1, DType.FLOAT64),
                    Expr.add(Expr.mul(Expr.constant(0.9, DType.FLOAT64), vIn), gIn)));
            int before = p.version();
            p.updateInPlace(step, v, g);
            assertArrayEquals(new double[] {1 - 0.1 * 1.45, 2 - 0.1, 3 - 0.1 * 0.1}, p.toDoubleArray(), 1e-12);
            assertTrue(p.version() > before);
        }
    }

    @Test
    void anExpressionReadingAMissingOrMistypedOperandIsRejected() {
        try (Scope scope = Scope.open()) {
            Tensor p = Tensor.of(new float[] {1, 2});
            Expr missing = Expr.add(Expr.input(0, DType.FLOAT32), Expr.input(1, DType.FLOAT32));
            IllegalArgumentException noOperand = assertThrows(IllegalArgumentException.class, () -> p.updateInPlace(missing));
            assertTrue(noOperand.getMessage().contains("update_in_place"), noOperand.getMessage());
            Tensor wrong = Tensor.of(new double[] {1, 2});
            IllegalArgumentException mistyped = assertThrows(IllegalArgumentException.class,
                    () -> p.updateInPlace(missing, wrong));
            assertTrue(mistyped.getMessage().contains("float64"), mistyped.getMessage());
        }
    }

    @Test
    void severalTargetsUpdatedInOneLaunchAllReadTheValuesFromBeforeIt() {
        try (Scope scope = Scope.open()) {
            Tensor p = Tensor.of(new double[] {1, 2, 3});
            Tensor state = Tensor.of(new double[] {10, 20, 30, 0, 0, 0}, 2, 3);
            Tensor m = state.select(0, 0);
            Tensor v = state.select(0, 1);
            Tensor g = Tensor.of(new double[] {0.5});
            Expr pIn = Expr.input(0, DType.FLOAT64);
            Expr mIn = Expr.input(1, DType.FLOAT64);
            Expr vIn = Expr.input(2, DType.FLOAT64);
            Expr gIn = Expr.input(3, DType.FLOAT64);
            List<String> launches = new ArrayList<>();
            Dispatch.Listener previous = Dispatch.listen((launch, start, end) -> launches.add(launch.kernel()));
            try {
                Tensor.updateAllInPlace(new Tensor[] {p, m, v},
                        new Expr[] {Expr.add(pIn, mIn), Expr.mul(pIn, gIn), Expr.add(vIn, Expr.add(pIn, mIn))}, g);
            } finally {
                Dispatch.restore(previous);
            }
            assertEquals(List.of("elementwise"), launches);
            assertArrayEquals(new double[] {11, 22, 33}, p.toDoubleArray());
            assertArrayEquals(new double[] {0.5, 1, 1.5}, m.toDoubleArray());
            assertArrayEquals(new double[] {11, 22, 33}, v.toDoubleArray());
        }
    }

    @Test
    void targetsThatShareElementsOrDifferInShapeAreRejected() {
        try (Scope scope = Scope.open()) {
            Tensor state = Tensor.zeros(DType.FLOAT64, 2, 3);
            Expr keep = Expr.input(0, DType.FLOAT64);
            Tensor[] overlapping = {state.slice(1, 0, 2), state.slice(1, 1, 3)};
            IllegalArgumentException shared = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.updateAllInPlace(overlapping, new Expr[] {keep, keep}));
            assertTrue(shared.getMessage().contains("share elements"), shared.getMessage());
            Tensor[] shapes = {state, Tensor.zeros(DType.FLOAT64, 3)};
            IllegalArgumentException differ = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.updateAllInPlace(shapes, new Expr[] {keep, keep}));
            assertTrue(differ.getMessage().contains("differ in shape"), differ.getMessage());
            IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.updateAllInPlace(new Tensor[] {state}, new Expr[] {keep, keep}));
            assertTrue(count.getMessage().contains("one expression per target"), count.getMessage());
        }
    }

    @Test
    void evaluateBroadcastsItsInputsIntoANewTensorOfTheExpressionsDtype() {
        try (Scope scope = Scope.open()) {
            Tensor column = Tensor.of(new long[] {0, 1, 2}, 3, 1);
            Tensor row = Tensor.of(new long[] {0, 1}, 1, 2);
            Expr equal = Expr.binary(BinaryOp.EQ, Expr.input(0, DType.INT64), Expr.input(1, DType.INT64));
            Tensor oneHot = Tensor.evaluate(Expr.cast(equal, DType.FLOAT32), column, row);
            assertEquals(DType.FLOAT32, oneHot.dtype());
            assertArrayEquals(new int[] {3, 2}, oneHot.shape());
            assertArrayEquals(new float[] {1, 0, 0, 1, 0, 0}, oneHot.toFloatArray());
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.evaluate(equal, column));
            assertTrue(missing.getMessage().contains("evaluate") && missing.getMessage().contains("input 1"),
                    missing.getMessage());
        }
    }
}
