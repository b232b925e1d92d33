package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.spi.Epilogue;
import io.gasok.spi.GemmSpec;
import io.gasok.spi.UnaryOp;
import org.junit.jupiter.api.Test;

class GemmFloat64Test {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);

    @Test
    void matchesTheReferenceAtEdgeSizesForEveryTransposeCombination() {
        int[][] sizes = {{1, 1, 1}, {5, 63, 64}, {65, 5, 97}, {97, 65, 5}, {3, 1, 1025}, {1025, 9, 7}, {8, 513, 20}};
        for (int[] mnk : sizes) {
            for (int transposes = 0; transposes < 4; transposes++) {
                GemmTestCase problem = GemmTestCase.dense(mnk[0] + transposes, 1, mnk[0], mnk[1], mnk[2],
                        (transposes & 1) != 0, (transposes & 2) != 0, Epilogue.NONE);
                problem.check(problem.runFloat64(TWO_THREADS), Math.ulp(1.0));
            }
        }
    }

    @Test
    void appliesTheEpilogueWithPaddedSharedOperandsAndNeverReadsCWhenBetaIsZero() {
        for (Epilogue epilogue : new Epilogue[] {new Epilogue(-0.5, 1.5, UnaryOp.TANH, 0),
                Epilogue.activation(UnaryOp.LEAKY_RELU, 0.2)}) {
            GemmTestCase problem = GemmTestCase.builder(3, 3, 70, 30, 50)
                    .transpose(true, true)
                    .shared(true, false)
                    .padded(2)
                    .withBias()
                    .epilogue(epilogue)
                    .build();
            problem.check(problem.runFloat64(TWO_THREADS), Math.ulp(1.0));
        }
    }

    @Test
    void givesBitwiseIdenticalResultsForOneAndTwoThreads() {
        GemmTestCase problem = GemmTestCase.builder(4, 2, 130, 70, 90).withBias().build();
        double[] serial = problem.runFloat64(ONE_THREAD);
        assertArrayEquals(serial, problem.runFloat64(TWO_THREADS));
        assertArrayEquals(serial, problem.runFloat64(TWO_THREADS));
        problem.check(serial, Math.ulp(1.0));
    }

    /** A null epilogue is Epilogue.NONE, as GemmSpec says (it threw a NullPointerException). */
    @Test
    void takesANullEpilogueAsNone() {
        double[] a = {1, 2, 3, 4, 5, 6};
        double[] b = {0.5, -1, 2, 0.25, 3, -2};
        double[] c = new double[4];
        GemmFloat64.gemm(new GemmSpec(1, 2, 2, 3, false, false, null), a, GemmLayout.rowMajor(0, 2, 3), b,
                GemmLayout.rowMajor(0, 3, 2), c, GemmLayout.rowMajor(0, 2, 2), null, 0, ONE_THREAD);
        assertArrayEquals(new double[] {13.5, -6.5, 30, -14.75}, c);
    }

    /**
     * B is copied a strip of columns at a time, not whole: a broadcast B (row stride 0) of 46341 ×
     * 46341 fits in n doubles, and a copy of all of it overflowed an int index (and would need 17 GB).
     */
    @Test
    void multipliesABroadcastBWhoseCopyWouldOverflowAnIntIndex() {
        int n = 46341;
        int k = 46341;
        double[] a = new double[k];
        java.util.Arrays.fill(a, 1);
        double[] b = new double[n];
        for (int j = 0; j < n; j++) {
            b[j] = j % 3 - 1;
        }
        double[] c = new double[n];
        GemmFloat64.gemm(new GemmSpec(1, 1, n, k, false, false, Epilogue.NONE), a, GemmLayout.rowMajor(0, 1, k),
                b, new GemmLayout(0, 0, 1, 0), c, GemmLayout.rowMajor(0, 1, n), null, 0, TWO_THREADS);
        for (int j = 0; j < n; j++) {
            if (c[j] != (double) k * b[j]) {
                throw new AssertionError("C[" + j + "] = " + c[j] + ", not " + (double) k * b[j]);
            }
        }
    }
}
