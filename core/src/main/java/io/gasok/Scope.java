package io.gasok;

import java.util.ArrayList;
import java.util.List;

/**
 * A lifetime for tensors, as DJL's NDManager does it: every tensor created while a scope is open
 * on the current thread belongs to it, and closing the scope closes them all, freeing their device
 * memory, except those passed to {@link #keep}, which move to the enclosing scope (or, at the
 * outermost scope, belong to no scope and must be closed by the caller).
 *
 * <pre>{@code
 * try (Scope scope = Scope.open()) {
 *     Tensor loss = model.forward(x).sub(y).pow(2).mean();
 *     loss.backward();
 *     return scope.keep(loss.detach());
 * }
 * }</pre>
 *
 * <p>Scopes nest and must close in the reverse order they opened. A scope belongs to the thread
 * that opened it; tensors created on other threads belong to those threads' scopes.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private final Scope parent;
    private final Thread thread;
    private final List<Tensor> owned = new ArrayList<>();
    private boolean closed;

    private Scope(Scope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope on this thread, nested in the current one if any. */
    public static Scope open() {
        Scope scope = new Scope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return CURRENT.get();
    }

    /** Moves {@code tensor} out of this scope into the enclosing one; returns it. */
    public Tensor keep(Tensor tensor) {
        if (tensor.owner == this) {
            tensor.owner = parent;
            if (parent != null) {
                parent.owned.add(tensor);
            }
        }
        return tensor;
    }

    /** Moves every tensor given out of this scope. */
    public void keep(Tensor... tensors) {
        for (Tensor tensor : tensors) {
            keep(tensor);
        }
    }

    /**
     * Takes {@code tensor} out of whatever scope owns it: it then belongs to no scope and its owner
     * (a module's parameters, an optimizer's state) must close it. Returns it.
     */
    public static Tensor disown(Tensor tensor) {
        tensor.owner = null;
        return tensor;
    }

    void adopt(Tensor tensor) {
        tensor.owner = this;
        owned.add(tensor);
    }

    /** How many tensors this scope still owns (for tests and leak hunting). */
    public int size() {
        int count = 0;
        for (Tensor tensor : owned) {
            if (tensor.owner == this && !tensor.isClosed()) {
                count++;
            }
        }
        return count;
    }

    /** Closes every tensor this scope still owns, newest first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a Scope must be closed on the thread that opened it (" + thread.getName() + ")");
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("scopes must close in reverse order of opening: an inner scope is still open");
        }
        closed = true;
        CURRENT.set(parent);
        for (int i = owned.size() - 1; i >= 0; i--) {
            Tensor tensor = owned.get(i);
            if (tensor.owner == this) {
                tensor.owner = null;
                tensor.close();
            }
        }
        owned.clear();
    }

    /**
     * Tensors whose storage became unreachable without being closed since the JVM started
     * (counted by a {@link java.lang.ref.Cleaner}; it reports, it never frees).
     */
    public static long leaksReported() {
        return Storage.leaks();
    }
}
