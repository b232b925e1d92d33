package io.gasok.nn;

import io.gasok.Autograd;
import io.gasok.Scope;
import io.gasok.Tensor;
import java.util.function.Supplier;

/**
 * Creates tensors that belong to no {@link Scope}: the state a long-lived object owns and frees in
 * its own {@code close()} (a module's parameters and buffers, an optimizer's moments), so that
 * building a model inside a caller's scope does not hand the model's weights to that scope. The
 * factory runs in a scope of its own, with grad recording off, so its temporaries are freed; the
 * result is {@linkplain Scope#disown disowned}.
 */
public final class Unscoped {
    private Unscoped() {}

    /** The tensor {@code factory} makes, owned by no scope: the caller must close it. */
    public static Tensor create(Supplier<Tensor> factory) {
        try (Scope scope = Scope.open(); Autograd.GradMode off = Autograd.noGrad()) {
            return Scope.disown(factory.get());
        }
    }
}
