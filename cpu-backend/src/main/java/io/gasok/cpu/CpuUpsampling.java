package io.gasok.cpu;

import static io.gasok.cpu.EveryOther.EVEN_LANES;
import static io.gasok.cpu.EveryOther.ODD_LANES;

import io.gasok.DType;
import io.gasok.spi.Operand;
import io.gasok.spi.Upsample2dSpec;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Nearest and bilinear resizing of the CPU backend, forward and backward, over contiguous NCHW
 * operands, with {@link Upsample2dSpec}'s coordinate rules; {@code ReferenceUpsampling} is the
 * definition. The source rows and columns (and bilinear weights) are computed once per launch
 * ({@link Taps}); threads take ranges of the N·C planes [p·NC/P, (p+1)·NC/P).
 *
 * <p>Within a plane, FLOAT32, V = {@code SPECIES.length()} lanes:
 * <ul>
 *   <li>nearest ×2 (YOLO's upsample): each input row's V-vector is duplicated lane by lane into two
 *       output vectors by two shuffles and stored to both output rows: one read, four writes;
 *   <li>nearest, other sizes: an output row is a vector gather of the source row by the column
 *       table; an output row with the same source row as the previous one is copied;
 *   <li>bilinear: the two source rows are blended into a scratch row (vector fma), then each output
 *       row gathers that scratch row at the low and high column taps and blends them;
 *   <li>backward of nearest ×2: two gy rows are added and neighbouring lanes summed by even/odd
 *       shuffles.
 * </ul>
 * FLOAT64, vector tails and the other backward cases run scalar, accumulating a plane in double in
 * the reference's (output row-major) order; backward always overwrites gx.
 */
final class CpuUpsampling {
    private CpuUpsampling() {}

    private static final VectorSpecies<Float> SPECIES = CpuVectors.FLOATS;
    private static final int LANES = SPECIES.length();
    private static final VectorShuffle<Float> LOWER_HALF_DOUBLED = VectorShuffle.fromOp(SPECIES, i -> i / 2);
    private static final VectorShuffle<Float> UPPER_HALF_DOUBLED = VectorShuffle.fromOp(SPECIES, i -> LANES / 2 + i / 2);

    /**
     * Per output row or column: the low and high source index and the two weights (for nearest,
     * low = high = the source and weights 1, 0).
     */
    private record Taps(int[] low, int[] high, float[] lowWeight, float[] highWeight, double[] highWeightExact) {
        static Taps of(Upsample2dSpec spec, int in, int out) {
            int[] low = new int[out];
            int[] high = new int[out];
            float[] lowWeight = new float[out];
            float[] highWeight = new float[out];
            double[] exact = new double[out];
            for (int dst = 0; dst < out; dst++) {
                if (spec.mode() == Upsample2dSpec.Mode.NEAREST) {
                    low[dst] = spec.nearestSource(dst, in, out);
                    high[dst] = low[dst];
                } else {
                    double source = spec.bilinearSource(dst, in, out);
                    low[dst] = (int) Math.floor(source);
                    high[dst] = Math.min(low[dst] + 1, in - 1);
                    exact[dst] = source - low[dst];
                }
                highWeight[dst] = (float) exact[dst];
                lowWeight[dst] = (float) (1 - exact[dst]);
            }
            return new Taps(low, high, lowWeight, highWeight, exact);
        }
    }

    private static boolean isNearestDoubling(Upsample2dSpec spec) {
        return spec.mode() == Upsample2dSpec.Mode.NEAREST
                && spec.outHeight() == 2 * spec.inHeight() && spec.outWidth() == 2 * spec.inWidth();
    }

    /** NEAREST: y = x at the source pixel; BILINEAR: the weighted sum of the four taps. */
    static void forward(Upsample2dSpec spec, Operand x, Operand y, WorkerPool pool) {
        CpuPooling.requireContiguous("upsample2d", x, y);
        int planes = spec.batch() * spec.channels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        Taps rows = Taps.of(spec, spec.inHeight(), spec.outHeight());
        Taps cols = Taps.of(spec, spec.inWidth(), spec.outWidth());
        boolean float32 = x.dtype() == DType.FLOAT32;
        Object xArray = CpuBuffer.array(x);
        Object yArray = CpuBuffer.array(y);
        long work = (long) planes * outPlane * (spec.mode() == Upsample2dSpec.Mode.BILINEAR ? 4 : 1);
        CpuReductions.forRanges(planes, work, pool, (from, to) -> {
            float[] blended = new float[spec.inWidth()];
            for (int plane = from; plane < to; plane++) {
                int xPlane = x.offset() + plane * inPlane;
                int yPlane = y.offset() + plane * outPlane;
                if (!float32) {
                    scalarPlane(spec, rows, cols, xArray, xPlane, yArray, yPlane);
                } else if (isNearestDoubling(spec)) {
                    nearestDoublingPlane(spec, (float[]) xArray, xPlane, (float[]) yArray, yPlane);
                } else if (spec.mode() == Upsample2dSpec.Mode.NEAREST) {
                    nearestPlane(spec, rows, cols, (float[]) xArray, xPlane, (float[]) yArray, yPlane);
                } else {
                    bilinearPlane(spec, rows, cols, (float[]) xArray, xPlane, (float[]) yArray, yPlane, blended);
                }
            }
        });
    }

    private static void nearestDoublingPlane(Upsample2dSpec spec, float[] x, int xPlane, float[] y, int yPlane) {
        int width = spec.inWidth();
        int outWidth = spec.outWidth();
        for (int row = 0; row < spec.inHeight(); row++) {
            int from = xPlane + row * width;
            int upper = yPlane + 2 * row * outWidth;
            int lower = upper + outWidth;
            int col = 0;
            for (int bound = SPECIES.loopBound(width); col < bound; col += LANES) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, from + col);
                FloatVector left = v.rearrange(LOWER_HALF_DOUBLED);
                FloatVector right = v.rearrange(UPPER_HALF_DOUBLED);
                left.intoArray(y, upper + 2 * col);
                right.intoArray(y, upper + 2 * col + LANES);
                left.intoArray(y, lower + 2 * col);
                right.intoArray(y, lower + 2 * col + LANES);
            }
            for (; col < width; col++) {
                float value = x[from + col];
                y[upper + 2 * col] = value;
                y[upper + 2 * col + 1] = value;
                y[lower + 2 * col] = value;
                y[lower + 2 * col + 1] = value;
            }
        }
    }

    private static void nearestPlane(Upsample2dSpec spec, Taps rows, Taps cols, float[] x, int xPlane,
                                     float[] y, int yPlane) {
        int outWidth = spec.outWidth();
        int bound = SPECIES.loopBound(outWidth);
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            int yRow = yPlane + oh * outWidth;
            if (oh > 0 && rows.low()[oh] == rows.low()[oh - 1]) {
                System.arraycopy(y, yRow - outWidth, y, yRow, outWidth);
                continue;
            }
            int xRow = xPlane + rows.low()[oh] * spec.inWidth();
            int ow = 0;
            for (; ow < bound; ow += LANES) {
                FloatVector.fromArray(SPECIES, x, xRow, cols.low(), ow).intoArray(y, yRow + ow);
            }
            for (; ow < outWidth; ow++) {
                y[yRow + ow] = x[xRow + cols.low()[ow]];
            }
        }
    }

    private static void bilinearPlane(Upsample2dSpec spec, Taps rows, Taps cols, float[] x, int xPlane,
                                      float[] y, int yPlane, float[] blended) {
        int width = spec.inWidth();
        int outWidth = spec.outWidth();
        int blendBound = SPECIES.loopBound(width);
        int bound = SPECIES.loopBound(outWidth);
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            int lowRow = xPlane + rows.low()[oh] * width;
            int highRow = xPlane + rows.high()[oh] * width;
            float lowWeight = rows.lowWeight()[oh];
            float highWeight = rows.highWeight()[oh];
            int col = 0;
            FloatVector lowWeights = FloatVector.broadcast(SPECIES, lowWeight);
            for (; col < blendBound; col += LANES) {
                FloatVector high = FloatVector.fromArray(SPECIES, x, highRow + col).mul(highWeight);
                FloatVector.fromArray(SPECIES, x, lowRow + col).fma(lowWeights, high).intoArray(blended, col);
            }
            for (; col < width; col++) {
                blended[col] = x[lowRow + col] * lowWeight + x[highRow + col] * highWeight;
            }
            int yRow = yPlane + oh * outWidth;
            int ow = 0;
            for (; ow < bound; ow += LANES) {
                FloatVector high = FloatVector.fromArray(SPECIES, blended, 0, cols.high(), ow)
                        .mul(FloatVector.fromArray(SPECIES, cols.highWeight(), ow));
                FloatVector.fromArray(SPECIES, blended, 0, cols.low(), ow)
                        .fma(FloatVector.fromArray(SPECIES, cols.lowWeight(), ow), high)
                        .intoArray(y, yRow + ow);
            }
            for (; ow < outWidth; ow++) {
                y[yRow + ow] = blended[cols.low()[ow]] * cols.lowWeight()[ow]
                        + blended[cols.high()[ow]] * cols.highWeight()[ow];
            }
        }
    }

    /**
     * Any floating dtype, in double, as the reference computes each output; nearest sampling copies
     * its pixel (blending it with weights 1 and 0 turned ±inf into NaN: inf + 0·inf).
     */
    private static void scalarPlane(Upsample2dSpec spec, Taps rows, Taps cols, Object x, int xPlane,
                                    Object y, int yPlane) {
        int width = spec.inWidth();
        if (spec.mode() == Upsample2dSpec.Mode.NEAREST) {
            for (int oh = 0; oh < spec.outHeight(); oh++) {
                int row = xPlane + rows.low()[oh] * width;
                for (int ow = 0; ow < spec.outWidth(); ow++) {
                    CpuReductions.writeDouble(y, yPlane + oh * spec.outWidth() + ow,
                            CpuReductions.readDouble(x, row + cols.low()[ow]));
                }
            }
            return;
        }
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            double rowHigh = rows.highWeightExact()[oh];
            int lowRow = xPlane + rows.low()[oh] * width;
            int highRow = xPlane + rows.high()[oh] * width;
            for (int ow = 0; ow < spec.outWidth(); ow++) {
                double colHigh = cols.highWeightExact()[ow];
                int low = cols.low()[ow];
                int high = cols.high()[ow];
                double value = (1 - rowHigh) * ((1 - colHigh) * CpuReductions.readDouble(x, lowRow + low)
                                + colHigh * CpuReductions.readDouble(x, lowRow + high))
                        + rowHigh * ((1 - colHigh) * CpuReductions.readDouble(x, highRow + low)
                                + colHigh * CpuReductions.readDouble(x, highRow + high));
                CpuReductions.writeDouble(y, yPlane + oh * spec.outWidth() + ow, value);
            }
        }
    }

    /**
     * The adjoint of {@link #forward}: each gy is added to the input pixels it was read from, with
     * the same weights. Overwrites gx.
     */
    static void backward(Upsample2dSpec spec, Operand gy, Operand gx, WorkerPool pool) {
        CpuPooling.requireContiguous("upsample2dBackward", gy, gx);
        int planes = spec.batch() * spec.channels();
        int inPlane = spec.inHeight() * spec.inWidth();
        int outPlane = spec.outHeight() * spec.outWidth();
        Taps rows = Taps.of(spec, spec.inHeight(), spec.outHeight());
        Taps cols = Taps.of(spec, spec.inWidth(), spec.outWidth());
        boolean doublingFloat32 = gy.dtype() == DType.FLOAT32 && isNearestDoubling(spec);
        Object gyArray = CpuBuffer.array(gy);
        Object gxArray = CpuBuffer.array(gx);
        long work = (long) planes * outPlane * (spec.mode() == Upsample2dSpec.Mode.BILINEAR ? 4 : 1);
        CpuReductions.forRanges(planes, work, pool, (from, to) -> {
            double[] gradient = doublingFloat32 ? null : new double[inPlane];
            for (int plane = from; plane < to; plane++) {
                int gyPlane = gy.offset() + plane * outPlane;
                int gxPlane = gx.offset() + plane * inPlane;
                if (doublingFloat32) {
                    nearestDoublingBackwardPlane(spec, (float[]) gyArray, gyPlane, (float[]) gxArray, gxPlane);
                } else {
                    scalarBackwardPlane(spec, rows, cols, gyArray, gyPlane, gradient);
                    for (int i = 0; i < inPlane; i++) {
                        CpuReductions.writeDouble(gxArray, gxPlane + i, gradient[i]);
                    }
                }
            }
        });
    }

    /** gx[r, c] = (gy[2r, 2c] + gy[2r+1, 2c]) + (gy[2r, 2c+1] + gy[2r+1, 2c+1]). */
    private static void nearestDoublingBackwardPlane(Upsample2dSpec spec, float[] gy, int gyPlane,
                                                     float[] gx, int gxPlane) {
        int width = spec.inWidth();
        int outWidth = spec.outWidth();
        for (int row = 0; row < spec.inHeight(); row++) {
            int upper = gyPlane + 2 * row * outWidth;
            int lower = upper + outWidth;
            int to = gxPlane + row * width;
            int col = 0;
            for (int bound = SPECIES.loopBound(width); col < bound; col += LANES) {
                FloatVector left = FloatVector.fromArray(SPECIES, gy, upper + 2 * col)
                        .add(FloatVector.fromArray(SPECIES, gy, lower + 2 * col));
                FloatVector right = FloatVector.fromArray(SPECIES, gy, upper + 2 * col + LANES)
                        .add(FloatVector.fromArray(SPECIES, gy, lower + 2 * col + LANES));
                left.rearrange(EVEN_LANES, right).add(left.rearrange(ODD_LANES, right)).intoArray(gx, to + col);
            }
            for (; col < width; col++) {
                gx[to + col] = (gy[upper + 2 * col] + gy[lower + 2 * col])
                        + (gy[upper + 2 * col + 1] + gy[lower + 2 * col + 1]);
            }
        }
    }

    private static void scalarBackwardPlane(Upsample2dSpec spec, Taps rows, Taps cols, Object gy, int gyPlane,
                                            double[] gradient) {
        java.util.Arrays.fill(gradient, 0);
        int width = spec.inWidth();
        boolean nearest = spec.mode() == Upsample2dSpec.Mode.NEAREST;
        for (int oh = 0; oh < spec.outHeight(); oh++) {
            double rowHigh = rows.highWeightExact()[oh];
            int lowRow = rows.low()[oh] * width;
            int highRow = rows.high()[oh] * width;
            for (int ow = 0; ow < spec.outWidth(); ow++) {
                double g = CpuReductions.readDouble(gy, gyPlane + oh * spec.outWidth() + ow);
                int low = cols.low()[ow];
                if (nearest) {
                    gradient[lowRow + low] += g;
                    continue;
                }
                double colHigh = cols.highWeightExact()[ow];
                int high = cols.high()[ow];
                gradient[lowRow + low] += g * (1 - rowHigh) * (1 - colHigh);
                gradient[lowRow + high] += g * (1 - rowHigh) * colHigh;
                gradient[highRow + low] += g * rowHigh * (1 - colHigh);
                gradient[highRow + high] += g * rowHigh * colHigh;
            }
        }
    }
}
