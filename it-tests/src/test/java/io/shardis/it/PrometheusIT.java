package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.PromQl;
import io.shardis.it.support.PrometheusText;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * {@code /metrics} of a running Shardis (the distribution's {@code bin/shardis --http}), read
 * as Prometheus reads it and parsed strictly: the values move with the traffic sent, and the
 * latency histograms count exactly the commands sent.
 */
@ExtendWith(StopChildProcesses.class)
class PrometheusIT {

    private static RedisProcess redis;
    private static SentinelFixture sentinel;
    private static ShardisProcess shardis;
    private static int http;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
        sentinel = SentinelFixture.builder().masters(1).start();
        List<String> sentinels = new ArrayList<>();
        sentinel.sentinelAddresses().forEach(a -> sentinels.add(a.getHostString() + ":" + a.getPort()));
        shardis = ShardisProcess.start(
                """
                alpha:
                  listen: 127.0.0.1:${port.alpha}
                  timeout: 5000
                  servers:
                    - ${redis}:1
                ha:
                  listen: 127.0.0.1:${port.ha}
                  timeout: 5000
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                """,
                Map.of(
                        "redis",
                        redis.address(),
                        "sentinels",
                        String.join(", ", sentinels),
                        "shard1",
                        sentinel.master("shard1").address()),
                "--http",
                "127.0.0.1:${port.http}");
        http = shardis.port("http");
        assertThat(Poll.until(
                        Duration.ofSeconds(30),
                        () -> {
                            try {
                                return Http.get(http, "/health").status() == 200;
                            } catch (RuntimeException e) {
                                return false;
                            }
                        },
                        () -> !shardis.isAlive()))
                .as("/health answers 200\n%s", shardis.log())
                .isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        shardis.close();
        sentinel.close();
        redis.close();
    }

    /**
     * Per server: its state, and in Sentinel pools which Sentinels name the master in use, in
     * {@code /metrics} and {@code /pools}; and the commands held right now.
     */
    @Test
    void serverStatesAndSentinelAgreementAreServed() {
        String master = sentinel.master("shard1").address();
        assertThat(Poll.until(
                        Duration.ofSeconds(30),
                        () -> Http.metrics(http)
                                        .valueOrZero("shardis_sentinels_agreeing", "pool", "ha", "server", "shard1")
                                == SentinelFixture.SENTINELS,
                        () -> !shardis.isAlive()))
                .as("every Sentinel agrees\n%s", Http.get(http, "/pools/ha").body())
                .isTrue();
        PrometheusText metrics = Http.metrics(http);
        assertThat(metrics.value("shardis_sentinel_disagreement", "pool", "ha", "server", "shard1"))
                .isEqualTo(0);
        assertThat(metrics.value("shardis_server_state", "pool", "ha", "server", "shard1", "state", "in_ring"))
                .isEqualTo(1);
        assertThat(metrics.value(
                        "shardis_server_state", "pool", "alpha", "server", redis.address(), "state", "ejected"))
                .isEqualTo(0);
        assertThat(metrics.value("shardis_commands_held", "pool", "ha")).isEqualTo(0);
        assertThat(metrics.samples("shardis_sentinels_agreeing", "pool", "alpha"))
                .isEmpty();
        String pools = Http.get(http, "/pools/ha").body();
        assertThat(pools)
                .contains(
                        "\"sentinels_agreeing\": 3",
                        "\"master\": \"" + master + "\"",
                        "\"agrees\": true",
                        "\"held_now\": 0");
    }

    @Test
    void clientSideCachingIsCounted() {
        InetSocketAddress alpha = new InetSocketAddress("127.0.0.1", shardis.port("alpha"));
        PrometheusText before = Http.metrics(http);
        try (Resp3Socket tracker = new Resp3Socket(alpha);
                Jedis writer = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
            tracker.call("HELLO 3");
            assertThat(tracker.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
            tracker.call("GET cached:1");
            tracker.call("GET cached:2");
            PrometheusText tracking = Http.metrics(http);
            assertThat(tracking.value("shardis_tracking_clients", "pool", "alpha"))
                    .isEqualTo(1);
            assertThat(tracking.value("shardis_tracking_keys", "pool", "alpha")).isEqualTo(2);
            assertThat(tracking.value("shardis_tracking_connections", "pool", "alpha"))
                    .as("one per server on the client's event loop")
                    .isEqualTo(1);
            writer.set("cached:1", "v");
            assertThat(tracker.read()).isEqualTo(">2\r\n$10\r\ninvalidate\r\n*1\r\n$8\r\ncached:1\r\n");
            PrometheusText after = Http.metrics(http);
            assertThat(delta(before, after, "shardis_invalidations_total", "pool", "alpha"))
                    .isEqualTo(1);
            assertThat(after.value("shardis_tracking_keys", "pool", "alpha")).isEqualTo(1);
            assertThat(delta(before, after, "shardis_tracking_flushes_total", "pool", "alpha"))
                    .isEqualTo(0);
        }
        assertThat(Poll.until(
                        Duration.ofSeconds(10),
                        () -> Http.metrics(http).value("shardis_tracking_clients", "pool", "alpha") == 0
                                && Http.metrics(http).value("shardis_tracking_connections", "pool", "alpha") == 0
                                && Http.metrics(http).value("shardis_tracking_keys", "pool", "alpha") == 0,
                        () -> false))
                .as("the client gone: no tracking client, connection or key left")
                .isTrue();
    }

    @Test
    void countersAndHistogramsMoveWithTheCommandsSent() {
        String server = redis.address();
        try (Jedis jedis = new Jedis("127.0.0.1", shardis.port("alpha"), 10_000)) {
            jedis.ping();
            PrometheusText before = Http.metrics(http);
            for (int i = 0; i < 300; i++) {
                jedis.set("prom:" + i, "v" + i);
            }
            for (int i = 0; i < 200; i++) {
                assertThat(jedis.get("prom:" + i)).isEqualTo("v" + i);
            }
            PrometheusText after = Http.metrics(http);

            // Every forwarded command is one observation of each client-side histogram, and one backend reply.
            for (String histogram : new String[] {
                "shardis_command_duration_seconds",
                "shardis_added_latency_seconds",
                "shardis_backend_round_trip_seconds"
            }) {
                assertThat(delta(before, after, histogram + "_count", "pool", "alpha"))
                        .as(histogram)
                        .isEqualTo(500);
                assertThat(delta(before, after, histogram + "_bucket", "pool", "alpha", "le", "+Inf"))
                        .as(histogram)
                        .isEqualTo(500);
            }
            double duration = delta(before, after, "shardis_command_duration_seconds_sum", "pool", "alpha");
            double added = delta(before, after, "shardis_added_latency_seconds_sum", "pool", "alpha");
            double backend = delta(before, after, "shardis_backend_round_trip_seconds_sum", "pool", "alpha");
            assertThat(duration).isPositive();
            assertThat(added).isPositive().isLessThan(duration);
            assertThat(backend).isPositive().isLessThanOrEqualTo(duration);
            // Buckets resolve 50 µs up to 1 s.
            assertThat(after.samples("shardis_backend_round_trip_seconds_bucket", "pool", "alpha"))
                    .extracting(sample -> sample.labels().get("le"))
                    .contains("5.0E-5", "0.001", "1.0", "+Inf");

            assertThat(delta(before, after, "shardis_commands_total", "pool", "alpha", "command_group", "write"))
                    .isEqualTo(300);
            assertThat(delta(before, after, "shardis_commands_total", "pool", "alpha", "command_group", "read"))
                    .isEqualTo(200);
            assertThat(delta(
                            before,
                            after,
                            "shardis_requests_total",
                            "pool",
                            "alpha",
                            "server",
                            server,
                            "command_group",
                            "write"))
                    .isEqualTo(300);
            assertThat(delta(
                            before,
                            after,
                            "shardis_requests_total",
                            "pool",
                            "alpha",
                            "server",
                            server,
                            "command_group",
                            "read"))
                    .isEqualTo(200);
            assertThat(delta(before, after, "shardis_responses_total", "pool", "alpha", "server", server))
                    .isEqualTo(500);
            // SET prom:N vN is at least 30 bytes of RESP; +OK\r\n is 5.
            assertThat(delta(before, after, "shardis_client_received_bytes_total", "pool", "alpha"))
                    .isGreaterThanOrEqualTo(300 * 30);
            assertThat(delta(before, after, "shardis_client_sent_bytes_total", "pool", "alpha"))
                    .isGreaterThanOrEqualTo(300 * 5);
            assertThat(after.value("shardis_client_connections", "pool", "alpha"))
                    .isGreaterThanOrEqualTo(1);
            assertThat(after.value("shardis_server_connections", "pool", "alpha", "server", server))
                    .isGreaterThanOrEqualTo(1);
            assertThat(after.value(
                            "shardis_build_info",
                            "version",
                            after.samples("shardis_build_info").get(0).labels().get("version")))
                    .isEqualTo(1);
            // The JVM's own, from the Prometheus client's instrumentation.
            assertThat(after.sampleNames())
                    .contains(
                            "jvm_memory_used_bytes",
                            "jvm_gc_collection_seconds_count",
                            "jvm_threads_current",
                            "process_cpu_seconds_total");
        }
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() {
        Http.Response response =
                Http.get(http, "/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/openmetrics-text");
        assertThat(response.body()).contains("# TYPE shardis_requests counter").endsWith("# EOF\n");
    }

    @Test
    void unknownPathsAndMethodsAreRefused() {
        assertThat(Http.get(http, "/nothing").status()).isEqualTo(404);
        assertThat(Http.post(http, "/metrics").status()).isEqualTo(405);
        assertThat(Http.get(http, "/health").body()).contains("\"status\": \"up\"");
    }

    /** Every query of conf/grafana/shardis.json names only metrics this Shardis serves. */
    @Test
    void theGrafanaDashboardQueriesOnlyServedMetrics() throws Exception {
        Path file = ShardisProcess.repoRoot().resolve("conf/grafana/shardis.json");
        JsonObject dashboard = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        List<String> queries = new ArrayList<>();
        collectQueries(dashboard, queries);
        assertThat(queries).hasSizeGreaterThan(20);
        Set<String> served = Http.metrics(http).sampleNames();
        for (String query : queries) {
            assertThat(PromQl.metricNames(query))
                    .as(query)
                    .isNotEmpty()
                    .allSatisfy(name ->
                            assertThat(served).as("%s in %s", name, query).contains(name));
        }
    }

    private static void collectQueries(JsonElement element, List<String> queries) {
        if (element.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry :
                    element.getAsJsonObject().entrySet()) {
                if ((entry.getKey().equals("expr") || entry.getKey().equals("definition"))
                        && entry.getValue().isJsonPrimitive()) {
                    queries.add(entry.getValue().getAsString());
                } else {
                    collectQueries(entry.getValue(), queries);
                }
            }
        } else if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(child -> collectQueries(child, queries));
        }
    }

    private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
        return after.value(name, labels) - before.valueOrZero(name, labels);
    }
}
