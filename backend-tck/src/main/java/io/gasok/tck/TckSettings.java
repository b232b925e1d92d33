package io.gasok.tck;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * How many tries each TCK property runs, set in one place per backend.
 *
 * <p>jqwik wants the number of tries as a constant in {@code @Property(tries = ...)}, which a
 * shared contract cannot know: a scalar reference run affords hundreds, a GPU backend on PoCL in CI
 * a few dozen. So no TCK property names a number; {@link TriesHook}, an {@link AroundPropertyHook}
 * registered on {@link BackendConformance}, sets each property's tries before it runs, from:
 * <ol>
 *   <li>the system property {@value #TRIES_PROPERTY} when given (e.g.
 *   {@code mvn test -Dgasok.tck.tries=1000} for a long soak, or a handful while debugging);</li>
 *   <li>else {@link BackendConformance#tries()}, which a backend's test class overrides
 *   (default {@value #DEFAULT_TRIES}, the figure for CPU-side backends).</li>
 * </ol>
 * A property that states {@code tries} in its own annotation keeps it.
 */
public final class TckSettings {
    private TckSettings() {}

    public static final String TRIES_PROPERTY = "gasok.tck.tries";
    public static final int DEFAULT_TRIES = 200;

    /** The tries for a backend whose own figure is {@code backendTries}, unless the system property says otherwise. */
    public static int tries(int backendTries) {
        String configured = System.getProperty(TRIES_PROPERTY);
        if (configured == null || configured.isBlank()) {
            return backendTries;
        }
        try {
            return Math.max(1, Integer.parseInt(configured.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(TRIES_PROPERTY + " must be a positive integer, got '" + configured + "'");
        }
    }

    /** Sets the tries of every property of a {@link BackendConformance} subclass (see the class comment). */
    public static final class TriesHook implements AroundPropertyHook {

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
            if (context.attributes().tries().isEmpty() && context.testInstance() instanceof BackendConformance tck) {
                context.attributes().setTries(tries(tck.tries()));
            }
            return property.execute();
        }

        @Override
        public PropagationMode propagateTo() {
            return PropagationMode.ALL_DESCENDANTS;
        }
    }
}
