package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Elapsed;
import io.shardis.it.support.Margins;
import io.shardis.it.support.MasterChanges;
import io.shardis.it.support.Poll;
import io.shardis.it.support.RedisProcess;
import io.shardis.it.support.SentinelFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.sentinel.MasterChange;
import io.shardis.sentinel.SentinelSettings;
import io.shardis.sentinel.SentinelWatcher;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The Sentinel watcher alone against three real Sentinels watching four masters, each test on a
 * master of its own so that failovers do not interfere: shard1 fails over with every Sentinel up,
 * shard2 with one Sentinel stopped, shard3 is switched by hand without events, shard4 fails over
 * after a Sentinel came back. The Sentinels require a password and know an ACL user.
 */
@ExtendWith(StopChildProcesses.class)
class SentinelWatcherIT {

    private static final String PASSWORD = "sentinel-secret";
    private static final String USER = "watcher";
    private static final String USER_PASSWORD = "watcher-secret";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration HOUR = Duration.ofHours(1);
    /** The watcher reacts to the Sentinels' events at once; this covers thread hand-offs on a loaded machine. */
    private static final Duration MARGIN = Duration.ofMillis(1_000);

    private static final Duration CHANGE_WAIT = Duration.ofSeconds(30);
    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(15);

    private static SentinelFixture sentinels;
    private SentinelWatcher watcher;
    private SentinelWatcher otherWatcher;

    @BeforeAll
    static void startSentinels() {
        sentinels = SentinelFixture.builder()
                .masters(4)
                .password(PASSWORD)
                .aclUser(USER, USER_PASSWORD)
                .start();
    }

    @AfterAll
    static void stopSentinels() throws Exception {
        Closeables.closeAll(sentinels);
    }

    @AfterEach
    void closeWatchersAndRestartSentinels() throws Exception {
        Closeables.closeAll(watcher, otherWatcher);
        for (int i = 0; i < SentinelFixture.SENTINELS; i++) {
            if (!sentinels.sentinel(i).isAlive()) {
                sentinels.sentinel(i).restart();
            }
        }
        // A Sentinel that was away during a failover must hear of it before the next test counts on it.
        sentinels.awaitAgreement();
    }

