package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Poll;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.ShardedShardis;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheConfig;

/**
 * Jedis' client-side cache, as its documentation sets it up ({@link RedisClient} with a
 * {@link CacheConfig}, RESP3), through a sharded pool of four redis-server whose
 * {@code redis_version: 7.4.0} lets Jedis enable it: a repeated GET is served by the cache (no
 * second GET reaches a server), and another client's write through Shardis drops the cached value.
 */
@ExtendWith(StopChildProcesses.class)
class JedisClientSideCacheIT {

    @RegisterExtension
    static final ShardedShardis env = ShardedShardis.withPoolKeys("redis_version: 7.4.0");

    private static final JedisClientConfig RESP3 =
            DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP3).build();

    private static RedisClient cached() {
        InetSocketAddress shardis = env.shardis().address(ShardedShardis.POOL);
        return RedisClient.builder()
                .hostAndPort(new HostAndPort(shardis.getHostString(), shardis.getPort()))
                .clientConfig(RESP3)
                .cacheConfig(CacheConfig.builder().maxSize(1000).build())
                .build();
    }

    @Test
    void jedisCacheServesRepeatedReadsAndDropsWhatAnotherClientWrote() {
        List<String> keys = List.of("user:1", "user:2", "user:3", "user:4", "user:5", "user:6");
        try (Jedis writer = env.jedis()) {
            for (String key : keys) {
                writer.set(key, key + "=a");
            }
            assertThat(keys.stream()
                            .map(key -> env.holders(key).get(0))
                            .distinct()
                            .count())
                    .as("the keys are on more than one server")
                    .isGreaterThan(1);
            try (RedisClient jedis = cached()) {
                long before = env.backendCalls("get");
                for (int round = 0; round < 3; round++) {
                    for (String key : keys) {
                        assertThat(jedis.get(key)).isEqualTo(key + "=a");
                    }
                }
                assertThat(env.backendCalls("get") - before)
                        .as("one GET per key reached the servers")
                        .isEqualTo(keys.size());
                assertThat(jedis.getCache().getStats().getHitCount()).isEqualTo(2L * keys.size());
                assertThat(jedis.getCache().getSize()).isEqualTo(keys.size());

                writer.set("user:1", "user:1=b");
                assertThat(Poll.until(
                                Duration.ofSeconds(10),
                                () -> jedis.get("user:1").equals("user:1=b"),
                                () -> false))
                        .as("the other client's write invalidated the cached value")
                        .isTrue();
                assertThat(jedis.getCache().getStats().getInvalidationCount())
                        .as("by Shardis' invalidation push")
                        .isGreaterThanOrEqualTo(1);
                long after = env.backendCalls("get");
                assertThat(jedis.get("user:2")).isEqualTo("user:2=a");
                assertThat(jedis.get("user:1")).isEqualTo("user:1=b");
                assertThat(env.backendCalls("get"))
                        .as("both served by the cache again")
                        .isEqualTo(after);
            }
        }
    }

    @Test
    void helloAndInfoSayThePoolsRedisVersion() {
        InetSocketAddress shardis = env.shardis().address(ShardedShardis.POOL);
        try (RedisClient jedis = RedisClient.builder()
                .hostAndPort(new HostAndPort(shardis.getHostString(), shardis.getPort()))
                .clientConfig(RESP3)
                .build()) {
            assertThat(jedis.info("server")).contains("\r\nredis_version:7.4.0\r\n");
        }
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.info()).contains("\r\nredis_version:7.4.0\r\n");
        }
        try (Resp3Socket socket = new Resp3Socket(env.shardis().address(ShardedShardis.POOL))) {
            assertThat(socket.call("HELLO 3")).contains("$7\r\nversion\r\n$5\r\n7.4.0\r\n");
            assertThat(socket.call("HELLO 2")).contains("$7\r\nversion\r\n$5\r\n7.4.0\r\n");
        }
        try (Jedis direct = env.backends().get(0).client()) {
            assertThat(direct.info("server")).doesNotContain("redis_version:7.4.0");
        }
    }
}
