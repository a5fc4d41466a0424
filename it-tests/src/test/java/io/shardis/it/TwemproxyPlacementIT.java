package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.NutcrackerProcess;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.Template;
import io.shardis.topology.shard.Distribution;
import io.shardis.topology.shard.HashFunction;
import io.shardis.topology.shard.HashTag;
import io.shardis.topology.shard.ShardRing;
import io.shardis.topology.shard.ShardServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Migration without moving data: keys written through Twemproxy are found through Shardis, and the
 * other way round, for every hash function with ketama and modula, on one pool configuration
 * (weights, named servers, {@code hash_tag: "{}"}) given to both proxies.
 *
 * <p>Four Redis servers, one nutcracker with every pool on its own port, and one Shardis with the
 * same pools, shared by all cases; every case starts from empty servers. A first group of cases
 * checks the placement rules themselves ({@link ShardRing}) against nutcracker on this run's
 * server addresses, without Shardis.
 */
@ExtendWith(StopChildProcesses.class)
@Timeout(120)
class TwemproxyPlacementIT {

    private static final List<String> HASHES = List.of(
            "one_at_a_time",
            "md5",
            "crc16",
            "crc32",
            "crc32a",
            "fnv1_64",
            "fnv1a_64",
            "fnv1_32",
            "fnv1a_32",
            "hsieh",
            "murmur",
            "jenkins");
    private static final List<String> RANDOM_POOLS = List.of("random_fnv1a_64", "random_md5");
    private static final int KEYS = 1_000;
    private static final int REVERSE_KEYS = 300;

    private static final List<RedisProcess> redis = new ArrayList<>();
    private static final Map<String, Object> addresses = new LinkedHashMap<>();
    private static NutcrackerProcess nutcracker;
    /** Started on first use, so that the checks of the placement rules alone run even if it cannot start. */
    private static ShardisFixture shardis;

    private static RuntimeException shardisFailure;
    private static List<byte[]> keys;

    static List<String> shardedPools() {
        List<String> pools = new ArrayList<>();
        for (String distribution : List.of("ketama", "modula")) {
            for (String hash : HASHES) {
                pools.add(distribution + "_" + hash);
            }
        }
        return pools;
    }

    @BeforeAll
    static void start() {
        keys = keys();
        for (int i = 0; i < 4; i++) {
            redis.add(RedisProcess.start());
        }
        for (int i = 0; i < redis.size(); i++) {
            addresses.put("r" + i, redis.get(i).address());
        }
        nutcracker = NutcrackerProcess.start(config(true), addresses);
    }

    private static synchronized ShardisFixture shardis() {
        if (shardis == null && shardisFailure == null) {
            try {
                shardis = ShardisFixture.start(config(false), addresses);
            } catch (RuntimeException e) {
                shardisFailure = e;
            }
        }
        if (shardisFailure != null) {
            throw shardisFailure;
        }
        return shardis;
    }

    @AfterAll
    static void stop() {
        if (shardis != null) {
            shardis.close();
        }
        if (nutcracker != null) {
            nutcracker.stop();
        }
        redis.forEach(RedisProcess::stop);
    }

