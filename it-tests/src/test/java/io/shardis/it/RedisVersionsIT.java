package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.shardis.it.support.ShardisFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The same representative end-to-end checks against other Redis servers than the machine's
 * {@code redis-server}: the images {@code redis:6.2}, {@code redis:7.2}, {@code redis:7.4} and
 * {@code valkey/valkey:8}, two containers of each behind one sharded Shardis pool. Skipped, with
 * that reason, where no Docker engine runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class RedisVersionsIT {

    private static final int PORT = 6379;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"redis:6.2", "redis:7.2", "redis:7.4", "valkey/valkey:8"})
    void shardedPoolServesItsCommandsOn(String image) throws Exception {
        try (GenericContainer<?> first = redis(image);
                GenericContainer<?> second = redis(image)) {
            first.start();
            second.start();
            try (ShardisFixture shardis =
                            ShardisFixture.start("""
                    alpha:
                      listen: 127.0.0.1:0
                      redis: true
                      timeout: 5000
                      hash: fnv1a_64
                      distribution: ketama
                      hash_tag: "{}"
                      servers:
                        - ${first}:1 s1
                        - ${second}:1 s2
                    """, Map.of("first", address(first), "second", address(second)));
                    Jedis jedis = shardis.jedis("alpha");
                    Jedis other = shardis.jedis("alpha")) {
                // Keys spread over both servers, read back whole, split MGET/MSET/DEL merged.
                for (int i = 0; i < 50; i++) {
                    assertThat(jedis.set("k" + i, "v" + i)).isEqualTo("OK");
                }
                try (Jedis a = client(first);
                        Jedis b = client(second)) {
                    assertThat(a.dbSize()).as("keys on s1").isPositive();
                    assertThat(b.dbSize()).as("keys on s2").isPositive();
                    assertThat(a.dbSize() + b.dbSize()).isEqualTo(50);
                }
                assertThat(jedis.mget("k1", "k2", "k3", "nothing")).containsExactly("v1", "v2", "v3", null);
                assertThat(jedis.mset("m1", "1", "m2", "2", "m3", "3")).isEqualTo("OK");
                assertThat(jedis.incr("m2")).isEqualTo(3);
                assertThat(jedis.del("m1", "m2", "m3", "nothing")).isEqualTo(3);

                // A transaction on one hash tag; a Lua script placed by its key.
                Transaction multi = jedis.multi();
                multi.set("{tx}a", "1");
                multi.incr("{tx}b");
                multi.get("{tx}a");
                assertThat(multi.exec()).containsExactly("OK", 1L, "1");
                assertThat(jedis.eval("return redis.call('GET', KEYS[1])", List.of("k7"), List.of()))
                        .isEqualTo("v7");

                // A blocking pop answered by another client's push.
                CompletableFuture<List<String>> popped = CompletableFuture.supplyAsync(() -> {
                    try (Jedis blocked = shardis.jedis("alpha")) {
                        return blocked.blpop(10, "queue");
                    }
                });
                Thread.sleep(200);
                other.rpush("queue", "job");
                assertThat(popped.get(15, TimeUnit.SECONDS)).containsExactly("queue", "job");

                // The server's own errors come through as they are worded.
                jedis.set("text", "x");
                assertThatThrownBy(() -> jedis.incr("text"))
                        .isInstanceOf(JedisDataException.class)
                        .hasMessage("ERR value is not an integer or out of range");
            }
            lettuceAndPubSub(first, second);
        }
    }

    /** Lettuce (HELLO 3: RESP3 through the pool, on backend connections that say HELLO 3) and a subscription. */
    private static void lettuceAndPubSub(GenericContainer<?> first, GenericContainer<?> second) throws Exception {
        try (ShardisFixture shardis =
                ShardisFixture.start("""
                alpha:
                  listen: 127.0.0.1:0
                  redis: true
                  servers:
                    - ${first}:1 s1
                    - ${second}:1 s2
                """, Map.of("first", address(first), "second", address(second)))) {
            RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", shardis.port("alpha")));
            try (StatefulRedisConnection<String, String> connection = client.connect();
                    StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub()) {
                assertThat(connection.sync().set("lettuce", "1")).isEqualTo("OK");
                assertThat(connection.sync().get("lettuce")).isEqualTo("1");
                LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
                subscriber.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        messages.add(channel + "=" + message);
                    }
                });
                subscriber.sync().subscribe("news");
                assertThat(connection.sync().publish("news", "hello")).isEqualTo(1);
                assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("news=hello");
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
            }
        }
    }

    private static GenericContainer<?> redis(String image) {
        return new GenericContainer<>(DockerImageName.parse(image)).withExposedPorts(PORT);
    }

    private static String address(GenericContainer<?> container) {
        return container.getHost() + ":" + container.getMappedPort(PORT);
    }

    private static Jedis client(GenericContainer<?> container) {
        return new Jedis(container.getHost(), container.getMappedPort(PORT), 10_000);
    }
}
