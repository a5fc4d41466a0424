package io.shardis.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shardis.it.support.Closeables;
import io.shardis.it.support.Poll;
import io.shardis.it.support.Prerequisites;
import io.shardis.it.support.RedisBinaries;
import io.shardis.it.support.RedisClusterFixture;
import io.shardis.it.support.StopChildProcesses;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.ClusterSourceSettings;
import io.shardis.topology.cluster.ClusterTopologyException;
import io.shardis.topology.cluster.ClusterTopologyRefresher;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.LettuceTopologySource;
import io.shardis.topology.cluster.NodeAddress;
import io.shardis.topology.cluster.SlotMap;
import io.shardis.topology.cluster.SlotMapDiff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The control plane against a real 3 × 1 Redis Cluster: what {@link LettuceTopologySource} fetches
 * is what the nodes say, through resharding and failover. Tests run in order: the later ones change
 * the cluster.
 */
@ExtendWith(StopChildProcesses.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTopologyIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static RedisClusterFixture cluster;
    private static RedisClusterFixture.Node seed;
    private static LettuceTopologySource source;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterFixture.start();
        seed = cluster.nodes().get(0);
        source = new LettuceTopologySource(ClusterSourceSettings.of(List.of(address(seed))));
    }

    @AfterAll
    static void stop() throws Exception {
        Closeables.closeAll(source, cluster);
    }

    @Test
    @Order(1)
    void aSeedsMapIsWhatEveryNodeSays() {
        SlotMap map = source.fetch();
        assertThat(map.isCovered()).isTrue();
        assertThat(map.masters()).hasSize(3);
        assertThat(map.replicas())
                .hasSize(3)
                .allSatisfy(replica -> assertThat(replica.isOnline()).isTrue());
        for (RedisClusterFixture.Node node : cluster.nodes()) {
            assertThat(source.fetchFrom(address(node)))
                    .as("the map %s gives", node)
                    .isEqualTo(map);
        }
        for (RedisClusterFixture.Node master : cluster.masters()) {
            ClusterNode described = map.node(master.id());
            assertThat(described.address()).isEqualTo(master.address());
            int slot = map.slotsOf(described).get(0).first();
            assertThat(cluster.nodeForSlot(slot)).isSameAs(master);
            assertThat(map.replicas(slot))
                    .extracting(ClusterNode::id)
                    .containsExactlyElementsOf(cluster.replicasOf(master).stream()
                            .map(RedisClusterFixture.Node::id)
                            .toList());
        }
    }

    @Test
    @Order(2)
    void clusterSlotsGivesTheSameMapAsClusterShards() {
        try (LettuceTopologySource slots = new LettuceTopologySource(ClusterSourceSettings.of(List.of(address(seed)))
                .withCommand(ClusterSourceSettings.TopologyCommand.SLOTS))) {
            assertThat(slots.fetch()).isEqualTo(source.fetch());
        }
    }

    @Test
    @Order(3)
    void aRefreshAfterReshardingSeesTheNewOwner() throws InterruptedException {
        BlockingQueue<SlotMap> published = new LinkedBlockingQueue<>();
        try (ClusterTopologyRefresher refresher = new ClusterTopologyRefresher(
                "it", source, Duration.ofHours(1), Duration.ofMillis(200), published::add)) {
            refresher.start();
            SlotMap before = published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(before).isNotNull();

            RedisClusterFixture.Node from = cluster.nodeForSlot(0);
            RedisClusterFixture.Node to = cluster.nodeForSlot(16_383);
            String key = keyInSlotOf(from);
            try (Jedis jedis = from.client()) {
                jedis.set(key, "moves along");
            }
            List<Integer> moved = cluster.migrateSlots(from, to, 5);
            assertThat(moved).contains(HashSlot.of(key));
            try (Jedis jedis = to.client()) {
                assertThat(jedis.get(key)).isEqualTo("moves along");
            }

            refresher.requestRefresh("MOVED " + moved.get(0) + " " + to.address());
            SlotMap after = published.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(after).as("a new map after the resharding").isNotNull();
            for (int slot : moved) {
                assertThat(after.master(slot).id()).isEqualTo(to.id());
            }
            assertThat(SlotMapDiff.between(before, after).movedSlots()).isEqualTo(moved.size());
            assertThat(refresher.current()).isEqualTo(after);
        }
    }

    @Test
    @Order(4)
    void flushAllEmptiesEveryMaster() {
        for (RedisClusterFixture.Node master : cluster.masters()) {
            try (Jedis jedis = master.client()) {
                jedis.set(keyInSlotOf(master), "x");
            }
        }
        cluster.flushAll();
        for (RedisClusterFixture.Node master : cluster.masters()) {
            try (Jedis jedis = master.client()) {
                assertThat(jedis.dbSize()).as("keys left on %s", master).isZero();
            }
        }
    }

    @Test
    @Order(5)
    void aPlannedFailoverIsSeenByTheNextFetch() {
        RedisClusterFixture.Node master = cluster.nodeForSlot(8_000);
        RedisClusterFixture.Node replica = cluster.replicasOf(master).get(0);
        cluster.failover(replica);
        SlotMap map = source.fetch();
        assertThat(map.master(8_000).id()).isEqualTo(replica.id());
        assertThat(map.replicas(8_000)).extracting(ClusterNode::id).containsExactly(master.id());
    }

    @Test
    @Order(6)
    void afterAMasterDiesItsPromotedReplicaIsSeenAsMasterOfItsSlots() {
        // Kill the seed itself if it is a master: the source must then ask the nodes it learned about.
        RedisClusterFixture.Node victim = cluster.masters().contains(seed) ? seed : cluster.nodeForSlot(0);
        List<Integer> victimsSlots = slotsOf(source.fetch(), victim);
        cluster.kill(victim);
        RedisClusterFixture.Node promoted = cluster.awaitPromotionAfter(victim);

        AtomicReference<SlotMap> seen = new AtomicReference<>();
        boolean promotedSeen = Poll.until(
                WAIT,
                () -> {
                    try {
                        seen.set(source.fetch());
                    } catch (ClusterTopologyException notYet) {
                        return false;
                    }
                    return victimsSlots.stream()
                            .allMatch(slot ->
                                    promoted.id().equals(seen.get().master(slot).id()));
                },
                () -> false);
        assertThat(promotedSeen)
                .as("promoted %s seen in %s", promoted, seen.get())
                .isTrue();
        SlotMap map = seen.get();
        assertThat(map.isCovered()).isTrue();
        assertThat(map.node(victim.id()).health()).isEqualTo(ClusterNode.Health.FAILED);
        assertThat(map.slotsOf(map.node(victim.id()))).isEmpty();
    }

    @Test
    @Order(7)
    void aClusterWithoutClusterShardsIsReadThroughClusterSlots() {
        Optional<Path> redis62 = RedisBinaries.extractEmbedded();
        Prerequisites.need(redis62.isPresent(), "no embedded Redis 6.2 for this platform");
        try (RedisClusterFixture old = RedisClusterFixture.builder()
                        .masters(1)
                        .replicasPerMaster(0)
                        .binary(redis62.get())
                        .start();
                LettuceTopologySource oldSource = new LettuceTopologySource(
                        ClusterSourceSettings.of(List.of(address(old.nodes().get(0)))))) {
            SlotMap map = oldSource.fetch();
            assertThat(map.isCovered()).isTrue();
            assertThat(map.masters()).singleElement().satisfies(master -> {
                assertThat(master.id()).isEqualTo(old.nodes().get(0).id());
                assertThat(master.port()).isEqualTo(old.nodes().get(0).port());
            });
        }
    }

    private static List<Integer> slotsOf(SlotMap map, RedisClusterFixture.Node node) {
        return map.slotsOf(map.node(node.id())).stream()
                .flatMap(range ->
                        IntStream.rangeClosed(range.first(), range.last()).boxed())
                .toList();
    }

    /** A key in the first slot {@code node} serves, which the resharding moves first. */
    private static String keyInSlotOf(RedisClusterFixture.Node node) {
        int firstSlot = slotsOf(source.fetch(), node).get(0);
        for (int i = 0; ; i++) {
            String key = "k" + i;
            if (HashSlot.of(key) == firstSlot) {
                return key;
            }
        }
    }

    private static NodeAddress address(RedisClusterFixture.Node node) {
        return new NodeAddress(node.host(), node.port());
    }
}
