package io.shardis.it.support;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A call that may block with no timeout of its own, bounded: Jedis' {@code subscribe} turns its
 * socket timeout off, so a reply that never comes would hold the test forever. The call runs on a
 * daemon thread; if it has not returned in time, {@code unblock} (the client's connection) is closed
 * so the thread ends too, and the test fails.
 */
public final class Bounded {

    /** The blocking call. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    private Bounded() {}

    public static void run(Duration timeout, AutoCloseable unblock, String what, Call call) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(
                () -> {
                    try {
                        call.run();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                },
                "bounded-" + what);
        thread.setDaemon(true);
        thread.start();
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            unblock.close();
            thread.join(timeout.toMillis());
            throw new AssertionError(what + " did not return within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }
}
