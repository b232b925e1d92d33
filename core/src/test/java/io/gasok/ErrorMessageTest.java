package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/** Errors a user can cause name the op and what was wrong, with the shapes and dtypes involved. */
@ExtendWith(NoLeaks.class)
class ErrorMessageTest {

    /** Asserts that {@code action} throws {@code type} with a message containing every fragment. */
    private static <T extends Throwable> T assertMessage(Class<T> type, Executable action, String... fragments) {
        T error = assertThrows(type, action);
        String message = error.getMessage();
        for (String fragment : fragments) {
            assertTrue(message != null && message.contains(fragment),
                    "expected the message to contain '" + fragment + "': " + message);
        }
        return error;
    }

    @Test
    void shapeMismatchNamesTheOpAndBothShapes() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.zeros(2, 3);
            Tensor b = Tensor.zeros(4, 3);
            assertMessage(IllegalArgumentException.class, () -> a.add(b), "add", "[2, 3]", "[4, 3]");
            assertMessage(IllegalArgumentException.class, () -> a.mul(Tensor.zeros(2)), "mul", "[2, 3]", "[2]");
            assertMessage(IllegalArgumentException.class, () -> a.maximum(b), "maximum", "[2, 3]", "[4, 3]");
            assertMessage(IllegalArgumentException.class, () -> a.lt(b), "lt", "[2, 3]", "[4, 3]");
            assertMessage(IllegalArgumentException.class,
                    () -> Tensor.where(Tensor.of(new boolean[] {true, false, true, false}), a, a), "where", "[4]", "[2, 3]");
        }
    }

    @Test
    void badAxisNamesTheOpTheAxisAndTheRank() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertMessage(IllegalArgumentException.class, () -> x.sum(new int[] {2}, false), "sum", "axis 2", "rank 2");
            assertMessage(IllegalArgumentException.class, () -> x.mean(-3), "mean", "axis -3", "rank 2");
            assertMessage(IllegalArgumentException.class, () -> x.max(new int[] {5}, true), "max", "axis 5");
            assertMessage(IllegalArgumentException.class, () -> x.argmax(2, false), "argmax", "axis 2");
            assertMessage(IllegalArgumentException.class, () -> x.transpose(0, 2), "transpose", "axis 2");
            assertMessage(IllegalArgumentException.class, () -> x.select(-3, 0), "select", "axis -3");
            assertMessage(IllegalArgumentException.class, () -> x.select(0, 2), "select", "index 2", "extent 2");
            assertMessage(IllegalArgumentException.class, () -> x.unsqueeze(4), "unsqueeze", "axis 4");
            assertMessage(IllegalArgumentException.class, () -> x.slice(2, 0, 1), "slice", "axis 2");
            assertMessage(IllegalArgumentException.class, () -> x.slice(0, 0, 1, 0), "slice", "step");
            assertMessage(IllegalArgumentException.class, () -> x.dim(2), "dim", "axis 2");
            assertMessage(IllegalArgumentException.class, () -> x.permute(0, 0), "permute", "twice");
            assertMessage(IllegalArgumentException.class, () -> x.permute(0), "permute", "[0]");
            assertMessage(IllegalArgumentException.class, () -> x.sum(new int[] {1, -1}, false), "sum", "twice");
            assertMessage(IllegalArgumentException.class, () -> x.flatten(1, 0), "flatten");
        }
    }

    @Test
    void whereWithANonBoolConditionSaysTheConditionMustBeBool() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(3);
            assertMessage(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(3), x, x),
                    "where", "bool", "float32");
            assertMessage(IllegalArgumentException.class,
                    () -> Tensor.where(Tensor.of(new int[] {1, 0, 1}), x, x), "where", "bool", "int32");
        }
    }

    @Test
    void inPlaceChangeOfATensorRequiringGradIsRejectedOutsideNoGrad() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            Tensor one = Tensor.ones(2);
            assertMessage(IllegalArgumentException.class, () -> x.addInPlace(one), "requires grad", "noGrad");
            assertMessage(IllegalArgumentException.class, () -> x.mulInPlace(2), "requires grad");
            assertMessage(IllegalArgumentException.class, () -> x.fill(0), "requires grad");
            assertMessage(IllegalArgumentException.class, () -> x.copyFrom(one), "requires grad");
            assertArrayEquals(new float[] {1, 2}, x.toFloatArray(), "nothing was written");
            try (Autograd.GradMode off = Autograd.noGrad()) {
                x.addInPlace(one).mulInPlace(2);
            }
            assertArrayEquals(new float[] {4, 6}, x.toFloatArray());
        }
    }

    @Test
    void inPlaceIntoABroadcastViewOrFromAWiderOperandIsRejected() {
        try (Scope s = Scope.open()) {
            Tensor row = Tensor.zeros(1, 3);
            assertMessage(IllegalArgumentException.class, () -> row.expand(2, 3).fill(1), "fill", "broadcast");
            Tensor target = Tensor.zeros(3);
            assertMessage(IllegalArgumentException.class, () -> target.addInPlace(Tensor.ones(2, 3)), "add_in_place",
                    "[3]", "[2, 3]");
        }
    }

    @Test
    void useOfAClosedTensorSaysItWasClosed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            Tensor y = Tensor.ones(2, 3);
            x.close();
            assertMessage(IllegalStateException.class, () -> x.add(y), "add", "float32[2, 3]", "closed");
            assertMessage(IllegalStateException.class, x::toFloatArray, "closed");
            assertMessage(IllegalStateException.class, () -> y.add(x), "closed");
            Tensor inner;
            try (Scope scope = Scope.open()) {
                inner = Tensor.zeros(2);
            }
            Tensor closedByScope = inner;
            assertMessage(IllegalStateException.class, closedByScope::sum, "closed", "Scope");
        }
    }

    @Test
    void reshapeToAWrongSizeNamesBothSizes() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertMessage(IllegalArgumentException.class, () -> x.reshape(4, 2), "reshape", "[4, 2]", "8", "6");
            assertMessage(IllegalArgumentException.class, () -> x.view(7), "view", "[7]");
            assertMessage(IllegalArgumentException.class, () -> x.reshape(-1, 4), "reshape", "-1", "6");
            assertMessage(IllegalArgumentException.class, () -> x.reshape(-1, -1), "reshape", "-1");
            assertMessage(IllegalArgumentException.class, () -> x.t().view(6), "view", "reshape");
        }
    }

    @Test
    void expandToAnIncompatibleShapeNamesTheTarget() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertMessage(IllegalArgumentException.class, () -> x.expand(4, 3), "expand", "[4, 3]", "[2, 3]");
            assertMessage(IllegalArgumentException.class, () -> x.expand(3), "expand", "[3]");
            assertMessage(IllegalArgumentException.class, () -> x.expand(2, 2, 6), "expand", "[2, 2, 6]");
        }
    }

    @Test
    void backwardWithAGradientOfAnotherShapeNamesBoth() {
        try (Scope s = Scope.open()) {
            Tensor y = Tensor.zeros(2, 3).requiresGrad(true).mul(2);
            assertMessage(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3, 2)), "backward",
                    "[2, 3]", "[3, 2]");
        }
    }

    @Test
    void otherArgumentErrorsNameTheOp() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(3);
            assertMessage(IllegalArgumentException.class, () -> x.clamp(1, 0), "clamp", "min");
            assertMessage(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0, DType.FLOAT32), "arange", "step");
            assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(3, -2), "negative", "[3, -2]");
            assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(0).max(), "max", "empty");
            assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(0, 2).mean(0), "mean", "empty");
            assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(3).t(), "t()", "[3]");
        }
    }

    @Test
    void unknownDeviceNameListsTheBackendsFound() {
        IllegalArgumentException e = assertMessage(IllegalArgumentException.class, () -> Device.of("tpu"),
                "tpu", "reference");
        assertTrue(e.getMessage().contains("backends found"), e.getMessage());
        assertMessage(IllegalArgumentException.class, () -> Device.of("reference:x"), "reference:x", "index");
        assertMessage(IllegalArgumentException.class, () -> Device.of("reference:-1"), "reference:-1", "index");
        assertTrue(Device.backendNames().contains("reference"), Device.backendNames().toString());
    }
}
