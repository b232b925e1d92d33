package io.gasok.opencl;

import static org.junit.jupiter.api.Assertions.fail;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.spi.Backend;
import io.gasok.spi.Buffer;
import io.gasok.spi.Operand;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Identical buffers on the OpenCL backend and on the reference backend, so a kernel can run on
 * both and every element of the outputs (padding included, which must stay untouched) can be
 * compared. Frees everything on close.
 */
final class TwinBuffers implements AutoCloseable {
    final Backend device;
    final Backend reference = Device.reference().backend();
    private final List<Buffer> made = new ArrayList<>();

    TwinBuffers(Backend device) {
        this.device = device;
    }

    /** One buffer on each backend holding {@code values}, and the view {@code shape/strides/offset} of it. */
    record Twin(Operand device, Operand reference) {}

    Twin upload(DType dtype, double[] values, int offset, int[] shape, int[] strides) {
        return new Twin(new Operand(upload(device, dtype, values), dtype, offset, shape, strides),
                new Operand(upload(reference, dtype, values), dtype, offset, shape, strides));
    }

    /** A contiguous twin of {@code shape} holding {@code values}. */
    Twin contiguous(DType dtype, double[] values, int... shape) {
        return upload(dtype, values, 0, shape, Operand.rowMajorStrides(shape));
    }

    private Buffer upload(Backend backend, DType dtype, double[] values) {
        Buffer buffer = backend.allocate(dtype, Math.max(values.length, 1));
        made.add(buffer);
        if (values.length > 0) {
            backend.write(hostArray(dtype, values), 0, buffer, 0, values.length);
        }
        return buffer;
    }

    /** Every element of the device's buffer equals the reference's within {@code atol + rtol·|ref|}. */
    static void assertClose(String what, Twin twin, double atol, double rtol) {
        double[] got = download(twin.device().buffer(), twin.device().buffer().dtype());
        double[] expected = download(twin.reference().buffer(), twin.reference().buffer().dtype());
        for (int i = 0; i < expected.length; i++) {
            boolean equal = Double.compare(got[i], expected[i]) == 0 || got[i] == expected[i];
            if (!equal && !(Math.abs(got[i] - expected[i]) <= atol + rtol * Math.abs(expected[i]))) {
                fail(what + ": element " + i + " is " + got[i] + ", reference " + expected[i] + " (atol " + atol
                        + ", rtol " + rtol + ")\n got " + Arrays.toString(got) + "\n ref " + Arrays.toString(expected));
            }
        }
    }

    static void assertExact(String what, Twin twin) {
        assertClose(what, twin, 0, 0);
    }

    static double[] download(Buffer buffer, DType dtype) {
        Backend backend = buffer instanceof ClBuffer ? OpenClTestBackend.backend() : Device.reference().backend();
        Object array = dtype.newArray(buffer.length());
        backend.read(buffer, 0, array, 0, buffer.length());
        double[] values = new double[buffer.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (array) {
                case float[] a -> a[i];
                case double[] a -> a[i];
                case int[] a -> a[i];
                case long[] a -> a[i];
                case byte[] a -> a[i];
                default -> throw new IllegalStateException();
            };
        }
        return values;
    }

    static Object hostArray(DType dtype, double[] values) {
        Object array = dtype.newArray(values.length);
        for (int i = 0; i < values.length; i++) {
            switch (array) {
                case float[] a -> a[i] = (float) values[i];
                case double[] a -> a[i] = values[i];
                case int[] a -> a[i] = (int) values[i];
                case long[] a -> a[i] = (long) values[i];
                case byte[] a -> a[i] = (byte) (values[i] != 0 ? 1 : 0);
                default -> throw new IllegalStateException();
            }
        }
        return array;
    }

    /** Values of {@code dtype}: small integers (ties) for integer types, signed floats with a few specials. */
    static double[] values(Random random, DType dtype, int length, boolean specials) {
        double[] values = new double[length];
        for (int i = 0; i < length; i++) {
            values[i] = switch (dtype) {
                case BOOL -> random.nextInt(2);
                case INT32, INT64 -> random.nextInt(11) - 5;
                case FLOAT32, FLOAT64 -> random.nextInt(8) == 0 ? random.nextInt(5) - 2 : random.nextGaussian() * 3;
            };
            if (specials && dtype.isFloating() && random.nextInt(25) == 0) {
                values[i] = new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0}[random.nextInt(4)];
            }
        }
        return values;
    }

    @Override
    public void close() {
        for (Buffer buffer : made) {
            (buffer instanceof ClBuffer ? device : reference).free(buffer);
        }
        made.clear();
    }
}
