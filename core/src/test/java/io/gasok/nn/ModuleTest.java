package io.gasok.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gasok.Autograd;
import io.gasok.DType;
import io.gasok.Device;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class ModuleTest {

    private static Sequential mlp(long seed) {
        Generator generator = new Generator(seed);
        return new Sequential(new Linear(4, 3, true, generator), new BatchNorm1d(3), new ReLU(),
                new Linear(3, 2, true, generator));
    }

    @Test
    void stateDictNamesAreThoseOfPyTorchForASequentialOfLinearAndBatchNorm() {
        try (Sequential model = mlp(1)) {
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked", "3.weight", "3.bias"), List.copyOf(model.stateDict().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"),
                    List.copyOf(model.namedParameters().keySet()));
            assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"),
                    List.copyOf(model.namedBuffers().keySet()));
            Tensor tracked = model.stateDict().get("1.num_batches_tracked");
            assertEquals(DType.INT64, tracked.dtype());
            assertEquals(0, tracked.rank());
            assertArrayEquals(new int[] {3, 4}, model.stateDict().get("0.weight").shape());
            assertEquals(4 * 3 + 3 + 3 + 3 + 3 * 2 + 2, model.parameterCount());
        }
    }

    @Test
    void parametersAreLeavesThatRequireGradInRegistrationOrder() {
        try (Sequential model = mlp(2)) {
            List<Tensor> parameters = model.parameters();
            assertEquals(6, parameters.size());
            assertSame(((Linear) model.get(0)).weight(), parameters.get(0));
            assertSame(((Linear) model.get(3)).bias(), parameters.get(5));
            for (Tensor parameter : parameters) {
                assertTrue(parameter.isLeaf() && parameter.requiresGrad());
            }
            assertFalse(model.stateDict().get("1.running_mean").requiresGrad());
        }
    }

    @Test
    void aModelBuiltInsideAScopeOutlivesItAndItsForwardTemporariesBelongToTheCaller() {
        Sequential model;
        try (Scope scope = Scope.open()) {
            model = mlp(3);
            assertEquals(0, scope.size(), "parameters and buffers belong to the module, not to the scope");
        }
        try (model; Scope scope = Scope.open()) {
            long before = Device.reference().liveBuffers();
            Tensor y = model.forward(Tensor.ones(5, 4));
            assertArrayEquals(new int[] {5, 2}, y.shape());
            assertTrue(scope.size() > 0);
            scope.close();
            assertEquals(before, Device.reference().liveBuffers());
        }
    }

    @Test
    void trainAndEvalReachEveryDescendantAndZeroGradFreesTheGradients() {
        try (Sequential model = mlp(4); Scope scope = Scope.open()) {
            assertTrue(model.get(1).isTraining());
            model.eval();
            assertFalse(model.isTraining() || model.get(1).isTraining());
            model.train();
            assertTrue(model.get(3).isTraining());
            model.forward(Tensor.ones(3, 4)).sum().backward();
            assertTrue(model.parameters().stream().allMatch(p -> p.grad() != null));
            model.zeroGrad();
            assertTrue(model.parameters().stream().allMatch(p -> p.grad() == null));
        }
    }

    @Test
    void aStateDictLoadedIntoAFreshModuleGivesIdenticalOutputs() {
        try (Sequential trained = mlp(5); Sequential fresh = mlp(6); Scope scope = Scope.open()) {
            for (int i = 0; i < 3; i++) {
                trained.forward(GradCheck.awayFromZero(40 + i, 6, 4).to(DType.FLOAT32));
            }
            trained.eval();
            fresh.eval();
            Tensor x = GradCheck.awayFromZero(50, 5, 4).to(DType.FLOAT32);
            assertFalse(java.util.Arrays.equals(trained.forward(x).toFloatArray(), fresh.forward(x).toFloatArray()));
            Module.LoadResult result = fresh.loadStateDict(trained.stateDict());
            assertTrue(result.missingKeys().isEmpty() && result.unexpectedKeys().isEmpty());
            assertArrayEquals(trained.forward(x).toFloatArray(), fresh.forward(x).toFloatArray());
            assertEquals(3, ((BatchNorm) fresh.get(1)).numBatchesTracked());
            for (String key : trained.stateDict().keySet()) {
                assertArrayEquals(trained.stateDict().get(key).toDoubleArray(), fresh.stateDict().get(key).toDoubleArray(),
                        key);
            }
        }
    }

    @Test
    void loadingNamesEveryMissingAndUnexpectedKeyAndEveryMismatchAndChangesNothing() {
        try (Sequential model = mlp(7); Scope scope = Scope.open()) {
            float[] before = model.stateDict().get("0.weight").toFloatArray();
            Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
            state.remove("3.bias");
            state.put("4.weight", Tensor.zeros(2));
            state.put("0.weight", Tensor.zeros(4, 3));
            state.put("1.running_var", Tensor.ones(DType.FLOAT64, 3));
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
            String message = error.getMessage();
            assertTrue(message.contains("missing keys [3.bias]"), message);
            assertTrue(message.contains("unexpected keys [4.weight]"), message);
            assertTrue(message.contains("'0.weight' has shape [4, 3] but the module expects [3, 4]"), message);
            assertTrue(message.contains("'1.running_var' has dtype float64 but the module expects float32"), message);
            assertArrayEquals(before, model.stateDict().get("0.weight").toFloatArray());

            Map<String, Tensor> partial = new LinkedHashMap<>();
            partial.put("3.bias", Tensor.of(new float[] {7, 8}));
            partial.put("extra", Tensor.zeros(1));
            Module.LoadResult result = model.loadStateDict(partial, false);
            assertEquals(List.of("extra"), result.unexpectedKeys());
            assertEquals(8, result.missingKeys().size());
            assertArrayEquals(new float[] {7, 8}, ((Linear) model.get(3)).bias().toFloatArray());
        }
    }

    @Test
    void toDTypeConvertsFloatingStateAndKeepsTheCounterInt64() {
        try (Sequential model = mlp(8)) {
            Tensor oldWeight = ((Linear) model.get(0)).weight();
            model.to(DType.FLOAT64);
            assertTrue(oldWeight.isClosed());
            Map<String, Tensor> state = model.stateDict();
            assertEquals(DType.FLOAT64, state.get("0.weight").dtype());
            assertEquals(DType.FLOAT64, state.get("1.running_mean").dtype());
            assertEquals(DType.INT64, state.get("1.num_batches_tracked").dtype());
            assertTrue(model.parameters().stream().allMatch(p -> p.isLeaf() && p.requiresGrad()));
            assertSame(model, model.to(Device.reference()), "moving to the device it is on changes nothing");
            assertSame(state.get("0.weight"), model.stateDict().get("0.weight"));
        }
    }

    @Test
    void theSameSeedGivesTheSameWeightsAndPyTorchsDefaultBounds() {
        try (Linear a = new Linear(16, 8, true, new Generator(3)); Linear b = new Linear(16, 8, true, new Generator(3));
             Linear c = new Linear(16, 8, true, new Generator(4))) {
            assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
            assertArrayEquals(a.bias().toFloatArray(), b.bias().toFloatArray());
            assertNotEquals(a.weight().toFloatArray()[0], c.weight().toFloatArray()[0]);
            for (float w : a.weight().toFloatArray()) {
                assertTrue(Math.abs(w) <= 0.25f);
            }
        }
        Generator.manualSeed(9);
        Linear first = new Linear(3, 3);
        Generator.manualSeed(9);
        try (first; Linear second = new Linear(3, 3)) {
            assertArrayEquals(first.weight().toFloatArray(), second.weight().toFloatArray());
        }
    }

    @Test
    void namesAreCheckedAndAClosedModuleSaysSo() {
        Module custom = new Module() {
            {
                registerParameter("scale", () -> Tensor.ones(2));
                assertThrows(IllegalArgumentException.class, () -> registerBuffer("scale", () -> Tensor.zeros(2)));
                assertThrows(IllegalArgumentException.class, () -> registerModule("a.b", new ReLU()));
            }

            @Override
            public Tensor forward(Tensor input) {
                return input.mul(parameter("scale"));
            }
        };
        custom.close();
        assertTrue(custom.isClosed());
        IllegalStateException error = assertThrows(IllegalStateException.class, custom::stateDict);
        assertTrue(error.getMessage().contains("already closed"), error.getMessage());
        custom.close();
    }

    @Test
    void inferenceFromManyThreadsAtOnceGivesTheSameAnswer() throws Exception {
        try (Sequential model = mlp(10); Scope scope = Scope.open()) {
            model.eval();
            float[] expected;
            try (Autograd.GradMode off = Autograd.noGrad()) {
                expected = model.forward(Tensor.ones(2, 4)).toFloatArray();
            }
            List<Thread> threads = new java.util.ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<float[]> results = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 20; i++) {
                        try (Scope local = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
                            results.add(model.forward(Tensor.ones(Device.reference(), DType.FLOAT32, 2, 4)).toFloatArray());
                        }
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(80, results.size());
            for (float[] result : results) {
                assertArrayEquals(expected, result);
            }
        }
    }
}
