package io.shardis.it.support;

import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stops every child process a test class started and did not stop itself, so one failing class
 * cannot leave Redis or Shardis processes behind for the next.
 */
public final class StopChildProcesses implements BeforeAllCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(StopChildProcesses.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", ChildProcesses.snapshot());
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterAll(ExtensionContext context) {
        Set<ChildProcesses.Stoppable> before = context.getStore(NAMESPACE).get("before", Set.class);
        ChildProcesses.stopAllExcept(before == null ? Set.of() : before);
    }
}
