package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StatsDocuments;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import io.shardis.topology.cluster.HashSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * A master of a real Redis Cluster fails over while clients in plain mode write and read its keys
 * through Shardis. Two pools in front of the same cluster: {@code waiting} holds the dead master's
 * commands until its replica takes over ({@code failover_timeout}), {@code failing} answers them
 * with an error at once ({@code failover_timeout: 0}), which shows the window the other one hides.
 */
@ExtendWith(StopChildProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFailoverIT {

    private static final String TAG = "{failover}";
    /** Clients wait longer than the longest hold, so that a held command is never a client timeout. */
    private static final int CLIENT_TIMEOUT_MILLIS = 20_000;

    private static RedisClusterFixture cluster;
    private static ShardisFixture shardis;
    /** The master the kill test killed, for the test that makes the cluster forget it. */
    private static RedisClusterFixture.Node killedMaster;

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        shardis = ShardisFixture.startWithStats(
                """
                waiting:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  server_connections: 2
                  failover_timeout: 12000
                  cluster:
                    seeds: [${seed}]
                    refresh_interval: 1000
                failing:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  failover_timeout: 0
                  cluster:
                    seeds: [${seed}]
                """, Map.of("seed", cluster.nodes().get(0).address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, cluster);
    }

    private static Jedis client(String pool) {
        return new Jedis(shardis.address(pool).getHostString(), shardis.port(pool), CLIENT_TIMEOUT_MILLIS);
    }

    @Test
    @Order(1)
    void aPlannedFailoverShowsNoClientAnError() throws Exception {
        RedisClusterFixture.Node master = cluster.nodeForSlot(HashSlot.of(TAG));
        List<Load> loads = startLoads("planned");
        cluster.failover(cluster.replicasOf(master).get(0));
        awaitSuccessesAfterNow(loads);
        stopLoads(loads);
        for (Load load : loads) {
            System.out.printf(
                    "planned failover, pool %s, %s: %d ok, %d errors, longest call %d ms%n",
                    load.pool, load.kind, load.ok, load.errors.size(), load.longestMillis);
            assertThat(load.errors)
                    .as("errors seen by %s through pool %s", load.kind, load.pool)
                    .isEmpty();
        }
    }

    @Test
    @Order(2)
    void aKilledMastersClientsWaitForItsReplicaAndNothingAcknowledgedIsLost() throws Exception {
        RedisClusterFixture.Node master = cluster.nodeForSlot(HashSlot.of(TAG));
        try (Jedis jedis = client("waiting")) {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < 200; i++) {
                pipeline.set(TAG + "acked:" + i, Integer.toString(i));
            }
            pipeline.sync();
        }
        awaitReplicated(master);

        List<Load> loads = startLoads("killed");
        long killedAt = System.nanoTime();
        cluster.kill(master);
        killedMaster = master;
        cluster.awaitPromotionAfter(master);
        awaitSuccessesAfterNow(loads);
        stopLoads(loads);

        for (Load load : loads) {
            long window = load.lastErrorNanos == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(load.lastErrorNanos - killedAt);
            System.out.printf(
                    "master killed, pool %s, %s: %d ok, %d errors (the last %d ms after the kill),"
                            + " longest call %d ms%n",
                    load.pool, load.kind, load.ok, load.errors.size(), window, load.longestMillis);
        }
        Load waitingReader = find(loads, "waiting", "reader");
        Load waitingWriter = find(loads, "waiting", "writer");
        Load failingWriter = find(loads, "failing", "writer");
        Load waitingBystander = find(loads, "waiting", "bystander");
        assertThat(waitingReader.errors)
                .as("reads wait for the replica, even those in flight at the kill")
                .isEmpty();
        // A write in flight when the master died may have run there: it fails rather than run twice.
        assertThat(waitingWriter.errors)
                .as("writes other than the one in flight at the kill wait")
                .hasSizeLessThanOrEqualTo(1);
        assertThat(waitingReader.longestMillis)
                .as("a read waited for the failover")
                .isGreaterThan(500);
        assertThat(failingWriter.errors)
                .as("with failover_timeout 0 the dead master's writes fail")
                .isNotEmpty();
        // The whole cluster answers CLUSTERDOWN while the dead master is marked failed and not yet
        // replaced: retried within failover_timeout, so another master's keys see no error.
        assertThat(waitingBystander.errors)
                .as("writes to another master's keys")
                .isEmpty();

        try (Jedis jedis = client("waiting")) {
            for (int i = 0; i < 200; i++) {
                assertThat(jedis.get(TAG + "acked:" + i))
                        .as("acknowledged and replicated before the kill")
                        .isEqualTo(Integer.toString(i));
            }
        }
    }

    @Test
    @Order(3)
    void aNodeTheClusterForgetsLeavesTheStatsDocumentAndTrafficGoesOn() {
        assertThat(killedMaster).as("the kill test ran first").isNotNull();
        String node = killedMaster.address();
        assertThat(serversInStats("waiting"))
                .as("a failed node the cluster still lists")
                .contains(node);
        cluster.forget(killedMaster);
        assertThat(Poll.until(
                        Duration.ofSeconds(15), () -> !serversInStats("waiting").contains(node), () -> false))
                .as("%s left the stats document after the cluster forgot it", node)
                .isTrue();
        assertThat(serversInStats("waiting"))
                .as("the masters stay")
                .containsAll(cluster.masters().stream()
                        .map(RedisClusterFixture.Node::address)
                        .toList());
        try (Jedis jedis = client("waiting")) {
            assertThat(jedis.set(TAG + "after-forget", "ok")).isEqualTo("OK");
            assertThat(jedis.get(TAG + "after-forget")).isEqualTo("ok");
        }
    }

    /** The servers of {@code pool} in the Twemproxy stats document: its members that are objects. */
    private static List<String> serversInStats(String pool) {
        com.google.gson.JsonObject document = StatsDocuments.parseStrict(StatsDocuments.fetch(shardis.statsAddress()));
        return document.getAsJsonObject(pool).entrySet().stream()
                .filter(entry -> entry.getValue().isJsonObject())
                .map(Map.Entry::getKey)
                .toList();
    }

    /**
     * One client's loop: a writer (SET) or a reader (GET) of the failing master's keys, or a
     * bystander writing the keys of another master.
     */
    private static final class Load {
        final String pool;
        final String kind;
        final String tag;
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<String> errors = new ArrayList<>();
        volatile long ok;
        volatile long lastErrorNanos;
        volatile long lastOkNanos;
        volatile long longestMillis;
        CompletableFuture<Void> done;

        Load(String pool, String kind, String tag) {
            this.pool = pool;
            this.kind = kind;
            this.tag = tag;
        }

        void run(String run) {
            try (Jedis jedis = client(pool)) {
                int i = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (running.get() && System.nanoTime() < deadline) {
                    String key = tag + run + ":" + pool + ":" + (i % 50);
                    long started = System.nanoTime();
                    try {
                        if (!kind.equals("reader")) {
                            jedis.set(key, Integer.toString(i));
                        } else {
                            jedis.get(key);
                        }
                        ok++;
                        lastOkNanos = System.nanoTime();
                    } catch (RuntimeException e) {
                        synchronized (errors) {
                            errors.add(e.getMessage());
                        }
                        lastErrorNanos = System.nanoTime();
                        if (!jedis.isConnected() || jedis.isBroken()) {
                            throw e;
                        }
                    }
                    longestMillis = Math.max(longestMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    i++;
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private List<Load> startLoads(String run) {
        String bystanderTag = tagOfAnotherMaster(cluster.nodeForSlot(HashSlot.of(TAG)));
        List<Load> loads = new ArrayList<>();
        for (String pool : List.of("waiting", "failing")) {
            for (String kind : List.of("writer", "reader", "bystander")) {
                Load load = new Load(pool, kind, kind.equals("bystander") ? bystanderTag : TAG);
                load.done = CompletableFuture.runAsync(() -> load.run(run), threads);
                loads.add(load);
            }
        }
        // Every loop is under way before anything fails.
        assertThat(Poll.until(Duration.ofSeconds(10), () -> loads.stream().allMatch(load -> load.ok > 5), () -> false))
                .as("every client loop runs")
                .isTrue();
        return loads;
    }

    /** A hash tag whose slot another master than {@code master} serves. */
    private static String tagOfAnotherMaster(RedisClusterFixture.Node master) {
        for (int i = 0; ; i++) {
            String tag = "{bystander" + i + "}";
            if (!cluster.nodeForSlot(HashSlot.of(tag)).id().equals(master.id())) {
                return tag;
            }
        }
    }

    /** Waits until every loop has succeeded since now: the failover is over for each of them. */
    private static void awaitSuccessesAfterNow(List<Load> loads) {
        long now = System.nanoTime();
        assertThat(Poll.until(
                        Duration.ofSeconds(30),
                        () -> loads.stream().allMatch(load -> load.lastOkNanos - now > 0),
                        () -> loads.stream().anyMatch(load -> load.done.isDone())))
                .as("every client succeeds again after the failover")
                .isTrue();
    }

    private static void stopLoads(List<Load> loads) throws Exception {
        for (Load load : loads) {
            load.running.set(false);
        }
        for (Load load : loads) {
            load.done.get(30, TimeUnit.SECONDS);
        }
    }

    private static Load find(List<Load> loads, String pool, String kind) {
        return loads.stream()
                .filter(load -> load.pool.equals(pool) && load.kind.equals(kind))
                .findFirst()
                .orElseThrow();
    }

    /** Waits until every replica of {@code master} has its whole replication stream. */
    private static void awaitReplicated(RedisClusterFixture.Node master) {
        long offset;
        try (Jedis jedis = master.client()) {
            offset = replicationOffset(jedis.info("replication"), "master_repl_offset:");
        }
        for (RedisClusterFixture.Node replica : cluster.replicasOf(master)) {
            try (Jedis jedis = replica.client()) {
                assertThat(Poll.until(
                                Duration.ofSeconds(10),
                                () -> replicationOffset(jedis.info("replication"), "slave_repl_offset:") >= offset,
                                () -> false))
                        .as("%s caught up with %s", replica, master)
                        .isTrue();
            }
        }
    }

    private static long replicationOffset(String info, String field) {
        return info.lines()
                .filter(line -> line.startsWith(field))
                .mapToLong(line -> Long.parseLong(line.substring(field.length()).trim()))
                .findFirst()
                .orElse(-1);
    }
}
