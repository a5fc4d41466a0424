package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.Consumer;
import io.lettuce.core.GeoArgs;
import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.ReplyLog;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.SameReplies;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The data types with Lettuce left at its defaults: it asks for RESP3 with {@code HELLO 3}, and
 * speaks RESP3 through Shardis as straight to Redis; the typed results must be the same.
 */
@ExtendWith(StopChildProcesses.class)
class LettuceDataTypesIT {

    @RegisterExtension
    static final SingleBackendShardis env =
            SingleBackendShardis.withTimeout(5_000).withoutFlush();

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    private static void assertSameAsRedis(Function<RedisCommands<String, String>, ReplyLog> scenario) {
        SameReplies.assertSame(
                env.redis(), () -> run(env.redis().socketAddress(), scenario), () -> run(env.address(), scenario));
    }

    private static ReplyLog run(InetSocketAddress address, Function<RedisCommands<String, String>, ReplyLog> scenario) {
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(address)) {
            return scenario.apply(connection.sync());
        }
    }

    @Test
    void theConnectionSpeaksResp3ThroughShardis() {
        // What Lettuce is told when it offers RESP2 and RESP3 (HELLO 4 is refused as by Redis).
        try (RespConnection raw = new RespConnection(env.address())) {
            assertThat((String) raw.call("HELLO", "4")).startsWith("-NOPROTO");
            assertThat(raw.call("HELLO", "2")).isInstanceOf(List.class);
        }
        try (StatefulRedisConnection<String, String> connection = lettuce.connect(env.address())) {
            assertThat(connection.sync().clientInfo()).contains(" resp=3");
            assertThat(connection.sync().ping()).isEqualTo("PONG");
            assertThat(connection.sync().set("k", "v")).isEqualTo("OK");
            assertThat(connection.sync().get("k")).isEqualTo("v");
        }
    }

    @Test
    void strings() {
        assertSameAsRedis(r -> new ReplyLog()
                .call("set", () -> r.set("s", "hello"))
                .call("set nx", () -> r.set("s", "x", SetArgs.Builder.nx()))
                .call("get", () -> r.get("s"))
                .call("append", () -> r.append("s", " world"))
                .call("getrange", () -> r.getrange("s", 0, 4))
                .call("setrange", () -> r.setrange("s", 6, "there"))
                .call("get after setrange", () -> r.get("s"))
                .call("incr", () -> r.incr("n"))
                .call("incrby", () -> r.incrby("n", 10))
                .call("incrbyfloat", () -> r.incrbyfloat("f", 0.25))
                .call("incr wrong type", () -> r.incr("s"))
                .call("mset", () -> r.mset(Map.of("a", "1", "b", "2")))
                .call("mget", () -> r.mget("a", "missing", "b"))
                .call("set ex", () -> r.set("e", "v", SetArgs.Builder.ex(100)))
                .add("ttl in range", r.ttl("e") > 0 && r.ttl("e") <= 100)
                .call("del", () -> r.del("a", "b", "missing")));
    }

    @Test
    void hashesListsAndSets() {
        assertSameAsRedis(r -> new ReplyLog()
                .call("hset", () -> r.hset("h", Map.of("f1", "v1", "f2", "v2")))
                .call("hgetall", () -> r.hgetall("h"))
                .call("hincrby", () -> r.hincrby("h", "n", 3))
                .call("hmget", () -> r.hmget("h", "f1", "missing"))
                .call("rpush", () -> r.rpush("l", "a", "b", "c"))
                .call("lrange", () -> r.lrange("l", 0, -1))
                .call("lpop", () -> r.lpop("l"))
                .call("lpos", () -> r.lpos("l", "c"))
                .call("sadd", () -> r.sadd("s", "x", "y", "z"))
                .call("smembers", () -> r.smembers("s"))
                .call("sismember", () -> r.sismember("s", "y"))
                .call("srem", () -> r.srem("s", "x")));
    }

    @Test
    void sortedSets() {
        assertSameAsRedis(r -> new ReplyLog()
                .call("zadd", () -> r.zadd("z", 1.0, "a", 2.5, "b", -3.0, "c"))
                .call("zscore", () -> r.zscore("z", "b"))
                .call("zincrby", () -> r.zincrby("z", 1.5, "a"))
                .call("zrange", () -> r.zrange("z", 0, -1))
                .call("zrange withscores", () -> r.zrangeWithScores("z", 0, -1))
                .call("zrangebyscore", () -> r.zrangebyscore("z", Range.create(0, 10)))
                .call("zrank", () -> r.zrank("z", "b"))
                .call("zpopmin", () -> r.zpopmin("z"))
                .call("zcard", () -> r.zcard("z")));
    }

    @Test
    @SuppressWarnings("unchecked") // xreadgroup takes generic varargs of stream offsets
    void streams() {
        assertSameAsRedis(r -> {
            ReplyLog log = new ReplyLog();
            for (int i = 1; i <= 4; i++) {
                int n = i;
                log.call("xadd " + i, () -> r.xadd("st", new XAddArgs().id("2000-" + n), Map.of("n", "" + n)));
            }
            return log.call(
                            "xrange",
                            () -> r.xrange("st", Range.create("-", "+")).stream()
                                    .map(LettuceDataTypesIT::text)
                                    .toList())
                    .call("xgroup create", () -> r.xgroupCreate(XReadArgs.StreamOffset.from("st", "0"), "g"))
                    .call(
                            "xreadgroup",
                            () -> r
                                    .xreadgroup(
                                            Consumer.from("g", "c"),
                                            XReadArgs.Builder.count(2),
                                            XReadArgs.StreamOffset.lastConsumed("st"))
                                    .stream()
                                    .map(LettuceDataTypesIT::text)
                                    .toList())
                    .call("xack", () -> r.xack("st", "g", "2000-1"))
                    .call("xpending", () -> r.xpending("st", "g").getCount())
                    .call("xlen", () -> r.xlen("st"));
        });
    }

    @Test
    void hyperLogLogBitmapsAndGeo() {
        assertSameAsRedis(r -> new ReplyLog()
                .call("pfadd", () -> r.pfadd("hll", "a", "b", "c"))
                .call("pfcount", () -> r.pfcount("hll"))
                .call("setbit", () -> r.setbit("bits", 9, 1))
                .call("bitcount", () -> r.bitcount("bits"))
                .call("getbit", () -> r.getbit("bits", 9))
                .call("geoadd", () -> r.geoadd("g", 13.361389, 38.115556, "Palermo"))
                .call("geoadd again", () -> r.geoadd("g", 15.087269, 37.502669, "Catania"))
                .call("geodist", () -> r.geodist("g", "Palermo", "Catania", GeoArgs.Unit.km))
                .call(
                        "geopos",
                        () -> r.geopos("g", "Palermo").stream()
                                .map(v -> v == null ? "nil" : v.getX() + "," + v.getY())
                                .toList()));
    }

    private static String text(StreamMessage<String, String> message) {
        return message.getStream() + "/" + message.getId() + "/" + message.getBody();
    }
}
