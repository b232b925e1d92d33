package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.spi.Expr;
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
}
