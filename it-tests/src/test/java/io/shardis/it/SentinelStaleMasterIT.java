package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.ShardisFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.sentinel.SentinelWatcher;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What Shardis does when what it was told of a master is wrong: the server Sentinel names was
 * demoted behind Sentinel's back (ROLE on a new connection, {@code -READONLY} on an existing one),
 * or one Sentinel of three names a server that is no master of the set. Each test has a master
 * of its own: shard1 (ROLE), shard2 (READONLY), shard3 (the stale Sentinel).
 */
@ExtendWith(StopChildProcesses.class)
class SentinelStaleMasterIT {

    /** How long writes may take to reach the real master once a majority of Sentinels names it. */
    private static final Duration RESUME_WAIT = Duration.ofSeconds(20);

    private static final String READONLY_RECHECK = "recheck requested: a write was refused with READONLY";

    private static SentinelFixture sentinel;

    @BeforeAll
    static void start() {
        sentinel = SentinelFixture.builder().masters(3).start();
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(sentinel);
    }

    @Test
    void aServerThatIsNoMasterAtConnectTakesNoWriteEvenWhenItAcceptsThem() {
        RedisProcess demoted = sentinel.master("shard1");
        RedisProcess promoted = sentinel.replicas("shard1").get(0);
        // The Sentinels still name 'demoted', now a replica that would take writes and lose them.
        try (Jedis toDemoted = demoted.client()) {
            toDemoted.configSet("replica-read-only", "no");
        }
        switchRolesBehindSentinelsBack(demoted, promoted);

        try (ShardisFixture shardis = startShardis(demoted, "shard1", 1_000, sentinel.sentinelAddresses());
                Jedis client = shardis.jedis("p")) {
            List<String> refused = List.of("role:a", "role:b", "role:c");
            for (String key : refused) {
                assertThatThrownBy(() -> client.set(key, "lost?"))
                        .isInstanceOf(JedisDataException.class)
                        .hasMessageContaining("backend shard1 (" + demoted.address() + ") is not a master (ROLE)")
                        .hasMessageContaining(
                                "Sentinel named no reachable master for 'shard1' within the failover_timeout (1000 ms)");
            }
            assertThat(client.ping()).as("the client connection still works").isEqualTo("PONG");

            sentinel.monitorOn("shard1", promoted);
            Map<String, Integer> errors = writeUntilAccepted(client, "role:after");
            List<String> accepted = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                assertThat(client.set("role:then:" + i, "v" + i)).isEqualTo("OK");
                accepted.add("role:then:" + i);
            }
            accepted.add("role:after");

            System.out.printf("ROLE check: errors before the first write on the promoted master: %s%n", errors);
            assertThat(errors.keySet())
                    .as("errors while Sentinel named the replica")
                    .allSatisfy(error -> assertThat(error).contains("is not a master (ROLE)"));
            try (Jedis onPromoted = promoted.client();
                    Jedis onDemoted = demoted.client()) {
                for (String key : refused) {
                    assertThat(onDemoted.exists(key))
                            .as("%s on the demoted server", key)
                            .isFalse();
                    assertThat(onPromoted.exists(key))
                            .as("%s on the promoted one", key)
                            .isFalse();
                }
                // The demoted server copies the promoted one, never the other way: an acknowledged
                // write on the promoted master went there, not to the writable replica.
                for (String key : accepted) {
                    assertThat(onPromoted.exists(key))
                            .as("%s on the real master", key)
                            .isTrue();
                }
            }
        }
    }

    /**
     * Three switchovers behind the Sentinels' back, each followed by a write refused with
     * READONLY, then the Sentinels told. Shardis also asks the Sentinels every 2 s whatever
     * happens: a move learned that way says "periodic recheck". The write sent right after the
     * Sentinels were told is refused too and makes Shardis ask at once, so at least one of three
     * moves (in practice each) must have been learned from a READONLY.
     */
    @Test
    void aWriteRefusedWithReadonlyMakesShardisFollowTheMasterTheSentinelsNameNext() {
        int switchovers = 3;
        ListAppender<ILoggingEvent> changes = new ListAppender<>();
        Logger watcherLog = (Logger) LoggerFactory.getLogger(SentinelWatcher.class);
        changes.start();
        watcherLog.addAppender(changes);
        RedisProcess first = sentinel.master("shard2");
        List<String> learnedHow = new ArrayList<>();
        try (ShardisFixture shardis = startShardis(first, "shard2", 5_000, sentinel.sentinelAddresses());
                Jedis client = shardis.jedis("p")) {
            for (int round = 0; round < switchovers; round++) {
                RedisProcess demoted = sentinel.master("shard2");
                RedisProcess promoted = sentinel.replicas("shard2").get(0);
                assertThat(client.set("ro:before:" + round, "v")).isEqualTo("OK");
                try (Jedis direct = demoted.client()) {
                    assertThat(direct.get("ro:before:" + round)).isEqualTo("v");
                }

                // The connection Shardis has to 'demoted' stays open; its next write is refused.
                switchRolesBehindSentinelsBack(demoted, promoted);
                assertThatThrownBy(() -> client.set("ro:refused", "v"))
                        .isInstanceOf(JedisDataException.class)
                        .hasMessageStartingWith("READONLY");
                // Past the spacing of requested rechecks (100 ms), so the next READONLY asks again.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));

                sentinel.monitorOn("shard2", promoted);
                long pointedAt = System.nanoTime();
                Map<String, Integer> errors = writeUntilAccepted(client, "ro:after:" + round);
                long resumedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pointedAt);
                for (int i = 0; i < 20; i++) {
                    assertThat(client.set("ro:then:" + round + ":" + i, "v")).isEqualTo("OK");
                }
                String how = howShardisLearned(changes, demoted, promoted);
                learnedHow.add(how);
                System.out.printf(
                        "READONLY: writes on the promoted master %d ms after the Sentinels named it (%s);"
                                + " errors before: %s%n",
                        resumedMillis, how, errors);
                assertThat(errors.keySet())
                        .as("errors until Shardis followed")
                        .allSatisfy(error -> assertThat(error)
                                .satisfiesAnyOf(
                                        e -> assertThat(e).startsWith("READONLY"),
                                        e -> assertThat(e).contains("was demoted: Sentinel named")));
                try (Jedis onPromoted = promoted.client()) {
                    assertThat(onPromoted.get("ro:after:" + round)).isEqualTo("x");
                    for (int i = 0; i < 20; i++) {
                        assertThat(onPromoted.exists("ro:then:" + round + ":" + i))
                                .isTrue();
                    }
                    assertThat(onPromoted.exists("ro:refused")).isFalse();
                }
            }
            assertThat(shardis.server().metrics().pool("p").server("shard2").failovers())
                    .as("the moves to the promoted masters, counted")
                    .isEqualTo(switchovers);
        } finally {
            watcherLog.detachAppender(changes);
        }
        assertThat(learnedHow)
                .as("how Shardis learned of each move")
                .allSatisfy(how -> assertThat(how).isIn(READONLY_RECHECK, "periodic recheck"))
                .contains(READONLY_RECHECK);
    }

    /** How the watcher learned that {@code name}'s master moved from {@code from} to {@code to}, from its log line. */
    private static String howShardisLearned(ListAppender<ILoggingEvent> changes, RedisProcess from, RedisProcess to) {
        String prefix = "Sentinel master shard2: " + from.address() + " -> " + to.address() + " (";
        List<String> lines;
        synchronized (changes) {
            lines = changes.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
        return lines.stream()
                .filter(line -> line.startsWith(prefix) && line.endsWith(")"))
                .map(line -> line.substring(prefix.length(), line.length() - 1))
                .reduce((earlier, later) -> later)
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "...)' among " + lines));
    }

    @Test
    void aSentinelThatNamesAnotherServerIsOutvotedAtStartAndThroughAFailover() throws Exception {
        RedisProcess wrong = RedisProcess.start();
        RedisProcess stale = null;
        try {
            stale = RedisProcess.builder()
                    .config("sentinel monitor shard3 " + wrong.host() + " " + wrong.port() + " 1\n"
                            + "sentinel down-after-milliseconds shard3 2000\n")
                    .sentinel()
                    .start();
            List<InetSocketAddress> sentinels = List.of(
                    sentinel.sentinelAddresses().get(0),
                    stale.socketAddress(),
                    sentinel.sentinelAddresses().get(1));
            RedisProcess master = sentinel.master("shard3");
            // The configured address is the stale Sentinel's answer: a first guess the majority overrules.
            try (ShardisFixture shardis = startShardis(wrong, "shard3", 15_000, sentinels);
                    Jedis client = shardis.jedis("p")) {
                for (int i = 0; i < 20; i++) {
                    assertThat(client.set("vote:" + i, "v")).isEqualTo("OK");
                }
                try (Jedis onMaster = master.client()) {
                    assertThat(onMaster.exists("vote:0", "vote:19")).isEqualTo(2);
                }

                sentinel.killMaster("shard3");
                RedisProcess promoted = sentinel.awaitFailover("shard3");
                Map<String, Integer> errors = writeUntilAccepted(client, "vote:after");
                System.out.printf("stale Sentinel outvoted: errors around the failover: %s%n", errors);
                try (Jedis onPromoted = promoted.client()) {
                    assertThat(onPromoted.get("vote:after")).isEqualTo("x");
                }
                try (Jedis onWrong = wrong.client();
                        Jedis staleSentinel = stale.client()) {
                    assertThat(staleSentinel.sentinelGetMasterAddrByName("shard3"))
                            .as("the stale Sentinel still names the other server")
                            .containsExactly(wrong.host(), Integer.toString(wrong.port()));
                    assertThat(onWrong.dbSize())
                            .as("keys on the server only the stale Sentinel names")
                            .isZero();
                }
            }
        } finally {
            Closeables.closeAll(stale, wrong);
        }
    }

    /** One pool 'p' of one Sentinel-managed master {@code name}, configured at {@code guess}. */
    private static ShardisFixture startShardis(
            RedisProcess guess, String name, int failoverTimeoutMillis, List<InetSocketAddress> sentinels) {
        List<String> listed = new ArrayList<>();
        for (InetSocketAddress address : sentinels) {
            listed.add(address.getHostString() + ":" + address.getPort());
        }
        return ShardisFixture.start(
                """
                p:
                  listen: 127.0.0.1:0
                  redis: true
                  timeout: 2000
                  failover_timeout: ${failoverTimeout}
                  sentinels: [${sentinels}]
                  servers:
                    - ${guess}:1 ${name}
                """,
                Map.of(
                        "failoverTimeout",
                        failoverTimeoutMillis,
                        "sentinels",
                        String.join(", ", listed),
                        "guess",
                        guess.address(),
                        "name",
                        name));
    }

    /**
     * An operator's switchover the Sentinels are not told of: the replica becomes a master and the
     * master its replica. Returns once the demoted server's link to the promoted one is up, so that
     * no later full sync wipes what it may have taken directly.
     */
    private static void switchRolesBehindSentinelsBack(RedisProcess demoted, RedisProcess promoted) {
        try (Jedis toPromoted = promoted.client();
                Jedis toDemoted = demoted.client()) {
            toPromoted.replicaofNoOne();
            toDemoted.replicaof(promoted.host(), promoted.port());
        }
        boolean linked = Poll.until(
                Duration.ofSeconds(20),
                () -> {
                    try (Jedis direct = demoted.client()) {
                        return direct.info("replication").contains("master_link_status:up");
                    } catch (JedisException e) {
                        return false;
                    }
                },
                () -> false);
        assertThat(linked).as("%s replicates %s", demoted, promoted).isTrue();
    }

    /** SET {@code key} x through {@code client} until it is accepted (bounded); returns the errors seen before. */
    private static Map<String, Integer> writeUntilAccepted(Jedis client, String key) {
        Map<String, Integer> errors = new TreeMap<>();
        long deadline = System.nanoTime() + RESUME_WAIT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try {
                client.set(key, "x");
                return errors;
            } catch (JedisDataException e) {
                errors.merge(String.valueOf(e.getMessage()), 1, Integer::sum);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        throw new AssertionError("no write accepted within " + RESUME_WAIT.toSeconds() + " s; errors: " + errors + "\n"
                + sentinel.sentinelLogs());
    }
}
