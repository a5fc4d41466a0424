package io.shardis.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.proxy.config.ReadFrom;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterRouterTest {

    private final List<String> registry = new ArrayList<>();
    private final ClusterRouter router = new ClusterRouter(registry::size);

    private int indexOf(ClusterNode node) {
        String address = node.address();
        int index = registry.indexOf(address);
        if (index < 0) {
            registry.add(address);
            index = registry.size() - 1;
        }
        return index;
    }

    private static SlotMap map(String firstHalfOwner, String secondHalfOwner) {
        return SlotMap.builder()
                .node(ClusterNode.master("a", "10.0.0.1", 7000, ClusterNode.Health.ONLINE))
                .node(ClusterNode.master("b", "10.0.0.2", 7000, ClusterNode.Health.ONLINE))
                .node(ClusterNode.master("c", "10.0.0.3", 7000, ClusterNode.Health.ONLINE))
                .node(ClusterNode.replica("d", "10.0.0.4", 7000, "a", ClusterNode.Health.ONLINE))
                .assign(0, 8191, firstHalfOwner)
                .assign(8192, 16383, secondHalfOwner)
                .build();
    }

    private int serverOfKey(String key) {
        ByteBuf buf = Unpooled.copiedBuffer("xx" + key, StandardCharsets.UTF_8);
        try {
            return router.serverFor(buf, 2, buf.readableBytes() - 2);
        } finally {
            buf.release();
        }
    }

    @Test
    void knowsNoServerBeforeTheFirstMap() {
        assertThat(serverOfKey("k")).isEqualTo(ShardRouter.NO_SERVER);
        assertThat(router.keylessServer()).isEqualTo(ShardRouter.NO_SERVER);
        assertThat(router.scanServerCount()).isZero();
    }

    @Test
    void mapsAKeyToTheMasterOfItsSlot() {
        router.update(map("a", "b"), this::indexOf);
        int low = registry.indexOf("10.0.0.1:7000");
        int high = registry.indexOf("10.0.0.2:7000");
        for (String key : List.of("alpha", "beta", "gamma", "{user1}.a", "{user1}.b", "")) {
            int slot = HashSlot.of(key);
            assertThat(serverOfKey(key)).as(key).isEqualTo(slot < 8192 ? low : high);
        }
        assertThat(router.groupsAreSlots()).isTrue();
        assertThat(router.groupCount()).isEqualTo(HashSlot.SLOT_COUNT);
    }

    @Test
    void keylessAndEveryShardCommandsGoToMastersServingSlotsOnly() {
        router.update(map("a", "b"), this::indexOf);
        int a = registry.indexOf("10.0.0.1:7000");
        int b = registry.indexOf("10.0.0.2:7000");
        assertThat(router.masters()).containsExactly(a, b);
        assertThat(router.keylessServer()).isEqualTo(a);
        assertThat(router.scanServerCount()).isEqualTo(2);
        assertThat(router.scanServer(1)).isEqualTo(b);
        assertThat(router.scanServer(2)).isEqualTo(ShardRouter.NO_SERVER);
    }

    @Test
    void eachClientsKeylessCommandsGoToOneMasterAndClientsSpreadOverThem() {
        router.update(map("a", "b"), this::indexOf);
        int a = registry.indexOf("10.0.0.1:7000");
        int b = registry.indexOf("10.0.0.2:7000");
        java.util.Map<Integer, Integer> clientsPerServer = new java.util.HashMap<>();
        for (int seed = -50; seed < 50; seed++) {
            int server = router.keylessServer(seed);
            assertThat(router.keylessServer(seed)).as("one client, one master").isEqualTo(server);
            clientsPerServer.merge(server, 1, Integer::sum);
        }
        assertThat(clientsPerServer).containsOnlyKeys(a, b);
        assertThat(clientsPerServer.get(a)).isEqualTo(50);
        assertThat(new ClusterRouter(registry::size).keylessServer(7))
                .as("no map yet")
                .isEqualTo(ShardRouter.NO_SERVER);
    }

    @Test
    void aNewMapMovesSlotsButNodesKeepTheirIndexes() {
        router.update(map("a", "b"), this::indexOf);
        int a = registry.indexOf("10.0.0.1:7000");
        int c = registry.indexOf("10.0.0.3:7000");
        router.update(map("a", "c"), this::indexOf);
        assertThat(registry.indexOf("10.0.0.1:7000")).isEqualTo(a);
        assertThat(router.serverOfGroup(0)).isEqualTo(a);
        assertThat(router.serverOfGroup(16383)).isEqualTo(c);
        assertThat(router.serverCount()).isEqualTo(registry.size());
    }

    // --- Reads (read_from) ---

    /** Master a with replicas a1, a2 (and a failed a3) serves 0..8191; master b without replicas serves the rest. */
    private static SlotMap replicatedMap() {
        return SlotMap.builder()
                .node(ClusterNode.master("a", "10.0.0.1", 7000, ClusterNode.Health.ONLINE))
                .node(ClusterNode.master("b", "10.0.0.2", 7000, ClusterNode.Health.ONLINE))
                .node(ClusterNode.replica("a1", "10.0.1.1", 7000, "a", ClusterNode.Health.ONLINE))
                .node(ClusterNode.replica("a2", "10.0.1.2", 7000, "a", ClusterNode.Health.ONLINE))
                .node(ClusterNode.replica("a3", "10.0.1.3", 7000, "a", ClusterNode.Health.FAILED))
                .node(ClusterNode.replica("a4", "10.0.1.4", 7000, "a", ClusterNode.Health.LOADING))
                .assign(0, 8191, "a")
                .assign(8192, 16383, "b")
                .build();
    }

    private final Set<Integer> unreachable = new HashSet<>();

    private ClusterRouter readingFrom(ReadFrom readFrom) {
        ClusterRouter reads = new ClusterRouter(registry::size, readFrom, server -> !unreachable.contains(server));
        reads.update(replicatedMap(), this::indexOf);
        return reads;
    }

    private int server(String address) {
        int index = registry.indexOf(address);
        assertThat(index).as(address).isGreaterThanOrEqualTo(0);
        return index;
    }

    @Test
    void readFromMasterReadsTheMasterAndLeavesReplicasOutOfTheRegistry() {
        ClusterRouter reads = readingFrom(ReadFrom.MASTER);
        for (int slot : List.of(0, 100, 8191, 8192, 16383)) {
            for (int seed = 0; seed < 10; seed++) {
                assertThat(reads.readServerOfGroup(slot, seed)).isEqualTo(reads.serverOfGroup(slot));
            }
        }
        assertThat(registry).containsExactly("10.0.0.1:7000", "10.0.0.2:7000");
    }

    @Test
    void readsGoToAnOnlineReplicaOfTheSlotsMasterOnly() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA_PREFERRED);
        Set<Integer> onlineReplicas = Set.of(server("10.0.1.1:7000"), server("10.0.1.2:7000"));
        Set<Integer> chosen = new HashSet<>();
        for (int slot = 0; slot < 8192; slot += 37) {
            for (int seed = -50; seed < 50; seed++) {
                chosen.add(reads.readServerOfGroup(slot, seed));
            }
        }
        // Failed and loading replicas are never read; the two online ones share the reads.
        assertThat(chosen).isEqualTo(onlineReplicas);
        // Writes and everything not a read still go to the master.
        assertThat(reads.serverOfGroup(0)).isEqualTo(server("10.0.0.1:7000"));
    }

    @Test
    void oneClientReadsOneSlotFromOneReplicaAndClientsSpreadOverThem() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA);
        int slot = 1234;
        Map<Integer, Integer> clientsPerReplica = new HashMap<>();
        for (int client = 1; client <= 1000; client++) {
            int seed = (int) ((client * 0x9E3779B97F4A7C15L) >>> 32);
            int first = reads.readServerOfGroup(slot, seed);
            for (int again = 0; again < 5; again++) {
                assertThat(reads.readServerOfGroup(slot, seed)).isEqualTo(first);
            }
            clientsPerReplica.merge(first, 1, Integer::sum);
        }
        assertThat(clientsPerReplica).hasSize(2);
        assertThat(clientsPerReplica.values())
                .allSatisfy(count -> assertThat(count).isBetween(400, 600));
    }

    @Test
    void anUnreachableReplicaIsSkippedAndItsClientsComeBackToItLater() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA_PREFERRED);
        int a1 = server("10.0.1.1:7000");
        int a2 = server("10.0.1.2:7000");
        int slot = 42;
        int seedOnA1 = seedReading(reads, slot, a1);
        unreachable.add(a1);
        assertThat(reads.readServerOfGroup(slot, seedOnA1)).isEqualTo(a2);
        unreachable.remove(a1);
        assertThat(reads.readServerOfGroup(slot, seedOnA1)).isEqualTo(a1);
    }

    @Test
    void replicaPreferredFallsBackToTheMasterWhenNoReplicaIsReachable() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA_PREFERRED);
        unreachable.addAll(List.of(server("10.0.1.1:7000"), server("10.0.1.2:7000")));
        for (int seed = 0; seed < 20; seed++) {
            assertThat(reads.readServerOfGroup(7, seed)).isEqualTo(server("10.0.0.1:7000"));
            // b has no replica at all.
            assertThat(reads.readServerOfGroup(9000, seed)).isEqualTo(server("10.0.0.2:7000"));
        }
    }

    @Test
    void replicaOnlySaysNoServerInsteadOfFallingBackWhileTheMasterServes() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA);
        assertThat(reads.readServerOfGroup(9000, 1)).isEqualTo(ShardRouter.NO_SERVER);
        assertThat(reads.serverOfGroup(9000))
                .as("the master, which the error names apart")
                .isNotNegative();
        unreachable.addAll(List.of(server("10.0.1.1:7000"), server("10.0.1.2:7000")));
        assertThat(reads.readServerOfGroup(7, 1)).isEqualTo(ShardRouter.NO_SERVER);
        assertThat(reads.serverOfGroup(7)).isNotNegative();
    }

    @Test
    void aSlotWithoutMasterHasNoServerForReadsEither() {
        ClusterRouter reads = new ClusterRouter(registry::size, ReadFrom.REPLICA, server -> true);
        reads.update(
                SlotMap.builder()
                        .node(ClusterNode.master("a", "10.0.0.1", 7000, ClusterNode.Health.ONLINE))
                        .node(ClusterNode.replica("a1", "10.0.1.1", 7000, "a", ClusterNode.Health.ONLINE))
                        .assign(0, 99, "a")
                        .build(),
                this::indexOf);
        assertThat(reads.readServerOfGroup(50, 3)).isEqualTo(server("10.0.1.1:7000"));
        assertThat(reads.readServerOfGroup(100, 3)).isEqualTo(ShardRouter.NO_SERVER);
    }

    @Test
    void aFailoverInTheNextMapMovesReadsToTheNewReplicas() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA);
        int a1 = server("10.0.1.1:7000");
        // a1 was promoted; a is its replica now.
        reads.update(
                SlotMap.builder()
                        .node(ClusterNode.master("a1", "10.0.1.1", 7000, ClusterNode.Health.ONLINE))
                        .node(ClusterNode.replica("a", "10.0.0.1", 7000, "a1", ClusterNode.Health.ONLINE))
                        .node(ClusterNode.master("b", "10.0.0.2", 7000, ClusterNode.Health.ONLINE))
                        .assign(0, 8191, "a1")
                        .assign(8192, 16383, "b")
                        .build(),
                this::indexOf);
        assertThat(reads.serverOfGroup(5)).isEqualTo(a1);
        assertThat(reads.readServerOfGroup(5, 9)).isEqualTo(server("10.0.0.1:7000"));
    }

    @Test
    void choosingAReadServerAllocatesNothing() {
        ClusterRouter reads = readingFrom(ReadFrom.REPLICA_PREFERRED);
        unreachable.add(server("10.0.1.2:7000"));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 200_000; round++) { // warm up: let the JIT settle
            sink += reads.readServerOfGroup(round & 16383, round);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int round = 0; round < 200_000; round++) {
            sink += reads.readServerOfGroup(round & 16383, round);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(sink).isNotZero();
        // 200,000 choices; one object per choice would be megabytes.
        assertThat(allocated).isLessThan(64 * 1024);
    }

    private static int seedReading(ClusterRouter reads, int slot, int replica) {
        for (int seed = 0; seed < 1000; seed++) {
            if (reads.readServerOfGroup(slot, seed) == replica) {
                return seed;
            }
        }
        throw new AssertionError("no seed reads slot " + slot + " from server " + replica);
    }
}
