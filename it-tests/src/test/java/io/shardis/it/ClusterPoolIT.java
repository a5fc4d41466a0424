package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.shardis.it.support.Closeables;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.topology.cluster.HashSlot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A pool in front of a real Redis Cluster (3 masters, 3 replicas), used by clients that know
 * nothing of clusters: Jedis and Lettuce in plain mode. Tests run in order: the later ones move
 * slots. Failovers are {@link ClusterFailoverIT}'s.
 */
@ExtendWith(StopChildProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPoolIT {

    private static RedisClusterFixture cluster;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        shardis =
                ShardisFixture.start("""
                sessions:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  allow_admin: true
                  server_connections: 2
                  cluster:
                    seeds: [${seed}]
                    refresh_interval: 60000
                """, Map.of("seed", cluster.nodes().get(0).address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, cluster);
    }

    private static Jedis jedis() {
        return shardis.jedis("sessions");
    }

    @Test
    @Order(1)
    void everyDataTypeWorksAcrossTheMasters() {
        try (Jedis jedis = jedis()) {
            for (int i = 0; i < 50; i++) {
                assertThat(jedis.set("str:" + i, "v" + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 50; i++) {
                assertThat(jedis.get("str:" + i)).isEqualTo("v" + i);
            }
            assertThat(jedis.incrBy("counter", 5)).isEqualTo(5);
            jedis.hset("hash", Map.of("a", "1", "b", "2"));
            assertThat(jedis.hgetAll("hash")).isEqualTo(Map.of("a", "1", "b", "2"));
            jedis.rpush("list", "x", "y", "z");
            assertThat(jedis.lrange("list", 0, -1)).containsExactly("x", "y", "z");
            jedis.sadd("set", "m1", "m2");
            assertThat(jedis.smembers("set")).containsExactlyInAnyOrder("m1", "m2");
            jedis.zadd("zset", Map.of("one", 1.0, "two", 2.0));
            assertThat(jedis.zrange("zset", 0, -1)).containsExactly("one", "two");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        // The keys really spread over the three masters.
        Set<String> owners = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            owners.add(cluster.nodeForSlot(HashSlot.of("str:" + i)).id());
        }
        assertThat(owners).hasSize(3);
    }

    @Test
    @Order(2)
    void crossSlotMultiKeyCommandsAnswerAsOneRedisWould() {
        try (Jedis jedis = jedis()) {
            assertThat(jedis.mset("mk:a", "1", "mk:b", "2", "mk:c", "3", "mk:d", "4"))
                    .isEqualTo("OK");
            assertThat(jedis.mget("mk:d", "mk:missing", "mk:a", "mk:c", "mk:b"))
                    .containsExactly("4", null, "1", "3", "2");
            assertThat(jedis.exists("mk:a", "mk:b", "mk:missing", "mk:a")).isEqualTo(3);
            assertThat(jedis.del("mk:a", "mk:b", "mk:missing")).isEqualTo(2);
            assertThat(jedis.mget("mk:a", "mk:b", "mk:c")).containsExactly(null, null, "3");
            assertThat(HashSlot.of("mk:a")).isNotEqualTo(HashSlot.of("mk:b"));
            // Keys that must be together, in different slots: a clear error, and the connection stays.
            assertThatThrownBy(() -> jedis.rename("mk:c", "mk:other"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("different hash slots");
            jedis.set("{mk}c", "3");
            assertThat(jedis.rename("{mk}c", "{mk}other")).isEqualTo("OK");
        }
    }

    @Test
    @Order(3)
    void hashTaggedTransactionsRunAndOtherSlotsAbortThem() {
        try (Jedis jedis = jedis()) {
            Transaction multi = jedis.multi();
            multi.set("{user1}.name", "ann");
            multi.incr("{user1}.visits");
            multi.get("{user1}.name");
            assertThat(multi.exec()).containsExactly("OK", 1L, "ann");

            Transaction mixed = jedis.multi();
            mixed.set("{user1}.a", "1");
            Response<String> other = mixed.set("{user2}.a", "1");
            assertThatThrownBy(mixed::exec)
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("EXECABORT");
            assertThat(jedis.exists("{user1}.a")).isFalse();
            assertThat(other).isNotNull();
            assertThat(jedis.get("{user1}.name")).isEqualTo("ann");
        }
    }

    @Test
    @Order(4)
    void evalWithKeysRunsOnTheirNode() {
        try (Jedis jedis = jedis()) {
            Object result = jedis.eval(
                    "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])",
                    List.of("lua:key"),
                    List.of("from-lua"));
            assertThat(result).isEqualTo("from-lua");
            String sha = jedis.scriptLoad("return redis.call('GET', KEYS[1])");
            for (String key : List.of("lua:key", "str:1", "str:2", "str:3")) {
                assertThat(jedis.evalsha(sha, List.of(key), List.of())).isEqualTo(jedis.get(key));
            }
        }
    }

    @Test
    @Order(4)
    void keylessScriptsSpreadOverTheMastersOneMasterPerClient() {
        for (RedisClusterFixture.Node master : cluster.masters()) {
            try (Jedis direct = master.client()) {
                direct.configResetStat();
            }
        }
        int clients = 12;
        for (int c = 0; c < clients; c++) {
            try (Jedis jedis = jedis()) {
                // Twice on one connection: a client's keyless commands stay on its master.
                assertThat(jedis.eval("return 'keyless'")).isEqualTo("keyless");
                assertThat(jedis.eval("return 'keyless'")).isEqualTo("keyless");
            }
        }
        Map<String, Long> evalsPerMaster = new java.util.TreeMap<>();
        for (RedisClusterFixture.Node master : cluster.masters()) {
            try (Jedis direct = master.client()) {
                java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_eval:calls=(\\d+)")
                        .matcher(direct.info("commandstats"));
                evalsPerMaster.put(master.address(), calls.find() ? Long.parseLong(calls.group(1)) : 0L);
            }
        }
        System.out.printf("keyless EVAL of %d clients per master: %s%n", clients, evalsPerMaster);
        assertThat(evalsPerMaster.values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(2L * clients);
        assertThat(evalsPerMaster.values())
                .as("every client's two EVALs on one master")
                .allMatch(calls -> calls % 2 == 0);
        assertThat(evalsPerMaster.values().stream().filter(calls -> calls > 0).count())
                .as("masters that ran keyless scripts")
                .isGreaterThan(1);
    }

    @Test
    @Order(5)
    void scanVisitsEveryKeyExactlyOnceAndDbsizeCountsThemAll() {
        try (Jedis jedis = jedis()) {
            jedis.flushAll();
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 600; i++) {
                pipeline.set("scan:" + i, "x");
            }
            pipeline.sync();
            assertThat(jedis.dbSize()).isEqualTo(600);
            List<String> seen = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().count(50));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
            assertThat(seen).hasSize(600).doesNotHaveDuplicates();
            assertThat(jedis.keys("scan:1*")).hasSize(111);
        }
    }

    @Test
    @Order(5)
    void infoDescribesOneStandaloneRedisHoldingEveryMastersKeys() {
        try (Jedis jedis = jedis()) {
            jedis.set("info:extra", "x");
            long keys = jedis.dbSize();
            assertThat(keys).isGreaterThan(1);
            String keyspace = jedis.info("keyspace");
            assertThat(keyspace).startsWith("# Keyspace\r\n");
            assertThat(keysInDb0(keyspace))
                    .as("INFO keyspace counts every master's keys")
                    .isEqualTo(keys);
            String info = jedis.info();
            assertThat(info)
                    .contains("\r\ncluster_enabled:0\r\n")
                    .doesNotContain("cluster_enabled:1")
                    .contains("# Server", "# Memory", "# Stats");
            assertThat(keysInDb0(info)).isEqualTo(keys);
            assertThat(keysInDb0(jedis.info("everything"))).isEqualTo(keys);
            try (Jedis node = cluster.masters().get(0).client()) {
                assertThat(node.info("cluster")).as("what Shardis hides").contains("cluster_enabled:1");
                assertThat(keysInDb0(node.info("keyspace"))).isLessThan(keys);
            }
        }
    }

    private static long keysInDb0(String info) {
        Matcher keys = Pattern.compile("\r\ndb0:keys=(\\d+),").matcher(info);
        assertThat(keys.find()).as("a db0 line in " + info).isTrue();
        return Long.parseLong(keys.group(1));
    }

    @Test
    @Order(6)
    void pubSubMeetsAcrossClients() throws Exception {
        CountDownLatch subscribed = new CountDownLatch(1);
        AtomicReference<String> received = new AtomicReference<>();
        JedisPubSub listener = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int count) {
                subscribed.countDown();
            }

            @Override
            public void onMessage(String channel, String message) {
                received.set(message);
                unsubscribe();
            }
        };
        try (Jedis subscriberJedis = jedis()) {
            Thread subscriber = new Thread(() -> subscriberJedis.subscribe(listener, "news"));
            subscriber.setDaemon(true);
            subscriber.start();
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
            try (Jedis jedis = jedis()) {
                assertThat(jedis.publish("news", "hello")).isEqualTo(1);
            }
            subscriber.join(10_000);
            // Closing the subscriber's connection (at the end of this block) ends its thread even if it waits on.
            assertThat(subscriber.isAlive())
                    .as("the subscriber returned after its message")
                    .isFalse();
        }
        assertThat(received.get()).isEqualTo("hello");
    }

    @Test
    @Order(6)
    void clusterKeyslotAndClusterInfoAreAnsweredAsTheClusterWould() {
        try (Jedis jedis = jedis();
                Jedis node = new Jedis(
                        cluster.masters().get(0).host(),
                        cluster.masters().get(0).port())) {
            for (String key : List.of("a", "user:{42}:cart", "{}x", "\u00e9t\u00e9")) {
                assertThat(jedis.clusterKeySlot(key)).as(key).isEqualTo(node.clusterKeySlot(key));
            }
            String info = jedis.clusterInfo();
            assertThat(info)
                    .contains(
                            "cluster_state:ok",
                            "cluster_slots_assigned:16384",
                            "cluster_size:3",
                            "cluster_known_nodes:6");
        }
    }

    @Test
    @Order(6)
    void shardedChannelsAreServedByTheMasterOfTheirSlot() {
        String first = cluster.masters().get(0).address();
        String channel = null;
        for (int i = 0; i < 1000 && channel == null; i++) {
            if (!cluster.nodeForSlot(HashSlot.of("news:" + i)).address().equals(first)) {
                channel = "news:" + i;
            }
        }
        assertThat(channel).isNotNull();
        try (RespConnection subscriber = new RespConnection(shardis.address("sessions"));
                Jedis publisher = jedis()) {
            List<?> subscribed = (List<?>) subscriber.call("SSUBSCRIBE", channel);
            assertThat(new String((byte[]) subscribed.get(0), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("ssubscribe");
            assertThat(publisher.sendCommand(redis.clients.jedis.Protocol.Command.SPUBLISH, channel, "hello"))
                    .as("receivers")
                    .isEqualTo(1L);
            List<?> message = (List<?>) subscriber.read();
            assertThat(new String((byte[]) message.get(2), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("hello");
        }
    }

    @Test
    @Order(7)
    void blpopWaitsBesideABusyPipeline() throws Exception {
        AtomicReference<List<String>> popped = new AtomicReference<>();
        Thread blocked = new Thread(() -> {
            try (Jedis jedis = jedis()) {
                popped.set(jedis.blpop(10, "queue"));
            }
        });
        blocked.start();
        try (Jedis jedis = jedis()) {
            Pipeline pipeline = jedis.pipelined();
            List<Response<String>> replies = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                pipeline.set("busy:" + i, Integer.toString(i));
                replies.add(pipeline.get("busy:" + i));
            }
            pipeline.sync();
            for (int i = 0; i < 2000; i++) {
                assertThat(replies.get(i).get()).isEqualTo(Integer.toString(i));
            }
            Thread.sleep(200);
            jedis.rpush("queue", "job");
        }
        blocked.join(10_000);
        assertThat(popped.get()).containsExactly("queue", "job");
    }

    @Test
    @Order(8)
    void lettuceInPlainModeSeesOneRedis() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", shardis.port("sessions")));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            redis.mset(Map.of("lt:a", "1", "lt:b", "2", "lt:c", "3"));
            assertThat(redis.mget("lt:a", "lt:b", "lt:c"))
                    .extracting(kv -> kv.getValue())
                    .containsExactly("1", "2", "3");
            assertThat(redis.del("lt:a", "lt:b", "lt:c")).isEqualTo(3);
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(9)
    void afterSlotsMovedEveryKeyIsStillFound() {
        try (Jedis jedis = jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 400; i++) {
                pipeline.set("moved:" + i, Integer.toString(i));
            }
            pipeline.sync();
            List<RedisClusterFixture.Node> masters = cluster.masters();
            cluster.migrateSlots(masters.get(0), masters.get(1), 300);
            // The periodic refresh is a minute away: only MOVED tells Shardis where the keys went.
            for (int i = 0; i < 400; i++) {
                assertThat(jedis.get("moved:" + i)).isEqualTo(Integer.toString(i));
            }
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                keys.add("moved:" + i);
            }
            assertThat(jedis.mget(keys.toArray(new String[0]))).hasSize(400).doesNotContainNull();
        }
    }

    @Test
    @Order(10)
    void reshardingUnderLoadShowsClientsNoError() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong operations = new AtomicLong();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        // Four clients: with two event loops and server_connections 2, every shared connection to
        // a node carries some of them while their slots move.
        List<Thread> loads = new ArrayList<>();
        for (int client = 0; client < 4; client++) {
            String prefix = "load" + client + ":";
            Thread load = new Thread(() -> {
                try (Jedis jedis = jedis()) {
                    int i = 0;
                    while (running.get()) {
                        String key = prefix + (i % 500);
                        try {
                            jedis.set(key, Integer.toString(i));
                            String read = jedis.get(key);
                            if (!Integer.toString(i).equals(read)) {
                                errors.add(key + " read " + read + " after writing " + i);
                            }
                            if (i % 10 == 0) {
                                jedis.mget(prefix + (i % 500), prefix + ((i + 1) % 500), prefix + ((i + 2) % 500));
                            }
                            operations.incrementAndGet();
                        } catch (RuntimeException e) {
                            errors.add(e.toString());
                        }
                        i++;
                    }
                }
            });
            load.start();
            loads.add(load);
        }
        List<RedisClusterFixture.Node> masters = cluster.masters();
        List<Integer> moved = cluster.migrateSlots(masters.get(1), masters.get(2), 2000);
        running.set(false);
        for (Thread load : loads) {
            load.join(10_000);
        }
        System.out.printf(
                "reshard under load: %d slots moved, %d operations, %d client-visible errors%n",
                moved.size(), operations.get(), errors.size());
        assertThat(operations.get()).isGreaterThan(100);
        assertThat(errors).as("errors seen by the client").isEmpty();
    }
}
