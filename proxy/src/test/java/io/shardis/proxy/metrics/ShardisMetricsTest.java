package io.shardis.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.ShardisConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ShardisMetricsTest {

    private static final long START_SECONDS = 1_796_085_403L;

    @Test
    void documentForNutcrackersConfigurationHasNutcrackersShape() {
        ShardisMetrics metrics = ShardisMetrics.create(NutcrackerCapture.config(), "0.1.0", "vm", Clock.systemUTC());

        Map<String, Object> ours = JsonTree.parse(TwemproxyStatsDocument.render(metrics.snapshot()));
        Map<String, Object> nutcrackers = JsonTree.parse(NutcrackerCapture.document());

        // The same keys in the same order at every level (pools beta, alpha, legacy: nutcracker's
        // order, not the file's; servers shard-9 before shard-10; 127.0.0.1 for port 11211), and
        // each value of the same JSON type.
        assertThat(shape(ours)).isEqualTo(shape(nutcrackers));
        assertThat(ours.keySet())
                .containsExactly(
                        "service",
                        "source",
                        "version",
                        "uptime",
                        "timestamp",
                        "total_connections",
                        "curr_connections",
                        "beta",
                        "alpha",
                        "legacy");
        assertThat(JsonTree.object(ours, "alpha").keySet()).endsWith("shard-9", "shard-10");
        assertThat(JsonTree.object(ours, "legacy").keySet()).endsWith("127.0.0.1", "127.0.0.1:44391");
        assertThat(ours.get("service")).isEqualTo("shardis");
    }

    @Test
    void clientEventsMoveThePoolAndProcessCounters() {
        ShardisMetrics metrics = twoPools();
        PoolMetrics alpha = metrics.pool("alpha");
        alpha.listening();
        metrics.pool("beta").listening();
        for (int i = 0; i < 3; i++) {
            alpha.clientConnected();
        }
        alpha.clientClosedByEof();
        alpha.clientClosedByError();

        StatsSnapshot snapshot = metrics.snapshot();
        StatsSnapshot.Pool pool = snapshot.pool("alpha");
        assertThat(pool.value(PoolStat.CLIENT_CONNECTIONS)).isEqualTo(1);
        assertThat(pool.value(PoolStat.CLIENT_EOF)).isEqualTo(1);
        assertThat(pool.value(PoolStat.CLIENT_ERR)).isEqualTo(1);
        assertThat(snapshot.pool("beta").value(PoolStat.CLIENT_CONNECTIONS)).isZero();
        // Two listeners and three clients opened; two listeners and one client still open.
        assertThat(snapshot.totalConnections()).isEqualTo(5);
        assertThat(snapshot.currConnections()).isEqualTo(3);
    }

    @Test
    void serverEventsMoveTheServerCountersAndTheirPools() {
        ShardisMetrics metrics = twoPools();
        PoolMetrics alpha = metrics.pool("alpha");
        ServerMetrics second = alpha.server(1);
        assertThat(second).isSameAs(alpha.server("shard-2"));

        second.connected();
        second.connected();
        second.requestForwarded(40);
        second.inQueueAdded(40);
        second.inQueueRemoved(40);
        second.outQueueAdded(40);
        second.requestForwarded(27);
        second.inQueueAdded(27);
        second.outQueueRemoved(40);
        second.replyReceived(5);
        second.timedOut();
        second.disconnectedByEof();
        second.connectFailed();
        second.ejected(1_796_085_403_123_456L);
        alpha.forwardFailed();
        alpha.fragmentsCreated(3);

        StatsSnapshot.Pool pool = metrics.snapshot().pool("alpha");
        StatsSnapshot.Server server = pool.server("shard-2");
        assertThat(server.value(ServerStat.REQUESTS)).isEqualTo(2);
        assertThat(server.value(ServerStat.REQUEST_BYTES)).isEqualTo(67);
        assertThat(server.value(ServerStat.RESPONSES)).isEqualTo(1);
        assertThat(server.value(ServerStat.RESPONSE_BYTES)).isEqualTo(5);
        assertThat(server.value(ServerStat.IN_QUEUE)).isEqualTo(1);
        assertThat(server.value(ServerStat.IN_QUEUE_BYTES)).isEqualTo(27);
        assertThat(server.value(ServerStat.OUT_QUEUE)).isZero();
        assertThat(server.value(ServerStat.OUT_QUEUE_BYTES)).isZero();
        assertThat(server.value(ServerStat.SERVER_CONNECTIONS)).isEqualTo(1);
        assertThat(server.value(ServerStat.SERVER_EOF)).isEqualTo(1);
        assertThat(server.value(ServerStat.SERVER_ERR)).isEqualTo(1);
        assertThat(server.value(ServerStat.SERVER_TIMEDOUT)).isEqualTo(1);
        assertThat(server.value(ServerStat.SERVER_EJECTED_AT)).isEqualTo(1_796_085_403_123_456L);
        assertThat(pool.value(PoolStat.SERVER_EJECTS)).isEqualTo(1);
        assertThat(pool.value(PoolStat.FORWARD_ERROR)).isEqualTo(1);
        assertThat(pool.value(PoolStat.FRAGMENTS)).isEqualTo(3);
        assertThat(pool.server("shard-1").value(ServerStat.REQUESTS)).isZero();
        // Two connections opened and a failed attempt; one still open.
        StatsSnapshot snapshot = metrics.snapshot();
        assertThat(snapshot.totalConnections()).isEqualTo(3);
        assertThat(snapshot.currConnections()).isEqualTo(1);
    }

    @Test
    void aSnapshotReadsTheCountersAndTheClockWhenItIsTaken() {
        // No aggregation interval: what happened just before a snapshot is in it.
        AtomicLong millis = new AtomicLong(START_SECONDS * 1000 + 999);
        ShardisMetrics metrics = ShardisMetrics.create(config("""
                alpha:
                  listen: 127.0.0.1:0
                  servers:
                    - 127.0.0.1:6379:1
                """), "0.1.0", "vm", new TickingClock(millis));
        StatsSnapshot first = metrics.snapshot();
        metrics.pool("alpha").clientConnected();
        millis.addAndGet(61_500);
        StatsSnapshot second = metrics.snapshot();

        assertThat(first.pool("alpha").value(PoolStat.CLIENT_CONNECTIONS)).isZero();
        assertThat(first.uptimeSeconds()).isZero();
        assertThat(first.timestampSeconds()).isEqualTo(START_SECONDS);
        assertThat(second.pool("alpha").value(PoolStat.CLIENT_CONNECTIONS)).isEqualTo(1);
        assertThat(second.uptimeSeconds()).isEqualTo(62);
        assertThat(second.timestampSeconds()).isEqualTo(START_SECONDS + 62);
        assertThat(second.source()).isEqualTo("vm");
        assertThat(second.version()).isEqualTo("0.1.0");
    }

    @Test
    void everyFigureIsInTheRegistryUnderAStableName() {
        ShardisMetrics metrics = twoPools();
        metrics.pool("alpha").server("shard-2").requestForwarded(10);
        metrics.pool("alpha").server("shard-2").ejected(42);

        assertThat(metrics.registry()
                        .counter("shardis.pool.alpha.server.shard-2.requests")
                        .getCount())
                .isEqualTo(1);
        assertThat(metrics.registry()
                        .counter("shardis.pool.alpha.server_ejects")
                        .getCount())
                .isEqualTo(1);
        assertThat(metrics.registry()
                        .getGauges()
                        .get("shardis.pool.alpha.server.shard-2.server_ejected_at")
                        .getValue())
                .isEqualTo(42L);
        assertThat(metrics.registry().getNames())
                .contains(
                        "shardis.total_connections",
                        "shardis.curr_connections",
                        "shardis.pool.beta.client_connections",
                        "shardis.pool.beta.server.127.0.0.1:6380.in_queue",
                        "shardis.pool.alpha.client_reply_limit_disconnects")
                .contains("shardis.pool.alpha.auth_failures", "shardis.pool.alpha.access_denied")
                // per process 2, per pool nutcracker's 6, client_reply_limit_disconnects and the 2 of
                // authentication, per server nutcracker's 13 and failovers: two pools, three servers
                .hasSize(2 + 2 * (6 + 1 + 2) + 3 * 14);
    }

    @Test
    void serversAreNamedAsNutcrackerNamesThem() {
        ShardisMetrics metrics = ShardisMetrics.create(
                TestConfigs.pools(
                        Map.of("alpha", List.of("10.0.0.1:6379:1", "10.0.0.2:11211:1", "10.0.0.3:6379:1 cache-3"))),
                "0.1.0",
                "vm",
                Clock.systemUTC());

        List<String> names = new ArrayList<>();
        metrics.pool("alpha").servers().forEach(server -> names.add(server.name()));
        assertThat(names).containsExactly("10.0.0.1:6379", "10.0.0.2", "cache-3");
        assertThat(metrics.snapshot().pool("alpha").servers())
                .extracting(StatsSnapshot.Server::name)
                .containsExactly("cache-3", "10.0.0.2", "10.0.0.1:6379");
    }

    @Test
    void twoServersOfAPoolWithOneNameAreRefused() {
        // The configuration refuses them first, as nutcracker does: their stats would share one key.
        assertThatThrownBy(() ->
                        TestConfigs.pools(Map.of("alpha", List.of("10.0.0.1:6379:1 cache", "10.0.0.2:6379:1 cache"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pool 'alpha'")
                .hasMessageContaining("cache");
    }

    @Test
    void unknownPoolsAndServersAreNamedInTheError() {
        ShardisMetrics metrics = twoPools();
        assertThatThrownBy(() -> metrics.pool("gamma")).hasMessageContaining("gamma");
        assertThatThrownBy(() -> metrics.pool("alpha").server("shard-3")).hasMessageContaining("shard-3");
    }

    /** Each object's keys with, for each, "string", "number" or the nested object's shape. */
    private static Map<String, Object> shape(Map<String, Object> object) {
        Map<String, Object> shape = new LinkedHashMap<>();
        object.forEach((key, value) -> {
            if (value instanceof Map) {
                shape.put(key, shape(JsonTree.object(object, key)));
            } else {
                shape.put(key, value instanceof String ? "string" : "number");
            }
        });
        return shape;
    }

    @Test
    void aNodeTheClusterForgotLeavesTheDocumentAndComesBackWithItsCounters() {
        ShardisMetrics metrics = twoPools();
        PoolMetrics beta = metrics.pool("beta");
        ServerMetrics node = beta.addServer("10.0.0.9:7000");
        node.requestForwarded(10);
        assertThat(serverNames(metrics, "beta")).containsExactly("10.0.0.9:7000", "127.0.0.1:6380");

        beta.listed("10.0.0.9:7000", false);
        assertThat(serverNames(metrics, "beta")).containsExactly("127.0.0.1:6380");
        assertThat(beta.server(1)).as("its index stays its own").isSameAs(node);

        beta.listed("10.0.0.9:7000", true);
        assertThat(serverNames(metrics, "beta")).containsExactly("10.0.0.9:7000", "127.0.0.1:6380");
        assertThat(metrics.snapshot().pool("beta").servers().get(0).value(ServerStat.REQUESTS))
                .isEqualTo(1);
    }

    private static List<String> serverNames(ShardisMetrics metrics, String pool) {
        return metrics.snapshot().pool(pool).servers().stream()
                .map(StatsSnapshot.Server::name)
                .toList();
    }

    private static ShardisMetrics twoPools() {
        Map<String, List<String>> pools = new LinkedHashMap<>();
        pools.put("alpha", List.of("127.0.0.1:6379:1 shard-1", "127.0.0.1:6380:1 shard-2"));
        pools.put("beta", List.of("127.0.0.1:6380:1"));
        return ShardisMetrics.create(TestConfigs.pools(pools), "0.1.0", "vm", Clock.systemUTC());
    }

    private static ShardisConfig config(String yaml) {
        try {
            return ShardisConfig.parse(yaml, "test");
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock that reads its time from a counter the test moves. */
    private static final class TickingClock extends Clock {
        private final AtomicLong millis;

        TickingClock(AtomicLong millis) {
            this.millis = millis;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }
}
