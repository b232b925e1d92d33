package io.gasok.tck;

import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Tensor;

/**
 * One generated test input: its logical values and the memory layout it is built with. The same
 * sample realised on the device under test and on the reference gives the same logical tensor.
 */
public record Sample(HostTensor value, Layout layout) {

    /** The sample as a tensor on {@code device}, in its layout. */
    public Tensor on(Device device) {
        return layout.realize(device, value);
    }

    public int[] shape() {
        return value.shape();
    }

    public DType dtype() {
        return value.dtype();
    }

    @Override
    public String toString() {
        return value.describe() + " " + layout + (value.size() <= 12 ? " " + java.util.Arrays.toString(value.values()) : "");
    }
}
