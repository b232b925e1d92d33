package io.gasok.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.gasok.spi.Epilogue;
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
}
