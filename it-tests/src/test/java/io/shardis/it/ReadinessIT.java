package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * {@code /health} and {@code /ready} as keepalived, HAProxy and Kubernetes call them: ready
 * turns 503 (naming the pool and server) when a pool's only server dies and 200 when it returns,
 * within about a second each way, and 503 as soon as a SIGTERM drain begins.
 */
@ExtendWith(StopChildProcesses.class)
class ReadinessIT {

    /** The promise is a second; the machine running the suite may be loaded. */
    private static final Duration FLIP = Duration.ofSeconds(5);

    private static final String CONFIG = """
            alpha:
              listen: 127.0.0.1:${port.alpha}
              servers:
                - ${alpha}:1
            beta:
              listen: 127.0.0.1:${port.beta}
              servers:
                - ${beta}:1
            """;

    private static RedisProcess alpha;
    private static RedisProcess beta;

    @BeforeAll
    static void startRedis() {
        alpha = RedisProcess.start();
        beta = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        alpha.close();
        beta.close();
    }

    private static ShardisProcess startShardis() {
        ShardisProcess shardis = ShardisProcess.start(
                CONFIG, Map.of("alpha", alpha.address(), "beta", beta.address()), "--http", "127.0.0.1:${port.http}");
        int http = shardis.port("http");
        assertThat(Poll.until(Duration.ofSeconds(30), () -> status(http, "/ready") == 200, () -> !shardis.isAlive()))
                .as("/ready turns 200\n%s", shardis.log())
                .isTrue();
        return shardis;
    }

    @Test
    void readyFollowsThePoolsOnlyServerDownAndBack() {
        try (ShardisProcess shardis = startShardis()) {
            int http = shardis.port("http");
            assertThat(Http.get(http, "/health").status()).isEqualTo(200);
            assertThat(Http.get(http, "/ready").body()).contains("\"status\": \"ready\"");

            alpha.kill();
            try {
                checkDownAndBack(shardis, http);
            } finally {
                if (!alpha.isAlive()) {
                    alpha.restart();
                }
            }
        }
    }

    private static void checkDownAndBack(ShardisProcess shardis, int http) {
        {
            long killed = System.nanoTime();
            assertThat(Poll.until(FLIP, () -> status(http, "/ready") == 503, () -> false))
                    .isTrue();
            long downMillis = (System.nanoTime() - killed) / 1_000_000;
            Http.Response notReady = Http.get(http, "/ready");
            assertThat(notReady.contentType()).startsWith("application/json");
            assertThat(notReady.body())
                    .contains(
                            "\"status\": \"not ready\"",
                            "pool 'alpha': server " + alpha.address() + " unreachable",
                            "\"alpha\": false",
                            "\"beta\": true");
            // Liveness is not readiness: the process still serves.
            assertThat(Http.get(http, "/health").status()).isEqualTo(200);

            alpha.restart();
            long restarted = System.nanoTime();
            assertThat(Poll.until(FLIP, () -> status(http, "/ready") == 200, () -> false))
                    .isTrue();
            long upMillis = (System.nanoTime() - restarted) / 1_000_000;
            System.out.printf("/ready: 503 %d ms after the kill, 200 %d ms after the restart%n", downMillis, upMillis);
            try (Jedis jedis = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
                Poll.until(
                        Duration.ofSeconds(10),
                        () -> {
                            try {
                                return "PONG".equals(jedis.ping()) && "OK".equals(jedis.set("back", "1"));
                            } catch (RuntimeException e) {
                                return false;
                            }
                        },
                        () -> false);
                assertThat(jedis.get("back")).isEqualTo("1");
            }
        }
    }

    @Test
    void readyIs503AsSoonAsASigtermDrainBegins() throws Exception {
        try (ShardisProcess shardis = startShardis();
                Jedis blocked = new Jedis("127.0.0.1", shardis.port("beta"), 10_000)) {
            int http = shardis.port("http");
            // A client owed a reply keeps the drain going (up to 2 s): /ready must say so meanwhile.
            AtomicReference<Object> popped = new AtomicReference<>();
            CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
                try {
                    popped.set(blocked.blpop(30, "drain:nothing"));
                } catch (RuntimeException e) {
                    popped.set(e);
                }
            });
            assertThat(Poll.until(Duration.ofSeconds(10), () -> beta.blockedClients() == 1, () -> false))
                    .isTrue();

            shardis.signal("TERM");

            AtomicReference<Http.Response> draining = new AtomicReference<>();
            assertThat(Poll.until(
                            Duration.ofSeconds(2),
                            () -> {
                                try {
                                    Http.Response response = Http.get(http, "/ready");
                                    draining.set(response);
                                    return response.status() == 503;
                                } catch (RuntimeException e) {
                                    return false;
                                }
                            },
                            () -> !shardis.isAlive()))
                    .as("/ready 503 during the drain\n%s", shardis.log())
                    .isTrue();
            assertThat(draining.get().body()).contains("\"status\": \"draining\"");
            waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(Poll.until(Duration.ofSeconds(15), () -> !shardis.isAlive(), () -> false))
                    .isTrue();
        }
    }

    private static int status(int port, String path) {
        try {
            return Http.get(port, path).status();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
