package io.gasok.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transcendental loops of the CPU backend: exp and what is built on it ({@link Exp}: sigmoid,
 * SiLU, tanh, the GELUs, float32 erf) and log, over runs of whole vectors
 * ({@code y[yi + i] = f(x[xi + i])} for i in [0, bound), bound a multiple of the lanes; x and y may
 * be the same run), in float and double, built only from the Vector API's exact operations (add,
 * multiply, fma, divide, compare, blend, integer shifts and conversions); and a scalar twin of the
 * float exp, {@link #exp(float)}, that takes the same steps through {@link Math#fma}: the same bits.
 *
 * <p>Why not the Vector API's EXP, LOG and TANH operators: they come from the JDK's vector math
 * library (SVML on x86) once a loop is compiled by C2 and from {@link Math}, lane by lane, in the
 * interpreter, in C1's code and after every deoptimisation, and the two differ in the last bit now
 * and then. So a call gave other bits during warm-up than after it, two identical runs could differ
 * (the TCK's exact layout-invariance check of SILU failed on it by chance), and a scalar tail
 * computed by {@link Math#exp} differed from the lanes beside it. Here every operation is IEEE-exact
 * in the interpreter and in compiled code alike: the same bits whatever the JIT has done, on every
 * CPU. The price is speed against SVML (tools/perf's VectorMathTimes, 2-core Zen 4, AVX-512, the
 * two alternating in one JVM, seven JVMs with the polynomials written out): float exp 0.48-0.60x
 * its speed, SiLU 0.54-0.64x, log 0.63-0.72x, double exp 0.54-0.62x and log 0.66-0.76x; tanh
 * 0.92-1.02x in float and 1.25-1.39x in double. Softmax of 16384×1024 floats
 * (./gasok bench, three runs alternating with SVML's version) lost a quarter on one thread (its
 * ratio to NumPy 2.67-2.78x against 3.09-3.68x) and nothing measurable on two. Intel's
 * SVML on the Xeon of the lent GPU machine is faster still: float exp 0.44x, SiLU 0.57x, tanh 0.60x
 * there (results/xeon-avx512-h100/vectormath-times.txt).
 *
 * <p>Why loops over arrays, one per family, and not a {@code FloatVector exp(FloatVector)}: a vector
 * that crosses a call C2 does not inline is boxed on the heap (tens of KB a call, many times slower),
 * and C2 did not inline such a helper where its caller was large (the GEMM epilogue), nor once the
 * helper had been compiled on its own from C1's calls during warm-up (a trial of that design boxed
 * in GELU and ERF epilogues, float64 LOG and log-softmax). Here only arrays cross calls; the one
 * body of exp is written once, in {@link #exp(Exp, float[], int, float[], int, int)}, and each
 * {@link Exp} kind adds its steps before and after it (a switch on a loop invariant).
 *
 * <p>Methods (the classic ones, as in Cephes and fdlibm):
 * <ul>
 *   <li>exp: x = n·ln 2 + r with n = round(x / ln 2) (the 1.5·2^23 or 1.5·2^52 rounding trick),
 *   r by Cody-Waite in two fmas, |r| ≤ ln 2 / 2; expm1(r) = r + r²·P(r), P the Taylor series of
 *   (e^r - 1 - r)/r² to r^5 (float: next term below 2^-27 relative) or r^11 (double: 2^-57);
 *   exp = (expm1(r) + 1)·2^n, the power of two as 2^⌊n/2⌋·2^(n-⌊n/2⌋), each normal, so that
 *   subnormal results round once. The argument is clamped first (to [-104, 89] in float,
 *   [-746, 710] in double), where exp is 0 or infinite already; NaN stays NaN.
 *   <li>tanh: -t / (2 + t) with t = expm1(-2|x|) = 2^n·expm1(r) + (2^n - 1), and x's sign bit (so
 *   tanh(-0) = -0): no cancellation at small |x|, no inf/inf at large.
 *   <li>sigmoid 1/(1 + exp(-x)), SiLU x/(1 + exp(-x)), GELU (tanh form)
 *   0.5·x·(1 + tanh(u)) as x/(1 + exp(-2u)), u = √(2/π)(x + 0.044715x³), the same function with
 *   no cancellation in 1 + tanh(u) for negative x.
 *   <li>float32 erf (and GELU, x·(1 + erf(x/√2))/2): a fit derived for this class (weighted least
 *   squares with Lawson reweighting towards minimax, against {@code math.erf} in double): |x| &lt; 1
 *   {@code x · P(x²)}, P of degree 6, relative error of the fit 1.2e-9; |x| ≥ 1
 *   {@code ±(1 - exp(Q(t)))}, t = min(|x|, 4) (erf rounds to ±1 in float beyond 3.92), Q of degree 6
 *   fitted to {@code ln erfc(t)}, absolute error of erf 1.0e-9. Evaluated in float with fma, its
 *   error against io.gasok.spi.Erf (the double reference) over [-6, 6] in steps of 2⁻¹⁶ is at most
 *   1.20e-7 absolute (at x = -0.956) and 2.33 ulp of the float result everywhere, measured; well
 *   inside float32's elementwise tolerance 1e-6 + 1e-5·|x|.
 *   <li>log: x = m·2^e with m in [√½, √2) (subnormals scaled by 2^23 or 2^52 first);
 *   log m = 2·atanh(s), s = (m - 1)/(m + 1), |s| ≤ 0.1716, by its series to s^9 (float) or s^19
 *   (double); plus e·ln 2 with ln 2 in a head that e multiplies exactly and a tail. log(0) = -inf,
 *   log(x &lt; 0) = NaN, log(+inf) = +inf.
 * </ul>
 * Accuracy against {@link Math} (VectorMathTest): within two ulp for exp and log, three for tanh.
 * Single-threaded; callers split the work.
 */
final class VectorMath {

    /** What {@link #exp(Exp, float[], int, float[], int, int)} computes around its exp. */
    enum Exp {
        EXP, SIGMOID, SILU, GELU_TANH, TANH,
        /** float32 only. */
        ERF,
        /** float32 only: the exact GELU, x·(1 + erf(x/√2))/2. */
        GELU
    }

    private static final VectorSpecies<Float> FLOATS = CpuVectors.FLOATS;
    private static final VectorSpecies<Double> DOUBLES = CpuVectors.DOUBLES;

    private static final float LOG2E_F = 1.44269504088896341f;
    // ln 2 split for Cody-Waite: n·LN2_HI_F is exact for |n| < 2^15.
    private static final float LN2_HI_F = 0.693359375f;
    private static final float LN2_LO_F = -2.12194440e-4f;
    private static final float ROUND_F = 12582912f; // 1.5·2^23
    private static final int ROUND_F_BITS = Float.floatToRawIntBits(ROUND_F);
    private static final float EXP_MIN_F = -104f;
    private static final float EXP_MAX_F = 89f;
    private static final float SQRT2_F = 1.41421356237309505f;
    private static final float TWO_23 = 8388608f;
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private static final float GELU_TANH_SCALE = (float) (-2 * Math.sqrt(2 / Math.PI));
    private static final float GELU_CUBIC = 0.044715f;

    private static final double LOG2E = 1.44269504088896340736;
    // fdlibm's split of ln 2 (LN2_HI's low 32 bits are zero): n·LN2_HI is exact for every n here.
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double ROUND = 6755399441055744d; // 1.5·2^52
    private static final long ROUND_BITS = Double.doubleToRawLongBits(ROUND);
    private static final double EXP_MIN = -746;
    private static final double EXP_MAX = 710;
    private static final double SQRT2 = 1.41421356237309505;
    private static final double TWO_52 = 4503599627370496d;
    private static final double GELU_TANH_SCALE_64 = -2 * Math.sqrt(2 / Math.PI);
    private static final double GELU_CUBIC_64 = 0.044715;

    // The polynomials are written out, one fma a coefficient, and not a loop over an array of
    // coefficients: with such inner loops (a vector carried through each), C2 compiled the float
    // loop now and then, early and with 128-bit lanes, into code that boxed at every step for good
    // (60-90 bytes a vector: GemmFloat32AllocationTest's SILU, TANH and GELU epilogues failed in
    // about one JVM in four; none in fifty since). Written out they are faster too (double exp by
    // a fifth). Coefficients: exp's P, 1/k! for k = 7 down to 2 (float) and 13 down to 2 (double);
    // log's atanh series, 2/(2k + 1) for k = 4 down to 1 (float) and 9 down to 1 (double); the erf
    // fit below.

    /** erf(x)/x = P(x²) on |x| &lt; 1: the coefficient of (x²)^k is ERF_SMALL_k. */
    private static final float ERF_SMALL_6 = 7.889263360993937e-05f;
    private static final float ERF_SMALL_5 = -0.0008020888199098408f;
    private static final float ERF_SMALL_4 = 0.005189541261643171f;
    private static final float ERF_SMALL_3 = -0.02685444802045822f;
    private static final float ERF_SMALL_2 = 0.11283600330352783f;
    private static final float ERF_SMALL_1 = -0.3761262595653534f;
    private static final float ERF_SMALL_0 = 1.1283791065216064f;
    /** ln erfc(t) = Q(t) on 1 ≤ t ≤ 4: the coefficient of t^k is ERF_LARGE_k. */
    private static final float ERF_LARGE_6 = 0.00018557517614681274f;
    private static final float ERF_LARGE_5 = -0.002939618658274412f;
    private static final float ERF_LARGE_4 = 0.02180536277592182f;
    private static final float ERF_LARGE_3 = -0.10303746163845062f;
    private static final float ERF_LARGE_2 = -0.6382255554199219f;
    private static final float ERF_LARGE_1 = -1.127040147781372f;
    private static final float ERF_LARGE_0 = -0.0003537039738148451f;

    private VectorMath() {
    }

    // ---- float ----

    /** {@code y[yi + i] = kind(x[xi + i])} in float32 for i in [0, bound), bound a multiple of the lanes. */
    static void exp(Exp kind, float[] x, int xi, float[] y, int yi, int bound) {
        exp(kind, x, xi, 0f, y, yi, bound, null, 0);
    }

    /**
     * Softmax's exponentials: {@code y[yi + i] = exp(x[xi + i] - shift)} in float32 for i in
     * [0, bound), and {@code sums[si …]}, one vector, the lane-wise sum of those vectors in order.
     */
    static void expShiftedSum(float[] x, int xi, float shift, float[] y, int yi, int bound, float[] sums, int si) {
        exp(Exp.EXP, x, xi, shift, y, yi, bound, sums, si);
    }

    /** The float32 loop: {@link Exp#EXP} of x - shift, and with {@code sums} their lane-wise sum. */
    private static void exp(Exp kind, float[] x, int xi, float shift, float[] y, int yi, int bound, float[] sums,
                            int si) {
        float erfScale = kind == Exp.GELU ? SQRT_HALF : 1f;
        FloatVector sum = FloatVector.zero(FLOATS);
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            // The argument of exp.
            FloatVector a = switch (kind) {
                case EXP -> v.sub(shift);
                case SIGMOID, SILU -> v.neg();
                case GELU_TANH -> v.add(v.mul(v).mul(v).mul(GELU_CUBIC)).mul(GELU_TANH_SCALE);
                case TANH -> v.abs().mul(-2f);
                case ERF, GELU -> {
                    FloatVector t = v.mul(erfScale).abs().min(4f);
                    FloatVector q = t.fma(ERF_LARGE_6, ERF_LARGE_5);
                    q = q.fma(t, t.broadcast(ERF_LARGE_4));
                    q = q.fma(t, t.broadcast(ERF_LARGE_3));
                    q = q.fma(t, t.broadcast(ERF_LARGE_2));
                    q = q.fma(t, t.broadcast(ERF_LARGE_1));
                    yield q.fma(t, t.broadcast(ERF_LARGE_0));
                }
            };
            // exp(a) = 2^n·(expm1(r) + 1), or for TANH expm1(a) = 2^n·expm1(r) + (2^n - 1).
            FloatVector c = a.max(EXP_MIN_F).min(EXP_MAX_F);
            FloatVector shifted = c.fma(LOG2E_F, ROUND_F);
            FloatVector n = shifted.sub(ROUND_F);
            FloatVector r = n.fma(n.broadcast(-LN2_HI_F), c);
            r = n.fma(n.broadcast(-LN2_LO_F), r);
            FloatVector p = r.fma(1f / 5040, 1f / 720);
            p = p.fma(r, r.broadcast(1f / 120));
            p = p.fma(r, r.broadcast(1f / 24));
            p = p.fma(r, r.broadcast(1f / 6));
            p = p.fma(r, r.broadcast(0.5f));
            FloatVector expm1 = r.mul(r).fma(p, r);
            // n as an integer: n + 1.5·2^23 is exact, and its low mantissa bits hold n (no
            // conversion instruction, which 128-bit lanes of C2 on x86 did not always compile).
            IntVector whole = shifted.reinterpretAsInts().sub(ROUND_F_BITS);
            FloatVector e;
            if (kind == Exp.TANH) {
                // a ≤ 0: n ≥ -126 is exact, and below it the sum rounds to -1 either way.
                FloatVector power = whole.max(-126).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                e = expm1.fma(power, power.sub(1f));
            } else {
                // (expm1 + 1)·2^n with 2^n as two powers of two, each normal, for every n: no
                // branch on the rare lanes where one power would not do (see the class comment).
                IntVector half = whole.lanewise(VectorOperators.ASHR, 1);
                FloatVector low = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                FloatVector high = whole.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
                e = expm1.add(1f).mul(low).mul(high);
            }
            FloatVector out = switch (kind) {
                case EXP -> e;
                case SIGMOID -> FloatVector.broadcast(FLOATS, 1f).div(e.add(1f));
                case SILU, GELU_TANH -> v.div(e.add(1f));
                case TANH -> e.div(e.add(2f)).abs().reinterpretAsInts()
                        .or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
                case ERF, GELU -> {
                    // erf(z), z = x (ERF) or x/√2 (GELU): small |z| by P, large by 1 - e, e = exp(Q).
                    FloatVector z = v.mul(erfScale);
                    FloatVector zz = z.mul(z);
                    FloatVector q = zz.fma(ERF_SMALL_6, ERF_SMALL_5);
                    q = q.fma(zz, zz.broadcast(ERF_SMALL_4));
                    q = q.fma(zz, zz.broadcast(ERF_SMALL_3));
                    q = q.fma(zz, zz.broadcast(ERF_SMALL_2));
                    q = q.fma(zz, zz.broadcast(ERF_SMALL_1));
                    q = q.fma(zz, zz.broadcast(ERF_SMALL_0));
                    FloatVector large = e.neg().add(1f);
                    large = large.blend(large.neg(), z.compare(VectorOperators.LT, 0f));
                    FloatVector erf = q.mul(z).blend(large, z.abs().compare(VectorOperators.GE, 1f));
                    yield kind == Exp.GELU ? erf.add(1f).mul(v.mul(0.5f)) : erf;
                }
            };
            out.intoArray(y, yi + i);
            // Summed for every caller: a vector updated on one path only (if sums != null) is a
            // merge C2 may box (96 bytes a call, seen in a JVM that had run the other tests first).
            sum = sum.add(out);
        }
        if (sums != null) {
            sum.intoArray(sums, si);
        }
    }

    /** The scalar twin of the float32 exp: the same steps, the same bits as a lane of {@link Exp#EXP}. */
    static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_MIN_F), EXP_MAX_F);
        float n = Math.fma(c, LOG2E_F, ROUND_F) - ROUND_F;
        float r = Math.fma(n, -LN2_HI_F, c);
        r = Math.fma(n, -LN2_LO_F, r);
        float p = Math.fma(r, 1f / 5040, 1f / 720);
        p = Math.fma(p, r, 1f / 120);
        p = Math.fma(p, r, 1f / 24);
        p = Math.fma(p, r, 1f / 6);
        p = Math.fma(p, r, 0.5f);
        float expm1 = Math.fma(r * r, p, r);
        int whole = (int) n;
        int half = whole >> 1;
        return (expm1 + 1f) * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((whole - half + 127) << 23);
    }

    /** {@code y[yi + i] = log(x[xi + i])} in float32 for i in [0, bound), bound a multiple of the lanes. */
    static void log(float[] x, int xi, float[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += FLOATS.length()) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xi + i);
            VectorMask<Float> subnormal = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
            IntVector bits = v.blend(v.mul(TWO_23), subnormal).reinterpretAsInts();
            // The biased exponent as a float: its bits added to those of 1.5·2^23, which is then
            // subtracted (exact; no conversion instruction or mask cast, which 128-bit lanes of C2
            // on x86 did not always compile), less the bias and the subnormals' scaling.
            FloatVector ef = bits.lanewise(VectorOperators.LSHR, 23).add(ROUND_F_BITS).reinterpretAsFloats()
                    .sub(ROUND_F + 127);
            ef = ef.blend(ef.sub(23f), subnormal);
            FloatVector m = bits.and(0x007fffff).or(0x3f800000).reinterpretAsFloats();
            VectorMask<Float> high = m.compare(VectorOperators.GT, SQRT2_F);
            m = m.blend(m.mul(0.5f), high);
            ef = ef.blend(ef.add(1f), high);
            FloatVector f = m.sub(1f);
            FloatVector s = f.div(f.add(2f));
            FloatVector z = s.mul(s);
            FloatVector q = z.fma(2f / 9, 2f / 7);
            q = q.fma(z, z.broadcast(2f / 5));
            q = q.fma(z, z.broadcast(2f / 3));
            FloatVector logM = s.mul(z).fma(q, s.add(s));
            ef.fma(ef.broadcast(LN2_HI_F), ef.fma(ef.broadcast(LN2_LO_F), logM))
                    .blend(Float.NaN, v.compare(VectorOperators.LT, 0f))
                    .blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0f))
                    .blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY))
                    .blend(v, v.test(VectorOperators.IS_NAN))
                    .intoArray(y, yi + i);
        }
    }

    // ---- double ----

    /** {@code y[yi + i] = kind(x[xi + i])} in float64 ({@link Exp#ERF} and {@link Exp#GELU} excepted). */
    static void exp(Exp kind, double[] x, int xi, double[] y, int yi, int bound) {
        if (kind == Exp.ERF || kind == Exp.GELU) {
            throw new IllegalArgumentException(kind + " has no float64 vector form");
        }
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            DoubleVector a = switch (kind) {
                case SIGMOID, SILU -> v.neg();
                case GELU_TANH -> v.add(v.mul(v).mul(v).mul(GELU_CUBIC_64)).mul(GELU_TANH_SCALE_64);
                case TANH -> v.abs().mul(-2d);
                default -> v;
            };
            DoubleVector c = a.max(EXP_MIN).min(EXP_MAX);
            DoubleVector shifted = c.fma(LOG2E, ROUND);
            DoubleVector n = shifted.sub(ROUND);
            DoubleVector r = n.fma(n.broadcast(-LN2_HI), c);
            r = n.fma(n.broadcast(-LN2_LO), r);
            DoubleVector p = r.fma(1d / 6227020800L, 1d / 479001600);
            p = p.fma(r, r.broadcast(1d / 39916800));
            p = p.fma(r, r.broadcast(1d / 3628800));
            p = p.fma(r, r.broadcast(1d / 362880));
            p = p.fma(r, r.broadcast(1d / 40320));
            p = p.fma(r, r.broadcast(1d / 5040));
            p = p.fma(r, r.broadcast(1d / 720));
            p = p.fma(r, r.broadcast(1d / 120));
            p = p.fma(r, r.broadcast(1d / 24));
            p = p.fma(r, r.broadcast(1d / 6));
            p = p.fma(r, r.broadcast(0.5));
            DoubleVector expm1 = r.mul(r).fma(p, r);
            // n as an integer: the low bits of n + 1.5·2^52 (no conversion instruction; see the float loop).
            LongVector whole = shifted.reinterpretAsLongs().sub(ROUND_BITS);
            LongVector half = whole.lanewise(VectorOperators.ASHR, 1);
            DoubleVector low = half.add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector high = whole.sub(half).add(1023).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
            DoubleVector e = kind == Exp.TANH ? expm1.mul(low).fma(high, low.mul(high).sub(1d))
                    : expm1.add(1d).mul(low).mul(high);
            DoubleVector out = switch (kind) {
                case SIGMOID -> DoubleVector.broadcast(DOUBLES, 1d).div(e.add(1d));
                case SILU, GELU_TANH -> v.div(e.add(1d));
                case TANH -> e.div(e.add(2d)).abs().reinterpretAsLongs()
                        .or(v.reinterpretAsLongs().and(0x8000000000000000L)).reinterpretAsDoubles();
                default -> e;
            };
            out.intoArray(y, yi + i);
        }
    }

    /** {@code y[yi + i] = log(x[xi + i])} in float64 for i in [0, bound), bound a multiple of the lanes. */
    static void log(double[] x, int xi, double[] y, int yi, int bound) {
        for (int i = 0; i < bound; i += DOUBLES.length()) {
            DoubleVector v = DoubleVector.fromArray(DOUBLES, x, xi + i);
            VectorMask<Double> subnormal = v.compare(VectorOperators.LT, Double.MIN_NORMAL);
            LongVector bits = v.blend(v.mul(TWO_52), subnormal).reinterpretAsLongs();
            DoubleVector ed = bits.lanewise(VectorOperators.LSHR, 52).add(ROUND_BITS).reinterpretAsDoubles()
                    .sub(ROUND + 1023);
            ed = ed.blend(ed.sub(52d), subnormal);
            DoubleVector m = bits.and(0x000fffffffffffffL).or(0x3ff0000000000000L).reinterpretAsDoubles();
            VectorMask<Double> high = m.compare(VectorOperators.GT, SQRT2);
            m = m.blend(m.mul(0.5), high);
            ed = ed.blend(ed.add(1d), high);
            DoubleVector f = m.sub(1d);
            DoubleVector s = f.div(f.add(2d));
            DoubleVector z = s.mul(s);
            DoubleVector q = z.fma(2d / 19, 2d / 17);
            q = q.fma(z, z.broadcast(2d / 15));
            q = q.fma(z, z.broadcast(2d / 13));
            q = q.fma(z, z.broadcast(2d / 11));
            q = q.fma(z, z.broadcast(2d / 9));
            q = q.fma(z, z.broadcast(2d / 7));
            q = q.fma(z, z.broadcast(2d / 5));
            q = q.fma(z, z.broadcast(2d / 3));
            DoubleVector logM = s.mul(z).fma(q, s.add(s));
            ed.fma(ed.broadcast(LN2_HI), ed.fma(ed.broadcast(LN2_LO), logM))
                    .blend(Double.NaN, v.compare(VectorOperators.LT, 0d))
                    .blend(Double.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0d))
                    .blend(Double.POSITIVE_INFINITY, v.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY))
                    .blend(v, v.test(VectorOperators.IS_NAN))
                    .intoArray(y, yi + i);
        }
    }
}
