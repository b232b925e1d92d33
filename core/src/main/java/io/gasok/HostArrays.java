package io.gasok;

/** Conversions between Java arrays of the host representation of each dtype and doubles. */
final class HostArrays {
    private HostArrays() {}

    static Object fromDoubles(double[] values, DType dtype) {
        Object array = dtype.newArray(values.length);
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            switch (array) {
                case float[] a -> a[i] = (float) v;
                case double[] a -> a[i] = v;
                case int[] a -> a[i] = (int) v;
                case long[] a -> a[i] = (long) v;
                case byte[] a -> a[i] = (byte) (v != 0 ? 1 : 0);
                default -> throw new IllegalStateException();
            }
        }
        return array;
    }

    static double[] toDoubles(Object array) {
        return switch (array) {
            case float[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    d[i] = a[i];
                }
                yield d;
            }
            case double[] a -> a.clone();
            case int[] a -> java.util.Arrays.stream(a).asDoubleStream().toArray();
            case long[] a -> java.util.Arrays.stream(a).asDoubleStream().toArray();
            case byte[] a -> {
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    d[i] = a[i];
                }
                yield d;
            }
            default -> throw new IllegalArgumentException("not a host array: " + array.getClass());
        };
    }
}
