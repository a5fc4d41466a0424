package io.shardis.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Threads for a test's concurrent clients: a fresh pool for each test, interrupted after it, and
 * the test fails if they do not stop, so no client thread outlives its test.
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestThreads threads = new TestThreads();
 *
 * CompletableFuture.supplyAsync(() -> jedis.blpop(20, "queue"), threads);
 * }</pre>
 */
public final class TestThreads implements Executor, BeforeEachCallback, AfterEachCallback {

    private static final long STOP_TIMEOUT_SECONDS = 20;

    private volatile ExecutorService pool;

    @Override
    public void beforeEach(ExtensionContext context) {
        pool = Executors.newCachedThreadPool();
    }

    @Override
    public void execute(Runnable task) {
        ExecutorService current = pool;
        if (current == null) {
            throw new IllegalStateException("used outside a test of the class that registers it");
        }
        current.execute(task);
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        ExecutorService current = pool;
        pool = null;
        if (current != null) {
            current.shutdownNow();
            assertThat(current.awaitTermination(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("the test's threads stopped within %d s", STOP_TIMEOUT_SECONDS)
                    .isTrue();
        }
    }
}
