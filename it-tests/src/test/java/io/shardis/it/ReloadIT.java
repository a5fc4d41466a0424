package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.FreePorts;
import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.PrometheusText;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Configuration reload on a running Shardis: SIGHUP or {@code POST /reload} adds a pool and
 * removes one while a client of an unchanged pool keeps its connection and sees no error; a
 * broken file is refused with its reason and the running configuration keeps serving; a changed
 * pool takes its new settings with its client connected.
 */
@ExtendWith(StopChildProcesses.class)
class ReloadIT {

    private static final String ALPHA = """
            shardis:
              admin: true
            alpha:
              listen: 127.0.0.1:%d
              servers:
                - %s:1
            """;
    private static final String BETA = """
            beta:
              listen: 127.0.0.1:%d
              servers:
                - %s:1
            """;

    @Test
    void poolsAreAddedAndRemovedWhileUnchangedPoolsServeOnAndABrokenFileIsRefused() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start(
                        """
                        shardis:
                          admin: true
                        alpha:
                          listen: 127.0.0.1:${port.alpha}
                          servers:
                            - ${redis}:1
                        """,
                        Map.of("redis", redis.address()),
                        "--http",
                        "127.0.0.1:${port.http}",
                        "--transport",
                        "nio");
                Jedis alpha = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000);
                Jedis early = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
            int http = shardis.port("http");
            int alphaPort = shardis.port("alpha");
            int betaPort = FreePorts.next();
            alpha.set("before", "1");
            assertThat(early.set("big", "x".repeat(4096)))
                    .as("4 KiB under the default max_request_bytes")
                    .isEqualTo("OK");

            // SIGHUP adds a pool.
            Files.writeString(
                    shardis.configFile(),
                    ALPHA.formatted(alphaPort, redis.address()) + BETA.formatted(betaPort, redis.address()));
            shardis.signal("HUP");
            assertThat(Poll.until(Duration.ofSeconds(20), () -> accepts(betaPort), () -> !shardis.isAlive()))
                    .as("pool beta listens after SIGHUP\n%s", shardis.log())
                    .isTrue();
            try (Jedis beta = new Jedis("127.0.0.1", betaPort, 10_000)) {
                assertThat(beta.get("before")).isEqualTo("1");
            }
            // The client of the unchanged pool kept its connection.
            assertThat(alpha.get("before")).isEqualTo("1");
            assertThat(Http.get(http, "/pools/beta").status()).isEqualTo(200);

            // A broken file is refused; everything keeps serving.
            Files.writeString(shardis.configFile(), ALPHA.formatted(alphaPort, redis.address()) + "  timeout: soon\n");
            Http.Response refused = Http.post(http, "/reload");
            assertThat(refused.status()).isEqualTo(422);
            assertThat(refused.body()).contains("\"outcome\": \"refused\"", "timeout");
            assertThat(alpha.set("after-refused", "2")).isEqualTo("OK");
            assertThat(accepts(betaPort)).isTrue();

            // POST /reload removes a pool and applies a changed one, its client kept.
            Files.writeString(
                    shardis.configFile(),
                    ALPHA.formatted(alphaPort, redis.address()) + "  timeout: 5000\n  max_request_bytes: 1k\n");
            Http.Response removed = Http.post(http, "/reload");
            assertThat(removed.status()).as(removed.body()).isEqualTo(200);
            assertThat(removed.body())
                    .contains(
                            "removed pool 'beta'",
                            "pool 'alpha' changed (limits.maxRequestBytes: 603979776 -> 1024; timeouts.requestMillis: 0 -> 5000");
            assertThat(Poll.until(Duration.ofSeconds(10), () -> !accepts(betaPort), () -> false))
                    .isTrue();
            assertThat(alpha.get("after-refused")).isEqualTo("2");
            // The new limits hold for a client that connected before the reload, not only for new ones.
            assertThatThrownBy(() -> early.set("big", "x".repeat(4096)))
                    .hasMessageContaining("request larger than the proxy's limit of 1024 bytes");
            assertThat(Http.get(http, "/pools/beta").status()).isEqualTo(404);

            // The same file again changes nothing: the command line's --transport outranks the file's default.
            Http.Response same = Http.post(http, "/reload");
            assertThat(same.status()).as(same.body()).isEqualTo(200);
            assertThat(same.body()).contains("\"outcome\": \"unchanged\"").doesNotContain("transport");

            PrometheusText metrics = Http.metrics(http);
            assertThat(metrics.value("shardis_config_reloads_total", "outcome", "applied"))
                    .isEqualTo(2);
            assertThat(metrics.value("shardis_config_reloads_total", "outcome", "refused"))
                    .isEqualTo(1);
            assertThat(metrics.samples("shardis_commands_total", "pool", "beta"))
                    .isEmpty();
            assertThat(shardis.log()).contains("configuration reload refused, the running configuration stays");
        }
    }

    @Test
    void aWatchedFileIsReloadedWhenItChangesEvenWhenSwappedBehindASymlink() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ShardisProcess shardis = ShardisProcess.start(
                        """
                        shardis:
                          watch: 200
                        alpha:
                          listen: 127.0.0.1:${port.alpha}
                          servers:
                            - ${redis}:1
                        """, Map.of("redis", redis.address()), "--http", "127.0.0.1:${port.http}");
                Jedis alpha = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
            int alphaPort = shardis.port("alpha");
            int betaPort = FreePorts.next();
            String watched = "shardis:\n  watch: 200\n";
            alpha.set("before", "1");

            // As a Kubernetes ConfigMap volume does: the new file is written apart, then the
            // configuration's path is swapped to it through a symlink; no signal is sent.
            java.nio.file.Path data = shardis.configFile().resolveSibling("data-1.yml");
            Files.writeString(
                    data,
                    watched
                            + ALPHA.formatted(alphaPort, redis.address()).replace("shardis:\n  admin: true\n", "")
                            + BETA.formatted(betaPort, redis.address()));
            java.nio.file.Path link = shardis.configFile().resolveSibling("next.yml");
            Files.createSymbolicLink(link, data.getFileName());
            Files.move(link, shardis.configFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(Poll.until(Duration.ofSeconds(20), () -> accepts(betaPort), () -> !shardis.isAlive()))
                    .as("pool beta listens once the watched file changed\n%s", shardis.log())
                    .isTrue();
            assertThat(alpha.get("before"))
                    .as("the unchanged pool's client kept")
                    .isEqualTo("1");

            // A broken file is refused by the watch as by SIGHUP: the running pools serve on.
            Files.writeString(shardis.configFile().resolveSibling("data-1.yml"), watched + "alpha:\n  timeout: soon\n");
            assertThat(Poll.until(
                            Duration.ofSeconds(20),
                            () -> shardis.log().contains("configuration reload refused"),
                            () -> !shardis.isAlive()))
                    .as(shardis.log())
                    .isTrue();
            assertThat(alpha.set("after", "2")).isEqualTo("OK");
            assertThat(accepts(betaPort)).isTrue();
            assertThat(shardis.log()).contains("configuration file " + shardis.configFile() + " changed: reloading it");
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
