package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.support.caching.CacheAccessor;
import io.lettuce.core.support.caching.CacheFrontend;
import io.lettuce.core.support.caching.ClientSideCaching;
import io.shardis.it.support.Closeables;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisCliReplies;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.topology.cluster.HashSlot;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.csc.CacheConfig;

/**
 * RESP3 clients through a cluster pool (3 masters, 3 replicas), against a standalone Redis 7.0
 * holding the same keys: the replies Shardis merges across masters byte for byte, Lettuce at its
 * defaults with typed replies and Pub/Sub, Jedis in RESP3; Lettuce's and Jedis' client-side caches
 * across a slot migration (a pool with {@code redis_version: 7.4.0} for Jedis').
 */
@ExtendWith(StopChildProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Resp3ClusterIT {

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    private static RedisClusterFixture cluster;
    private static ShardisFixture shardis;
    private static RedisProcess reference;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        reference = RedisProcess.start();
        shardis =
                ShardisFixture.start("""
                sessions:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  server_connections: 2
                  cluster:
                    seeds: [${seed}]
                    refresh_interval: 60000
                cached:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  redis_version: 7.4.0
                  cluster:
                    seeds: [${seed}]
                    refresh_interval: 60000
                """, Map.of("seed", cluster.nodes().get(0).address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, cluster, reference);
    }

    private static InetSocketAddress address() {
        return shardis.address("sessions");
    }

    private static List<String> frames(InetSocketAddress at, int count, String... commands) {
        try (Resp3Socket socket = new Resp3Socket(at)) {
            assertThat(socket.call("HELLO 3")).startsWith("%7\r\n");
            socket.send(commands);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                out.add(socket.read());
            }
            return out;
        }
    }

    @Test
    @Order(1)
    void repliesMergedAcrossTheMastersAreThoseOfOneRedis() {
        String[] writes = new String[30];
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < writes.length; i++) {
            writes[i] = "SET r3:" + i + " v" + i;
            owners.add(cluster.nodeForSlot(HashSlot.of("r3:" + i)).id());
        }
        assertThat(owners).as("the keys are on every master").hasSize(3);
        frames(address(), writes.length, writes);
        frames(reference.socketAddress(), writes.length, writes);
        String[] reads = {
            "MGET r3:1 nosuch r3:2 r3:3 r3:17 r3:29",
            "EXISTS r3:1 r3:2 nosuch r3:5",
            "DBSIZE",
            "DEL r3:1 r3:2 nosuch",
            "MGET r3:1 r3:4",
            "HSET r3:h f v",
            "HGETALL r3:h",
            "SADD r3:s a",
            "SMEMBERS r3:s",
            "ZADD r3:z 0.1 m",
            "ZSCORE r3:z m",
            "HGET r3:h nosuch"
        };
        assertThat(frames(address(), reads.length, reads))
                .as("through Shardis (left), a Redis 7.0 alone (right)")
                .isEqualTo(frames(reference.socketAddress(), reads.length, reads));
    }

    @Test
    @Order(2)
    void lettuceAndJedisSpeakResp3ThroughTheClusterPool() throws Exception {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(address())) {
            RedisCommands<String, String> redis = connection.sync();
            assertThat(redis.clientInfo()).contains(" resp=3");
            redis.hset("l3:h", Map.of("f1", "v1", "f2", "v2"));
            assertThat(redis.hgetall("l3:h")).isEqualTo(Map.of("f1", "v1", "f2", "v2"));
            redis.sadd("l3:s", "x", "y");
            assertThat(redis.smembers("l3:s")).isEqualTo(Set.of("x", "y"));
            redis.zadd("l3:z", 2.5, "m");
            assertThat(redis.zscore("l3:z", "m")).isEqualTo(2.5);
            for (int i = 0; i < 20; i++) {
                redis.set("l3:k" + i, "v" + i);
            }
            assertThat(redis.mget("l3:k1", "nosuch", "l3:k7", "l3:k19").stream()
                            .map(v -> v.getValueOrElse(null))
                            .toList())
                    .containsExactly("v1", null, "v7", "v19");
        }
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP3)
                .timeoutMillis(15_000)
                .build();
        try (Jedis jedis =
                new Jedis(new HostAndPort(address().getHostString(), address().getPort()), config)) {
            jedis.hset("j3:h", Map.of("f", "v"));
            assertThat(jedis.hgetAll("j3:h")).isEqualTo(Map.of("f", "v"));
            jedis.zadd("j3:z", 1.5, "m");
            assertThat(jedis.zscore("j3:z", "m")).isEqualTo(1.5);
            jedis.mset("j3:a", "1", "j3:b", "2", "j3:c", "3");
            assertThat(jedis.mget("j3:a", "nosuch", "j3:b", "j3:c")).containsExactly("1", null, "2", "3");
            assertThat(jedis.clientInfo()).contains(" resp=3");
        }
        try (StatefulRedisPubSubConnection<String, String> subscriber = lettuce.connectPubSub(address());
                StatefulRedisConnection<String, String> publisher = lettuce.connect(address())) {
            LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add(channel + "=" + message);
                }
            });
            subscriber.sync().subscribe("news");
            assertThat(publisher.sync().publish("news", "hello")).isEqualTo(1);
            assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("news=hello");
            for (int i = 0; i < 20; i++) {
                assertThat(subscriber.sync().set("p3:" + i, "v" + i)).isEqualTo("OK");
                assertThat(subscriber.sync().get("p3:" + i)).isEqualTo("v" + i);
            }
            assertThat(publisher.sync().publish("news", "again")).isEqualTo(1);
            assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("news=again");
        }
    }

    @Test
    @Order(3)
    void keyspaceNotificationsOfEveryMasterReachALettuceSubscriber() throws Exception {
        for (RedisClusterFixture.Node master : cluster.masters()) {
            try (Jedis direct = master.client()) {
                direct.configSet("notify-keyspace-events", "E$");
            }
        }
        try (StatefulRedisPubSubConnection<String, String> subscriber = lettuce.connectPubSub(address());
                StatefulRedisConnection<String, String> writer = lettuce.connect(address())) {
            LinkedBlockingQueue<String> keys = new LinkedBlockingQueue<>();
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    keys.add(channel + " " + message);
                }
            });
            subscriber.sync().subscribe("__keyevent@0__:set");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean all = false;
            while (!all && System.nanoTime() < deadline) {
                all = true;
                for (RedisClusterFixture.Node master : cluster.masters()) {
                    try (Jedis direct = master.client()) {
                        all &= direct.pubsubNumSub("__keyevent@0__:set").get("__keyevent@0__:set") > 0;
                    }
                }
                Thread.sleep(all ? 0 : 20);
            }
            assertThat(all).as("every master has the subscription").isTrue();
            Set<String> written = new HashSet<>();
            Set<String> owners = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                writer.sync().set("ev:" + i, "v");
                written.add("__keyevent@0__:set ev:" + i);
                owners.add(cluster.nodeForSlot(HashSlot.of("ev:" + i)).id());
            }
            assertThat(owners).hasSize(3);
            Set<String> heard = new HashSet<>();
            for (int i = 0; i < written.size(); i++) {
                heard.add(keys.poll(10, TimeUnit.SECONDS));
            }
            assertThat(heard).isEqualTo(written);
            assertThat(subscriber.sync().get("ev:3"))
                    .as("RESP3: commands go on while subscribed")
                    .isEqualTo("v");
        } finally {
            for (RedisClusterFixture.Node master : cluster.masters()) {
                try (Jedis direct = master.client()) {
                    direct.configSet("notify-keyspace-events", "");
                }
            }
        }
    }

    @Test
    @Order(4)
    void lettucesClientSideCacheHearsEveryMaster() {
        List<String> keys = List.of("a", "b", "c");
        try (Resp3Socket writer = new Resp3Socket(address());
                StatefulRedisConnection<String, String> connection = lettuce.connect(address())) {
            for (String key : keys) {
                assertThat(writer.call("SET " + key + " v1")).isEqualTo("+OK\r\n");
            }
            Map<String, String> cache = new ConcurrentHashMap<>();
            CacheFrontend<String, String> frontend =
                    ClientSideCaching.enable(CacheAccessor.forMap(cache), connection, TrackingArgs.Builder.enabled());
            long before = getCalls();
            for (int i = 0; i < 3; i++) {
                for (String key : keys) {
                    assertThat(frontend.get(key)).isEqualTo("v1");
                }
            }
            assertThat(getCalls() - before)
                    .as("one GET per key reached the masters")
                    .isEqualTo(3);
            for (String key : keys) {
                assertThat(writer.call("SET " + key + " v2")).isEqualTo("+OK\r\n");
            }
            assertThat(Poll.until(Duration.ofSeconds(10), cache::isEmpty, () -> false))
                    .as("each master's invalidation reached the client: %s", cache)
                    .isTrue();
            for (String key : keys) {
                assertThat(frontend.get(key)).isEqualTo("v2");
            }
            frontend.close();
        }
    }

    @Test
    @Order(5)
    void cachesAcrossASlotMigrationHearTheNewMaster() {
        String key = "moving";
        int slot = HashSlot.of(key);
        RedisClusterFixture.Node from = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node to = cluster.masters().stream()
                .filter(master -> master != from)
                .findFirst()
                .orElseThrow();
        Map<String, String> cache = new ConcurrentHashMap<>();
        try (Resp3Socket writer = new Resp3Socket(address());
                StatefulRedisConnection<String, String> connection = lettuce.connect(address());
                RedisClient jedis = jedisCache()) {
            assertThat(writer.call("SET " + key + " v1")).isEqualTo("+OK\r\n");
            CacheFrontend<String, String> frontend =
                    ClientSideCaching.enable(CacheAccessor.forMap(cache), connection, TrackingArgs.Builder.enabled());
            assertThat(frontend.get(key)).isEqualTo("v1");
            assertThat(jedis.get(key)).isEqualTo("v1");

            cluster.migrateSlot(slot, to);

            assertThat(Poll.until(Duration.ofSeconds(10), () -> !cache.containsKey(key), () -> false))
                    .as("MIGRATE deleted the key from the old master: Lettuce's cache dropped it")
                    .isTrue();
            assertThat(Poll.until(
                            Duration.ofSeconds(10),
                            () -> "v1".equals(frontend.get(key)) && "v1".equals(cache.get(key)),
                            () -> false))
                    .as("Lettuce's cache holds the value read from the new master")
                    .isTrue();
            assertThat(Poll.until(
                            Duration.ofSeconds(10),
                            () -> {
                                long hits = jedis.getCache().getStats().getHitCount();
                                return "v1".equals(jedis.get(key))
                                        && jedis.getCache().getStats().getHitCount() > hits;
                            },
                            () -> false))
                    .as("Jedis' cache serves the value read from the new master")
                    .isTrue();

            assertThat(writer.call("SET " + key + " v2"))
                    .as("the write reaches the new master")
                    .isEqualTo("+OK\r\n");
            try (Jedis direct = to.client()) {
                assertThat(direct.get(key)).isEqualTo("v2");
            }
            assertThat(Poll.until(Duration.ofSeconds(10), () -> !cache.containsKey(key), () -> false))
                    .as("the new master's invalidation reached Lettuce's cache")
                    .isTrue();
            assertThat(frontend.get(key)).isEqualTo("v2");
            assertThat(Poll.until(Duration.ofSeconds(10), () -> jedis.get(key).equals("v2"), () -> false))
                    .as("and Jedis' cache")
                    .isTrue();
            frontend.close();
        }
    }

    @Test
    @Order(6)
    void redisCliPrintsTheSameTypedRepliesThroughTheClusterPool() {
        cluster.flushAll();
        reference.flushAll();
        String expected = RedisCliReplies.of(reference.socketAddress());
        assertThat(RedisCliReplies.of(address()))
                .as("redis-cli -3 through a cluster pool (left), to a Redis 7.0 alone (right)")
                .isEqualTo(expected);
        assertThat(Set.of("c", "d", "e", "h", "s", "z", "l", "fl").stream()
                        .map(key -> cluster.nodeForSlot(HashSlot.of(key)).id())
                        .distinct()
                        .count())
                .as("the keys are on more than one master")
                .isGreaterThan(1);
    }

    private static RedisClient jedisCache() {
        InetSocketAddress at = shardis.address("cached");
        return RedisClient.builder()
                .hostAndPort(new HostAndPort(at.getHostString(), at.getPort()))
                .clientConfig(DefaultJedisClientConfig.builder()
                        .protocol(RedisProtocol.RESP3)
                        .build())
                .cacheConfig(CacheConfig.builder().maxSize(100).build())
                .build();
    }

    private static final Pattern GET_CALLS = Pattern.compile("cmdstat_get:calls=(\\d+)");

    private static long getCalls() {
        long calls = 0;
        for (RedisClusterFixture.Node node : cluster.nodes()) {
            try (Jedis direct = node.client()) {
                Matcher matcher = GET_CALLS.matcher(direct.info("commandstats"));
                calls += matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
            }
        }
        return calls;
    }
}
