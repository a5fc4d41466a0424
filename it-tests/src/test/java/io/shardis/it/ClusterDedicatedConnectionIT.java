package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.RespConnection;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.topology.cluster.HashSlot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * Commands on a client's own backend connection (blocking commands, transactions, shard channel
 * subscriptions) in front of a real Redis Cluster whose slots move under them. The periodic map
 * refresh is a minute away, so Shardis learns of each move only from the cluster's MOVED replies;
 * the client must never see one.
 */
@ExtendWith(StopChildProcesses.class)
class ClusterDedicatedConnectionIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static RedisClusterFixture cluster;
    private static ShardisFixture shardis;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterFixture.start();
    }

    /**
     * A Shardis of its own for each test, so that no map refresh asked in an earlier test lands
     * after this test moved a slot: Shardis reads the map at start, then once more at once on its
     * refresh thread; from then on only a MOVED makes it read the map again.
     */
    @BeforeEach
    void startShardis() {
        RedisClusterFixture.Node seed = cluster.nodes().get(0);
        long before = clusterShardsCalls(seed);
        shardis = ShardisFixture.start("""
                sessions:
                  listen: 127.0.0.1:0
                  timeout: 2000
                  cluster:
                    seeds: [${seed}]
                    refresh_interval: 60000
                """, Map.of("seed", seed.address()));
        assertThat(Poll.until(WAIT, () -> clusterShardsCalls(seed) >= before + 2, () -> false))
                .as("Shardis read the slot map twice")
                .isTrue();
    }

    @AfterEach
    void stopShardis() {
        shardis.close();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        Closeables.closeAll(cluster);
    }

    @Test
    void blpopOnASlotThatMovedAfterShardisReadTheMapWaitsOnTheNewMaster() throws Exception {
        String key = "queue:moved-before";
        int slot = HashSlot.of(key);
        RedisClusterFixture.Node before = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node after = otherMaster(before);
        cluster.migrateSlot(slot, after);
        long movedBefore = movedErrors(before);
        try (RespConnection client = client();
                Jedis pusher = shardis.jedis("sessions")) {
            CompletableFuture<Object> popped = CompletableFuture.supplyAsync(() -> client.call("BLPOP", key, "20"));
            awaitBlockedClients(after, 1);
            assertThat(movedErrors(before)).as("the old master answered MOVED").isGreaterThan(movedBefore);
            assertThat(pusher.rpush(key, "job")).isEqualTo(1);
            assertThat(strings(popped.get(WAIT.toSeconds(), TimeUnit.SECONDS))).containsExactly(key, "job");
        }
    }

    @Test
    void aBlockedBlpopWhoseSlotMigratesKeepsWaitingOnTheNewMaster() throws Exception {
        String key = "queue:moving";
        int slot = HashSlot.of(key);
        RedisClusterFixture.Node before = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node after = otherMaster(before);
        try (RespConnection client = client();
                Jedis pusher = shardis.jedis("sessions")) {
            CompletableFuture<Object> popped = CompletableFuture.supplyAsync(() -> client.call("BLPOP", key, "20"));
            awaitBlockedClients(before, 1);
            long movedBefore = movedErrors(before);
            cluster.migrateSlot(slot, after);
            // Redis unblocks the client with MOVED; Shardis sends the BLPOP again to the new master.
            awaitBlockedClients(after, 1);
            assertThat(movedErrors(before))
                    .as("the blocked client was answered MOVED")
                    .isGreaterThan(movedBefore);
            assertThat(popped).isNotDone();
            assertThat(pusher.rpush(key, "later")).isEqualTo(1);
            assertThat(strings(popped.get(WAIT.toSeconds(), TimeUnit.SECONDS))).containsExactly(key, "later");
            // The connection goes on as usual.
            assertThat(client.call("PING")).isEqualTo("+PONG");
        }
    }

    @Test
    void blpopOnASlotBeingMigratedIsAskedToTheImportingMasterAndWaitsThere() throws Exception {
        String key = "queue:asked";
        int slot = HashSlot.of(key);
        RedisClusterFixture.Node before = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node after = otherMaster(before);
        cluster.beginMigration(slot, after);
        long askBefore = errors(before, "ASK");
        try (RespConnection client = client();
                Jedis pusher = shardis.jedis("sessions")) {
            CompletableFuture<Object> popped = CompletableFuture.supplyAsync(() -> client.call("BLPOP", key, "20"));
            // The list is not on the migrating master: it answers ASK, and the BLPOP waits on the importing one.
            awaitBlockedClients(after, 1);
            assertThat(errors(before, "ASK")).isGreaterThan(askBefore);
            cluster.finishMigration(slot, before, after);
            assertThat(popped).isNotDone();
            assertThat(pusher.rpush(key, "job")).isEqualTo(1);
            assertThat(strings(popped.get(WAIT.toSeconds(), TimeUnit.SECONDS))).containsExactly(key, "job");
        }
    }

    @Test
    void aBlockingCommandWhoseKeysAMigrationSplitIsRetriedUntilTheSlotHasMoved() throws Exception {
        String source = "{split}source";
        String target = "{split}target";
        int slot = HashSlot.of(source);
        RedisClusterFixture.Node before = cluster.nodeForSlot(slot);
        RedisClusterFixture.Node after = otherMaster(before);
        try (RespConnection client = client()) {
            assertThat(client.call("RPUSH", source, "a")).isEqualTo(1L);
            assertThat(client.call("RPUSH", target, "b")).isEqualTo(1L);
            cluster.beginMigration(slot, after);
            cluster.migrateKey(target, before, after);
            long tryAgainBefore = errors(before, "TRYAGAIN") + errors(after, "TRYAGAIN");
            CompletableFuture<Object> moved =
                    CompletableFuture.supplyAsync(() -> client.call("BLMOVE", source, target, "LEFT", "RIGHT", "5"));
            assertThat(Poll.until(
                            WAIT,
                            () -> errors(before, "TRYAGAIN") + errors(after, "TRYAGAIN") > tryAgainBefore,
                            moved::isDone))
                    .as("Redis answered TRYAGAIN, not " + (moved.isDone() ? moved.join() : ""))
                    .isTrue();
            cluster.finishMigration(slot, before, after);
            assertThat(moved.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(bytes("a"));
            assertThat(strings(client.call("LRANGE", target, "0", "-1"))).containsExactly("b", "a");
        }
    }

    @Test
    void aTransactionOnAMovedSlotIsAbortedWithAClearErrorAndItsRetrySucceeds() {
        String key = "{tx}counter";
        int slot = HashSlot.of(key);
        try (RespConnection client = client()) {
            assertThat(client.call("SET", key, "1")).isEqualTo("+OK");
            cluster.migrateSlot(slot, otherMaster(cluster.nodeForSlot(slot)));

            // A command queued on the node that lost the slot.
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("INCR", key)).isEqualTo(movedInTransaction(slot));
            assertThat(client.call("EXEC")).isEqualTo("-EXECABORT Transaction discarded because of previous errors.");
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("INCR", key)).isEqualTo("+QUEUED");
            assertThat(client.call("EXEC")).isEqualTo(List.of(2L));

            // The slot moves between the queued command and EXEC.
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("INCR", key)).isEqualTo("+QUEUED");
            cluster.migrateSlot(slot, otherMaster(cluster.nodeForSlot(slot)));
            assertThat(client.call("EXEC")).isEqualTo(movedInTransaction(slot));
            assertThat(client.call("GET", key)).as("nothing ran").isEqualTo(bytes("2"));
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("INCR", key)).isEqualTo("+QUEUED");
            assertThat(client.call("EXEC")).isEqualTo(List.of(3L));
        }
    }

    @Test
    void aWatchOnAMovedSlotIsAbortedAndTheRetryWatchesOnTheNewMaster() {
        String key = "{watched}balance";
        int slot = HashSlot.of(key);
        try (RespConnection client = client();
                Jedis other = shardis.jedis("sessions")) {
            assertThat(client.call("SET", key, "10")).isEqualTo("+OK");
            cluster.migrateSlot(slot, otherMaster(cluster.nodeForSlot(slot)));

            assertThat(client.call("WATCH", key)).isEqualTo(movedInTransaction(slot));
            // A client going on as if the WATCH held is not let through.
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("SET", key, "20")).isEqualTo("+QUEUED");
            assertThat(client.call("EXEC"))
                    .isEqualTo("-ERR Shardis: the hash slot of the transaction's WATCHed keys"
                            + " moved to another node; it was aborted, retry it");
            assertThat(client.call("GET", key)).isEqualTo(bytes("10"));
            // The retry runs where the slot is now, and its WATCH works there.
            assertThat(client.call("WATCH", key)).isEqualTo("+OK");
            assertThat(client.call("GET", key)).isEqualTo(bytes("10"));
            other.set(key, "11");
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("SET", key, "20")).isEqualTo("+QUEUED");
            assertThat(client.call("EXEC")).as("a WATCHed key changed").isNull();
            assertThat(client.call("WATCH", key)).isEqualTo("+OK");
            assertThat(client.call("MULTI")).isEqualTo("+OK");
            assertThat(client.call("SET", key, "20")).isEqualTo("+QUEUED");
            assertThat(client.call("EXEC")).isEqualTo(List.of("+OK"));
            assertThat(other.get(key)).isEqualTo("20");
        }
    }

    @Test
    void ssubscribeOnAMovedSlotSubscribesOnTheNewMaster() {
        String channel = "news:moved";
        int slot = HashSlot.of(channel);
        cluster.migrateSlot(slot, otherMaster(cluster.nodeForSlot(slot)));
        try (RespConnection subscriber = client();
                Jedis publisher = shardis.jedis("sessions")) {
            assertThat(strings(subscriber.call("SSUBSCRIBE", channel))).containsExactly("ssubscribe", channel, "1");
            assertThat(publisher.sendCommand(redis.clients.jedis.Protocol.Command.SPUBLISH, channel, "hello"))
                    .as("receivers")
                    .isEqualTo(1L);
            assertThat(strings(subscriber.read())).containsExactly("smessage", channel, "hello");
        }
    }

    private static String movedInTransaction(int slot) {
        return "-ERR Shardis: hash slot " + slot
                + " moved to another node during the transaction; it was aborted, retry it";
    }

    private static RespConnection client() {
        return new RespConnection(shardis.address("sessions"));
    }

    private static RedisClusterFixture.Node otherMaster(RedisClusterFixture.Node master) {
        return cluster.masters().stream()
                .filter(node -> node != master)
                .findFirst()
                .orElseThrow();
    }

    /** Waits until {@code node} has at least {@code count} clients blocked (INFO clients). */
    private static void awaitBlockedClients(RedisClusterFixture.Node node, int count) {
        boolean blocked = Poll.until(WAIT, () -> infoNumber(node, "clients", "blocked_clients") >= count, () -> false);
        assertThat(blocked).as("a client blocked on " + node).isTrue();
    }

    /** How many MOVED errors {@code node} has answered. */
    private static long movedErrors(RedisClusterFixture.Node node) {
        return errors(node, "MOVED");
    }

    /** How many errors starting with {@code code} {@code node} has answered (INFO errorstats), 0 before the first. */
    private static long errors(RedisClusterFixture.Node node, String code) {
        try (Jedis jedis = node.client()) {
            Matcher count =
                    Pattern.compile("errorstat_" + code + ":count=(\\d+)").matcher(jedis.info("errorstats"));
            return count.find() ? Long.parseLong(count.group(1)) : 0;
        }
    }

    private static long clusterShardsCalls(RedisClusterFixture.Node node) {
        try (Jedis jedis = node.client()) {
            Matcher calls =
                    Pattern.compile("cmdstat_cluster\\|shards:calls=(\\d+)").matcher(jedis.info("commandstats"));
            return calls.find() ? Long.parseLong(calls.group(1)) : 0;
        }
    }

    private static long infoNumber(RedisClusterFixture.Node node, String section, String field) {
        try (Jedis jedis = node.client()) {
            Matcher value = Pattern.compile(field + ":(\\d+)").matcher(jedis.info(section));
            return value.find() ? Long.parseLong(value.group(1)) : -1;
        }
    }

    private static List<String> strings(Object reply) {
        assertThat(reply).as("an array reply, not " + reply).isInstanceOf(List.class);
        return ((List<?>) reply)
                .stream()
                        .map(item -> item instanceof byte[] bytes
                                ? new String(bytes, StandardCharsets.UTF_8)
                                : String.valueOf(item))
                        .toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
