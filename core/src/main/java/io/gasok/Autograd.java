package io.gasok;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode automatic differentiation: the graph, the backward pass, and the public mechanism by
 * which every op, built in or a user's, records its backward rule.
 *
 * <p>An op computes its output with kernels, then calls {@link #record}: when grad mode is on and an
 * input requires grad, the output gets a node holding the inputs and the op's {@link BackwardRule}.
 * The rule is written with tensor ops, so every backend differentiates every op. Tensors a rule
 * needs are captured with {@link #save}, whose {@link Saved#get()} fails if the tensor was changed in
 * place after it was saved (each storage has a version counter).
 *
 * <p>{@link Tensor#backward()} visits the graph in reverse topological order, accumulates gradients
 * in {@link Tensor#grad()} of the leaves that require grad, frees the intermediate gradients, and
 * drops the graph (the rules and what they captured), so a second backward through the same graph
 * is an error that says so.
 *
 * <p>Grad mode is per thread; {@link #noGrad()} turns it off in a try-with-resources block
 * (inference mode).
 */
public final class Autograd {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Autograd() {}

    /** A backward rule: the gradients of an op's inputs (null where none) given its output's gradient. */
    @FunctionalInterface
    public interface BackwardRule {
        Tensor[] backward(Tensor gradOutput);
    }

    /** Restores the previous grad mode when closed. */
    public static final class GradMode implements AutoCloseable {
        private final boolean previous;

        private GradMode(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            ENABLED.get()[0] = previous;
        }
    }

    /** Turns grad recording off on this thread until the returned handle is closed. */
    public static GradMode noGrad() {
        boolean[] flag = ENABLED.get();
        GradMode mode = new GradMode(flag[0]);
        flag[0] = false;
        return mode;
    }

    /** Turns grad recording on on this thread until the returned handle is closed. */
    public static GradMode enableGrad() {
        boolean[] flag = ENABLED.get();
        GradMode mode = new GradMode(flag[0]);
        flag[0] = true;
        return mode;
    }

    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    /** True when an op on these inputs must record a node. */
    public static boolean needsGrad(Tensor... inputs) {
        if (!isGradEnabled()) {
            return false;
        }
        for (Tensor input : inputs) {
            if (input != null && input.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records that {@code output} was computed by {@code op} from {@code inputs}, with its backward
     * rule, when a gradient is needed; returns {@code output}. The rule returns one gradient per
     * input (null for inputs that need none), each of that input's shape.
     */
    public static Tensor record(String op, Tensor output, BackwardRule rule, Tensor... inputs) {
        if (needsGrad(inputs)) {
            output.gradFn = new Node(op, inputs.clone(), rule);
            output.setRequiresGradInternal(true);
        }
        return output;
    }

    /** Captures {@code tensor} for a backward rule, remembering its version. */
    public static Saved save(Tensor tensor) {
        return new Saved(tensor, tensor.version());
    }

    /** A tensor captured for backward; {@link #get()} checks it was not changed in place since. */
    public static final class Saved {
        private final Tensor tensor;
        private final int version;

        private Saved(Tensor tensor, int version) {
            this.tensor = tensor;
            this.version = version;
        }

        public Tensor get() {
            if (tensor.isClosed()) {
                throw new IllegalStateException("a tensor saved for backward (" + tensor.describe()
                        + ") was closed before backward: keep it in scope until backward() runs");
            }
            if (tensor.version() != version) {
                throw new IllegalStateException("a tensor saved for backward (" + tensor.describe()
                        + ") was modified in place: it is at version " + tensor.version() + ", expected "
                        + version + "; clone it before changing it");
            }
            return tensor;
        }
    }

    /** One recorded op: its inputs and its rule. Released after backward visits it. */
    static final class Node {
        final String op;
        Tensor[] inputs;
        BackwardRule rule;

        Node(String op, Tensor[] inputs, BackwardRule rule) {
            this.op = op;
            this.inputs = inputs;
            this.rule = rule;
        }

        void release() {
            inputs = null;
            rule = null;
        }
    }

    /** The backward pass from {@code root} seeded with {@code seed} (root's shape). */
    static void backward(Tensor root, Tensor seed) {
        if (root.gradFn == null) {
            if (root.requiresGrad()) {
                accumulateLeaf(root, seed, false);
                return;
            }
            throw new IllegalStateException("backward: " + root.describe()
                    + " does not require grad and has no grad_fn (was it computed under noGrad, or from"
                    + " tensors that do not require grad?)");
        }
        List<Node> order = topologicalOrder(root.gradFn);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        pending.put(root.gradFn, seed);
        try (Scope scope = Scope.open(); GradMode off = noGrad()) {
            for (Node node : order) {
                Tensor gradOutput = pending.remove(node);
                if (gradOutput == null) {
                    node.release();
                    continue;
                }
                if (node.rule == null) {
                    throw new IllegalStateException("backward through " + node.op + ", whose part of the graph was"
                            + " already freed by an earlier backward()");
                }
                Tensor[] inputs = node.inputs;
                Tensor[] grads = node.rule.backward(gradOutput);
                if (grads.length != inputs.length) {
                    throw new IllegalStateException("backward of " + node.op + " returned " + grads.length
                            + " gradients for " + inputs.length + " inputs");
                }
                for (int i = 0; i < inputs.length; i++) {
                    Tensor input = inputs[i];
                    Tensor grad = grads[i];
                    if (grad == null || input == null || !input.requiresGrad()) {
                        continue;
                    }
                    if (!Arrays.equals(grad.shapeRef(), input.shapeRef())) {
                        throw new IllegalStateException("backward of " + node.op + " gave a gradient of shape "
                                + Arrays.toString(grad.shapeRef()) + " for input " + i + " of shape "
                                + Arrays.toString(input.shapeRef()));
                    }
                    if (input.gradFn != null) {
                        Tensor previous = pending.get(input.gradFn);
                        pending.put(input.gradFn, previous == null ? grad : previous.add(grad));
                    } else {
                        accumulateLeaf(input, grad, isUnshared(grad, grads, i, pending, scope));
                    }
                }
                node.release();
            }
        }
    }

    /**
     * Adds {@code grad} into {@code leaf.grad}. The first gradient becomes the leaf's, owned by it
     * (no scope): as it is when {@code unshared}, else copied (or converted, which copies), since a
     * tensor a rule returned may also be pending for another node or be a view of one.
     */
    private static void accumulateLeaf(Tensor leaf, Tensor grad, boolean unshared) {
        if (leaf.grad == null) {
            Tensor owned = unshared && grad.dtype() == leaf.dtype() ? grad
                    : grad.dtype() == leaf.dtype() ? grad.copy() : grad.to(leaf.dtype());
            owned.owner = null;
            leaf.grad = owned;
        } else {
            leaf.grad.addInPlace(grad);
        }
    }

    /**
     * True when {@code grads[index]} can be handed to a leaf as it is: the backward pass made it
     * (it belongs to the pass's scope, so it is neither the caller's seed nor a saved tensor), no
     * other tensor object shares its storage (no view of it, and it is no view), and the same object
     * is neither another input's gradient from this rule nor waiting for another node.
     */
    private static boolean isUnshared(Tensor grad, Tensor[] grads, int index, Map<Node, Tensor> pending,
                                      Scope scope) {
        if (grad.owner != scope || grad.storage.isShared() || pending.containsValue(grad)) {
            return false;
        }
        for (int j = 0; j < grads.length; j++) {
            if (j != index && grads[j] == grad) {
                return false;
            }
        }
        return true;
    }

    private static List<Node> topologicalOrder(Node root) {
        // Iterative depth-first post-order, reversed: every node comes before the nodes it feeds from.
        List<Node> postOrder = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        if (root.rule == null) {
            throw new IllegalStateException("backward through a graph that was already freed by an earlier backward()");
        }
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Node node = (Node) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = node.inputs;
            if (inputs != null && next < inputs.length) {
                frame[1] = next + 1;
                Tensor input = inputs[next];
                if (input != null && input.gradFn != null && !visited.containsKey(input.gradFn)) {
                    visited.put(input.gradFn, Boolean.TRUE);
                    stack.push(new Object[] {input.gradFn, 0});
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        List<Node> order = new ArrayList<>(postOrder.size());
        for (int i = postOrder.size() - 1; i >= 0; i--) {
            order.add(postOrder.get(i));
        }
        return order;
    }
}
