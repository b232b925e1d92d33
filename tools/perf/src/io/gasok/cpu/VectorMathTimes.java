package io.gasok.cpu;

import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorMath}'s loops (exp, log, tanh, SiLU, in float and double) against the same loops on
 * the Vector API's EXP, LOG and TANH operators (the JDK's vector math library once compiled: SVML on
 * x86), the two alternating in one JVM over 16K values (N(0, 16); log of their absolute values),
 * 200 calls a round; prints ns per element, the operator's and VectorMath's, and the ratio (above 1,
 * VectorMath is faster), for the last three of eight rounds. VectorMath's class comment quotes it.
 * Build and run (JAVA_HOME a JDK 25, after ./mvnw -q install -DskipTests):
 * <pre>
 *   cp=core/target/gasok-core-0.1.0-SNAPSHOT.jar:cpu-backend/target/gasok-cpu-0.1.0-SNAPSHOT.jar
 *   $JAVA_HOME/bin/javac --add-modules jdk.incubator.vector -cp $cp -d target/perf/math \
 *       tools/perf/src/io/gasok/cpu/VectorMathTimes.java
 *   $JAVA_HOME/bin/java --add-modules jdk.incubator.vector -cp target/perf/math:$cp io.gasok.cpu.VectorMathTimes
 * </pre>
 * (In package io.gasok.cpu to reach VectorMath.)
 */
public final class VectorMathTimes {
    private static final VectorSpecies<Float> F = CpuVectors.FLOATS;
    private static final VectorSpecies<Double> D = CpuVectors.DOUBLES;
    private static final int N = 1 << 14;
    private static final float[] X = new float[N];
    private static final float[] ABS = new float[N];
    private static final float[] Y = new float[N];
    private static final double[] DX = new double[N];
    private static final double[] DABS = new double[N];
    private static final double[] DY = new double[N];

    private VectorMathTimes() {
    }

    public static void main(String[] args) {
        Random random = new Random(1);
        for (int i = 0; i < N; i++) {
            X[i] = (float) (random.nextGaussian() * 4);
            ABS[i] = Math.abs(X[i]);
            DX[i] = X[i];
            DABS[i] = ABS[i];
        }
        String[] names = {"exp", "log", "tanh", "silu", "double exp", "double log", "double tanh"};
        Runnable[] operators = {VectorMathTimes::operatorExp, VectorMathTimes::operatorLog,
            VectorMathTimes::operatorTanh, VectorMathTimes::operatorSilu, VectorMathTimes::operatorExpDouble,
            VectorMathTimes::operatorLogDouble, VectorMathTimes::operatorTanhDouble};
        Runnable[] polynomials = {
            () -> VectorMath.exp(VectorMath.Exp.EXP, X, 0, Y, 0, N),
            () -> VectorMath.log(ABS, 0, Y, 0, N),
            () -> VectorMath.exp(VectorMath.Exp.TANH, X, 0, Y, 0, N),
            () -> VectorMath.exp(VectorMath.Exp.SILU, X, 0, Y, 0, N),
            () -> VectorMath.exp(VectorMath.Exp.EXP, DX, 0, DY, 0, N),
            () -> VectorMath.log(DABS, 0, DY, 0, N),
            () -> VectorMath.exp(VectorMath.Exp.TANH, DX, 0, DY, 0, N)};
        int calls = 200;
        for (int round = 0; round < 8; round++) {
            StringBuilder line = new StringBuilder("ns/element, operator/VectorMath:");
            for (int op = 0; op < names.length; op++) {
                long operatorTime = 0;
                long mathTime = 0;
                for (int call = 0; call < calls; call++) {
                    long t0 = System.nanoTime();
                    operators[op].run();
                    long t1 = System.nanoTime();
                    polynomials[op].run();
                    long t2 = System.nanoTime();
                    operatorTime += t1 - t0;
                    mathTime += t2 - t1;
                }
                line.append(String.format("  %s %.2f/%.2f (%.2fx)", names[op], operatorTime / (double) calls / N,
                        mathTime / (double) calls / N, (double) operatorTime / mathTime));
            }
            if (round >= 5) {
                System.out.println(line);
            }
        }
    }

    private static void operatorExp() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector.fromArray(F, X, i).lanewise(VectorOperators.EXP).intoArray(Y, i);
        }
    }

    private static void operatorLog() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector.fromArray(F, ABS, i).lanewise(VectorOperators.LOG).intoArray(Y, i);
        }
    }

    private static void operatorTanh() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector.fromArray(F, X, i).lanewise(VectorOperators.TANH).intoArray(Y, i);
        }
    }

    private static void operatorSilu() {
        for (int i = 0; i < N; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, X, i);
            v.div(v.neg().lanewise(VectorOperators.EXP).add(1f)).intoArray(Y, i);
        }
    }

    private static void operatorExpDouble() {
        for (int i = 0; i < N; i += D.length()) {
            DoubleVector.fromArray(D, DX, i).lanewise(VectorOperators.EXP).intoArray(DY, i);
        }
    }

    private static void operatorLogDouble() {
        for (int i = 0; i < N; i += D.length()) {
            DoubleVector.fromArray(D, DABS, i).lanewise(VectorOperators.LOG).intoArray(DY, i);
        }
    }

    private static void operatorTanhDouble() {
        for (int i = 0; i < N; i += D.length()) {
            DoubleVector.fromArray(D, DX, i).lanewise(VectorOperators.TANH).intoArray(DY, i);
        }
    }
}
