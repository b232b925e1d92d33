package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tensor lifetimes: scopes free what they own, keep() moves out, views share, backward frees its temporaries. */
@ExtendWith(NoLeaks.class)
class ScopeTest {

    private static long live() {
        return Device.reference().liveBuffers();
    }

    @Test
    void tensorsCreatedInAScopeAreFreedWhenItCloses() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor a;
            Tensor b;
            Tensor c;
            try (Scope inner = Scope.open()) {
                assertSame(inner, Scope.current());
                a = Tensor.zeros(3);
                b = Tensor.ones(2, 2);
                c = a.add(1);
                assertEquals(before + 3, live());
                assertEquals(3, inner.size());
            }
            assertSame(s, Scope.current());
            assertEquals(before, live());
            assertTrue(a.isClosed() && b.isClosed() && c.isClosed());
        }
    }

    @Test
    void keepMovesATensorToTheEnclosingScope() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor kept;
            Tensor dropped;
            try (Scope outer = Scope.open()) {
                try (Scope inner = Scope.open()) {
                    dropped = Tensor.zeros(2);
                    kept = inner.keep(Tensor.of(new float[] {1, 2, 3}).mul(2));
                    assertEquals(2, inner.size(), "the zeros and the temporary of() stay behind");
                }
                assertTrue(dropped.isClosed());
                assertFalse(kept.isClosed());
                assertEquals(before + 1, live());
                assertEquals(1, outer.size());
                assertEquals(12.0, kept.sum().item(), "still usable after the inner scope closed");
            }
            assertTrue(kept.isClosed());
            assertEquals(before, live());
        }
    }

    @Test
    void keepOfSeveralTensorsAndOfATensorOwnedElsewhere() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor outerTensor = Tensor.zeros(1);
            Tensor a;
            Tensor b;
            try (Scope inner = Scope.open()) {
                a = Tensor.zeros(1);
                b = Tensor.zeros(1);
                inner.keep(a, b);
                assertSame(outerTensor, inner.keep(outerTensor), "keeping a tensor of another scope is a no-op");
            }
            assertFalse(a.isClosed() || b.isClosed() || outerTensor.isClosed());
            assertEquals(before + 3, live());
        }
    }

    @Test
    void keepAtTheOutermostScopeHandsTheTensorToTheCaller() {
        try (Scope s = Scope.open()) {
            long before = live();
            AtomicReference<Tensor> escaped = new AtomicReference<>();
            // a fresh thread has no scope open: its outermost scope's keep() leaves the tensor unowned
            Thread worker = new Thread(() -> {
                try (Scope only = Scope.open()) {
                    escaped.set(only.keep(Tensor.zeros(Device.reference(), DType.FLOAT32, 2)));
                }
            });
            worker.start();
            joinQuietly(worker);
            Tensor t = escaped.get();
            assertFalse(t.isClosed());
            assertEquals(before + 1, live());
            t.close();
            assertEquals(before, live());
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void nestedScopesMustCloseInReverseOrder() {
        try (Scope s = Scope.open()) {
            long before = live();
            Scope outer = Scope.open();
            Tensor inOuter = Tensor.zeros(1);
            Scope inner = Scope.open();
            Tensor inInner = Tensor.zeros(1);
            IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
            assertTrue(e.getMessage().contains("reverse order"), e.getMessage());
            assertFalse(inOuter.isClosed(), "a refused close frees nothing");
            assertSame(inner, Scope.current());
            inner.close();
            assertTrue(inInner.isClosed());
            outer.close();
            assertTrue(inOuter.isClosed());
            outer.close();
            assertSame(s, Scope.current());
            assertEquals(before, live());
        }
    }

    @Test
    void aScopeClosedOnAnotherThreadIsRefused() {
        try (Scope s = Scope.open()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    s.close();
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            other.start();
            joinQuietly(other);
            assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
            assertTrue(thrown.get().getMessage().contains("thread"), thrown.get().getMessage());
            assertSame(s, Scope.current());
        }
    }

    @Test
    void viewsKeepTheStorageAliveUntilTheLastCloses() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor base = Tensor.of(new float[] {1, 2, 3, 4});
            Tensor view = base.slice(0, 1, 3);
            Tensor reshaped = base.reshape(2, 2);
            assertEquals(before + 1, live(), "views allocate nothing");
            base.close();
            assertEquals(before + 1, live());
            assertArrayEquals(new float[] {2, 3}, view.toFloatArray());
            view.close();
            assertEquals(before + 1, live());
            assertArrayEquals(new float[] {1, 2, 3, 4}, reshaped.toFloatArray());
            reshaped.close();
            assertEquals(before, live());
        }
    }

    @Test
    void aViewKeptOutOfAScopeKeepsItsStorage() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor view;
            try (Scope inner = Scope.open()) {
                Tensor base = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
                view = inner.keep(base.t());
            }
            assertEquals(before + 1, live());
            assertArrayEquals(new double[] {1, 3, 2, 4}, view.toDoubleArray());
            view.close();
            assertEquals(before, live());
        }
    }

    @Test
    void closingATensorTwiceIsHarmless() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor t = Tensor.zeros(4);
            Tensor view = t.slice(0, 0, 2);
            t.close();
            t.close();
            assertTrue(t.isClosed());
            assertFalse(view.isClosed());
            assertEquals(before + 1, live(), "a second close must not release the view's reference");
            view.close();
            view.close();
            assertEquals(before, live());
        }
    }

    @Test
    void backwardFreesItsIntermediateGradients() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0.5, -1, 2}).requiresGrad(true);
            Tensor w = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor loss = x.mul(w).tanh().sum(new int[] {1}, false).exp().mean();
            long before = live();
            loss.backward();
            assertEquals(before + 2, live(), "only the two leaf gradients remain");
            loss = x.mul(w).tanh().sum(new int[] {1}, false).exp().mean();
            before = live();
            loss.backward();
            assertEquals(before, live(), "a second backward accumulates into the existing gradients");
        }
    }

    @Test
    void backwardInsideNestedScopesLeavesTheGradientsOwnedByTheirLeaves() {
        try (Scope s = Scope.open()) {
            long before = live();
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            try (Scope step = Scope.open()) {
                x.mul(x).sum().backward();
            }
            assertFalse(x.grad().isClosed(), "a leaf's gradient outlives the scope of the backward");
            assertArrayEquals(new float[] {2, 4}, x.grad().toFloatArray());
            assertEquals(before + 2, live());
            Tensor grad = x.grad();
            x.close();
            assertTrue(grad.isClosed(), "closing a leaf frees its gradient");
            assertNull(x.grad());
            assertEquals(before, live());
        }
    }

    @Test
    void zeroGradFreesTheGradientBuffer() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            Tensor loss = x.sum();
            long before = live();
            loss.backward();
            assertEquals(before + 1, live());
            x.zeroGrad();
            assertEquals(before, live());
        }
    }

    @Test
    void noLeaksAreReportedByTheCleaner() throws InterruptedException {
        long reported = settledLeakCount();
        for (int i = 0; i < 50; i++) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.of(new double[] {1, 2, 3}).requiresGrad(true);
                x.mul(x).exp().sum().backward();
                Tensor kept;
                try (Scope inner = Scope.open()) {
                    kept = inner.keep(x.slice(0, 0, 2).contiguous().add(1));
                }
                kept.sum();
            }
        }
        assertEquals(reported, settledLeakCount(), "tensors were garbage-collected without being closed");
    }

    /** The leak count once the garbage collector and the Cleaner have run. */
    private static long settledLeakCount() throws InterruptedException {
        long count = Scope.leaksReported();
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            count = Scope.leaksReported();
        }
        return count;
    }
}
