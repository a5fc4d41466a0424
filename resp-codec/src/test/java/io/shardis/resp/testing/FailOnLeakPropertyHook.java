package io.shardis.resp.testing;

import java.util.List;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * The jqwik counterpart of {@link FailOnLeakExtension}: jqwik properties do not run Jupiter
 * extensions, so this hook, registered globally through
 * {@code META-INF/services/net.jqwik.api.lifecycle.LifecycleHook}, fails a property whose tries
 * leaked.
 */
public final class FailOnLeakPropertyHook implements AroundPropertyHook {

    static {
        LeakRecorder.install();
    }

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property)
            throws Throwable {
        List<String> stale = LeakRecorder.drain();
        PropertyExecutionResult result = property.execute();
        List<String> leaks = LeakRecorder.collectLeaks();
        leaks.addAll(0, stale);
        if (leaks.isEmpty() || result.status() == PropertyExecutionResult.Status.FAILED) {
            return result;
        }
        return result.mapToFailed(new AssertionError(leaks.size() + " leak(s) reported by Netty during "
                + context.label() + ":\n" + String.join("\n", leaks)));
    }

    /** Runs outside the other around-property hooks, so it sees what they allocate too. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }
}
