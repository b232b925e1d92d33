package io.gasok;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Creation, dtypes and promotion, reading values back, printing, views and the semantics decided
 * once (DESIGN §4): Python's sign rule for integer division, first index on ties, NaN propagation,
 * exact and tanh GELU, the variance correction.
 */
@ExtendWith(NoLeaks.class)
class TensorTest {

    // ------------------------------------------------------------------ creation

    @Test
    void zerosOnesAndFullHaveTheirShapeDtypeAndValue() {
        try (Scope s = Scope.open()) {
            Tensor zeros = Tensor.zeros(2, 3);
            assertEquals(DType.FLOAT32, zeros.dtype());
            assertArrayEquals(new int[] {2, 3}, zeros.shape());
            assertArrayEquals(new float[6], zeros.toFloatArray());
            assertSame(Device.reference(), zeros.device());

            Tensor ones = Tensor.ones(DType.INT64, 4);
            assertEquals(DType.INT64, ones.dtype());
            assertArrayEquals(new long[] {1, 1, 1, 1}, ones.toLongArray());

            Tensor full = Tensor.full(Device.reference(), -2.5, DType.FLOAT64, 2, 2);
            assertArrayEquals(new double[] {-2.5, -2.5, -2.5, -2.5}, full.toDoubleArray());

            Tensor scalar = Tensor.zeros();
            assertEquals(0, scalar.rank());
            assertEquals(1, scalar.numel());

            Tensor empty = Tensor.zeros(DType.FLOAT64, 0, 3);
            assertEquals(0, empty.numel());
            assertArrayEquals(new double[0], empty.toDoubleArray());
        }
    }

