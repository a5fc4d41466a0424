package io.shardis.it;

import io.shardis.it.support.ReplyLog;
import io.shardis.it.support.SameReplies;
import io.shardis.it.support.SingleBackendShardis;
import io.shardis.it.support.StopChildProcesses;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.GeoCoordinate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.args.BitOP;
import redis.clients.jedis.args.GeoUnit;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.args.ListPosition;
import redis.clients.jedis.params.BitPosParams;
import redis.clients.jedis.params.GeoSearchParam;
import redis.clients.jedis.params.GetExParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.ZAddParams;
import redis.clients.jedis.params.ZParams;
import redis.clients.jedis.params.ZRangeParams;

/**
 * Every data type through Shardis with Jedis: each scenario runs straight against Redis and then
 * through Shardis, and the replies must be the same.
 */
@ExtendWith(StopChildProcesses.class)
class JedisDataTypesIT {

    @RegisterExtension
    static final SingleBackendShardis env =
            SingleBackendShardis.withTimeout(5_000).withoutFlush();

    private static void assertSameAsRedis(Function<Jedis, ReplyLog> scenario) {
        SameReplies.assertSame(env.redis(), env.shardis(), SingleBackendShardis.POOL, scenario);
    }

    @Test
    void strings() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("set", () -> jedis.set("s", "hello"))
                .call("get", () -> jedis.get("s"))
                .call("get missing", () -> jedis.get("missing"))
                .call(
                        "set nx on existing",
                        () -> jedis.set("s", "x", SetParams.setParams().nx()))
                .call("set xx get", () -> jedis.setGet("s", "world"))
                .call("append", () -> jedis.append("s", "!!"))
                .call("strlen", () -> jedis.strlen("s"))
                .call("getrange", () -> jedis.getrange("s", 1, 3))
                .call("getrange negative", () -> jedis.getrange("s", -3, -1))
                .call("setrange", () -> jedis.setrange("s", 10, "padded"))
                .call("get padded", () -> jedis.get("s"))
                .call("incr new", () -> jedis.incr("n"))
                .call("incrby", () -> jedis.incrBy("n", 41))
                .call("decrby", () -> jedis.decrBy("n", 2))
                .call("incrbyfloat", () -> jedis.incrByFloat("f", 2.5))
                .call("incr not a number", () -> jedis.incr("s"))
                .call("mset", () -> jedis.mset("a", "1", "b", "2", "c", "3"))
                .call("mget", () -> jedis.mget("a", "b", "missing", "c"))
                .call("msetnx", () -> jedis.msetnx("a", "9", "d", "4"))
                .call("getdel", () -> jedis.getDel("c"))
                .call("exists", () -> jedis.exists("a", "b", "c", "missing"))
                .call("del", () -> jedis.del("a", "b", "missing"))
                .call("type", () -> jedis.type("s"))
                .call("lcs", () -> {
                    jedis.mset("l1", "ohmytext", "l2", "mynewtext");
                    return jedis.sendCommand(() -> "LCS".getBytes(), "l1", "l2");
                }));
    }

    @Test
    void expiry() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("set ex", () -> jedis.set("e", "v", SetParams.setParams().ex(100)))
                .add("ttl in (0,100]", inRange(jedis.ttl("e"), 1, 100))
                .add("pttl in (0,100000]", inRange(jedis.pttl("e"), 1, 100_000))
                .call("persist", () -> jedis.persist("e"))
                .call("ttl after persist", () -> jedis.ttl("e"))
                .call("expire", () -> jedis.expire("e", 50))
                .add("ttl in (0,50]", inRange(jedis.ttl("e"), 1, 50))
                .call("pexpire", () -> jedis.pexpire("e", 1))
                .call("ttl missing", () -> jedis.ttl("missing"))
                .call("setex", () -> jedis.setex("x", 30, "v"))
                .add("ttl setex", inRange(jedis.ttl("x"), 1, 30))
                .call(
                        "getex persist",
                        () -> jedis.getEx("x", GetExParams.getExParams().persist()))
                .call("ttl after getex", () -> jedis.ttl("x")));
    }

    @Test
    void hashes() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("hset", () -> jedis.hset("h", Map.of("f1", "v1", "f2", "v2", "n", "10")))
                .call("hget", () -> jedis.hget("h", "f1"))
                .call("hget missing", () -> jedis.hget("h", "missing"))
                .call("hmget", () -> jedis.hmget("h", "f1", "missing", "f2"))
                .call("hgetall", () -> jedis.hgetAll("h"))
                .call("hincrby", () -> jedis.hincrBy("h", "n", 5))
                .call("hincrbyfloat", () -> jedis.hincrByFloat("h", "x", 1.5))
                .call("hexists", () -> jedis.hexists("h", "f2"))
                .call("hsetnx", () -> jedis.hsetnx("h", "f1", "again"))
                .call("hlen", () -> jedis.hlen("h"))
                .call("hkeys", () -> jedis.hkeys("h"))
                .call("hvals", () -> jedis.hvals("h"))
                .call("hstrlen", () -> jedis.hstrlen("h", "f1"))
                .call("hdel", () -> jedis.hdel("h", "f1", "missing"))
                .call("hgetall after hdel", () -> jedis.hgetAll("h"))
                .call("hscan", () -> jedis.hscan("h", "0").getResult().size())
                .call("wrongtype", () -> jedis.lpush("h", "x")));
    }

    @Test
    void lists() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("rpush", () -> jedis.rpush("l", "a", "b", "c", "d"))
                .call("lpush", () -> jedis.lpush("l", "z"))
                .call("lrange", () -> jedis.lrange("l", 0, -1))
                .call("llen", () -> jedis.llen("l"))
                .call("lindex", () -> jedis.lindex("l", 2))
                .call("lset", () -> jedis.lset("l", 0, "y"))
                .call("linsert", () -> jedis.linsert("l", ListPosition.BEFORE, "c", "bb"))
                .call("lpos", () -> jedis.lpos("l", "c"))
                .call("lrem", () -> jedis.lrem("l", 1, "bb"))
                .call("lpop", () -> jedis.lpop("l"))
                .call("rpop count", () -> jedis.rpop("l", 2))
                .call("lmove", () -> jedis.lmove("l", "l2", ListDirection.LEFT, ListDirection.RIGHT))
                .call("ltrim", () -> jedis.ltrim("l", 0, 0))
                .call("lrange after", () -> jedis.lrange("l", 0, -1))
                .call("lrange other", () -> jedis.lrange("l2", 0, -1))
                .call("rpushx missing", () -> jedis.rpushx("missing", "x"))
                .call("lpop missing", () -> jedis.lpop("missing")));
    }

    @Test
    void sets() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("sadd", () -> jedis.sadd("s1", "a", "b", "c", "d"))
                .call("sadd again", () -> jedis.sadd("s1", "a"))
                .call("sadd other", () -> jedis.sadd("s2", "c", "d", "e"))
                .call("smembers", () -> jedis.smembers("s1"))
                .call("sismember", () -> jedis.sismember("s1", "b"))
                .call("smismember", () -> jedis.smismember("s1", "a", "x"))
                .call("scard", () -> jedis.scard("s1"))
                .call("sinter", () -> jedis.sinter("s1", "s2"))
                .call("sunion", () -> jedis.sunion("s1", "s2"))
                .call("sdiff", () -> jedis.sdiff("s1", "s2"))
                .call("sinterstore", () -> jedis.sinterstore("s3", "s1", "s2"))
                .call("sintercard", () -> jedis.sintercard("s1", "s2"))
                .call("smove", () -> jedis.smove("s1", "s2", "a"))
                .call("srem", () -> jedis.srem("s1", "b", "x"))
                .call("smembers after", () -> jedis.smembers("s1"))
                .call("srandmember is a member", () -> jedis.sismember("s2", jedis.srandmember("s2")))
                .call("spop count size", () -> jedis.spop("s3", 5).size()));
    }

    @Test
    void sortedSets() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("zadd", () -> jedis.zadd("z", Map.of("a", 1.0, "b", 2.0, "c", 3.0, "d", 4.5)))
                .call(
                        "zadd nx",
                        () -> jedis.zadd("z", 9.0, "a", ZAddParams.zAddParams().nx()))
                .call("zscore", () -> jedis.zscore("z", "d"))
                .call("zmscore", () -> jedis.zmscore("z", "a", "missing"))
                .call("zincrby", () -> jedis.zincrby("z", 2.5, "a"))
                .call("zrank", () -> jedis.zrank("z", "a"))
                .call("zrevrank", () -> jedis.zrevrank("z", "a"))
                .call("zrange", () -> jedis.zrange("z", 0, -1))
                .call("zrange withscores", () -> jedis.zrangeWithScores("z", 0, -1))
                .call("zrange byscore", () -> jedis.zrange("z", ZRangeParams.zrangeByScoreParams(2, 4)))
                .call("zrangebyscore limit", () -> jedis.zrangeByScore("z", "-inf", "+inf", 1, 2))
                .call("zcount", () -> jedis.zcount("z", 2, 5))
                .call("zcard", () -> jedis.zcard("z"))
                .call("zadd lex", () -> jedis.zadd("lex", Map.of("alpha", 0.0, "beta", 0.0, "gamma", 0.0)))
                .call("zrangebylex", () -> jedis.zrangeByLex("lex", "[b", "+"))
                .call("zunionstore", () -> jedis.zunionstore("zu", "z", "lex"))
                .call("zinter", () -> jedis.zinter(new ZParams(), "z", "zu"))
                .call("zpopmin", () -> jedis.zpopmin("z"))
                .call("zpopmax count", () -> jedis.zpopmax("z", 2))
                .call("zrem", () -> jedis.zrem("z", "b", "missing"))
                .call("zremrangebyscore", () -> jedis.zremrangeByScore("zu", 0, 0))
                .call("zrange after", () -> jedis.zrangeWithScores("zu", 0, -1)));
    }

    @Test
    void streams() {
        assertSameAsRedis(jedis -> {
            ReplyLog log = new ReplyLog();
            for (int i = 1; i <= 5; i++) {
                int n = i;
                log.call(
                        "xadd " + i,
                        () -> jedis.xadd(
                                "st",
                                XAddParams.xAddParams().id(new StreamEntryID(1000, n)),
                                Map.of("n", Integer.toString(n), "even", Boolean.toString(n % 2 == 0))));
            }
            return log.call("xlen", () -> jedis.xlen("st"))
                    .call("xrange", () -> jedis.xrange("st", (StreamEntryID) null, (StreamEntryID) null))
                    .call("xrange count", () -> jedis.xrange("st", new StreamEntryID(1000, 2), null, 2))
                    .call("xrevrange", () -> jedis.xrevrange("st", (StreamEntryID) null, (StreamEntryID) null, 2))
                    .call("xgroup create", () -> jedis.xgroupCreate("st", "g", new StreamEntryID(0, 0), false))
                    .call(
                            "xreadgroup",
                            () -> jedis.xreadGroup(
                                    "g",
                                    "c1",
                                    XReadGroupParams.xReadGroupParams().count(3),
                                    Map.of("st", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)))
                    .call("xpending", () -> jedis.xpending("st", "g").getTotal())
                    .call("xack", () -> jedis.xack("st", "g", new StreamEntryID(1000, 1), new StreamEntryID(1000, 2)))
                    .call("xpending after ack", () -> jedis.xpending("st", "g").getTotal())
                    .call(
                            "xreadgroup rest",
                            () -> jedis.xreadGroup(
                                    "g",
                                    "c2",
                                    XReadGroupParams.xReadGroupParams(),
                                    Map.of("st", StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY)))
                    .call("xdel", () -> jedis.xdel("st", new StreamEntryID(1000, 5)))
                    .call("xtrim", () -> jedis.xtrim("st", 2, false))
                    .call("xrange after trim", () -> jedis.xrange("st", (StreamEntryID) null, (StreamEntryID) null))
                    .call(
                            "xadd smaller id",
                            () -> jedis.xadd(
                                    "st", XAddParams.xAddParams().id(new StreamEntryID(1, 1)), Map.of("late", "yes")));
        });
    }

    @Test
    void hyperLogLog() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("pfadd", () -> jedis.pfadd("hll", "a", "b", "c", "d", "a"))
                .call("pfadd again", () -> jedis.pfadd("hll", "a"))
                .call("pfadd other", () -> jedis.pfadd("hll2", "x", "y", "a"))
                .call("pfcount", () -> jedis.pfcount("hll"))
                .call("pfcount union", () -> jedis.pfcount("hll", "hll2"))
                .call("pfmerge", () -> jedis.pfmerge("merged", "hll", "hll2"))
                .call("pfcount merged", () -> jedis.pfcount("merged")));
    }

    @Test
    void bitmaps() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("setbit", () -> jedis.setbit("b", 7, true))
                .call("setbit far", () -> jedis.setbit("b", 100, true))
                .call("getbit", () -> jedis.getbit("b", 7))
                .call("getbit unset", () -> jedis.getbit("b", 8))
                .call("bitcount", () -> jedis.bitcount("b"))
                .call("bitpos", () -> jedis.bitpos("b", true))
                .call("bitpos range", () -> jedis.bitpos("b", true, new BitPosParams(1)))
                .call("set other", () -> jedis.set("b2", "\u00ff"))
                .call("bitop", () -> jedis.bitop(BitOP.AND, "b3", "b", "b2"))
                .call("get bitop", () -> jedis.get("b3".getBytes()))
                .call("bitfield", () -> jedis.bitfield("bf", "INCRBY", "u8", "0", "200", "GET", "u8", "0")));
    }

    @Test
    void geo() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call(
                        "geoadd",
                        () -> jedis.geoadd(
                                "g",
                                Map.of(
                                        "Palermo", new GeoCoordinate(13.361389, 38.115556),
                                        "Catania", new GeoCoordinate(15.087269, 37.502669))))
                .call("geodist", () -> jedis.geodist("g", "Palermo", "Catania", GeoUnit.KM))
                .call("geopos", () -> jedis.geopos("g", "Palermo", "missing"))
                .call("geohash", () -> jedis.geohash("g", "Palermo", "Catania"))
                .call(
                        "geosearch",
                        () -> jedis.geosearch("g", new GeoCoordinate(15, 37), 200, GeoUnit.KM).stream()
                                .map(r -> r.getMemberByString())
                                .sorted()
                                .toList())
                .call(
                        "geosearch params",
                        () -> jedis
                                .geosearch(
                                        "g",
                                        new GeoSearchParam()
                                                .fromLonLat(15, 37)
                                                .byRadius(200, GeoUnit.KM)
                                                .asc()
                                                .withDist())
                                .stream()
                                .map(r -> r.getMemberByString() + "@" + r.getDistance())
                                .toList()));
    }

    @Test
    void keys() {
        assertSameAsRedis(jedis -> new ReplyLog()
                .call("set", () -> jedis.set("k1", "v"))
                .call("rename", () -> jedis.rename("k1", "k2"))
                .call("renamenx", () -> jedis.renamenx("k2", "k1"))
                .call("copy", () -> jedis.copy("k1", "k3", false))
                .call("exists", () -> jedis.exists("k1", "k2", "k3"))
                .call("touch", () -> jedis.touch("k1", "k3", "missing"))
                .call("unlink", () -> jedis.unlink("k3"))
                .call("dump restore", () -> {
                    byte[] dump = jedis.dump("k1");
                    return jedis.restore("k4", 0, dump);
                })
                .call("get restored", () -> jedis.get("k4"))
                .call("object encoding", () -> jedis.objectEncoding("k4"))
                .call("type missing", () -> jedis.type("missing"))
                .call("rename missing", () -> jedis.rename("missing", "other")));
    }

    private static String inRange(long value, long low, long high) {
        return value >= low && value <= high ? "yes" : "no: " + value;
    }
}
