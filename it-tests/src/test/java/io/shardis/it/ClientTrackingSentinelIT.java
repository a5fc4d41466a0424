package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheConfig;

/**
 * Client-side caching across a Sentinel failover: the tracking client hears the null invalidation
 * when the master dies, and tracking works against the promoted master afterwards. Jedis' cache
 * (through a pool with {@code redis_version: 7.4.0}) is flushed by it and reads the promoted
 * master's value; a pool at the default version is refused by Jedis as a server older than 7.4.
 */
@ExtendWith(StopChildProcesses.class)
class ClientTrackingSentinelIT {

    private static SentinelFixture sentinel;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        sentinel = SentinelFixture.builder().masters(1).start();
        List<String> sentinels = new ArrayList<>();
        for (InetSocketAddress address : sentinel.sentinelAddresses()) {
            sentinels.add(address.getHostString() + ":" + address.getPort());
        }
        shardis = ShardisFixture.start(
                """
                ha:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 1000
                  redis_version: 7.4.0
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                plain:
                  listen: 127.0.0.1:0
                  timeout: 1000
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                """,
                Map.of(
                        "sentinels",
                        String.join(", ", sentinels),
                        "shard1",
                        sentinel.master("shard1").address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, sentinel);
    }

    private static InetSocketAddress address() {
        return shardis.address("ha");
    }

    private static RedisClient jedisCache(String pool) {
        InetSocketAddress address = shardis.address(pool);
        return RedisClient.builder()
                .hostAndPort(new HostAndPort(address.getHostString(), address.getPort()))
                .clientConfig(DefaultJedisClientConfig.builder()
                        .protocol(RedisProtocol.RESP3)
                        .build())
                .cacheConfig(CacheConfig.builder().maxSize(100).build())
                .build();
    }

    @Test
    void jedisRefusesItsCacheWhenShardisSaysTheDefaultVersion() {
        try (RedisClient jedis = jedisCache("plain")) {
            assertThatThrownBy(() -> jedis.get("k"))
                    .hasStackTraceContaining("Client side caching is only supported with 'Redis 7.4' or later");
        }
    }

    @Test
    void aFailoverFlushesTheTrackingClientAndTrackingGoesOnWithTheNewMaster() {
        try (Resp3Socket writer = new Resp3Socket(address());
                RedisClient jedis = jedisCache("ha")) {
            assertThat(writer.call("SET k v1")).isEqualTo("+OK\r\n");
            assertThat(jedis.get("k")).isEqualTo("v1");
            assertThat(jedis.get("k")).isEqualTo("v1");
            assertThat(jedis.getCache().getStats().getHitCount())
                    .as("Jedis' cache served the second read")
                    .isEqualTo(1);
            try (Resp3Socket tracker = new Resp3Socket(address())) {
                tracker.call("HELLO 3");
                assertThat(tracker.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
                assertThat(tracker.call("GET k")).isEqualTo("$2\r\nv1\r\n");
                sentinel.killMaster("shard1");
                assertThat(tracker.read())
                        .as("the master is gone: everything read may be stale")
                        .isEqualTo(">2\r\n$10\r\ninvalidate\r\n_\r\n");
            }
            sentinel.awaitFailover("shard1");
            assertThat(Poll.until(
                            Duration.ofSeconds(20),
                            () -> writer.call("SET k v2").equals("+OK\r\n"),
                            () -> false))
                    .as("writes reach the promoted master")
                    .isTrue();
            assertThat(jedis.get("k"))
                    .as("Jedis' cache was flushed: the promoted master's value")
                    .isEqualTo("v2");
            assertThat(jedis.getCache().getStats().getFlushCount()).isGreaterThanOrEqualTo(1);
            assertThat(jedis.get("k")).isEqualTo("v2");
            try (Resp3Socket tracker = new Resp3Socket(address())) {
                tracker.call("HELLO 3");
                assertThat(tracker.call("CLIENT TRACKING ON")).isEqualTo("+OK\r\n");
                assertThat(tracker.call("GET k")).isEqualTo("$2\r\nv2\r\n");
                assertThat(writer.call("SET k v3")).isEqualTo("+OK\r\n");
                assertThat(tracker.read()).isEqualTo(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n");
                assertThat(Poll.until(
                                Duration.ofSeconds(10), () -> jedis.get("k").equals("v3"), () -> false))
                        .as("Jedis' cache hears the new master's invalidations")
                        .isTrue();
            }
        }
    }
}
