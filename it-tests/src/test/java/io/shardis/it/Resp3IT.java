package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.RedisCliReplies;
import io.shardis.it.support.Resp3Socket;
import io.shardis.it.support.ShardedShardis;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.resp.RespValue;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;

/**
 * RESP3 clients through a sharded pool of four redis-server 7.0, against a fifth alone as the
 * reference: Lettuce at its defaults (HELLO 3), Jedis told to speak RESP3, and raw sockets
 * comparing byte for byte what Shardis composes (HELLO, merged MGET/DBSIZE/EXISTS, errors, COMMAND
 * INFO, CLIENT INFO's type) and the order of replies and pushes of a subscribed client.
 */
@ExtendWith(StopChildProcesses.class)
class Resp3IT {

    @RegisterExtension
    static final ShardedShardis env = ShardedShardis.withPoolKeys("allow_admin: true");

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    private static InetSocketAddress shardis() {
        return env.shardis().address(ShardedShardis.POOL);
    }

    private static InetSocketAddress reference() {
        return env.reference().socketAddress();
    }

    /** HELLO's id is the connection's and its version the server's: both set to 0. */
    private static String helloNormalised(String reply) {
        return reply.replaceAll("\\$2\r\nid\r\n:\\d+\r\n", "\\$2\r\nid\r\n:0\r\n")
                .replaceAll("\\$7\r\nversion\r\n\\$\\d+\r\n[0-9.]+\r\n", "\\$7\r\nversion\r\n\\$1\r\n0\r\n");
    }

    /** The frames Redis and Shardis write for {@code commands} sent in one write after HELLO 3. */
    private static List<String> frames(InetSocketAddress address, int count, String... commands) {
        try (Resp3Socket socket = new Resp3Socket(address)) {
            socket.send("HELLO 3");
            List<String> out = new ArrayList<>();
            out.add(helloNormalised(socket.read()));
            socket.send(commands);
            for (int i = 0; i < count; i++) {
                out.add(helloNormalised(socket.read()));
            }
            return out;
        }
    }

    private static void assertSameFrames(int count, String... commands) {
        assertThat(frames(shardis(), count, commands))
                .as("through Shardis (left), a Redis 7.0 alone (right)")
                .isEqualTo(frames(reference(), count, commands));
    }

    @Test
    void helloAndTheRepliesShardisMakesAreRedis7sByteForByte() {
        assertSameFrames(1, "HELLO 3");
        assertSameFrames(1, "HELLO");
        assertSameFrames(2, "HELLO 3 SETNAME app", "CLIENT GETNAME");
        assertSameFrames(1, "CLIENT GETNAME");
        assertSameFrames(1, "HELLO 4");
        assertSameFrames(1, "HELLO 3 FOO");
        assertSameFrames(1, "NOSUCH a b");
        assertSameFrames(1, "GET");
        assertSameFrames(2, "PING", "ECHO hi");
        assertSameFrames(1, "COMMAND INFO get");
        assertSameFrames(1, "COMMAND INFO get nosuch zadd");
        assertSameFrames(1, "COMMAND GETKEYSANDFLAGS set k v");
        assertSameFrames(2, "HELLO 2", "CLIENT GETNAME");
        try (Resp3Socket socket = new Resp3Socket(shardis())) {
            socket.call("HELLO 3");
            String info = socket.call("CLIENT INFO");
            assertThat(info)
                    .as("a verbatim string, as Redis 7 writes it")
                    .startsWith("=")
                    .contains("\r\ntxt:id=")
                    .contains(" resp=3");
            assertThat(socket.call("CLIENT LIST")).startsWith("=").contains(" resp=3");
            assertThat(socket.call("RESET")).isEqualTo("+RESET\r\n");
            assertThat(socket.call("CLIENT INFO")).startsWith("$").contains(" resp=2");
        }
    }

    @Test
    void redisCliPrintsTheSameTypedRepliesThroughShardedAndSinglePools() {
        String reference = RedisCliReplies.of(reference());
        assertThat(RedisCliReplies.of(shardis()))
                .as("redis-cli -3 through a sharded pool (left), to a Redis 7.0 alone (right)")
                .isEqualTo(reference);
        assertThat(Set.of("c", "d", "e", "h", "s", "z", "l", "fl").stream()
                        .map(key -> env.holders(key))
                        .distinct()
                        .count())
                .as("the keys are on more than one server")
                .isGreaterThan(1);
        env.reference().flushAll();
        try (ShardisFixture single = ShardisFixture.singlePool(env.backends().get(0), 5000, "")) {
            env.backends().get(0).flushAll();
            assertThat(RedisCliReplies.of(single.address("alpha")))
                    .as("through a single-server pool")
                    .isEqualTo(RedisCliReplies.of(reference()));
        }
    }