    @BeforeEach
    void emptyServers() {
        redis.forEach(RedisProcess::flushAll);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shardedPools")
    void nutcrackerPutsEveryKeyWhereShardRingSays(String pool) {
        try (Jedis twemproxy = nutcracker.jedis(pool)) {
            write(twemproxy, keys);
        }
        int split = pool.indexOf('_');
        List<ShardServer> servers = serverEntries().stream()
                .map(entry -> ShardServer.parse(Template.render(entry, addresses)))
                .toList();
        ShardRing ring = ShardRing.build(
                HashFunction.fromConfigName(pool.substring(split + 1)),
                HashTag.parse("{}"),
                Distribution.fromConfigName(pool.substring(0, split)),
                servers);
        int[] holder = holders(keys);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            int expected = ring.serverIndex(keys.get(i));
            if (holder[i] != expected) {
                wrong.add(hex(keys.get(i)) + " on server " + holder[i] + ", ShardRing says " + expected);
            }
        }
        assertThat(wrong)
                .as("keys nutcracker's pool %s placed elsewhere than ShardRing", pool)
                .isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shardedPools")
    void keysWrittenThroughTwemproxyAreReadThroughShardis(String pool) {
        try (Jedis twemproxy = nutcracker.jedis(pool);
                Jedis proxy = shardis().jedis(pool)) {
            write(twemproxy, keys);
            assertSpreadOverServers(pool, keys.size());
            assertThat(missing(proxy, keys))
                    .as("keys written through nutcracker's pool %s that Shardis does not find", pool)
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shardedPools")
    void keysWrittenThroughShardisAreReadThroughTwemproxy(String pool) {
        List<byte[]> subset = keys.subList(0, REVERSE_KEYS);
        try (Jedis proxy = shardis().jedis(pool);
                Jedis twemproxy = nutcracker.jedis(pool)) {
            write(proxy, subset);
            assertSpreadOverServers(pool, subset.size());
            assertThat(missing(twemproxy, subset))
                    .as("keys written through Shardis' pool %s that nutcracker does not find", pool)
                    .isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"random_fnv1a_64", "random_md5"})
    void randomPoolsPutEachKeyOnExactlyOneServerAndUseThemAll(String pool) {
        List<byte[]> subset = keys.subList(0, 400);
        for (boolean throughShardis : new boolean[] {false, true}) {
            redis.forEach(RedisProcess::flushAll);
            try (Jedis client = throughShardis ? shardis().jedis(pool) : nutcracker.jedis(pool)) {
                write(client, subset);
            }
            String through = throughShardis ? "Shardis" : "nutcracker";
            int[] holder = holders(subset);
            int[] perServer = new int[redis.size()];
            for (int i = 0; i < subset.size(); i++) {
                assertThat(holder[i])
                        .as("server holding %s (through %s; -1: none, -2: several)", hex(subset.get(i)), through)
                        .isNotNegative();
                perServer[holder[i]]++;
            }
            // Random ignores weights: each server gets about a quarter.
            for (int count : perServer) {
                assertThat(count)
                        .as("keys per server through %s: %s", through, Arrays.toString(perServer))
                        .isBetween(subset.size() / 4 / 2, subset.size() / 4 * 2);
            }
        }
    }

    /** Every pool of the test, as nutcracker.yml spells it; Shardis gets the same with port 0 to listen on. */
    private static String config(boolean forNutcracker) {
        StringBuilder yaml = new StringBuilder();
        List<String> pools = new ArrayList<>(shardedPools());
        pools.addAll(RANDOM_POOLS);
        for (String pool : pools) {
            int split = pool.indexOf('_');
            yaml.append(pool)
                    .append(":\n")
                    .append("  listen: 127.0.0.1:")
                    .append(forNutcracker ? "${port." + pool + "}" : "0")
                    .append('\n')
                    .append("  redis: true\n")
                    .append("  hash: ")
                    .append(pool.substring(split + 1))
                    .append('\n')
                    .append("  distribution: ")
                    .append(pool, 0, split)
                    .append('\n')
                    .append("  hash_tag: \"{}\"\n")
                    .append("  timeout: 5000\n")
                    .append("  servers:\n");
            for (String entry : serverEntries()) {
                yaml.append("    - ").append(entry).append('\n');
            }
        }
        return yaml.toString();
    }

    /** The pools' servers: weights 1, 2, 1, 3; the second and the fourth named. */
    private static List<String> serverEntries() {
        return List.of("${r0}:1", "${r1}:2 alpha", "${r2}:1", "${r3}:3 beta");
    }

    /** For each key, the index of the one server holding it ({@code -1} for none, {@code -2} for several). */
    private static int[] holders(List<byte[]> toFind) {
        int[] holder = new int[toFind.size()];
        Arrays.fill(holder, -1);
        for (int server = 0; server < redis.size(); server++) {
            try (Jedis direct = redis.get(server).client()) {
                Pipeline pipeline = direct.pipelined();
                List<Response<Boolean>> exists = new ArrayList<>();
                for (byte[] key : toFind) {
                    exists.add(pipeline.exists(key));
                }
                pipeline.sync();
                for (int i = 0; i < toFind.size(); i++) {
                    if (exists.get(i).get()) {
                        holder[i] = holder[i] == -1 ? server : -2;
                    }
                }
            }
        }
        return holder;
    }

    /** ASCII keys, binary keys with bytes from 0x80 and 0x00, hash-tagged keys and the tag's edge cases. */
    private static List<byte[]> keys() {
        Random random = new Random(42);
        List<byte[]> all = new ArrayList<>();
        for (String edge : List.of("{}", "{", "}", "}{", "a{b}c{d}", "{}x", "x{}", "{{x}}", "{user7}", "user7")) {
            all.add(edge.getBytes(StandardCharsets.US_ASCII));
        }
        all.add(new byte[] {(byte) 0x80});
        all.add(new byte[] {(byte) 0xff, 0, (byte) 0xfe});
        all.add(new byte[] {'{', (byte) 0x90, (byte) 0xa0, '}', 'x'});
        while (all.size() < KEYS) {
            int i = all.size();
            switch (i % 4) {
                case 0 -> all.add(("key:" + i).getBytes(StandardCharsets.US_ASCII));
                case 1 -> all.add(("{user" + (i % 97) + "}:field:" + i).getBytes(StandardCharsets.US_ASCII));
                case 2 -> {
                    byte[] key = new byte[1 + random.nextInt(40)];
                    random.nextBytes(key);
                    key[0] = (byte) (0x80 | i);
                    all.add(key);
                }
                default -> all.add(("caf\u00e9:" + i).getBytes(StandardCharsets.UTF_8));
            }
        }
        // Distinct keys only, so that every value read back tells which write it came from.
        return all.stream()
                .map(HexFormat.of()::formatHex)
                .distinct()
                .map(HexFormat.of()::parseHex)
                .toList();
    }

    private static void write(Jedis client, List<byte[]> toWrite) {
        Pipeline pipeline = client.pipelined();
        List<Response<String>> replies = new ArrayList<>();
        for (byte[] key : toWrite) {
            replies.add(pipeline.set(key, value(key)));
        }
        pipeline.sync();
        assertThat(replies).allSatisfy(reply -> assertThat(reply.get()).isEqualTo("OK"));
    }

    /** The keys {@code client} does not find with the value written for them. */
    private static List<String> missing(Jedis client, List<byte[]> toRead) {
        Pipeline pipeline = client.pipelined();
        List<Response<byte[]>> replies = new ArrayList<>();
        for (byte[] key : toRead) {
            replies.add(pipeline.get(key));
        }
        pipeline.sync();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < toRead.size(); i++) {
            if (!Arrays.equals(replies.get(i).get(), value(toRead.get(i)))) {
                missing.add(hex(toRead.get(i)));
            }
        }
        return missing;
    }

    /**
     * Every key is on some server, and (sharding happened) more than one server holds keys, except
     * with ketama and crc32: crc32's hashes are 15-bit, nearly always below the continuum's first
     * point, so nutcracker puts the keys on the server owning that point.
     */
    private static void assertSpreadOverServers(String pool, int written) {
        long total = 0;
        int used = 0;
        for (RedisProcess server : redis) {
            try (Jedis direct = server.client()) {
                long size = direct.dbSize();
                total += size;
                used += size > 0 ? 1 : 0;
            }
        }
        assertThat(total).isEqualTo(written);
        if (!pool.equals("ketama_crc32")) {
            assertThat(used).as("servers holding keys").isGreaterThan(1);
        }
    }

    private static byte[] value(byte[] key) {
        return ("value of " + hex(key)).getBytes(StandardCharsets.US_ASCII);
    }

    private static String hex(byte[] key) {
        return key.length == 0 ? "(empty)" : HexFormat.of().formatHex(key);
    }
}
