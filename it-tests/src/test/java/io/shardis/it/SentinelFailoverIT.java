package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.shardis.it.support.Closeables;
import io.shardis.it.support.LettuceClients;
import io.shardis.it.support.Margins;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Masters that fail over under Sentinel while clients write through Shardis: writes succeed again
 * as soon as the Sentinels agree on the new master, other masters' keys never fail, and what was
 * acknowledged with {@code WAIT 1} before the kill is there afterwards.
 */
@ExtendWith(StopChildProcesses.class)
class SentinelFailoverIT {

    /** Past the Sentinels' agreement, how long Shardis may take to write to the new master. */
    private static final long SWITCH_MARGIN_MILLIS = 1_000;

    private static final int FAILOVERS = 5;
    /**
     * Pool 'sharded' holds a dead master's commands this long: far longer than the Sentinels take
     * even on a loaded machine, so the hold's check always runs; the writers' read timeouts are longer.
     */
    private static final long SHARDED_FAILOVER_TIMEOUT_MILLIS = 15_000;

    private static final int WRITER_READ_TIMEOUT_MILLIS = 30_000;

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    @RegisterExtension
    static final LettuceClients lettuce = LettuceClients.withDefaultProtocol();

    private static SentinelFixture sentinel;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        sentinel = SentinelFixture.builder().masters(2).start();
        shardis = startShardis();
    }

    /** Pool 'ha': one master behind one address. Pool 'sharded': both masters, keys spread by ketama over their names. */
    private static ShardisFixture startShardis() {
        List<String> sentinels = new ArrayList<>();
        for (InetSocketAddress address : sentinel.sentinelAddresses()) {
            sentinels.add(address.getHostString() + ":" + address.getPort());
        }
        return ShardisFixture.start(
                """
                ha:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 1000
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                sharded:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 1000
                  failover_timeout: ${failoverTimeout}
                  hash: fnv1a_64
                  distribution: ketama
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard1}:1 shard1
                    - ${shard2}:1 shard2
                brief:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 1000
                  failover_timeout: 300
                  sentinels: [${sentinels}]
                  servers:
                    - ${shard2}:1 shard2
                """,
                Map.of(
                        "sentinels",
                        String.join(", ", sentinels),
                        "shard1",
                        sentinel.master("shard1").address(),
                        "shard2",
                        sentinel.master("shard2").address(),
                        "failoverTimeout",
                        SHARDED_FAILOVER_TIMEOUT_MILLIS));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, sentinel);
    }

    @Test
    void writesResumeOnTheNewMasterAndAcknowledgedDataSurvivesFailoverAfterFailover() throws Exception {
        List<Long> windows = new ArrayList<>();
        List<Long> afterAgreement = new ArrayList<>();
        for (int round = 0; round < FAILOVERS; round++) {
            try (Jedis jedis = shardis.jedis("ha")) {
                for (int i = 0; i < 100; i++) {
                    jedis.set("acked:" + round + ":" + i, "v" + i);
                }
                assertThat(jedis.waitReplicas(1, 5_000))
                        .as("the writes reached the replica")
                        .isGreaterThanOrEqualTo(1);
            }
            RedisProcess oldMaster = sentinel.master("shard1");
            long killedAt = sentinel.killMaster("shard1");
            CompletableFuture<Long> firstWrite =
                    CompletableFuture.supplyAsync(() -> firstSuccessfulWrite("ha", "probe"), threads);
            sentinel.awaitFailover("shard1");
            long agreedAt = System.nanoTime();
            long writtenAt = firstWrite.get(30, TimeUnit.SECONDS);
            windows.add(TimeUnit.NANOSECONDS.toMillis(writtenAt - killedAt));
            afterAgreement.add(TimeUnit.NANOSECONDS.toMillis(writtenAt - agreedAt));

            try (Jedis jedis = shardis.jedis("ha")) {
                for (int r = 0; r <= round; r++) {
                    for (int i = 0; i < 100; i++) {
                        assertThat(jedis.get("acked:" + r + ":" + i))
                                .as("acknowledged before failover %d", round)
                                .isEqualTo("v" + i);
                    }
                }
            }
            // The old master comes back as a replica of the new one, ready for the next round (REPLICAOF
            // at once: Sentinel's own reconfiguration of a returning master is what the test below waits for).
            sentinel.restartAsReplica("shard1", oldMaster);
            awaitReplicaOf(oldMaster);
        }
        List<Long> sorted = windows.stream().sorted().toList();
        System.out.printf(
                "failover windows, kill to first write through Shardis (ms): %s; median %d, worst %d;"
                        + " after the Sentinels agreed: %s%n",
                windows, sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), afterAgreement);
        long margin = Margins.millis(SWITCH_MARGIN_MILLIS);
        assertThat(afterAgreement)
                .as("ms from the Sentinels' agreement to a write on the new master (margin %d ms)", margin)
                .allSatisfy(ms -> assertThat(ms).isLessThan(margin));
        assertThat(shardis.server().metrics().pool("ha").server("shard1").failovers())
                .as("failovers counted")
                .isGreaterThanOrEqualTo(FAILOVERS);
    }

    @Test
    void onlyTheFailedMastersKeysSeeErrorsAndWritesFollowTheNewMaster() throws Exception {
        Map<String, String> shardOfKey = placement();
        RedisProcess oldMaster = sentinel.master("shard1");
        Queue<String[]> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        List<String> keys = new ArrayList<>(shardOfKey.keySet());
        // One writer with Jedis, one with Lettuce.
        writers.add(CompletableFuture.runAsync(
                () -> {
                    InetSocketAddress address = shardis.address("sharded");
                    try (Jedis jedis =
                            new Jedis(address.getHostString(), address.getPort(), WRITER_READ_TIMEOUT_MILLIS)) {
                        for (int i = 0; running.get() && i < 5_000_000; i += 2) {
                            String key = keys.get(i % keys.size());
                            try {
                                jedis.set(key, Integer.toString(i));
                            } catch (JedisException e) {
                                failures.add(new String[] {key, e.getMessage()});
                            }
                        }
                    }
                },
                threads));
        writers.add(CompletableFuture.runAsync(
                () -> {
                    try (StatefulRedisConnection<String, String> connection =
                            lettuce.connect(shardis.address("sharded"))) {
                        for (int i = 1; running.get() && i < 5_000_000; i += 2) {
                            String key = keys.get(i % keys.size());
                            try {
                                connection.sync().set(key, Integer.toString(i));
                            } catch (RedisException e) {
                                failures.add(new String[] {key, e.getMessage()});
                            }
                        }
                    }
                },
                threads));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(300));
        long killedAt = sentinel.killMaster("shard1");
        RedisProcess newMaster = sentinel.awaitFailover("shard1");
        long agreedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        long firstWrite = firstSuccessfulWrite("sharded", keyOn(shardOfKey, "shard1"));
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        running.set(false);
        CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        System.out.printf(
                "sharded pool: Sentinels agreed %d ms after the kill, first write to shard1's keys after"
                        + " %d ms; %d failed writes: %s%n",
                agreedAfterMillis,
                TimeUnit.NANOSECONDS.toMillis(firstWrite - killedAt),
                failures.size(),
                failures.stream().map(failure -> failure[1]).distinct().toList());
        assertThat(failures)
                .as("failed writes, all on the failed master's keys")
                .allSatisfy(failure -> assertThat(shardOfKey.get(failure[0])).isEqualTo("shard1"));
        assertThat(agreedAfterMillis)
                .as("ms the Sentinels took, well within the pool's failover_timeout")
                .isLessThan(SHARDED_FAILOVER_TIMEOUT_MILLIS - 2_000);
        // The dead master's writes waited for its successor: only a write on its way when the
        // master died may fail (it may have run there), one per writer.
        assertThat(failures)
                .as("writes that failed although the failover took %d ms", agreedAfterMillis)
                .hasSizeLessThanOrEqualTo(2);

        // The old master returns: Sentinel makes it a replica; a write through Shardis lands on the new master.
        sentinel.restart(oldMaster);
        awaitReplicaOf(oldMaster);
        try (Jedis jedis = shardis.jedis("sharded");
                Jedis direct = newMaster.client()) {
            String key = keyOn(shardOfKey, "shard1");
            assertThat(jedis.set(key, "after-return")).isEqualTo("OK");
            assertThat(direct.get(key)).isEqualTo("after-return");
        }
    }

    @Test
    void aSentinelDownDuringTheFailoverDoesNotStopIt() throws Exception {
        RedisProcess stopped = sentinel.sentinel(2);
        stopped.stop();
        try {
            RedisProcess oldMaster = sentinel.master("shard2");
            long killedAt = sentinel.killMaster("shard2");
            sentinel.awaitFailover("shard2");
            Map<String, String> shardOfKey = placement();
            long writtenAt = firstSuccessfulWrite("sharded", keyOn(shardOfKey, "shard2"));
            System.out.printf(
                    "with one Sentinel down: first write %d ms after the kill%n",
                    TimeUnit.NANOSECONDS.toMillis(writtenAt - killedAt));
            sentinel.restartAsReplica("shard2", oldMaster);
            awaitReplicaOf(oldMaster);
        } finally {
            stopped.restart();
        }
    }

    @Test
    void shardisStartedWhileAMasterIsDownFollowsTheFailover() throws Exception {
        RedisProcess oldMaster = sentinel.master("shard1");
        long killedAt = sentinel.killMaster("shard1");
        try (ShardisFixture late = startShardis()) {
            try (Jedis jedis = late.jedis("ha")) {
                sentinel.awaitFailover("shard1");
                long writtenAt = firstSuccessfulWrite(late, "ha", "late-start");
                System.out.printf(
                        "started while the master was down: first write %d ms after the kill%n",
                        TimeUnit.NANOSECONDS.toMillis(writtenAt - killedAt));
                assertThat(jedis.get("late-start")).isEqualTo("x");
            }
        } finally {
            sentinel.restartAsReplica("shard1", oldMaster);
            awaitReplicaOf(oldMaster);
        }
    }

    @Test
    void aHoldShorterThanTheFailoverRunsOutWithAnErrorThatSaysSoAndWritesResumeAfterIt() throws Exception {
        RedisProcess oldMaster = sentinel.master("shard2");
        try (Jedis jedis = shardis.jedis("brief")) {
            assertThat(jedis.set("brief", "before")).isEqualTo("OK");
            sentinel.killMaster("shard2");
            // Sentinel needs its down-after (2 s) before it even starts a failover: a 300 ms hold runs out first.
            long sent = System.nanoTime();
            assertThatThrownBy(() -> jedis.set("brief", "during"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("within the failover_timeout (300 ms)");
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
            assertThat(waitedMillis)
                    .as("ms the write was held before its error")
                    .isGreaterThanOrEqualTo(250);
            sentinel.awaitFailover("shard2");
            firstSuccessfulWrite("brief", "brief");
        } finally {
            sentinel.restartAsReplica("shard2", oldMaster);
            awaitReplicaOf(oldMaster);
        }
    }

    /** Retries SET {@code key} through pool {@code pool} until it succeeds (bounded); returns when it did. */
    private static long firstSuccessfulWrite(String pool, String key) {
        return firstSuccessfulWrite(shardis, pool, key);
    }

    private static long firstSuccessfulWrite(ShardisFixture target, String pool, String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        // The errors seen on the way are reported, not swallowed: which texts clients saw, and how often.
        Map<String, Integer> errors = new java.util.TreeMap<>();
        try (Jedis jedis = target.jedis(pool)) {
            while (System.nanoTime() < deadline) {
                try {
                    jedis.set(key, "x");
                    if (!errors.isEmpty()) {
                        System.out.printf("pool %s: errors before the first successful write: %s%n", pool, errors);
                    }
                    return System.nanoTime();
                } catch (JedisException e) {
                    errors.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
            }
        }
        throw new AssertionError("no successful write through pool " + pool + " within 30 s; errors: " + errors);
    }

    /** Which master each of 200 keys is on, learned by writing them through the sharded pool. */
    private static Map<String, String> placement() {
        Map<String, String> shardOfKey = new HashMap<>();
        try (Jedis jedis = shardis.jedis("sharded")) {
            for (int i = 0; i < 200; i++) {
                jedis.set("placed:" + i, "v");
            }
        }
        for (String name : List.of("shard1", "shard2")) {
            try (Jedis direct = sentinel.master(name).client()) {
                for (String key : direct.keys("placed:*")) {
                    shardOfKey.put(key, name);
                }
            }
        }
        assertThat(shardOfKey).hasSize(200);
        assertThat(shardOfKey.values()).contains("shard1", "shard2");
        return shardOfKey;
    }

    private static String keyOn(Map<String, String> shardOfKey, String shard) {
        return shardOfKey.entrySet().stream()
                .filter(e -> e.getValue().equals(shard))
                .findFirst()
                .orElseThrow()
                .getKey();
    }

    /** Waits until a restarted former master has been made a replica and caught up (bounded). */
    private static void awaitReplicaOf(RedisProcess server) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Jedis direct = server.client()) {
                String info = direct.info("replication");
                if (info.contains("role:slave") && info.contains("master_link_status:up")) {
                    return;
                }
            } catch (JedisException e) {
                // still starting
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        throw new AssertionError(server + " did not become a replica within 30 s");
    }
}
