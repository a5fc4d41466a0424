package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.shardis.it.support.Bounded;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardedShardis;
import io.shardis.it.support.StopChildProcesses;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * A pool of four servers: keys spread over them, multi-key commands split per server and merged
 * into what one Redis would answer, commands that need their keys together, and commands for every
 * server.
 */
@ExtendWith(StopChildProcesses.class)
class ShardedPoolIT {

    @RegisterExtension
    static final ShardedShardis env = ShardedShardis.withPoolKeys("allow_admin: true");

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    @Test
    void everyKeyLivesOnExactlyOneServerAndTheServersShareThem() {
        try (Jedis jedis = env.jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 2000; i++) {
                pipeline.set("spread:" + i, Integer.toString(i));
            }
            pipeline.sync();
        }
        Map<Integer, Long> counts = env.keyCounts();
        assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2000);
        assertThat(counts.values())
                .as("keys per server: %s", counts)
                .allSatisfy(n -> assertThat(n).isGreaterThan(100));
        for (int i = 0; i < 2000; i += 97) {
            assertThat(env.holders("spread:" + i)).hasSize(1);
        }
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.get("spread:1234")).isEqualTo("1234");
        }
    }

    @Test
    void infoCountsTheKeysOfEveryServer() {
        try (Jedis jedis = env.jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 200; i++) {
                pipeline.set("info:" + i, "v");
                if (i % 4 == 0) {
                    pipeline.expire("info:" + i, 1000);
                }
            }
            pipeline.sync();
            assertThat(jedis.info("keyspace")).startsWith("# Keyspace\r\ndb0:keys=200,expires=50,avg_ttl=");
            assertThat(jedis.info()).contains("\r\ndb0:keys=200,expires=50,", "\r\ncluster_enabled:0\r\n", "# Server");
        }
        assertThat(env.keyCounts().values())
                .as("each server holds only some")
                .allSatisfy(n -> assertThat(n).isLessThan(200));
    }

    @Test
    void pipelinedMultiKeyCommandsAnswerAsOneRedisWould() {
        List<Object> expected = multiKeyScenario(env.reference().client());
        List<Object> actual = multiKeyScenario(env.jedis());
        assertThat(actual).isEqualTo(expected);
        assertThat(env.keyCounts().values())
                .as("the keys really were spread")
                .filteredOn(n -> n > 0)
                .hasSizeGreaterThan(1);
    }

    private static List<Object> multiKeyScenario(Jedis jedis) {
        try (jedis) {
            List<String> keys = new ArrayList<>();
            List<String> keysAndValues = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                keys.add("mk:" + i);
                keysAndValues.add("mk:" + i);
                keysAndValues.add("value-" + i);
            }
            Pipeline pipeline = jedis.pipelined();
            List<Response<?>> replies = new ArrayList<>();
            replies.add(pipeline.mset(keysAndValues.toArray(String[]::new)));
            List<String> withMissing = new ArrayList<>(keys);
            withMissing.add(7, "missing:1");
            withMissing.add("missing:2");
            replies.add(pipeline.mget(withMissing.toArray(String[]::new)));
            replies.add(pipeline.exists(withMissing.toArray(String[]::new)));
            replies.add(pipeline.touch(keys.subList(0, 20).toArray(String[]::new)));
            replies.add(pipeline.del(keys.subList(0, 10).toArray(String[]::new)));
            replies.add(pipeline.unlink(keys.subList(5, 25).toArray(String[]::new)));
            replies.add(pipeline.mget(keys.toArray(String[]::new)));
            replies.add(pipeline.exists("mk:30", "mk:30", "mk:31"));
            replies.add(pipeline.mget("mk:40"));
            replies.add(pipeline.dbSize());
            pipeline.sync();
            List<Object> values = new ArrayList<>();
            for (Response<?> reply : replies) {
                values.add(reply.get());
            }
            return values;
        }
    }

    @Test
    void lettucePipelinesOfSplitCommandsMatchOneRedis() throws Exception {
        assertThat(lettuceScenario(env.shardis().address(ShardedShardis.POOL)))
                .isEqualTo(lettuceScenario(env.reference().socketAddress()));
    }

    private static List<Object> lettuceScenario(java.net.InetSocketAddress address) throws Exception {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(address)) {
            RedisAsyncCommands<String, String> async = connection.async();
            connection.setAutoFlushCommands(false);
            List<RedisFuture<?>> futures = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 0; i < 30; i++) {
                    values.put("lt:" + round + ":" + i, "v" + i);
                }
                futures.add(async.mset(values));
                futures.add(async.mget(values.keySet().toArray(String[]::new)));
                futures.add(async.del("lt:" + round + ":0", "lt:" + round + ":1", "lt:" + round + ":2"));
                futures.add(async.exists(values.keySet().toArray(String[]::new)));
            }
            connection.flushCommands();
            List<Object> results = new ArrayList<>();
            for (RedisFuture<?> future : futures) {
                results.add(future.get(10, TimeUnit.SECONDS));
            }
            return results;
        }
    }

    @Test
    void commandsWhoseKeysMustBeTogetherWorkWithHashTagsAndAreRefusedOtherwise() {
        try (Jedis jedis = env.jedis()) {
            jedis.set("{user1}.name", "ada");
            assertThat(jedis.rename("{user1}.name", "{user1}.alias")).isEqualTo("OK");
            assertThat(jedis.get("{user1}.alias")).isEqualTo("ada");
            jedis.sadd("{s}.a", "x", "y");
            jedis.sadd("{s}.b", "y", "z");
            assertThat(jedis.sunionstore("{s}.c", "{s}.a", "{s}.b")).isEqualTo(3);

            String[] apart = keysOnDifferentServers();
            jedis.set(apart[0], "1");
            assertThatThrownBy(() -> jedis.rename(apart[0], apart[1]))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("different servers");
            assertThat(jedis.get(apart[0]))
                    .as("the connection stays usable, nothing moved")
                    .isEqualTo("1");
            assertThat(jedis.eval("return redis.call('get', KEYS[1])", 1, "{user1}.alias"))
                    .isEqualTo("ada");
            assertThatThrownBy(() -> jedis.eval("return 1", 2, apart[0], apart[1]))
                    .hasMessageContaining("different servers");
        }
    }

    @Test
    void transactionsRunOnTheServerOfTheirKeys() {
        try (Jedis jedis = env.jedis()) {
            Transaction tx = jedis.multi();
            tx.set("{cart}.items", "3");
            tx.incr("{cart}.items");
            tx.get("{cart}.items");
            assertThat(tx.exec()).containsExactly("OK", 4L, "4");

            String[] apart = keysOnDifferentServers();
            Transaction mixed = jedis.multi();
            mixed.set(apart[0], "a");
            Response<String> refused = mixed.set(apart[1], "b");
            assertThatThrownBy(mixed::exec).hasMessageContaining("EXECABORT");
            assertThat(jedis.exists(apart[0]))
                    .as("an aborted transaction wrote nothing")
                    .isFalse();
            assertThat(jedis.ping()).isEqualTo("PONG");

            assertThat(jedis.watch("{cart}.items")).isEqualTo("OK");
            Transaction watched = jedis.multi();
            watched.incr("{cart}.items");
            assertThat(watched.exec()).containsExactly(5L);
            assertThat(jedis.multi().exec()).as("an empty transaction").isEmpty();
        }
    }

    @Test
    void commandsForEveryServerMergeTheirReplies() {
        Set<String> written = new HashSet<>();
        try (Jedis jedis = env.jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 500; i++) {
                pipeline.set("all:" + i, "x");
                written.add("all:" + i);
            }
            pipeline.sync();
            assertThat(jedis.dbSize()).isEqualTo(500);
            assertThat(new HashSet<>(jedis.keys("all:*"))).isEqualTo(written);
            assertThat(jedis.randomKey()).startsWith("all:");

            String sha = jedis.scriptLoad("return redis.call('get', KEYS[1])");
            for (int i = 0; i < 20; i++) {
                assertThat(jedis.evalsha(sha, 1, "all:" + i))
                        .as("EVALSHA works wherever the key lives")
                        .isEqualTo("x");
            }
            assertThat(jedis.scriptExists(sha, "0000000000000000000000000000000000000000"))
                    .containsExactly(true, false);
            assertThat(jedis.flushAll()).isEqualTo("OK");
            assertThat(jedis.dbSize()).isZero();
            assertThat(jedis.randomKey()).isNull();
        }
    }

    @Test
    void scanVisitsEveryKeyOfEveryServerExactlyOnce() {
        List<String> written = new ArrayList<>();
        try (Jedis jedis = env.jedis()) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 3000; i++) {
                pipeline.set("scan:" + i, "x");
                written.add("scan:" + i);
            }
            pipeline.set("other", "x");
            pipeline.sync();
            List<String> seen = new ArrayList<>();
            String cursor = ScanParams.SCAN_POINTER_START;
            int calls = 0;
            do {
                ScanResult<String> page =
                        jedis.scan(cursor, new ScanParams().match("scan:*").count(100));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                calls++;
            } while (!cursor.equals("0") && calls < 10_000);
            assertThat(cursor).isEqualTo("0");
            assertThat(seen).hasSameSizeAs(written).containsExactlyInAnyOrderElementsOf(written);
            assertThatThrownBy(() -> jedis.scan("not-a-cursor")).hasMessageContaining("invalid cursor");
        }
    }

    @Test
    void binaryKeysAreHashedByTheirBytes() {
        try (Jedis jedis = env.jedis()) {
            for (int i = 0; i < 200; i++) {
                byte[] key = {(byte) 0xC3, (byte) (0x80 + i % 64), (byte) i, 0, (byte) 0xFF};
                jedis.set(key, ("v" + i).getBytes(StandardCharsets.US_ASCII));
                assertThat(jedis.get(key)).isEqualTo(("v" + i).getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void pubSubWorksThroughASharedPool() throws Exception {
        try (Jedis subscriber = env.jedis();
                Jedis publisher = env.jedis()) {
            List<String> received = new ArrayList<>();
            var listener = new redis.clients.jedis.JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int count) {
                    publisher.publish("news", "hello");
                }

                @Override
                public void onMessage(String channel, String message) {
                    received.add(message);
                    unsubscribe();
                }
            };
            Bounded.run(
                    Duration.ofSeconds(30), subscriber, "SUBSCRIBE news", () -> subscriber.subscribe(listener, "news"));
            assertThat(received).containsExactly("hello");
        }
    }

    @Test
    void shardedChannelsLiveOnTheServerOfTheirChannel() {
        // A channel on another server than the pool's keyless one (where plain PUBLISH goes).
        String channel = null;
        for (int i = 0; i < 1000 && channel == null; i++) {
            String candidate = "orders:" + i;
            try (Jedis jedis = env.jedis()) {
                jedis.set(candidate, "probe");
                if (!env.holders(candidate).equals(List.of(0))) {
                    channel = candidate;
                }
                jedis.del(candidate);
            }
        }
        assertThat(channel).as("a channel that hashes off the first server").isNotNull();
        try (RespConnection subscriber = new RespConnection(env.shardis().address(ShardedShardis.POOL));
                Jedis publisher = env.jedis()) {
            assertThat(texts(subscriber.call("SSUBSCRIBE", channel))).isEqualTo(List.of("ssubscribe", channel, 1L));
            assertThat(publisher.sendCommand(Protocol.Command.SPUBLISH, channel, "shipped"))
                    .as("receivers of the sharded message")
                    .isEqualTo(1L);
            assertThat(texts(subscriber.read())).isEqualTo(List.of("smessage", channel, "shipped"));
        }
    }

    @Test
    void clusterKeyslotIsAnsweredButAShardedPoolIsNoCluster() {
        try (Jedis jedis = env.jedis()) {
            assertThat(jedis.clusterKeySlot("foo")).isEqualTo(12182);
            assertThatThrownBy(jedis::clusterInfo)
                    .hasMessageContaining("unknown or unsupported command 'cluster|info'");
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    /** A push or reply with its bulk strings as text. */
    private static List<Object> texts(Object reply) {
        List<Object> items = new ArrayList<>();
        for (Object item : (List<?>) reply) {
            items.add(item instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : item);
        }
        return items;
    }

    /** Two keys that this pool places on different servers. */
    private static String[] keysOnDifferentServers() {
        try (Jedis jedis = env.jedis()) {
            for (int i = 0; i < 1000; i++) {
                String a = "apart:a:" + i;
                String b = "apart:b:" + i;
                jedis.set(a, "1");
                jedis.set(b, "1");
                List<Integer> holdersA = env.holders(a);
                List<Integer> holdersB = env.holders(b);
                jedis.del(a);
                jedis.del(b);
                if (!holdersA.equals(holdersB)) {
                    return new String[] {a, b};
                }
            }
        }
        throw new AssertionError("no two keys on different servers in 1000 tries");
    }
}
