package io.shardis.benchmarks;

import io.shardis.topology.shard.Distribution;
import io.shardis.topology.shard.HashFunction;
import io.shardis.topology.shard.HashTag;
import io.shardis.topology.shard.ShardRing;
import io.shardis.topology.shard.ShardServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Places 1,000 keys of 10 to 40 bytes (a quarter hash-tagged) on a 16-server pool, as the proxy does per key. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShardRingBenchmark {

    private static final int KEYS = 1_000;

    @Param({"fnv1a_64", "murmur", "md5", "crc32a"})
    public String hash;

    @Param({"ketama", "modula"})
    public String distribution;

    private ShardRing ring;
    private byte[][] keys;

    @Setup(Level.Trial)
    public void setUp() {
        List<ShardServer> servers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            servers.add(new ShardServer("10.0.0." + (i + 1), 6379, 1 + i % 3, "shard" + (i + 1)));
        }
        ring = ShardRing.build(
                HashFunction.fromConfigName(hash),
                HashTag.parse("{}"),
                Distribution.fromConfigName(distribution),
                servers);
        keys = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++) {
            String key = i % 4 == 0 ? "{user:" + i + "}:following" : "session:" + i + ":" + "x".repeat(i % 24);
            keys[i] = key.getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** Returns the sum of the server indexes, so the work cannot be optimised away. */
    @Benchmark
    public int placeThousandKeys() {
        int sum = 0;
        for (byte[] key : keys) {
            sum += ring.serverIndex(key, 0, key.length);
        }
        return sum;
    }
}
