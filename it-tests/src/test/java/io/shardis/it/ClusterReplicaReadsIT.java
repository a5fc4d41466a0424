package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RedisClusterFixture.Node;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.topology.cluster.HashSlot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
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
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Cluster pools that read from replicas ({@code read_from}), in front of a real Redis Cluster (3
 * masters, 3 replicas). Which node ran a command is read from that node's own
 * {@code INFO commandstats}. Tests run in order: the last ones break a replica's link and stop
 * and restart a replica.
 */
@ExtendWith(StopChildProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterReplicaReadsIT {

    /** Replication is asynchronous: a value written through the master reaches its replica soon, not at once. */
    private static final Duration REPLICATION_WAIT = Duration.ofSeconds(10);
    /** The replica must be back in the slot map and in sync before reads return to it. */
    private static final Duration BACK_WAIT = Duration.ofSeconds(30);

    private static final Pattern CALLS = Pattern.compile("calls=(\\d+)");

    private static RedisClusterFixture cluster;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        shardis =
                ShardisFixture.start("""
                replicas:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  cluster:
                    seeds: [${seed}]
                    read_from: replica
                    refresh_interval: 1000
                preferred:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  cluster:
                    seeds: [${seed}]
                    read_from: replica-preferred
                    refresh_interval: 1000
                """, Map.of("seed", cluster.nodes().get(0).address()));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, cluster);
    }

    @Test
    @Order(1)
    void readsRunOnReplicasWritesOnMasters() {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            values.put("rr:" + i, "v" + i);
        }
        resetStats();
        try (Jedis jedis = shardis.jedis("replicas")) {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                assertThat(jedis.set(entry.getKey(), entry.getValue())).isEqualTo("OK");
            }
            for (Map.Entry<String, String> entry : values.entrySet()) {
                awaitEqual(entry.getValue(), () -> jedis.get(entry.getKey()), "GET " + entry.getKey());
            }
            String[] keys = values.keySet().toArray(new String[0]);
            assertThat(jedis.mget(keys)).containsExactlyElementsOf(values.values());
            assertThat(jedis.exists(keys)).isEqualTo(values.size());
            assertThat(jedis.incr("rr:counter")).isEqualTo(1);
        }
        for (Node master : cluster.masters()) {
            assertThat(calls(master, "get")).as("GET on master %s", master).isZero();
            assertThat(calls(master, "mget")).as("MGET on master %s", master).isZero();
            assertThat(calls(master, "exists"))
                    .as("EXISTS on master %s", master)
                    .isZero();
            assertThat(calls(master, "set")).as("SET on master %s", master).isPositive();
        }
        long replicaGets = 0;
        for (Node replica : cluster.replicas()) {
            // 60 keys over three shards: every replica serves some; MGET and EXISTS are split per slot.
            assertThat(calls(replica, "get")).as("GET on replica %s", replica).isPositive();
            assertThat(calls(replica, "mget"))
                    .as("MGET parts on replica %s", replica)
                    .isPositive();
            assertThat(calls(replica, "exists"))
                    .as("EXISTS parts on replica %s", replica)
                    .isPositive();
            replicaGets += calls(replica, "get");
        }
        assertThat(replicaGets).isGreaterThanOrEqualTo(values.size());
    }

    @Test
    @Order(2)
    void transactionsWatchedReadsAndScriptsStayOnTheMaster() {
        String key = "{tx}name";
        Node master = cluster.nodeForSlot(HashSlot.of(key));
        Node replica = cluster.replicasOf(master).get(0);
        try (Jedis jedis = shardis.jedis("replicas")) {
            jedis.set(key, "ann");
            awaitEqual("ann", () -> jedis.get(key), "GET " + key);
            resetStats();
            Transaction multi = jedis.multi();
            multi.get(key);
            assertThat(multi.exec()).containsExactly("ann");
            jedis.watch(key);
            assertThat(jedis.get(key)).isEqualTo("ann");
            jedis.unwatch();
            assertThat(jedis.eval("return redis.call('GET', KEYS[1])", List.of(key), List.of()))
                    .isEqualTo("ann");
            // EVAL_RO cannot write: a replica may run it.
            assertThat(jedis.evalReadonly("return redis.call('GET', KEYS[1])", List.of(key), List.of()))
                    .isEqualTo("ann");
        }
        assertThat(calls(master, "exec")).isEqualTo(1);
        assertThat(calls(master, "eval")).isEqualTo(1);
        // The transaction's GET, the watched GET, the script's GET.
        assertThat(calls(master, "get")).isEqualTo(3);
        assertThat(calls(master, "eval_ro")).isZero();
        assertThat(calls(replica, "eval_ro")).isEqualTo(1);
        assertThat(calls(replica, "get")).as("the GET inside EVAL_RO").isEqualTo(1);
    }

    /**
     * One replica stops while two clients read its master's keys through the pool that prefers
     * replicas. From then on their reads go to the master; a read already sent to the replica when
     * its connections dropped is sent again there (a read cannot have changed anything), so the
     * clients see no error and never a wrong value. Once the replica is restarted and in sync,
     * reads go back to it.
     */
    /**
     * A replica that is up but cannot serve: its link to its master is down and it does not serve
     * stale data, so it answers {@code -MASTERDOWN}. Reads through the pool that prefers replicas go
     * to the master instead, without an error, and come back to the replica once its link is up.
     */
    @Test
    @Order(3)
    void aReplicaAnsweringMasterdownIsReadAroundWithoutErrors() {
        Node master = cluster.masters().get(1);
        Node replica = cluster.replicasOf(master).get(0);
        Map<String, String> values = keysServedBy(master, 20);
        try (Jedis jedis = shardis.jedis("preferred");
                Jedis direct = replica.client()) {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                jedis.set(entry.getKey(), entry.getValue());
            }
            String probeKey = values.keySet().iterator().next();
            awaitEqual(values.get(probeKey), () -> jedis.get(probeKey), "GET " + probeKey);
            // The replica cannot authenticate to its master any more, so its link stays down.
            direct.configSet("replica-serve-stale-data", "no");
            direct.configSet("masterauth", "not-the-password");
            direct.sendCommand(redis.clients.jedis.Protocol.Command.CLIENT, "KILL", "TYPE", "master");
            direct.readonly();
            awaitTrue(() -> masterDown(direct, probeKey), REPLICATION_WAIT, replica + " answering MASTERDOWN");
            resetStats();

            List<String> errors = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                for (Map.Entry<String, String> entry : values.entrySet()) {
                    try {
                        assertThat(jedis.get(entry.getKey())).isEqualTo(entry.getValue());
                    } catch (JedisDataException e) {
                        errors.add(e.getMessage());
                    }
                }
            }
            System.out.printf(
                    "replica answering MASTERDOWN: %d reads, %d errors, %d GETs on the master%n",
                    5 * values.size(), errors.size(), calls(master, "get"));
            assertThat(errors).as("errors seen by the client").isEmpty();
            assertThat(calls(master, "get")).as("GETs the master served").isPositive();
            assertThat(direct.info("errorstats"))
                    .as("the replica refused a read of Shardis'")
                    .containsPattern("errorstat_MASTERDOWN:count=[1-9]");

            direct.configSet("masterauth", "");
            awaitTrue(() -> !masterDown(direct, probeKey), BACK_WAIT, replica + " serving again");
            direct.configSet("replica-serve-stale-data", "yes");
            awaitTrue(
                    () -> {
                        jedis.get(probeKey);
                        return calls(replica, "get") > 0;
                    },
                    BACK_WAIT,
                    "reads back on " + replica);
        }
    }

    private static boolean masterDown(Jedis replica, String key) {
        try {
            replica.get(key);
            return false;
        } catch (JedisDataException e) {
            return e.getMessage().startsWith("MASTERDOWN");
        }
    }

    @Test
    @Order(4)
    void aStoppedReplicasReadsGoToItsMasterThenBackToIt() throws Exception {
        Node master = cluster.masters().get(0);
        Node replica = cluster.replicasOf(master).get(0);
        Map<String, String> values = keysServedBy(master, 40);
        try (Jedis writer = shardis.jedis("preferred")) {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                writer.set(entry.getKey(), entry.getValue());
            }
            for (Map.Entry<String, String> entry : values.entrySet()) {
                awaitEqual(entry.getValue(), () -> writer.get(entry.getKey()), "GET " + entry.getKey());
            }
        }
        String probeKey = values.keySet().iterator().next();
        int probeSlot = HashSlot.of(probeKey);

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            int offset = c;
            Thread client = new Thread(
                    () -> {
                        List<String> keys = new ArrayList<>(values.keySet());
                        try (Jedis jedis = shardis.jedis("preferred")) {
                            for (int i = offset; running.get(); i++) {
                                String key = keys.get(i % keys.size());
                                try {
                                    String read = jedis.get(key);
                                    if (!values.get(key).equals(read)) {
                                        wrong.add(key + " read " + read);
                                    }
                                    reads.incrementAndGet();
                                } catch (JedisDataException e) {
                                    errors.add(e.getMessage());
                                }
                            }
                        }
                    },
                    "replica-reads-client-" + c);
            client.start();
            clients.add(client);
        }
        try {
            awaitTrue(() -> calls(replica, "get") >= 200, Duration.ofSeconds(10), "reads served by " + replica);
            long masterGetsBefore = calls(master, "get");

            cluster.stop(replica);
            awaitTrue(
                    () -> calls(master, "get") >= masterGetsBefore + 500,
                    Duration.ofSeconds(10),
                    "reads served by the master " + master + " while " + replica + " is stopped");
            int errorsWhileStopped = errors.size();

            try (Jedis strict = shardis.jedis("replicas")) {
                // The pool that reads only from replicas says so, naming itself and the slot...
                awaitTrue(
                        () -> errorOf(() -> strict.get(probeKey)).contains("no replica"),
                        Duration.ofSeconds(10),
                        "read_from: replica refusing reads of slot " + probeSlot);
                assertThat(errorOf(() -> strict.get(probeKey)))
                        .startsWith("ERR Shardis: pool 'replicas'")
                        .contains("read_from: replica", "hash slot " + probeSlot);
                // ...and still takes writes.
                assertThat(strict.set(probeKey, values.get(probeKey))).isEqualTo("OK");
            }

            cluster.restart(replica);
            awaitTrue(() -> calls(replica, "get") >= 200, BACK_WAIT, "reads back on the restarted " + replica);
            try (Jedis strict = shardis.jedis("replicas")) {
                awaitEqual(values.get(probeKey), () -> strict.get(probeKey), "read_from: replica after the restart");
            }
            System.out.printf(
                    "replica stopped and restarted under reads: %d reads, %d errors (%d while stopped),"
                            + " %d wrong values; errors: %s%n",
                    reads.get(), errors.size(), errorsWhileStopped, wrong.size(), errors);
            assertThat(wrong).as("values read").isEmpty();
            assertThat(errors).as("client errors").isEmpty();
        } finally {
            running.set(false);
            for (Thread client : clients) {
                client.join(10_000);
            }
        }
    }

    /** {@code count} keys whose slots {@code master} serves, each with its value. */
    private static Map<String, String> keysServedBy(Node master, int count) {
        Map<String, String> keys = new LinkedHashMap<>();
        Map<Integer, Boolean> slotServed = new HashMap<>();
        for (int i = 0; keys.size() < count; i++) {
            String key = "pref:" + i;
            boolean served = slotServed.computeIfAbsent(
                    HashSlot.of(key), slot -> cluster.nodeForSlot(slot).id().equals(master.id()));
            if (served) {
                keys.put(key, "value-" + i);
            }
        }
        return keys;
    }

    private static void resetStats() {
        for (Node node : cluster.nodes()) {
            if (node.isAlive()) {
                try (Jedis jedis = node.client()) {
                    jedis.configResetStat();
                }
            }
        }
    }

    /** How many times {@code node} ran {@code command}, from its {@code INFO commandstats}; 0 for a stopped node. */
    private static long calls(Node node, String command) {
        if (!node.isAlive()) {
            return 0;
        }
        try (Jedis jedis = node.client()) {
            String prefix = "cmdstat_" + command + ":";
            for (String line : jedis.info("commandstats").split("\r?\n")) {
                if (line.startsWith(prefix)) {
                    Matcher calls = CALLS.matcher(line);
                    return calls.find() ? Long.parseLong(calls.group(1)) : 0;
                }
            }
            return 0;
        } catch (RuntimeException e) {
            // Restarting: not answering yet.
            return 0;
        }
    }

    private static String errorOf(Supplier<?> call) {
        try {
            call.get();
            return "";
        } catch (JedisDataException e) {
            return e.getMessage();
        }
    }

    private static void awaitEqual(String expected, Supplier<String> read, String what) {
        awaitTrue(() -> Objects.equals(expected, read.get()), REPLICATION_WAIT, what + " reading " + expected);
    }

    private static void awaitTrue(BooleanSupplier condition, Duration timeout, String what) {
        assertThat(Poll.until(timeout, condition, () -> false))
                .as("%s within %d s", what, timeout.toSeconds())
                .isTrue();
    }
}
