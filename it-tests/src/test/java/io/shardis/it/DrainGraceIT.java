package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The drain grace on SIGTERM ({@code drain_grace}, {@code --drain-grace}): {@code /ready} answers
 * 503 at once, while the pool still takes new clients and serves them for the grace, so a load
 * balancer watching {@code /ready} stops sending first; then the listener closes and the process
 * exits 143.
 */
@ExtendWith(StopChildProcesses.class)
class DrainGraceIT {

    private static final int GRACE_MILLIS = 3_000;
    private static final int SIGTERM_EXIT_CODE = 143;

    @Test
    void readyTurns503AtOnceAndClientsAreServedUntilTheGraceEnds() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start(
                        """
                        shardis:
                          drain_grace: %d
                        alpha:
                          listen: 127.0.0.1:${port.alpha}
                          servers:
                            - ${redis}:1
                        """.formatted(GRACE_MILLIS),
                        Map.of("redis", redis.address()),
                        "--http",
                        "127.0.0.1:${port.http}")) {
            int http = shardis.port("http");
            int port = shardis.port("alpha");
            assertThat(Poll.until(Duration.ofSeconds(30), () -> status(http) == 200, () -> !shardis.isAlive()))
                    .as("/ready 200 before\n%s", shardis.log())
                    .isTrue();
            try (Jedis connected = new Jedis("127.0.0.1", port, 10_000)) {
                connected.set("grace", "before");

                long signalled = System.nanoTime();
                shardis.sigterm();
                assertThat(Poll.until(Duration.ofSeconds(2), () -> status(http) == 503, () -> !shardis.isAlive()))
                        .as("/ready 503 within a second or two of SIGTERM\n%s", shardis.log())
                        .isTrue();
                long notReadyAfter = millisSince(signalled);

                // Within the grace: a new client is accepted and served, and so is the connected one.
                try (Jedis late = new Jedis("127.0.0.1", port, 10_000)) {
                    assertThat(late.set("grace", "during")).isEqualTo("OK");
                }
                assertThat(connected.get("grace")).isEqualTo("during");
                long servedUntil = millisSince(signalled);
                assertThat(servedUntil).as("served within the grace").isLessThan(GRACE_MILLIS);

                long refusedAfter = millisUntilRefused(port, signalled);
                Optional<Integer> exit = shardis.awaitExit(Duration.ofSeconds(15));
                System.out.printf(
                        "drain grace %d ms: /ready 503 after %d ms, last served at %d ms, listener closed"
                                + " after %d ms%n",
                        GRACE_MILLIS, notReadyAfter, servedUntil, refusedAfter);
                assertThat(refusedAfter)
                        .as("ms from SIGTERM to the listener closing")
                        .isGreaterThanOrEqualTo(GRACE_MILLIS - 100);
                assertThat(exit).as("exit\n%s", shardis.log()).contains(SIGTERM_EXIT_CODE);
                assertThat(shardis.log()).contains("the listeners close in " + GRACE_MILLIS + " ms (drain_grace)");
            }
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static int status(int http) {
        try {
            return Http.get(http, "/ready").status();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Connects until the port refuses, bounded; returns the ms from {@code since}. */
    private static long millisUntilRefused(int port, long since) throws InterruptedException {
        long deadline = since + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            } catch (IOException refused) {
                return millisSince(since);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("new connections were still accepted 20 s after SIGTERM");
    }
}
