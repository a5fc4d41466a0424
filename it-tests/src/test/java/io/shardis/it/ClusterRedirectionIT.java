package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.it.support.TestThreads;
import io.shardis.topology.cluster.HashSlot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Redirections of a real Redis Cluster through Shardis' shared connections: a slot half migrated
 * by hand (ASK, followed with ASKING on the importing node) under pipelined clients that all share
 * one event loop's connections, and a slot two masters each say the other serves (a MOVED loop),
 * where Shardis gives up after five redirections.
 */
@ExtendWith(StopChildProcesses.class)
class ClusterRedirectionIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int MAX_REDIRECTIONS = 5;

    @RegisterExtension
    final TestThreads threads = new TestThreads();

    private static RedisClusterFixture cluster;
    private static ShardisFixture shardis;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.builder().masters(3).replicasPerMaster(0).start();
        // One event loop: every client shares its connections to each node. The periodic map
        // refresh is a minute away: Shardis learns of the moves from the cluster's replies.
        shardis =
                ShardisFixture.start("""
                sessions:
                  listen: 127.0.0.1:0
                  timeout: 5000
                  cluster:
                    seeds: [${seed}]
                    refresh_interval: 60000
                """, Map.of("seed", cluster.nodes().get(0).address()), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(shardis, cluster);
    }

    @Test
    void keysOfAHalfMigratedSlotAreServedWhereTheyAreToPipelinedClientsSharingConnections() throws Exception {
        int keys = 100;
        int clients = 8;
        int rounds = 5;
        int newKeysPerRound = 10;
        int slot = HashSlot.of("{ask}");
        RedisClusterFixture.Node source = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node target = otherMaster(source);
        try (Jedis jedis = shardis.jedis("sessions")) {
            for (int i = 0; i < keys; i++) {
                jedis.set(value(i), "v" + i);
                jedis.set(counter(i), "0");
            }
        }

        cluster.beginMigration(slot, target);
        for (int i = 0; i < keys; i += 2) {
            cluster.migrateKey(value(i), source, target);
            cluster.migrateKey(counter(i), source, target);
        }
        long askBefore = errors(source, "ASK");
        long askingBefore = calls(target, "asking");

        runPipelinedClients(clients, rounds, keys, newKeysPerRound, "during");

        long asked = errors(source, "ASK") - askBefore;
        long askingSent = calls(target, "asking") - askingBefore;
        long expectedAsks = (long) clients * rounds * (keys + newKeysPerRound);
        System.out.printf(
                "half-migrated slot %d: %d ASK answered by the source, %d ASKING on the target%n",
                slot, asked, askingSent);
        assertThat(asked)
                .as(
                        "ASK: once per command on a moved or new key (GET and INCR of %d moved keys, %d new keys)",
                        keys / 2, newKeysPerRound)
                .isEqualTo(expectedAsks);
        assertThat(askingSent).as("ASKING before each of them on the target").isEqualTo(expectedAsks);
        try (Jedis onSource = source.client();
                Jedis onTarget = target.client()) {
            List<String> onSourceKeys = onSource.clusterGetKeysInSlot(slot, 10_000);
            List<String> onTargetKeys = onTarget.clusterGetKeysInSlot(slot, 10_000);
            for (int i = 0; i < keys; i++) {
                boolean moved = i % 2 == 0;
                assertThat(moved ? onTargetKeys : onSourceKeys)
                        .as("the node that holds keys %d", i)
                        .contains(value(i), counter(i));
                assertThat(moved ? onSourceKeys : onTargetKeys)
                        .as("the other node")
                        .doesNotContain(value(i), counter(i));
                if (moved) {
                    // The importing node serves the slot's keys only after ASKING.
                    onTarget.asking();
                }
                assertThat((moved ? onTarget : onSource).get(counter(i)))
                        .as("counter %d where its key is", i)
                        .isEqualTo(Integer.toString(clients * rounds));
            }
            assertThat(onTargetKeys.stream().filter(key -> key.startsWith("{ask}:during:")))
                    .hasSize(clients * rounds * newKeysPerRound);
            assertThat(onSourceKeys).hasSize(keys);
        }

        // The slot is finished: the source answers MOVED for every key, which Shardis follows.
        cluster.finishMigration(slot, source, target);
        long movedBefore = errors(source, "MOVED");
        runPipelinedClients(clients, rounds, keys, newKeysPerRound, "after");
        assertThat(errors(source, "MOVED"))
                .as("MOVED once the slot was finished")
                .isGreaterThan(movedBefore);
        try (Jedis jedis = shardis.jedis("sessions");
                Jedis onTarget = target.client()) {
            for (int i = 0; i < keys; i++) {
                assertThat(jedis.get(counter(i))).isEqualTo(Integer.toString(2 * clients * rounds));
            }
            assertThat(onTarget.keys("{ask}:after:*")).hasSize(clients * rounds * newKeysPerRound);
            assertThat(onTarget.dbSize()).isEqualTo(2L * keys + 2L * clients * rounds * newKeysPerRound);
        }
    }

    @Test
    void aSlotTwoMastersEachSayTheOtherServesIsGivenUpAfterFiveRedirections() throws Exception {
        String looping = "{loop}key";
        int slot = HashSlot.of(looping);
        RedisClusterFixture.Node a = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node b = otherMaster(a);
        String elsewhere = keyNotIn(slot, a);
        try (Jedis toA = a.client()) {
            // 'a' hands the slot to 'b' in its own view only; 'b' goes on naming 'a'.
            toA.clusterSetSlotNode(slot, b.id());
        }
        try (RespConnection client = new RespConnection(shardis.address("sessions"));
                Jedis other = shardis.jedis("sessions")) {
            assertThat(movedTarget(a, slot)).isEqualTo(b.address());
            assertThat(movedTarget(b, slot)).isEqualTo(a.address());
            long movedBefore = errors(a, "MOVED") + errors(b, "MOVED");

            Object reply = client.call("GET", looping);
            assertThat(reply)
                    .as("the sixth MOVED, as the node answered it")
                    .isInstanceOfSatisfying(
                            String.class,
                            error -> assertThat(error)
                                    .matches(
                                            "-MOVED " + slot + " 127\\.0\\.0\\.1:(" + a.port() + "|" + b.port() + ")"));
            assertThat(errors(a, "MOVED") + errors(b, "MOVED") - movedBefore)
                    .as("MOVED answers to one command: the first and five followed")
                    .isEqualTo(MAX_REDIRECTIONS + 1);

            // The same connection, pipelined: other slots are answered in order around a looping write.
            client.write(RespConnection.pipeline(
                    "SET " + elsewhere + " fine", "SET " + looping + " never", "GET " + elsewhere, "PING"));
            assertThat(client.read()).isEqualTo("+OK");
            assertThat((String) client.read()).startsWith("-MOVED " + slot + " ");
            assertThat(text(client.read())).isEqualTo("fine");
            assertThat(client.read()).isEqualTo("+PONG");
            for (int i = 0; i < 50; i++) {
                assertThat(other.set("other:" + i, "v" + i)).isEqualTo("OK");
                assertThat(other.get("other:" + i)).isEqualTo("v" + i);
            }
            try (Jedis onA = a.client();
                    Jedis onB = b.client()) {
                assertThat(onA.clusterCountKeysInSlot(slot))
                        .as("keys of the slot on %s", a)
                        .isZero();
                assertThat(onB.clusterCountKeysInSlot(slot))
                        .as("keys of the slot on %s", b)
                        .isZero();
            }
        } finally {
            try (Jedis toA = a.client()) {
                toA.clusterSetSlotNode(slot, a.id());
            }
            cluster.awaitSettled();
        }
        // Once the slot has one owner again, its keys are served.
        try (Jedis jedis = shardis.jedis("sessions")) {
            boolean served = Poll.until(
                    WAIT,
                    () -> {
                        try {
                            return "OK".equals(jedis.set(looping, "now")) && "now".equals(jedis.get(looping));
                        } catch (RuntimeException e) {
                            return false;
                        }
                    },
                    () -> false);
            assertThat(served).as("slot %d served again", slot).isTrue();
        }
        try (Jedis onA = a.client()) {
            assertThat(onA.get(looping)).isEqualTo("now");
        }
    }

    /**
     * {@code clients} clients at once, each sending {@code rounds} pipelines of GET of every value,
     * INCR of every counter and SET of new keys; every reply is checked.
     */
    private void runPipelinedClients(int clients, int rounds, int keys, int newKeysPerRound, String phase)
            throws Exception {
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            running.add(CompletableFuture.runAsync(
                    () -> {
                        try (Jedis jedis = shardis.jedis("sessions")) {
                            for (int r = 0; r < rounds; r++) {
                                Pipeline pipeline = jedis.pipelined();
                                List<Response<String>> values = new ArrayList<>();
                                List<Response<Long>> counts = new ArrayList<>();
                                List<Response<String>> sets = new ArrayList<>();
                                for (int i = 0; i < keys; i++) {
                                    values.add(pipeline.get(value(i)));
                                    counts.add(pipeline.incr(counter(i)));
                                }
                                for (int n = 0; n < newKeysPerRound; n++) {
                                    sets.add(pipeline.set("{ask}:" + phase + ":" + client + ":" + r + ":" + n, "new"));
                                }
                                pipeline.sync();
                                for (int i = 0; i < keys; i++) {
                                    assertThat(values.get(i).get())
                                            .as("GET %s", value(i))
                                            .isEqualTo("v" + i);
                                    assertThat(counts.get(i).get())
                                            .as("INCR %s", counter(i))
                                            .isPositive();
                                }
                                assertThat(sets)
                                        .allSatisfy(set -> assertThat(set.get()).isEqualTo("OK"));
                            }
                        }
                    },
                    threads));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    private static String value(int i) {
        return "{ask}:value:" + i;
    }

    private static String counter(int i) {
        return "{ask}:counter:" + i;
    }

    private static RedisClusterFixture.Node otherMaster(RedisClusterFixture.Node master) {
        return cluster.masters().stream()
                .filter(node -> node != master)
                .findFirst()
                .orElseThrow();
    }

    /** A key whose slot is neither {@code slot} nor one of {@code node}'s: a third master serves it. */
    private static String keyNotIn(int slot, RedisClusterFixture.Node node) {
        for (int i = 0; i < 10_000; i++) {
            String key = "elsewhere:" + i;
            int keySlot = HashSlot.of(key);
            if (keySlot != slot && cluster.nodeForSlot(keySlot) != node) {
                return key;
            }
        }
        throw new IllegalStateException("no key outside " + node);
    }

    /** Where {@code node} sends a GET of {@code slot}: the address of its MOVED. */
    private static String movedTarget(RedisClusterFixture.Node node, int slot) {
        try (RespConnection direct = new RespConnection(new java.net.InetSocketAddress(node.host(), node.port()))) {
            Object reply = direct.call("GET", "{loop}key");
            assertThat(reply).isInstanceOf(String.class);
            String error = (String) reply;
            assertThat(error).startsWith("-MOVED " + slot + " ");
            return error.substring(error.lastIndexOf(' ') + 1);
        }
    }

    /** How many errors starting with {@code code} {@code node} has answered (INFO errorstats). */
    private static long errors(RedisClusterFixture.Node node, String code) {
        try (Jedis jedis = node.client()) {
            Matcher count =
                    Pattern.compile("errorstat_" + code + ":count=(\\d+)").matcher(jedis.info("errorstats"));
            return count.find() ? Long.parseLong(count.group(1)) : 0;
        }
    }

    /** How many times {@code node} ran {@code command} (INFO commandstats). */
    private static long calls(RedisClusterFixture.Node node, String command) {
        try (Jedis jedis = node.client()) {
            Matcher calls =
                    Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(jedis.info("commandstats"));
            return calls.find() ? Long.parseLong(calls.group(1)) : 0;
        }
    }

    private static String text(Object reply) {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(reply);
    }
}
