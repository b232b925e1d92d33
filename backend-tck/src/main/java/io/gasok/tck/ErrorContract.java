package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;
import net.jqwik.api.Example;
import net.jqwik.api.Label;

/**
 * Errors a user can cause, on the device under test: each must be thrown before any kernel runs
 * and its message must name the op and what was wrong (shapes, dtypes, devices, the axis, the
 * closed tensor), so the user can fix the call from the message alone.
 */
public interface ErrorContract extends DeviceUnderTest {

    private static Throwable thrown(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected an exception, none was thrown");
    }

    private static void mentions(Throwable error, String... parts) {
        String message = String.valueOf(error.getMessage());
        for (String part : parts) {
            Check.that(message.contains(part), "message '" + message + "' does not mention '" + part + "'");
        }
    }

    @Example
    @Label("add of [2, 3] and [4, 3] names add and both shapes")
    default void shapeMismatchNamesTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(device(), DType.FLOAT32, 2, 3);
        Tensor b = Tensor.zeros(device(), DType.FLOAT32, 4, 3);
        Throwable error = thrown(() -> a.add(b));
        Check.that(error instanceof IllegalArgumentException, "expected IllegalArgumentException, got " + error);
        mentions(error, "add", "[2, 3]", "[4, 3]");
    }

    @Example
    @Label("where with a non-bool condition names where and bool")
    default void whereWithANonBoolConditionIsRejected() {
        Tensor condition = Tensor.zeros(device(), DType.FLOAT32, 3);
        Tensor a = Tensor.ones(device(), DType.FLOAT32, 3);
        mentions(thrown(() -> Tensor.where(condition, a, a)), "where", "bool", "float32");
    }

    @Example
    @Label("matmul of integer tensors names matmul and the dtype")
    default void matmulOfIntegersIsRejected() {
        Tensor a = Tensor.ones(device(), DType.INT32, 2, 2);
        mentions(thrown(() -> a.matmul(a)), "matmul", "int32");
    }

    @Example
    @Label("matmul with mismatched inner dimensions names both shapes")
    default void matmulInnerDimensionMismatchNamesBothShapes() {
        Tensor a = Tensor.ones(device(), DType.FLOAT32, 2, 3);
        Tensor b = Tensor.ones(device(), DType.FLOAT32, 4, 5);
        mentions(thrown(() -> a.matmul(b)), "matmul", "[2, 3]", "[4, 5]");
    }

    @Example
    @Label("an operand on another device names both devices")
    default void deviceMismatchNamesBothDevices() {
        if (device() == reference()) {
            return;
        }
        Tensor a = Tensor.ones(device(), DType.FLOAT32, 3);
        Tensor b = Tensor.ones(reference(), DType.FLOAT32, 3);
        mentions(thrown(() -> a.add(b)), "add", device().name(), reference().name());
    }

    @Example
    @Label("an axis out of range names the op, the axis and the rank")
    default void badAxisNamesTheOpTheAxisAndTheRank() {
        Tensor a = Tensor.ones(device(), DType.FLOAT32, 2, 3);
        mentions(thrown(() -> a.sum(new int[] {5}, false)), "sum", "5", "2");
        mentions(thrown(() -> a.softmax(-3)), "softmax", "-3");
        mentions(thrown(() -> a.argmax(2, false)), "argmax", "2");
    }

    @Example
    @Label("using a closed tensor fails and says it was closed")
    default void closedTensorUseIsRejected() {
        Tensor a = Tensor.ones(device(), DType.FLOAT32, 2);
        a.close();
        Throwable error = thrown(() -> a.add(1));
        Check.that(error instanceof IllegalStateException, "expected IllegalStateException, got " + error);
        mentions(error, "closed");
    }

    @Example
    @Label("the device under test is named and runs its own backend")
    default void deviceIsNamed() {
        Device device = device();
        Check.that(device.name() != null && !device.name().isBlank(), "device without a name");
        Check.that(device.backend() != null, "device without a backend");
    }
}