    @Test
    void learnsEveryMasterAtStartAndTellsTheListenerOnItsOwnThread() {
        MasterChanges changes = new MasterChanges();
        watcher = SentinelWatcher.start(aclSettings(HOUR), Set.copyOf(sentinels.masterNames()), changes);

        for (String name : sentinels.masterNames()) {
            assertThat(watcher.master(name))
                    .as(name)
                    .isEqualTo(sentinels.master(name).socketAddress());
        }
        List<MasterChanges.Received> first =
                changes.awaitCount(sentinels.masterNames().size(), CHANGE_WAIT);
        assertThat(first).allSatisfy(received -> {
            assertThat(received.change().previous()).isNull();
            assertThat(received.change().how()).isEqualTo("startup");
            assertThat(received.change().current())
                    .isEqualTo(watcher.master(received.change().masterName()));
            assertThat(received.thread()).isEqualTo("shardis-sentinel-listener");
        });
        assertThat(first)
                .extracting(received -> received.change().masterName())
                .containsExactlyInAnyOrderElementsOf(sentinels.masterNames());
        awaitSubscribed(watcher, SentinelFixture.SENTINELS);
        assertThatThrownBy(() -> watcher.master("shard9"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shard9");

        watcher.close();
        boolean threadsGone = Poll.until(
                Duration.ofSeconds(5),
                () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(thread -> thread.getName().startsWith("shardis-sentinel-")),
                () -> false);
        assertThat(threadsGone).as("the watcher's threads end with close()").isTrue();
        assertThat(watcher.subscribedSentinels()).isEmpty();
    }

    @Test
    void followsAKilledMasterToItsReplicaWithinSentinelsOwnFailoverTime() {
        MasterChanges changes = new MasterChanges();
        watcher = SentinelWatcher.start(aclSettings(HOUR), Set.of("shard1"), changes);
        awaitSubscribed(watcher, SentinelFixture.SENTINELS);
        RedisProcess old = sentinels.master("shard1");
        RedisProcess replica = sentinels.replicas("shard1").get(0);

        long killedAt = sentinels.killMaster("shard1");
        RedisProcess promoted = sentinels.awaitFailover("shard1");
        long sentinelsAgreedMillis = Elapsed.millisSince(killedAt);
        MasterChanges.Received moved = changes.await("shard1", promoted.socketAddress(), CHANGE_WAIT);
        long watcherMillis = TimeUnit.NANOSECONDS.toMillis(moved.nanos() - killedAt);

        System.out.printf(
                "shard1 failover: kill -> majority of Sentinels agree (polled) %d ms;"
                        + " kill -> listener told %d ms (%s)%n",
                sentinelsAgreedMillis, watcherMillis, moved.change().how());
        assertThat(promoted).isSameAs(replica);
        assertThat(moved.change().previous()).isEqualTo(old.socketAddress());
        assertThat(moved.change().how()).matches("\\+(switch-master|failover-end) from 127\\.0\\.0\\.1:\\d+");
        assertThat(watcherMillis).isLessThanOrEqualTo(sentinelsAgreedMillis + Margins.millis(MARGIN.toMillis()));
        assertThat(watcher.master("shard1")).isEqualTo(promoted.socketAddress());

        // The old master comes back thinking it is a master until Sentinel demotes it: that must not move traffic.
        sentinels.restart(old);
        boolean demoted = Poll.until(CHANGE_WAIT, () -> isReplicaOf(old, promoted), () -> false);
        assertThat(demoted)
                .as("Sentinel made the old master a replica of the new one")
                .isTrue();
        assertThat(changes.of("shard1")).hasSize(2);
        assertThat(watcher.master("shard1")).isEqualTo(promoted.socketAddress());
    }

    @Test
    void convergesWithASentinelStoppedDuringTheFailoverAndCountsItAgainWhenItReturns() {
        MasterChanges changes = new MasterChanges();
        watcher = SentinelWatcher.start(aclSettings(HOUR), Set.of("shard2", "shard4"), changes);
        awaitSubscribed(watcher, SentinelFixture.SENTINELS);

        long killedAt = sentinels.killMaster("shard2");
        sentinels.sentinel(2).stop();
        RedisProcess promoted = sentinels.awaitFailover("shard2");
        MasterChanges.Received moved = changes.await("shard2", promoted.socketAddress(), CHANGE_WAIT);
        System.out.printf(
                "shard2 failover with 2 of 3 Sentinels: kill -> listener told %d ms (%s)%n",
                TimeUnit.NANOSECONDS.toMillis(moved.nanos() - killedAt),
                moved.change().how());
        assertThat(watcher.subscribedSentinels())
                .hasSize(2)
                .doesNotContain(sentinels.sentinel(2).socketAddress());

        // Sentinel 2 comes back and is subscribed again; with Sentinel 0 gone, the next failover needs it.
        sentinels.sentinel(2).restart();
        awaitSubscribed(watcher, SentinelFixture.SENTINELS);
        sentinels.sentinel(0).stop();
        long secondKilledAt = sentinels.killMaster("shard4");
        RedisProcess promotedAgain = sentinels.awaitFailover("shard4");
        long agreedMillis = Elapsed.millisSince(secondKilledAt);
        MasterChanges.Received movedAgain = changes.await("shard4", promotedAgain.socketAddress(), CHANGE_WAIT);
        long watcherMillis = TimeUnit.NANOSECONDS.toMillis(movedAgain.nanos() - secondKilledAt);
        System.out.printf(
                "shard4 failover through the returned Sentinel: kill -> Sentinels agree (polled) %d ms;"
                        + " kill -> listener told %d ms (%s)%n",
                agreedMillis, watcherMillis, movedAgain.change().how());
        assertThat(watcherMillis).isLessThanOrEqualTo(agreedMillis + Margins.millis(MARGIN.toMillis()));
        assertThat(movedAgain.change().how())
                .doesNotContain(sentinels.sentinel(0).address());
    }

    @Test
    void startsWithOneSentinelDownAndSubscribesToItWhenItComesUp() {
        sentinels.awaitAgreement();
        sentinels.sentinel(1).stop();
        MasterChanges changes = new MasterChanges();
        watcher = SentinelWatcher.start(passwordSettings(HOUR), Set.copyOf(sentinels.masterNames()), changes);

        for (String name : sentinels.masterNames()) {
            assertThat(watcher.master(name))
                    .as(name)
                    .isEqualTo(sentinels.master(name).socketAddress());
        }
        assertThat(watcher.subscribedSentinels())
                .doesNotContain(sentinels.sentinel(1).socketAddress());

        sentinels.sentinel(1).restart();
        awaitSubscribed(watcher, SentinelFixture.SENTINELS);
        assertThat(watcher.subscribedSentinels()).contains(sentinels.sentinel(1).socketAddress());
    }

    @Test
    void aPatientStartWaitsForAMajorityOfSentinelsThatComeUpLate() throws Exception {
        sentinels.awaitAgreement();
        sentinels.sentinel(1).stop();
        sentinels.sentinel(2).stop();
        try {
            CompletableFuture<SentinelWatcher> starting = CompletableFuture.supplyAsync(() -> SentinelWatcher.start(
                    passwordSettings(HOUR), Set.of("shard1"), new MasterChanges(), Duration.ofSeconds(60)));
            // One Sentinel of three is no majority: the start keeps asking instead of failing.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TIMEOUT.toMillis() + 1_000));
            assertThat(starting).as("a start with one Sentinel of three").isNotDone();
            sentinels.sentinel(1).restart();
            watcher = starting.get(60, TimeUnit.SECONDS);
            assertThat(watcher.master("shard1"))
                    .isEqualTo(sentinels.master("shard1").socketAddress());
        } finally {
            sentinels.sentinel(1).restart();
            sentinels.sentinel(2).restart();
        }
    }

    @Test
    void recheckAndThePeriodicRecheckFindAMoveThatNoEventAnnounced() {
        MasterChanges onRequest = new MasterChanges();
        MasterChanges onSchedule = new MasterChanges();
        watcher = SentinelWatcher.start(passwordSettings(HOUR), Set.of("shard3"), onRequest);
        otherWatcher = SentinelWatcher.start(aclSettings(Duration.ofMillis(300)), Set.of("shard3"), onSchedule);
        RedisProcess old = sentinels.master("shard3");
        RedisProcess replica = sentinels.replicas("shard3").get(0);

        switchOverByHand("shard3", old, replica);

        MasterChanges.Received periodic = onSchedule.await("shard3", replica.socketAddress(), CHANGE_WAIT);
        assertThat(periodic.change().how()).isEqualTo("periodic recheck");
        // Without an event or a request the other watcher has not moved: only the recheck moves it.
        assertThat(watcher.master("shard3")).isEqualTo(old.socketAddress());
        assertThat(onRequest.of("shard3")).hasSize(1);

        watcher.recheck("shard3", "ROLE said slave");
        MasterChanges.Received requested = onRequest.await("shard3", replica.socketAddress(), CHANGE_WAIT);
        assertThat(requested.change())
                .isEqualTo(new MasterChange(
                        "shard3", old.socketAddress(), replica.socketAddress(), "recheck requested: ROLE said slave"));
        assertThat(watcher.master("shard3")).isEqualTo(replica.socketAddress());
    }

    @Test
    void refusesToStartWhenNoMajorityKnowsAMasterAndSaysWhich() {
        assertThatThrownBy(() ->
                        SentinelWatcher.start(aclSettings(HOUR), Set.of("shard1", "nosuchmaster"), new MasterChanges()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'nosuchmaster'")
                .hasMessageContaining("does not know master 'nosuchmaster'")
                .hasMessageNotContaining("'shard1'");
    }

    @Test
    void refusesToStartWithAWrongPasswordAndSaysSo() {
        SentinelSettings wrong =
                new SentinelSettings(sentinels.sentinelAddresses(), USER, "not-the-password", TIMEOUT, HOUR);
        assertThatThrownBy(() -> SentinelWatcher.start(wrong, Set.of("shard1"), new MasterChanges()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'shard1'")
                .hasMessageContaining("WRONGPASS");
    }

    /**
     * An operator's switchover that Sentinel does not announce: the replica is promoted, the old
     * master follows it, and each Sentinel is told to monitor the new master instead.
     */
    private static void switchOverByHand(String name, RedisProcess old, RedisProcess replica) {
        try (Jedis toReplica = replica.client();
                Jedis toOld = old.client()) {
            toReplica.replicaofNoOne();
            toOld.replicaof(replica.host(), replica.port());
        }
        sentinels.monitorOn(name, replica);
    }

    private static boolean isReplicaOf(RedisProcess server, RedisProcess master) {
        try (Jedis jedis = server.client()) {
            String info = jedis.info("replication");
            return info.contains("role:slave") && info.contains("master_port:" + master.port());
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static void awaitSubscribed(SentinelWatcher watcher, int count) {
        boolean subscribed =
                Poll.until(RECONNECT_WAIT, () -> watcher.subscribedSentinels().size() == count, () -> false);
        assertThat(subscribed)
                .as(
                        "subscribed to %d Sentinels within %s; now %s",
                        count, RECONNECT_WAIT, watcher.subscribedSentinels())
                .isTrue();
    }

    private static SentinelSettings aclSettings(Duration recheckInterval) {
        return new SentinelSettings(sentinels.sentinelAddresses(), USER, USER_PASSWORD, TIMEOUT, recheckInterval);
    }

    private static SentinelSettings passwordSettings(Duration recheckInterval) {
        return new SentinelSettings(sentinels.sentinelAddresses(), null, PASSWORD, TIMEOUT, recheckInterval);
    }
}
