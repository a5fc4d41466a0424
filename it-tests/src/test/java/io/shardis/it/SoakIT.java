package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Http;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.ResourceSampler;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisProcess;
import io.shardis.it.support.SoakLoad;
import io.shardis.it.support.StopChildProcesses;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * A soak with an integrity checker: Jedis and Lettuce writers ({@link SoakLoad}: SET, GET, INCR,
 * MGET, MSET, MULTI/EXEC, PUBLISH to a subscriber) through the real process while a chaos loop
 * changes what is behind it. Against a sharded Sentinel pool: a master killed (Sentinel fails it
 * over), a Sentinel restarted, the configuration reloaded by SIGHUP and by {@code POST /reload}.
 * Against a cluster pool: slots resharded with their keys, a replica promoted by
 * {@code CLUSTER FAILOVER}, the same reloads. Before a master is killed the writers are held
 * between commands until its replica has every write (Redis' replication is asynchronous: what it
 * loses in a failover is not the proxy's doing). At the end every key is read back: no acknowledged
 * write lost, no counter short of its acknowledged {@code INCR}s, no value that was never
 * written, pub/sub messages never duplicated nor reordered; and Shardis' RSS, heap, descriptors and
 * threads flat over the run.
 *
 * <p>Each pool runs {@code -Dshardis.soak.seconds} (default 20) of load; a long run is
 * {@code -Dshardis.soak.seconds=3600 -Dit.test=SoakIT}.
 */
@ExtendWith(StopChildProcesses.class)
class SoakIT {

    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("shardis.soak.seconds", 20));
    private static final int JEDIS_WRITERS = 4;
    private static final int LETTUCE_WRITERS = 2;
    private static final String JAVA_OPTS = "-Xmx256m -XX:MaxDirectMemorySize=256m";

    @Test
    @Timeout(value = 1, unit = TimeUnit.DAYS)
    void shardedSentinelPoolKeepsEveryDurableWriteThroughFailoversSentinelRestartsAndReloads() throws Exception {
        try (SentinelFixture sentinel = SentinelFixture.builder().masters(2).start()) {
            List<String> sentinels = new ArrayList<>();
            for (InetSocketAddress address : sentinel.sentinelAddresses()) {
                sentinels.add(address.getHostString() + ":" + address.getPort());
            }
            String config = """
                    shardis:
                      admin: true
                    sharded:
                      listen: 127.0.0.1:${port.sharded}
                      redis: true
                      timeout: 2000
                      # The Sentinels' first answer at start includes a cold JVM's client set-up.
                      connect_timeout: 10000
                      failover_timeout: 15000
                      hash: fnv1a_64
                      distribution: ketama
                      hash_tag: "{}"
                      sentinels: [${sentinels}]
                      servers:
                        - ${shard1}:1 shard1
                        - ${shard2}:1 shard2
                    """;
            try (ShardisProcess shardis = ShardisProcess.startWithJavaOpts(
                    JAVA_OPTS,
                    config,
                    Map.of(
                            "sentinels",
                            String.join(", ", sentinels),
                            "shard1",
                            sentinel.master("shard1").address(),
                            "shard2",
                            sentinel.master("shard2").address()),
                    "--http",
                    "127.0.0.1:${port.http}")) {
                soak(shardis, "sharded", (load, step) -> {
                    switch (step % 3) {
                        case 0 -> {
                            String name = "shard" + (1 + step / 3 % 2);
                            RedisProcess old = sentinel.master(name);
                            load.pauseWrites(() -> {
                                // Every acknowledged write on the replica, then the kill.
                                try (Jedis direct = old.client()) {
                                    direct.set("soak:barrier", Integer.toString(step));
                                    assertThat(direct.waitReplicas(1, 10_000))
                                            .as("replicas with every write")
                                            .isGreaterThanOrEqualTo(1);
                                }
                                sentinel.killMaster(name);
                            });
                            sentinel.awaitFailover(name);
                            sentinel.restart(old);
                            awaitReplicating(old);
                            return "killed the master of " + name + "; failed over; it came back as a replica";
                        }
                        case 1 -> {
                            RedisProcess restarted = sentinel.sentinel(step / 3 % SentinelFixture.SENTINELS);
                            restarted.stop();
                            restarted.restart();
                            sentinel.awaitAgreement();
                            return "restarted a Sentinel";
                        }
                        default -> {
                            return reload(shardis, step);
                        }
                    }
                });
            }
        }
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.DAYS)
    void clusterPoolKeepsEveryAcknowledgedWriteThroughReshardsFailoversAndReloads() throws Exception {
        try (RedisClusterFixture cluster = RedisClusterFixture.start();
                ShardisProcess shardis = ShardisProcess.startWithJavaOpts(
                        JAVA_OPTS,
                        """
                     shardis:
                       admin: true
                     cluster:
                       listen: 127.0.0.1:${port.cluster}
                       timeout: 2000
                       # The first slot map at start includes a cold JVM's client set-up.
                       connect_timeout: 10000
                       cluster:
                         seeds: [${seed}]
                         refresh_interval: 1000
                     """,
                        Map.of("seed", cluster.nodes().get(0).address()),
                        "--http",
                        "127.0.0.1:${port.http}")) {
            soak(shardis, "cluster", (load, step) -> {
                List<RedisClusterFixture.Node> masters = cluster.masters();
                switch (step % 3) {
                    case 0 -> {
                        RedisClusterFixture.Node from = masters.get(step / 3 % masters.size());
                        RedisClusterFixture.Node to = masters.get((step / 3 + 1) % masters.size());
                        cluster.migrateSlots(from, to, 256);
                        return "moved 256 slots with their keys from " + from + " to " + to;
                    }
                    case 1 -> {
                        RedisClusterFixture.Node master = masters.get(step / 3 % masters.size());
                        RedisClusterFixture.Node replica =
                                cluster.replicasOf(master).get(0);
                        cluster.failover(replica);
                        return "CLUSTER FAILOVER: " + replica + " took over from " + master;
                    }
                    default -> {
                        return reload(shardis, step);
                    }
                }
            });
        }
    }

    /** One step of chaos; returns what it did, for the log. */
    private interface Chaos {
        String step(SoakLoad load, int step) throws Exception;
    }

    private static void soak(ShardisProcess shardis, String pool, Chaos chaos) throws Exception {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", shardis.port(pool));
        int http = shardis.port("http");
        List<String> done = new ArrayList<>();
        SoakLoad load = SoakLoad.start(address, JEDIS_WRITERS, LETTUCE_WRITERS);
        ResourceSampler resources = ResourceSampler.start(
                shardis.pid(), () -> (long) Http.metrics(http).value("jvm_memory_used_bytes", "area", "heap"));
        long started = System.nanoTime();
        long deadline = started + LOAD.toNanos();
        try {
            // A quiet first sixth, then chaos until the end.
            Thread.sleep(LOAD.toMillis() / 6);
            for (int step = 0; System.nanoTime() < deadline; step++) {
                long at = System.nanoTime();
                String what = chaos.step(load, step);
                done.add(String.format(
                        "%.1fs %s (%d ms)",
                        (at - started) / 1e9, what, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at)));
                Thread.sleep(Math.min(2_000, Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
        } finally {
            Closeables.closeAll(load, resources);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        List<String> violations;
        try (Jedis reader = new Jedis(address.getHostString(), address.getPort(), 30_000)) {
            violations = load.check(reader::get);
        }
        System.out.printf(
                "soak of pool '%s', %d s: %d operations, %d acknowledged writes, %d keys read back,"
                        + " %d of %d messages received, %d errors %s; chaos: %s; Shardis: %s%n",
                pool,
                seconds,
                load.operations(),
                load.acknowledgedWrites(),
                load.keys(),
                load.received(),
                load.published(),
                load.errors(),
                load.errorTexts(),
                done,
                resources.summary());
        assertThat(violations).as("integrity violations").isEmpty();
        assertThat(done).as("chaos steps").isNotEmpty();
        assertThat(load.acknowledgedWrites()).as("writes checked").isGreaterThan(1_000);
        assertThat(load.received()).as("pub/sub messages received").isGreaterThan(0);
        assertThat(resources.growth(64L << 20, 32, 4, 96L << 20))
                .as("resources that grew: %s", resources.summary())
                .isEmpty();
    }

    /** Rewrites the file (a comment changes) and reloads it: SIGHUP on even steps, POST /reload on odd ones. */
    private static String reload(ShardisProcess shardis, int step) throws Exception {
        String text = Files.readString(shardis.configFile());
        Files.writeString(shardis.configFile(), text + "# reload " + step + "\n");
        if (step / 3 % 2 == 0) {
            shardis.signal("HUP");
            return "SIGHUP";
        }
        Http.Response response = Http.post(shardis.port("http"), "/reload");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return "POST /reload";
    }

    /** Waits until {@code server}, back after being killed, replicates from the new master. */
    private static void awaitReplicating(RedisProcess server) {
        boolean up = Poll.until(
                Duration.ofSeconds(60),
                () -> {
                    try (Jedis jedis = server.client()) {
                        return jedis.info("replication").contains("master_link_status:up");
                    } catch (RuntimeException e) {
                        return false;
                    }
                },
                () -> false);
        assertThat(up).as("%s replicates again", server).isTrue();
    }
}
