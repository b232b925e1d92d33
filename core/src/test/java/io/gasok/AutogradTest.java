package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The graph, the backward pass, grad modes, the version counter and user-defined {@link Function}s. */
@ExtendWith(NoLeaks.class)
class AutogradTest {

    private static Function softplus() {
        return new Function("softplus") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.save(in[0]);
                return in[0].exp().add(1).log();
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                return new Tensor[] {gradOutput.mul(ctx.saved(0).sigmoid())};
            }
        };
    }

    private static Function identity() {
        return new Function("identity") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0];
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                return new Tensor[] {gradOutput};
            }
        };
    }

    @Test
    void gradientsAccumulateAcrossTwoBackwardCalls() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, -2, 3}).requiresGrad(true);
            x.mul(3).sum().backward();
            assertArrayEquals(new double[] {3, 3, 3}, x.grad().toDoubleArray());
            x.mul(x).sum().backward();
            assertArrayEquals(new double[] {5, -1, 9}, x.grad().toDoubleArray());
        }
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothGradients() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, -2, 3}).requiresGrad(true);
            x.mul(x).sum().backward();
            assertArrayEquals(new double[] {2, -4, 6}, x.grad().toDoubleArray());
        }
    }

    @Test
    void anIntermediateUsedByTwoBranchesGetsBothGradients() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {0.5, 2}).requiresGrad(true);
            Tensor h = x.mul(2);
            h.exp().add(h.mul(h)).sum().backward();
            // d/dx [exp(2x) + 4x²] = 2 exp(2x) + 8x
            assertArrayEquals(new double[] {2 * Math.exp(1) + 4, 2 * Math.exp(4) + 16}, x.grad().toDoubleArray(),
                    1e-12);
            assertNull(h.grad(), "intermediate tensors keep no gradient");
            assertFalse(h.isLeaf());
        }
    }

    @Test
    void backwardWithAnExplicitGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
            x.mul(2).backward(Tensor.of(new double[] {1, 0, -1, 0.5}, 2, 2));
            assertArrayEquals(new double[] {2, 0, -2, 1}, x.grad().toDoubleArray());
            Tensor y = x.mul(2);
            assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(DType.FLOAT64, 4)));
        }
    }

    @Test
    void backwardOnALeafAccumulatesTheSeed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            x.backward(Tensor.of(new double[] {3, 4}));
            assertArrayEquals(new double[] {3, 4}, x.grad().toDoubleArray());
        }
    }

    @Test
    void noGradRecordsNothingAndRestoresTheMode() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            assertTrue(Autograd.isGradEnabled());
            Tensor y;
            try (Autograd.GradMode off = Autograd.noGrad()) {
                assertFalse(Autograd.isGradEnabled());
                y = x.mul(2).exp().sum();
                try (Autograd.GradMode on = Autograd.enableGrad()) {
                    assertTrue(x.mul(2).requiresGrad(), "enableGrad inside noGrad records again");
                }
                assertFalse(Autograd.isGradEnabled());
            }
            assertTrue(Autograd.isGradEnabled());
            assertFalse(y.requiresGrad());
            assertTrue(y.isLeaf());
            Tensor z = y;
            assertThrows(IllegalStateException.class, z::backward);
            assertNull(x.grad());
        }
    }

    @Test
    void resultsOfOpsOnTensorsNotRequiringGradDoNotRequireGrad() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new double[] {1, 2});
            Tensor b = a.mul(a).exp();
            assertFalse(b.requiresGrad());
            assertTrue(b.isLeaf());
            Tensor c = a.add(Tensor.of(new double[] {1, 2}).requiresGrad(true));
            assertTrue(c.requiresGrad());
            assertFalse(c.isLeaf());
        }
    }

    @Test
    void detachSharesStorageButLeavesTheGraph() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor y = x.mul(3);
            Tensor d = y.detach();
            assertFalse(d.requiresGrad());
            assertTrue(d.isLeaf());
            assertArrayEquals(new double[] {3, 6}, d.toDoubleArray());
            d.fill(7);
            assertArrayEquals(new double[] {7, 7}, y.toDoubleArray(), "a detached view shares storage");
        }
    }

    @Test
    void requiresGradOnAnIntegerTensorIsRejected() {
        try (Scope s = Scope.open()) {
            Tensor i = Tensor.of(new int[] {1, 2});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> i.requiresGrad(true));
            assertTrue(e.getMessage().contains("int32"), e.getMessage());
            Tensor b = Tensor.of(new boolean[] {true});
            assertThrows(IllegalArgumentException.class, () -> b.requiresGrad(true));
            assertFalse(i.requiresGrad());
        }
    }

    @Test
    void requiresGradFalseOnAComputedTensorIsRejected() {
        try (Scope s = Scope.open()) {
            Tensor y = Tensor.of(new double[] {1}).requiresGrad(true).mul(2);
            assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
        }
    }

    @Test
    void backwardTwiceThroughTheSameGraphIsAClearError() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor loss = x.mul(x).sum();
            loss.backward();
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().contains("already freed"), e.getMessage());
            assertArrayEquals(new double[] {2, 4}, x.grad().toDoubleArray(), "the failed backward added nothing");
        }
    }

    @Test
    void backwardThroughAPartlyFreedGraphIsAnError() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor h = x.exp();
            h.sum().backward();
            Tensor second = h.mul(2).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, second::backward);
            assertTrue(e.getMessage().contains("already freed"), e.getMessage());
        }
    }

    @Test
    void backwardWithoutGradientOnANonScalarIsAnError() {
        try (Scope s = Scope.open()) {
            Tensor y = Tensor.of(new double[] {1, 2}).requiresGrad(true).mul(2);
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("single-element"), e.getMessage());
            assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        }
    }

    @Test
    void modifyingASavedTensorInPlaceIsCaughtAtBackward() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {3, 4});
            Tensor y = x.mul(b);
            b.addInPlace(Tensor.ones(DType.FLOAT64, 2));
            Tensor loss = y.sum();
            RuntimeException e = assertThrows(RuntimeException.class, loss::backward);
            assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
        }
    }

    @Test
    void modifyingASavedLeafInPlaceUnderNoGradIsCaughtAtBackward() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor loss = x.log().sum();
            try (Autograd.GradMode off = Autograd.noGrad()) {
                x.mulInPlace(2);
            }
            RuntimeException e = assertThrows(RuntimeException.class, loss::backward);
            assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
        }
    }

    @Test
    void modifyingAViewOfASavedTensorIsCaughtToo() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {3, 4, 5, 6}, 2, 2);
            Tensor y = x.mul(b);
            b.select(0, 1).fill(0);
            Tensor loss = y.sum();
            RuntimeException e = assertThrows(RuntimeException.class, loss::backward);
            assertTrue(e.getMessage().contains("modified in place"), e.getMessage());
        }
    }

    @Test
    void anInPlaceChangeOfATensorNotSavedIsAllowed() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {3, 4});
            Tensor y = x.add(b);
            b.fill(100);
            y.sum().backward();
            assertArrayEquals(new double[] {1, 1}, x.grad().toDoubleArray());
        }
    }

    @Test
    void customFunctionMatchesFiniteDifferencesAndTheComposite() {
        try (Scope s = Scope.open()) {
            Function softplus = softplus();
            Tensor values = Tensor.of(new double[] {-2, -0.5, 0.25, 1.5, 3, 0.1}, 2, 3);
            GradCheck.check(in -> softplus.apply(in[0]), values);

            Tensor x = values.copy().requiresGrad(true);
            Tensor custom = softplus.apply(x);
            assertFalse(custom.isLeaf());
            custom.sum().backward();
            Tensor viaFunction = x.grad();
            Tensor z = values.copy().requiresGrad(true);
            Tensor composite = z.exp().add(1).log();
            assertArrayEquals(composite.toDoubleArray(), custom.toDoubleArray(), 1e-15);
            composite.sum().backward();
            assertArrayEquals(z.grad().toDoubleArray(), viaFunction.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void customFunctionRecordsNothingUnderNoGrad() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1}).requiresGrad(true);
            try (Autograd.GradMode off = Autograd.noGrad()) {
                assertFalse(softplus().apply(x).requiresGrad());
            }
        }
    }

    @Test
    void functionReturningItsInputDoesNotCorruptTheInputsGraph() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor a = x.mul(2);
            Tensor b = identity().apply(a);
            assertNotSame(a, b);
            assertFalse(a.isLeaf());
            a.add(b.mul(3)).sum().backward();
            assertArrayEquals(new double[] {8, 8}, x.grad().toDoubleArray());

            Tensor leaf = Tensor.of(new double[] {5}).requiresGrad(true);
            Tensor same = identity().apply(leaf);
            assertNotSame(leaf, same);
            assertTrue(leaf.isLeaf());
            same.mul(4).sum().backward();
            assertArrayEquals(new double[] {4}, leaf.grad().toDoubleArray());
        }
    }

    @Test
    void zeroGradForgetsTheGradient() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            x.mul(5).sum().backward();
            assertArrayEquals(new double[] {5, 5}, x.grad().toDoubleArray());
            Tensor old = x.grad();
            x.zeroGrad();
            assertNull(x.grad());
            assertTrue(old.isClosed());
            x.mul(2).sum().backward();
            assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
            x.zeroGrad();
            x.zeroGrad();
            assertNull(x.grad());
        }
    }

    @Test
    void theGradientOfALeafHasItsShapeAndDtypeAndNoGraph() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            x.sum().backward();
            Tensor g = x.grad();
            assertEquals(DType.FLOAT32, g.dtype());
            assertArrayEquals(new int[] {2, 3}, g.shape());
            assertFalse(g.requiresGrad());
            assertTrue(x.isLeaf());
            assertSame(g, x.grad());
        }
    }

    @Test
    void gradientsFlowOnlyToInputsThatRequireThem() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor c = Tensor.of(new double[] {3, 4});
            x.mul(c).add(c).sum().backward();
            assertArrayEquals(new double[] {3, 4}, x.grad().toDoubleArray());
            assertNull(c.grad());
        }
    }

    @Test
    void aDeepChainDoesNotOverflowTheStack() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new double[] {1}).requiresGrad(true);
            Tensor y = x;
            for (int i = 0; i < 5000; i++) {
                y = y.add(1);
            }
            y.sum().backward();
            assertArrayEquals(new double[] {1}, x.grad().toDoubleArray());
        }
    }

    @Test
    void aGradientHandedToTwoLeavesIsNotSharedBetweenThem() {
        Function both = new Function("both") {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                return in[0].add(in[1]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor gradOutput) {
                Tensor g = gradOutput.mul(1);
                return new Tensor[] {g, g};
            }
        };
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.of(new double[] {1, 2}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {3, 4}).requiresGrad(true);
            both.apply(a, b).sum().backward();
            assertNotSame(a.grad(), b.grad());
            a.mul(5).sum().backward();
            assertArrayEquals(new double[] {6, 6}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {1, 1}, b.grad().toDoubleArray());
        }
    }

    @Test
    void aLeafGradientThatIsAViewOrStillPendingIsCopied() {
        try (Scope scope = Scope.open()) {
            Tensor a = Tensor.of(new double[] {1, 2, 3, 4}).requiresGrad(true);
            Tensor b = Tensor.of(new double[] {1, 1}).requiresGrad(true);
            Tensor y = a.reshape(2, 2).mul(b);
            y.sum().backward();
            assertArrayEquals(new double[] {1, 1, 1, 1}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {4, 6}, b.grad().toDoubleArray());
            Tensor keptGrad = a.grad();
            a.mul(2).sum().backward();
            assertSame(keptGrad, a.grad());
            assertArrayEquals(new double[] {3, 3, 3, 3}, a.grad().toDoubleArray());
            assertArrayEquals(new double[] {4, 6}, b.grad().toDoubleArray());
        }
    }
}
