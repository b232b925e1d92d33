package io.gasok;

import java.util.Locale;

/**
 * {@link Tensor#toString()}: nested brackets like NumPy and PyTorch, the first and last three
 * entries of each axis past 1000 elements, then dtype and device.
 */
final class TensorFormat {
    private static final int SUMMARY_THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;

    private TensorFormat() {}

    static String format(Tensor tensor) {
        Object values;
        try (Autograd.GradMode off = Autograd.noGrad()) {
            values = tensor.toHostArray();
        }
        int[] shape = tensor.shapeRef();
        boolean summarise = tensor.numel() > SUMMARY_THRESHOLD;
        StringBuilder text = new StringBuilder("tensor(");
        appendAxis(text, values, tensor.dtype(), shape, 0, 0, summarise, "tensor(".length());
        text.append(", dtype=").append(tensor.dtype().shortName()).append(", device=").append(tensor.device().name());
        if (tensor.requiresGrad()) {
            text.append(", requiresGrad=true");
        }
        return text.append(')').toString();
    }

    private static void appendAxis(StringBuilder text, Object values, DType dtype, int[] shape, int axis, int base,
                                   boolean summarise, int indent) {
        if (axis == shape.length) {
            text.append(element(values, base, dtype));
            return;
        }
        int extent = shape[axis];
        int step = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            step *= shape[d];
        }
        text.append('[');
        for (int i = 0; i < extent; i++) {
            if (summarise && extent > 2 * EDGE_ITEMS && i == EDGE_ITEMS) {
                text.append(axis == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + axis + 1));
                i = extent - EDGE_ITEMS - 1;
                continue;
            }
            appendAxis(text, values, dtype, shape, axis + 1, base + i * step, summarise, indent);
            if (i < extent - 1) {
                text.append(axis == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + axis + 1));
            }
        }
        text.append(']');
    }

    private static String element(Object values, int index, DType dtype) {
        return switch (values) {
            case float[] a -> String.format(Locale.ROOT, "%.4f", a[index]);
            case double[] a -> String.format(Locale.ROOT, "%.4f", a[index]);
            case int[] a -> Integer.toString(a[index]);
            case long[] a -> Long.toString(a[index]);
            case byte[] a -> a[index] != 0 ? "true" : "false";
            default -> throw new IllegalStateException("no host array for " + dtype);
        };
    }
}