    @Test
    void mergedRepliesAcrossTheServersAreThoseOfOneRedis() {
        String[] writes = new String[40];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = "SET key:" + i + " v" + i;
        }
        frames(shardis(), writes.length, writes);
        frames(reference(), writes.length, writes);
        assertThat(env.keyCounts().values()).as("the keys are spread").allMatch(count -> count > 0);
        assertSameFrames(1, "MGET key:1 nosuch key:2 key:3 key:17 other key:39");
        assertSameFrames(1, "DBSIZE");
        assertSameFrames(2, "EXISTS key:1 key:2 nosuch key:5", "TOUCH key:7 nosuch");
        assertSameFrames(1, "DEL key:1 key:2 nosuch");
        assertSameFrames(2, "MSET a 1 b 2 c 3", "MGET a b c d");
        assertSameFrames(1, "UNLINK a b nosuch");
        // INFO: the same type and sections; the keyspace counts every server's keys.
        RespValue shardisInfo = frames(shardis(), 1, "INFO keyspace").stream()
                .skip(1)
                .map(Resp3IT::decode)
                .findFirst()
                .orElseThrow();
        assertThat(shardisInfo).isInstanceOf(RespValue.VerbatimString.class);
        assertThat(new String(((RespValue.VerbatimString) shardisInfo).content()))
                .startsWith("# Keyspace\r\ndb0:keys=39,");
        assertThat(frames(reference(), 1, "INFO keyspace").get(1))
                .startsWith("=")
                .contains("db0:keys=39,");
        assertThat(decode(frames(shardis(), 1, "INFO").get(1))).isInstanceOf(RespValue.VerbatimString.class);
    }

    private static RespValue decode(String frame) {
        io.netty.buffer.ByteBuf bytes =
                io.netty.buffer.Unpooled.copiedBuffer(frame, java.nio.charset.StandardCharsets.ISO_8859_1);
        try {
            return new io.shardis.resp.RespValueReader().read(bytes);
        } finally {
            bytes.release();
        }
    }

    @Test
    void aSubscribedClientsRepliesAndPushesComeInRedisOrder() throws Exception {
        String[] session = {
            "SUBSCRIBE news",
            "SET k v",
            "GET k",
            "PING",
            "PSUBSCRIBE n*",
            "GET nosuch",
            "UNSUBSCRIBE",
            "PUNSUBSCRIBE",
            "UNSUBSCRIBE",
            "GET k"
        };
        // subscribe, OK, v, PONG, psubscribe, nil, unsubscribe, punsubscribe, unsubscribe (none left), v
        assertSameFrames(10, session);

        // A message published between the subscriber's commands comes where Redis puts it.
        for (InetSocketAddress address : List.of(shardis(), reference())) {
            try (Resp3Socket subscriber = new Resp3Socket(address);
                    Resp3Socket publisher = new Resp3Socket(address)) {
                subscriber.call("HELLO 3");
                assertThat(subscriber.call("SUBSCRIBE news"))
                        .isEqualTo(">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
                assertThat(publisher.call("PUBLISH news hello")).isEqualTo(":1\r\n");
                assertThat(subscriber.read()).isEqualTo(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
                assertThat(subscriber.call("ECHO x")).isEqualTo("$1\r\nx\r\n");
                assertThat(subscriber.call("PING"))
                        .as("RESP3 subscribed PING is a plain reply")
                        .isEqualTo("+PONG\r\n");
            }
        }
    }

    private static <T> void assertSameThroughLettuce(Function<RedisCommands<String, String>, T> scenario) {
        T direct;
        T proxied;
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(reference())) {
            direct = scenario.apply(connection.sync());
        }
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(shardis())) {
            proxied = scenario.apply(connection.sync());
        }
        assertThat(proxied).isEqualTo(direct);
    }

    @Test
    void lettuceSpeaksResp3ThroughShardisWithTypedReplies() {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(shardis())) {
            RedisCommands<String, String> redis = connection.sync();
            assertThat(redis.clientInfo()).contains(" resp=3");
            redis.hset("h", Map.of("f1", "v1", "f2", "v2"));
            assertThat(redis.hgetall("h")).isEqualTo(Map.of("f1", "v1", "f2", "v2"));
            redis.sadd("s", "x", "y");
            assertThat(redis.smembers("s")).isEqualTo(Set.of("x", "y"));
            redis.zadd("z", 2.5, "m");
            assertThat(redis.zscore("z", "m")).isEqualTo(2.5);
            redis.set("a", "1");
            assertThat(redis.mget("a", "nosuch", "h2").stream()
                            .map(v -> v.getValueOrElse(null))
                            .toList())
                    .containsExactly("1", null, null);
            assertThat(redis.dbsize()).isEqualTo(3L + 1);
        }
        assertSameThroughLettuce(r -> List.of(
                r.hset("t:h", Map.of("a", "1")),
                r.hgetall("t:h"),
                r.sadd("t:s", "p", "q"),
                r.smembers("t:s"),
                r.zadd("t:z", 1.0e20, "big"),
                r.zscore("t:z", "big"),
                r.zadd("t:z", 0.1, "small"),
                r.zrangeWithScores("t:z", 0, -1).toString(),
                r.incrbyfloat("t:f", 1.5),
                r.hrandfieldWithvalues("t:h", 1).toString(),
                r.info("keyspace").startsWith("# Keyspace\r\ndb0:keys=")));
    }

    @Test
    void transactionsAndBlockingCommandsOnResp3ConnectionsOfTheirOwn() {
        // Byte for byte: EXEC's replies are the RESP3 ones of the connection the transaction ran on.
        assertSameFrames(
                9,
                "WATCH {tx}",
                "MULTI",
                "HSET {tx} f 1",
                "HGETALL {tx}",
                "ZADD {tx}z 1.5 m",
                "ZSCORE {tx}z m",
                "SMEMBERS {tx}nosuch",
                "EXEC",
                "HGETALL {tx}");
        assertSameFrames(4, "RPUSH q a", "BLPOP q 1", "BLPOP q 0.1", "GET nosuch");
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(shardis())) {
            RedisCommands<String, String> redis = connection.sync();
            redis.multi();
            redis.hset("{t:tx}", "f", "v");
            redis.hgetall("{t:tx}");
            redis.zadd("{t:tx}z", 0.5, "m");
            redis.zscore("{t:tx}z", "m");
            assertThat(redis.exec().stream().toList()).containsExactly(true, Map.of("f", "v"), 1L, 0.5);
            redis.rpush("t:q", "x");
            assertThat(redis.blpop(1, "t:q").getValue()).isEqualTo("x");
            assertThat(redis.hgetall("{t:tx}")).isEqualTo(Map.of("f", "v"));
        }
    }

    @Test
    void lettucePubSubInResp3ThroughShardis() throws Exception {
        try (StatefulRedisPubSubConnection<String, String> subscriber = lettuce.connectPubSub(shardis());
                StatefulRedisConnection<String, String> publisher = lettuce.connect(shardis())) {
            LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    messages.add(channel + "=" + message);
                }

                @Override
                public void message(String pattern, String channel, String message) {
                    messages.add(pattern + ":" + channel + "=" + message);
                }
            });
            subscriber.sync().subscribe("news");
            subscriber.sync().psubscribe("n*");
            assertThat(publisher.sync().publish("news", "hello")).isEqualTo(2);
            assertThat(List.of(messages.poll(10, TimeUnit.SECONDS), messages.poll(10, TimeUnit.SECONDS)))
                    .containsExactlyInAnyOrder("news=hello", "n*:news=hello");
            // RESP3: the subscribed connection runs any command, whichever server its key is on.
            for (int i = 0; i < 20; i++) {
                assertThat(subscriber.sync().set("sub:" + i, "v" + i)).isEqualTo("OK");
            }
            for (int i = 0; i < 20; i++) {
                assertThat(subscriber.sync().get("sub:" + i)).isEqualTo("v" + i);
            }
            assertThat(subscriber.sync().ping()).isEqualTo("PONG");
            subscriber.sync().unsubscribe("news");
            assertThat(publisher.sync().publish("news", "again")).isEqualTo(1);
            assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("n*:news=again");
        }
    }

    @Test
    void jedisWithResp3() {
        DefaultJedisClientConfig config = DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP3)
                .timeoutMillis(15_000)
                .build();
        InetSocketAddress address = shardis();
        try (Jedis jedis = new Jedis(new HostAndPort(address.getHostString(), address.getPort()), config);
                Jedis direct = new Jedis(
                        new HostAndPort(reference().getHostString(), reference().getPort()), config)) {
            for (Jedis client : List.of(jedis, direct)) {
                client.hset("h", Map.of("f", "v"));
                client.sadd("s", "a", "b");
                client.zadd("z", 1.5, "m");
                client.mset("x", "1", "y", "2", "w", "3");
            }
            assertThat(jedis.hgetAll("h")).isEqualTo(direct.hgetAll("h")).isEqualTo(Map.of("f", "v"));
            assertThat(jedis.smembers("s")).isEqualTo(direct.smembers("s"));
            assertThat(jedis.zscore("z", "m"))
                    .isEqualTo(direct.zscore("z", "m"))
                    .isEqualTo(1.5);
            assertThat(jedis.mget("x", "nosuch", "y", "w")).isEqualTo(direct.mget("x", "nosuch", "y", "w"));
            assertThat(jedis.dbSize()).isEqualTo(direct.dbSize());
            assertThat(jedis.exists("x", "y", "nosuch")).isEqualTo(direct.exists("x", "y", "nosuch"));
            assertThat(jedis.zrangeWithScores("z", 0, -1)).isEqualTo(direct.zrangeWithScores("z", 0, -1));
            assertThat(jedis.clientInfo()).contains(" resp=3");
        }
    }

    @Test
    void keyspaceNotificationsOfEveryServerReachASubscriberInEitherProtocol() throws Exception {
        for (var backend : env.backends()) {
            try (Jedis direct = backend.client()) {
                direct.configSet("notify-keyspace-events", "KEA");
            }
        }
        try {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                keys.add("ks:" + i);
            }
            for (boolean resp3 : List.of(true, false)) {
                try (Resp3Socket subscriber = new Resp3Socket(shardis());
                        Resp3Socket writer = new Resp3Socket(shardis())) {
                    if (resp3) {
                        subscriber.call("HELLO 3");
                    }
                    String type = resp3 ? ">" : "*";
                    assertThat(subscriber.call("PSUBSCRIBE __keyevent@0__:s*"))
                            .isEqualTo(type + "3\r\n$10\r\npsubscribe\r\n$17\r\n__keyevent@0__:s*\r\n:1\r\n");
                    // Confirmed by the client's own server; the others' subscriptions may trail it: written once they
                    // hear.
                    awaitEveryServerSubscribed();
                    for (String key : keys) {
                        assertThat(writer.call("SET " + key + " v")).isEqualTo("+OK\r\n");
                    }
                    Set<String> heard = new java.util.HashSet<>();
                    for (int i = 0; i < keys.size(); i++) {
                        RespValue message = subscriber.readValue();
                        List<RespValue> parts =
                                resp3 ? ((RespValue.Push) message).elements() : ((RespValue.Array) message).elements();
                        assertThat(((RespValue.BulkString) parts.get(0)).asString())
                                .isEqualTo("pmessage");
                        assertThat(((RespValue.BulkString) parts.get(2)).asString())
                                .isEqualTo("__keyevent@0__:set");
                        heard.add(((RespValue.BulkString) parts.get(3)).asString());
                    }
                    assertThat(heard).as("every server's keys").containsExactlyInAnyOrderElementsOf(keys);
                    assertThat(subscriber.call("PUNSUBSCRIBE"))
                            .isEqualTo(type + "3\r\n$12\r\npunsubscribe\r\n$17\r\n__keyevent@0__:s*\r\n:0\r\n");
                }
            }
        } finally {
            for (var backend : env.backends()) {
                try (Jedis direct = backend.client()) {
                    direct.configSet("notify-keyspace-events", "");
                }
            }
        }
    }

    /** Every backend has a pattern subscriber (Shardis' connections for the client). */
    private static void awaitEveryServerSubscribed() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            boolean all = true;
            for (var backend : env.backends()) {
                try (Jedis direct = backend.client()) {
                    all &= direct.pubsubNumPat() > 0;
                }
            }
            if (all) {
                return;
            }
            assertThat(System.nanoTime() - deadline)
                    .as("every server subscribed within 10 s")
                    .isNegative();
            Thread.sleep(20);
        }
    }
}