    @Test
    void shapeMetadata() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3, 4);
            assertEquals(3, x.rank());
            assertEquals(24, x.numel());
            assertEquals(4, x.dim(-1));
            assertEquals(2, x.dim(0));
            assertArrayEquals(new int[] {12, 4, 1}, x.strides());
            assertTrue(x.isContiguous());
            Tensor t = x.transpose(0, 2);
            assertArrayEquals(new int[] {1, 4, 12}, t.strides());
            assertFalse(t.isContiguous());
        }
    }

    @Test
    void arangeCountsUpDownAndToNothing() {
        try (Scope s = Scope.open()) {
            Tensor ints = Tensor.arange(5);
            assertEquals(DType.INT64, ints.dtype());
            assertArrayEquals(new long[] {0, 1, 2, 3, 4}, ints.toLongArray());
            assertArrayEquals(new float[] {1, 1.25f, 1.5f, 1.75f},
                    Tensor.arange(1, 2, 0.25, DType.FLOAT32).toFloatArray());
            Tensor down = Tensor.arange(5, 0, -1.5, DType.FLOAT64);
            assertArrayEquals(new double[] {5, 3.5, 2, 0.5}, down.toDoubleArray());
            assertArrayEquals(new int[] {3, 1}, Tensor.arange(3, 0, -2, DType.INT32).toIntArray());
            Tensor none = Tensor.arange(0, 5, -1, DType.FLOAT32);
            assertArrayEquals(new int[] {0}, none.shape());
            assertArrayEquals(new int[] {0}, Tensor.arange(3, 3, 1, DType.INT64).shape());
            assertArrayEquals(new int[] {0}, Tensor.arange(0).shape());
            assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 5, 0, DType.FLOAT32));
        }
    }

    @Test
    void ofTakesEveryHostArrayType() {
        try (Scope s = Scope.open()) {
            Tensor f = Tensor.of(new float[] {1.5f, -2, 3, 4}, 2, 2);
            assertEquals(DType.FLOAT32, f.dtype());
            assertArrayEquals(new int[] {2, 2}, f.shape());
            assertArrayEquals(new float[] {1.5f, -2, 3, 4}, f.toFloatArray());

            Tensor d = Tensor.of(new double[] {0.1, 0.2, 0.3});
            assertEquals(DType.FLOAT64, d.dtype());
            assertArrayEquals(new int[] {3}, d.shape());
            assertArrayEquals(new double[] {0.1, 0.2, 0.3}, d.toDoubleArray());

            Tensor i = Tensor.of(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE});
            assertEquals(DType.INT32, i.dtype());
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, i.toIntArray());

            long big = (1L << 53) + 1;
            Tensor l = Tensor.of(new long[] {big, -big}, 2, 1);
            assertEquals(DType.INT64, l.dtype());
            assertArrayEquals(new long[] {big, -big}, l.toLongArray(), "int64 values stay exact");

            Tensor b = Tensor.of(new boolean[] {true, false, true});
            assertEquals(DType.BOOL, b.dtype());
            assertArrayEquals(new boolean[] {true, false, true}, b.toBooleanArray());

            Tensor bytes = Tensor.of(Device.reference(), new byte[] {0, 1}, 2);
            assertEquals(DType.BOOL, bytes.dtype());
            assertArrayEquals(new boolean[] {false, true}, bytes.toBooleanArray());

            Tensor one = Tensor.of(new float[] {7});
            assertArrayEquals(new int[] {1}, one.shape());
            Tensor emptyOf = Tensor.of(new double[0]);
            assertArrayEquals(new int[] {0}, emptyOf.shape());
        }
    }

    @Test
    void ofCopiesTheHostArray() {
        try (Scope s = Scope.open()) {
            float[] data = {1, 2};
            Tensor t = Tensor.of(data);
            data[0] = 99;
            assertArrayEquals(new float[] {1, 2}, t.toFloatArray());
        }
    }

    @Test
    void ofRejectsAShapeTheValuesDoNotFill() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(new float[] {1, 2, 3}, 2, 2));
            assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("[2, 2]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[] {1, 2}, -1, -2));
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
            assertThrows(IllegalArgumentException.class,
                    () -> Tensor.of(Device.reference(), new short[] {1}, 1));
        }
    }

    // ------------------------------------------------------------------ dtypes

    /** The documented order: BOOL < INT32 < INT64 < FLOAT32 < FLOAT64; the higher one wins. */
    private static final List<DType> PROMOTION_ORDER =
            List.of(DType.BOOL, DType.INT32, DType.INT64, DType.FLOAT32, DType.FLOAT64);

    @Test
    void promoteFollowsTheDocumentedOrderForEveryPair() {
        for (DType a : DType.values()) {
            for (DType b : DType.values()) {
                DType expected = PROMOTION_ORDER.indexOf(a) >= PROMOTION_ORDER.indexOf(b) ? a : b;
                assertEquals(expected, DType.promote(a, b), a + " with " + b);
                assertEquals(DType.promote(a, b), DType.promote(b, a), "symmetric for " + a + ", " + b);
            }
        }
        assertEquals(DType.FLOAT32, DType.promote(DType.INT64, DType.FLOAT32));
    }

    @Test
    void arithmeticResultsTakeThePromotedDtypeAndComparisonsGiveBool() {
        try (Scope s = Scope.open()) {
            for (DType a : DType.values()) {
                for (DType b : DType.values()) {
                    Tensor x = Tensor.ones(a, 2);
                    Tensor y = Tensor.ones(b, 2);
                    DType promoted = DType.promote(a, b);
                    if (a != DType.BOOL || b != DType.BOOL) {
                        assertEquals(promoted, x.add(y).dtype(), "add of " + a + " and " + b);
                        assertEquals(promoted, x.mul(y).dtype(), "mul of " + a + " and " + b);
                        assertEquals(4.0, x.add(y).sum().item(), "(1 + 1) twice for " + a + " and " + b);
                    }
                    assertEquals(DType.BOOL, x.lt(y).dtype());
                    assertEquals(DType.BOOL, x.eq(y).dtype());
                    assertArrayEquals(new boolean[] {true, true}, x.eq(y).toBooleanArray(), a + " == " + b);
                    assertArrayEquals(new boolean[] {false, false}, x.gt(y).toBooleanArray());
                }
            }
        }
    }

    @Test
    void integerTensorWithAFractionalScalarBecomesFloat32() {
        try (Scope s = Scope.open()) {
            Tensor i = Tensor.of(new int[] {1, 2});
            Tensor withFraction = i.add(2.5);
            assertEquals(DType.FLOAT32, withFraction.dtype());
            assertArrayEquals(new float[] {3.5f, 4.5f}, withFraction.toFloatArray());
            assertEquals(DType.INT32, i.add(2).dtype(), "a whole scalar keeps the integer dtype");
            assertArrayEquals(new int[] {3, 4}, i.add(2).toIntArray());
            assertEquals(DType.INT64, Tensor.of(new long[] {1}).mul(3).dtype());
            assertEquals(DType.FLOAT64, Tensor.of(new double[] {1}).add(2.5).dtype());
        }
    }

    @Test
    void integerTrueDivisionAndTranscendentalsGiveFloat32() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new int[] {7, -7});
            Tensor b = Tensor.of(new int[] {2, 2});
            Tensor q = a.div(b);
            assertEquals(DType.FLOAT32, q.dtype());
            assertArrayEquals(new float[] {3.5f, -3.5f}, q.toFloatArray());
            assertEquals(DType.FLOAT32, a.div(2).dtype());
            assertEquals(DType.FLOAT32, Tensor.of(new long[] {7}).div(Tensor.of(new long[] {2})).dtype());
            assertEquals(DType.FLOAT32, a.exp().dtype());
            assertEquals(DType.FLOAT32, b.sqrt().dtype());
            assertEquals(DType.FLOAT32, a.sigmoid().dtype());
            assertEquals(DType.INT32, a.neg().dtype());
            assertEquals(DType.INT32, a.abs().dtype());
            assertArrayEquals(new int[] {7, 7}, a.abs().toIntArray());
        }
    }

    @Test
    void sumsOfIntegersAndBoolsAreInt64AndTheirMeanFloat32() {
        try (Scope s = Scope.open()) {
            Tensor mask = Tensor.of(new boolean[] {true, false, true, true});
            assertEquals(DType.INT64, mask.sum().dtype());
            assertEquals(3, mask.sum().item());
            Tensor ints = Tensor.of(new int[] {1, 2, 4});
            assertEquals(DType.INT64, ints.sum().dtype());
            assertEquals(DType.FLOAT32, ints.mean().dtype());
            assertEquals(7.0 / 3, ints.mean().item(), 1e-6);
        }
    }

    // ------------------------------------------------------------------ reading back

    @Test
    void itemAndArrayConversions() {
        try (Scope s = Scope.open()) {
            assertEquals(2.5, Tensor.of(new float[] {2.5f}).item());
            assertEquals(-3, Tensor.scalar(-3).item());
            assertEquals(7, Tensor.of(new long[] {7}, 1, 1).item());
            assertEquals(1.0, Tensor.of(new boolean[] {true}).item());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(2).item());
            assertTrue(e.getMessage().contains("[2]"), e.getMessage());

            Tensor f = Tensor.of(new float[] {1.7f, -1.7f, 0, 0.5f});
            assertArrayEquals(new int[] {1, -1, 0, 0}, f.toIntArray(), "float to int truncates toward zero");
            assertArrayEquals(new long[] {1, -1, 0, 0}, f.toLongArray());
            assertArrayEquals(new boolean[] {true, true, false, true}, f.toBooleanArray());
            assertArrayEquals(new double[] {1.7f, -1.7f, 0, 0.5f}, f.toDoubleArray());
            assertArrayEquals(new float[] {1, 0}, Tensor.of(new boolean[] {true, false}).toFloatArray());
            assertArrayEquals(new double[] {5, 1, 4, 2, 3, 0},
                    Tensor.of(new double[] {5, 4, 3, 1, 2, 0}, 2, 3).t().toDoubleArray(),
                    "a view reads back in its own row-major order");
        }
    }

    @Test
    void readingAGradTensorDoesNotRecord() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}).requiresGrad(true);
            assertArrayEquals(new double[] {1, 2}, x.toDoubleArray());
            assertEquals(DType.FLOAT32, x.dtype());
        }
    }

    // ------------------------------------------------------------------ printing

    @Test
    void toStringOfASmallTensorIsExact() {
        try (Scope s = Scope.open()) {
            assertEquals("tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], dtype=float32, device=reference)",
                    Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toString());
            assertEquals("tensor([1, -2, 3], dtype=int64, device=reference)",
                    Tensor.of(new long[] {1, -2, 3}).toString());
            assertEquals("tensor([true, false], dtype=bool, device=reference)",
                    Tensor.of(new boolean[] {true, false}).toString());
            assertEquals("tensor(2.5000, dtype=float64, device=reference)",
                    Tensor.scalar(2.5, DType.FLOAT64).toString());
            assertEquals("tensor([-0.1235], dtype=float64, device=reference, requiresGrad=true)",
                    Tensor.of(new double[] {-0.12345}).requiresGrad(true).toString());
            assertEquals("tensor([[[1, 2]],\n        [[3, 4]]], dtype=int32, device=reference)",
                    Tensor.of(new int[] {1, 2, 3, 4}, 2, 1, 2).toString());
            assertEquals("tensor([[1, 3],\n        [2, 4]], dtype=int32, device=reference)",
                    Tensor.of(new int[] {1, 2, 3, 4}, 2, 2).t().toString());
            assertEquals("tensor([], dtype=float32, device=reference)", Tensor.zeros(0).toString());
        }
    }

    @Test
    void toStringOfALargeTensorIsSummarised() {
        try (Scope s = Scope.open()) {
            assertEquals("tensor([0, 1, 2, ..., 1997, 1998, 1999], dtype=int64, device=reference)",
                    Tensor.arange(2000).toString());
            String matrix = Tensor.arange(1600).reshape(40, 40).toString();
            assertTrue(matrix.startsWith("tensor([[0, 1, 2, ..., 37, 38, 39],\n        [40, 41, 42, ..., 77, 78, 79],\n"),
                    matrix);
            assertTrue(matrix.contains("...,\n"), matrix);
            assertTrue(matrix.endsWith("[1560, 1561, 1562, ..., 1597, 1598, 1599]], dtype=int64, device=reference)"),
                    matrix);
            assertEquals(7, matrix.split("\n").length, matrix);
            String notSummarised = Tensor.zeros(1000).toString();
            assertFalse(notSummarised.contains("..."));
        }
    }

    @Test
    void toStringOfAClosedTensorSaysSo() {
        try (Scope s = Scope.open()) {
            Tensor t = Tensor.zeros(2);
            t.close();
            assertTrue(t.toString().contains("closed"), t.toString());
        }
    }

    // ------------------------------------------------------------------ views

    @Test
    void viewsShareStorageWithTheirBase() {
        try (Scope s = Scope.open()) {
            Tensor base = Tensor.zeros(3, 4);
            base.slice(1, 1, 3).copyFrom(Tensor.ones(3, 2));
            assertArrayEquals(new float[] {0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0}, base.toFloatArray());
            base.t().select(0, 3).fill(5);
            assertArrayEquals(new float[] {0, 1, 1, 5, 0, 1, 1, 5, 0, 1, 1, 5}, base.toFloatArray());
            base.select(0, 0).copyFrom(Tensor.scalar(9));
            assertArrayEquals(new float[] {9, 9, 9, 9, 0, 1, 1, 5, 0, 1, 1, 5}, base.toFloatArray());
            base.reshape(12).slice(0, 0, 12, 5).fill(-1);
            assertArrayEquals(new float[] {-1, 9, 9, 9, 0, -1, 1, 5, 0, 1, -1, 5}, base.toFloatArray());
            base.expand(2, 3, 4).select(0, 1).select(0, 2).copyFrom(Tensor.of(new int[] {7, 7, 7, 7}));
            assertArrayEquals(new float[] {7, 7, 7, 7}, base.select(0, 2).toFloatArray(), "int converted to float");
        }
    }

    @Test
    void copyFromASelfOverlappingViewReadsBeforeWriting() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5});
            x.slice(0, 1, 5).copyFrom(x.slice(0, 0, 4));
            assertArrayEquals(new float[] {1, 1, 2, 3, 4}, x.toFloatArray());
        }
    }

    @Test
    void contiguousOfAContiguousTensorIsItself() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 3);
            assertSame(x, x.contiguous());
            Tensor t = x.t();
            Tensor dense = t.contiguous();
            assertNotSame(t, dense);
            assertTrue(dense.isContiguous());
            assertSame(dense, dense.contiguous());
        }
    }

    @Test
    void reshapeOfANonContiguousViewCopiesAndViewRefuses() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
            Tensor t = x.t();
            Tensor r = t.reshape(6);
            assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, r.toFloatArray());
            r.fill(-1);
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, x.toFloatArray(), "the copy does not write through");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.view(6));
            assertTrue(e.getMessage().contains("view") && e.getMessage().contains("reshape"), e.getMessage());

            Tensor v = x.view(3, 2);
            v.fill(2);
            assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, x.toFloatArray(), "a view of a dense tensor shares");
            assertSame(x, x.reshape(2, 3), "reshape to the same shape is the tensor itself");
        }
    }

    // ------------------------------------------------------------------ semantics decided once

    @Test
    void integerFloorDivisionAndRemainderFollowPythonsSignRule() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new int[] {-7, 7, -7, 7, 6, 0});
            Tensor b = Tensor.of(new int[] {2, -2, -2, 2, 3, 5});
            Tensor q = a.floorDiv(b);
            assertEquals(DType.INT32, q.dtype());
            assertArrayEquals(new int[] {-4, -4, 3, 3, 2, 0}, q.toIntArray());
            assertArrayEquals(new int[] {1, -1, -1, 1, 0, 0}, a.remainder(b).toIntArray());
            Tensor l = Tensor.of(new long[] {-7});
            assertArrayEquals(new long[] {-4}, l.floorDiv(Tensor.of(new long[] {2})).toLongArray());
            assertArrayEquals(new long[] {1}, l.remainder(Tensor.of(new long[] {2})).toLongArray());
            Tensor zero = Tensor.of(new int[] {0, 0});
            assertArrayEquals(new int[] {0, 0}, Tensor.of(new int[] {5, -5}).floorDiv(zero).toIntArray(),
                    "integer division by zero gives 0");
        }
    }

    @Test
    void floatingFloorDivisionAndRemainderFollowPythonsSignRule() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.of(new double[] {-7, 7, -7, 7, 5.5, -5.5});
            Tensor b = Tensor.of(new double[] {2, -2, -2, 2, 2, 2});
            assertArrayEquals(new double[] {-4, -4, 3, 3, 2, -3}, a.floorDiv(b).toDoubleArray());
            assertArrayEquals(new double[] {1, -1, -1, 1, 1.5, 0.5}, a.remainder(b).toDoubleArray());
            Tensor f = Tensor.of(new float[] {-7.5f}).remainder(Tensor.of(new float[] {2}));
            assertEquals(DType.FLOAT32, f.dtype());
            assertEquals(0.5, f.item());
        }
    }

    @Test
    void remainderHasTheDivisorsSignAndRebuildsTheDividendForEveryPair() {
        try (Scope s = Scope.open()) {
            int count = 0;
            long[] dividends = new long[81 * 30];
            long[] divisors = new long[dividends.length];
            for (int a = -40; a <= 40; a++) {
                for (int b = -15; b <= 15; b++) {
                    if (b != 0) {
                        dividends[count] = a;
                        divisors[count++] = b;
                    }
                }
            }
            Tensor a = Tensor.of(dividends);
            Tensor b = Tensor.of(divisors);
            long[] quotients = a.floorDiv(b).toLongArray();
            long[] remainders = a.remainder(b).toLongArray();
            double[] floatRemainders = a.to(DType.FLOAT64).remainder(b.to(DType.FLOAT64)).toDoubleArray();
            double[] floatQuotients = a.to(DType.FLOAT64).floorDiv(b.to(DType.FLOAT64)).toDoubleArray();
            for (int i = 0; i < count; i++) {
                String pair = dividends[i] + " and " + divisors[i];
                assertEquals(Math.floorDiv(dividends[i], divisors[i]), quotients[i], "floorDiv of " + pair);
                assertEquals(Math.floorMod(dividends[i], divisors[i]), remainders[i], "remainder of " + pair);
                assertEquals(dividends[i], quotients[i] * divisors[i] + remainders[i], pair);
                assertTrue(remainders[i] == 0 || Long.signum(remainders[i]) == Long.signum(divisors[i]), pair);
                assertEquals(quotients[i], floatQuotients[i], 0.0, "float floorDiv of " + pair);
                assertEquals(remainders[i], floatRemainders[i], 0.0, "float remainder of " + pair);
            }
        }
    }

    @Test
    void argmaxAndArgminReturnTheFirstIndexOnTies() {
        try (Scope s = Scope.open()) {
            Tensor flat = Tensor.of(new float[] {1, 3, 3, 2});
            Tensor index = flat.argmax();
            assertEquals(DType.INT64, index.dtype());
            assertEquals(0, index.rank());
            assertEquals(1, index.item());
            Tensor m = Tensor.of(new float[] {5, 5, 1, 0, 2, 2}, 2, 3);
            assertArrayEquals(new long[] {0, 1}, m.argmax(1, false).toLongArray());
            assertArrayEquals(new long[] {2, 0}, m.argmin(1, false).toLongArray());
            Tensor byColumn = m.argmax(0, true);
            assertArrayEquals(new int[] {1, 3}, byColumn.shape());
            assertArrayEquals(new long[] {0, 0, 1}, byColumn.toLongArray());
            assertArrayEquals(new long[] {0, 0}, Tensor.of(new int[] {4, 4, 4, 4}, 2, 2).argmin(-1, false).toLongArray());
            assertEquals(3, Tensor.of(new float[] {1, 2, 0, 3, 3}, 5).argmax().item());
        }
    }

    @Test
    void maxAndMinPropagateNaN() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, 4, 5, 6}, 2, 3);
            assertTrue(Double.isNaN(x.max().item()));
            assertTrue(Double.isNaN(x.min().item()));
            float[] rows = x.max(new int[] {1}, false).toFloatArray();
            assertTrue(Float.isNaN(rows[0]));
            assertEquals(6f, rows[1]);
            Tensor a = Tensor.of(new double[] {Double.NaN, 1, 2});
            Tensor b = Tensor.of(new double[] {0, Double.NaN, 1});
            double[] maximum = a.maximum(b).toDoubleArray();
            assertTrue(Double.isNaN(maximum[0]) && Double.isNaN(maximum[1]));
            assertEquals(2, maximum[2]);
            double[] minimum = b.minimum(a).toDoubleArray();
            assertTrue(Double.isNaN(minimum[0]) && Double.isNaN(minimum[1]));
            assertEquals(1, minimum[2]);
        }
    }

    @Test
    void exactGeluAndItsTanhApproximationDifferByLessThan5e4() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.arange(-5, 5.0001, 0.01, DType.FLOAT64);
            double[] exact = x.gelu().toDoubleArray();
            double[] approx = x.geluTanh().toDoubleArray();
            double largest = 0;
            for (int i = 0; i < exact.length; i++) {
                largest = Math.max(largest, Math.abs(exact[i] - approx[i]));
            }
            assertTrue(largest < 5e-4, "largest difference " + largest);
            assertTrue(largest > 1e-5, "the two variants are different functions: " + largest);
            double[] known = Tensor.of(new double[] {1, -1, 0}).gelu().toDoubleArray();
            assertEquals(0.8413447460685429, known[0], 1e-14);
            assertEquals(-0.15865525393145707, known[1], 1e-14);
            assertEquals(0, known[2]);
        }
    }

    @Test
    void varianceNeedsMoreElementsThanTheCorrection() {
        try (Scope s = Scope.open()) {
            Tensor one = Tensor.of(new double[] {3});
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, one::var);
            assertTrue(e.getMessage().contains("var") && e.getMessage().contains("correction"), e.getMessage());
            assertEquals(0, one.var(null, 0, false).item());
            Tensor m = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            assertThrows(IllegalArgumentException.class, () -> m.var(new int[] {1}, 2, false));
            assertThrows(IllegalArgumentException.class, () -> m.std(new int[] {0}, 2, true));
        }
    }
}
