package io.shardis.resp.testing;

import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a leak while it ran. Registered automatically
 * for every JUnit Jupiter test on a classpath holding this test-jar (see
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit-platform.properties}).
 *
 * <p>A leak reported outside any test (a {@code @BeforeAll}, another engine) fails the next test
 * as it starts, rather than going unnoticed.
 */
public final class FailOnLeakExtension implements BeforeEachCallback, AfterEachCallback {

    static {
        LeakRecorder.install();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        List<String> stale = LeakRecorder.drain();
        if (!stale.isEmpty()) {
            throw new AssertionError(stale.size() + " leak(s) reported by Netty before " + context.getDisplayName()
                    + ":\n" + stale.get(0));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> leaks = LeakRecorder.collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leak(s) reported by Netty during " + context.getDisplayName()
                    + ":\n" + String.join("\n", leaks));
        }
    }
}
