package io.shardis.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.topology.cluster.NodeAddress;
import io.shardis.topology.cluster.NodeRole;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeReachabilityTest {

    private static final Duration INTERVAL = Duration.ofMillis(50);
    private static final NodeAddress REPLICA = new NodeAddress("10.0.1.1", 7000);
    private static final NodeRole SYNCING = new NodeRole(false, "sync");
    private static final NodeRole IN_SYNC = new NodeRole(false, "connected");
    private static final RuntimeException REFUSED = new IllegalStateException("connection refused");

    /** What each node answers to ROLE now; absent: the probe throws as for a node that is down. */
    private final Map<NodeAddress, NodeRole> roles = new ConcurrentHashMap<>();

    private final Set<NodeAddress> listed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger probes = new AtomicInteger();
    private final AtomicInteger backs = new AtomicInteger();
    private final NodeReachability reachability = new NodeReachability(
            "sessions",
            address -> {
                probes.incrementAndGet();
                NodeRole role = roles.get(address);
                if (role == null) {
                    throw REFUSED;
                }
                return role;
            },
            listed::contains,
            backs::incrementAndGet,
            INTERVAL);

    @AfterEach
    void close() {
        reachability.close();
    }

    @Test
    void aNodeTakesReadsUntilItFailsAndAgainOnceItHasSynced() {
        listed.add(REPLICA);
        NodeReachability.Node node = reachability.add(3, REPLICA);
        assertThat(reachability.test(3)).isTrue();

        reachability.failed(node, "closed the connection");
        // Skipped at once, before any probe answered.
        assertThat(reachability.test(3)).isFalse();
        awaitUntil(() -> probes.get() >= 3);
        assertThat(reachability.test(3)).as("down: probes fail").isFalse();

        roles.put(REPLICA, SYNCING);
        int probesWhileSyncing = probes.get();
        awaitUntil(() -> probes.get() >= probesWhileSyncing + 2);
        assertThat(reachability.test(3))
                .as("back but not synced: an empty or old dataset")
                .isFalse();
        assertThat(backs).hasValue(0);

        roles.put(REPLICA, IN_SYNC);
        awaitUntil(() -> reachability.test(3));
        // The probe thread takes the node back, then asks for the map: wait for the second step too.
        awaitUntil(() -> backs.get() >= 1);
        assertThat(backs).as("the slot map is asked again, once").hasValue(1);
        int probesWhenBack = probes.get();
        sleep(INTERVAL.multipliedBy(4));
        assertThat(probes.get()).as("no probes while it serves").isEqualTo(probesWhenBack);
    }

    @Test
    void aNodeThatServedForAWhileIsProbedAtOnceAfterAFailure() {
        listed.add(REPLICA);
        roles.put(REPLICA, IN_SYNC);
        NodeReachability slow =
                new NodeReachability("sessions", roles::get, listed::contains, () -> {}, Duration.ofMinutes(1));
        try {
            NodeReachability.Node node = slow.add(0, REPLICA);
            // An idle connection closed by the server costs reads for one probe, not for an interval.
            slow.failed(node, "closed the connection");
            awaitUntil(() -> slow.test(0));
        } finally {
            slow.close();
        }
    }

    @Test
    void aMasterServesReads() {
        listed.add(REPLICA);
        roles.put(REPLICA, new NodeRole(true, ""));
        NodeReachability.Node node = reachability.add(0, REPLICA);
        reachability.failed(node, "timed out after 100 ms");
        awaitUntil(() -> reachability.test(0));
    }

    @Test
    void aNodeTheMapNoLongerListsIsNotProbedUntilAMapListsItAgain() {
        NodeReachability.Node node = reachability.add(0, REPLICA);
        reachability.failed(node, "connection refused");
        sleep(INTERVAL.multipliedBy(4));
        assertThat(probes).as("not listed: not probed").hasValue(0);
        assertThat(reachability.test(0)).isFalse();

        listed.add(REPLICA);
        roles.put(REPLICA, IN_SYNC);
        reachability.mapChanged();
        awaitUntil(() -> reachability.test(0));
    }

    @Test
    void serversItDoesNotKnowAreReachable() {
        reachability.add(2, REPLICA);
        assertThat(reachability.test(0)).isTrue();
        assertThat(reachability.test(7)).isTrue();
        assertThat(reachability.add(2, REPLICA)).isSameAs(reachability.add(2, REPLICA));
    }

    private static void awaitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within 10 s").isNegative();
            sleep(Duration.ofMillis(5));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
