package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.DType;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;
import org.junit.jupiter.api.Test;

/**
 * The launcher sets only the arguments that differ from a kernel's previous launch: launches of
 * one kernel that change one argument at a time (the buffer, the offset, the value, a float's sign
 * of zero) must each see every argument they were given.
 */
class KernelLauncherTest {

    @Test
    void aLaunchThatChangesOneArgumentSeesIt() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Buffer first = backend.allocate(DType.FLOAT32, 4);
        Buffer second = backend.allocate(DType.FLOAT32, 4);
        try {
            backend.fill(Operand.contiguous(first, 0, 4), 1);
            backend.fill(Operand.contiguous(second, 0, 4), 1);
            backend.fill(Operand.contiguous(second, 0, 2), 2);
            backend.fill(Operand.contiguous(second, 2, 2), 3);
            backend.fill(Operand.contiguous(first, 3, 1), -0.0);
            backend.fill(Operand.contiguous(first, 2, 1), -0.0);
            backend.fill(Operand.contiguous(first, 2, 1), 0.0);
            assertArrayEquals(new float[] {1, 1, 0.0f, -0.0f}, read(backend, first));
            assertArrayEquals(new float[] {2, 2, 3, 3}, read(backend, second));
        } finally {
            backend.free(first);
            backend.free(second);
        }
    }

    @Test
    void aBufferFreedAndAllocatedAgainIsSetAgain() {
        OpenClBackend backend = OpenClTestBackend.backend();
        Buffer kept = backend.allocate(DType.FLOAT32, 4);
        try {
            Buffer temporary = backend.allocate(DType.FLOAT32, 4);
            backend.fill(Operand.contiguous(temporary, 0, 4), 5);
            backend.free(temporary);
            backend.fill(Operand.contiguous(kept, 0, 4), 6);
            Buffer reused = backend.allocate(DType.FLOAT32, 4);
            try {
                backend.fill(Operand.contiguous(reused, 0, 4), 7);
                assertArrayEquals(new float[] {6, 6, 6, 6}, read(backend, kept));
                assertArrayEquals(new float[] {7, 7, 7, 7}, read(backend, reused));
            } finally {
                backend.free(reused);
            }
        } finally {
            backend.free(kept);
        }
    }

    private static float[] read(OpenClBackend backend, Buffer buffer) {
        float[] values = new float[buffer.length()];
        backend.read(buffer, 0, values, 0, values.length);
        return values;
    }
}
