package io.shardis.topology.cluster;

import static io.shardis.topology.cluster.ClusterNode.Health.FAILED;
import static io.shardis.topology.cluster.ClusterNode.Health.LOADING;
import static io.shardis.topology.cluster.ClusterNode.Health.ONLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlotMapTest {

    private static final ClusterNode A = ClusterNode.master("aaaa", "10.0.0.1", 7000, ONLINE);
    private static final ClusterNode B = ClusterNode.master("bbbb", "10.0.0.2", 7000, ONLINE);
    private static final ClusterNode A1 = ClusterNode.replica("aaaa-r1", "10.0.0.3", 7000, "aaaa", ONLINE);
    private static final ClusterNode A2 = ClusterNode.replica("aaaa-r2", "10.0.0.4", 7000, "aaaa", LOADING);
    private static final ClusterNode B1 = ClusterNode.replica("bbbb-r1", "10.0.0.5", 7000, "bbbb", FAILED);

    private static SlotMap twoMasters() {
        return SlotMap.builder()
                .node(B1)
                .node(A2)
                .node(B)
                .node(A1)
                .node(A)
                .assign(0, 8191, "aaaa")
                .assign(8192, 16383, "bbbb")
                .build();
    }

    @Test
    void findsTheMasterOfEverySlot() {
        SlotMap map = twoMasters();
        assertThat(map.master(0)).isEqualTo(A);
        assertThat(map.master(8191)).isEqualTo(A);
        assertThat(map.master(8192)).isEqualTo(B);
        assertThat(map.master(16383)).isEqualTo(B);
        assertThat(map.masterIndex(16383)).isEqualTo(map.masters().indexOf(B));
        assertThat(map.isCovered()).isTrue();
        assertThat(map.coveredSlotCount()).isEqualTo(16384);
        assertThat(map.uncoveredSlots()).isEmpty();
        assertThat(map.slotsOf(A)).containsExactly(new SlotRange(0, 8191));
    }

    @Test
    void readReplicasAreTheOnlineOnesOnly() {
        SlotMap map = twoMasters();
        assertThat(map.replicas(5)).containsExactly(A1);
        assertThat(map.replicas(9000)).isEmpty();
        // Every node stays known, whatever its health.
        assertThat(map.nodes()).containsExactly(A, A1, A2, B, B1);
        assertThat(map.replicas()).containsExactly(A1, A2, B1);
        assertThat(map.masters()).containsExactly(A, B);
    }

    @Test
    void slotsWithoutAMasterAreUncovered() {
        SlotMap map = SlotMap.builder()
                .node(A)
                .assign(0, 99, "aaaa")
                .assign(200, 200, "aaaa")
                .build();
        assertThat(map.master(100)).isNull();
        assertThat(map.masterIndex(100)).isEqualTo(-1);
        assertThat(map.replicas(100)).isEmpty();
        assertThat(map.isCovered()).isFalse();
        assertThat(map.coveredSlotCount()).isEqualTo(101);
        assertThat(map.uncoveredSlots()).containsExactly(new SlotRange(100, 199), new SlotRange(201, 16383));
        assertThat(map.slotsOf(A)).containsExactly(new SlotRange(0, 99), new SlotRange(200, 200));
        assertThat(SlotMap.EMPTY.isCovered()).isFalse();
        assertThat(SlotMap.EMPTY.master(0)).isNull();
    }

    @Test
    void findsNodesByIdAndByAddress() {
        SlotMap map = twoMasters();
        assertThat(map.node("bbbb-r1")).isEqualTo(B1);
        assertThat(map.node("nope")).isNull();
        assertThat(map.nodeAt("10.0.0.2", 7000)).isEqualTo(B);
        assertThat(map.nodeAt("10.0.0.2", 7001)).isNull();
    }

    @Test
    void equalWhateverTheOrderNodesAndRangesCameIn() {
        SlotMap other = SlotMap.builder()
                .node(A)
                .node(B)
                .node(A1)
                .node(A2)
                .node(B1)
                .assign(8192, 16000, "bbbb")
                .assign(0, 8191, "aaaa")
                .assign(16001, 16383, "bbbb")
                .build();
        assertThat(other).isEqualTo(twoMasters()).hasSameHashCodeAs(twoMasters());
    }

    @Test
    void differsWhenASlotOrANodeDiffers() {
        SlotMap moved = SlotMap.builder()
                .node(A)
                .node(B)
                .node(A1)
                .node(A2)
                .node(B1)
                .assign(0, 8192, "aaaa")
                .assign(8193, 16383, "bbbb")
                .build();
        assertThat(moved).isNotEqualTo(twoMasters());
        SlotMap healed = SlotMap.builder()
                .node(A)
                .node(B)
                .node(A1)
                .node(A2)
                .node(ClusterNode.replica("bbbb-r1", "10.0.0.5", 7000, "bbbb", ONLINE))
                .assign(0, 8191, "aaaa")
                .assign(8192, 16383, "bbbb")
                .build();
        assertThat(healed).isNotEqualTo(twoMasters());
    }

    @Test
    void acceptsTheSameNodeTwiceButNotTwoNodesUnderOneId() {
        SlotMap.Builder builder = SlotMap.builder().node(A).node(A);
        assertThat(builder.assign(0, 16383, "aaaa").build().nodes()).containsExactly(A);
        assertThatThrownBy(() -> SlotMap.builder().node(A).node(ClusterNode.master("aaaa", "10.9.9.9", 7000, ONLINE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("aaaa");
    }

    @Test
    void refusesSlotsClaimedTwiceOrGivenToNonMasters() {
        assertThatThrownBy(() ->
                        SlotMap.builder().node(A).node(B).assign(0, 10, "aaaa").assign(10, 20, "bbbb"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slot 10");
        assertThatThrownBy(() -> SlotMap.builder()
                        .node(A)
                        .node(A1)
                        .assign(0, 10, "aaaa-r1")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a master");
        assertThatThrownBy(() -> SlotMap.builder().assign(0, 10, "ghost").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a known node");
        assertThatThrownBy(() -> SlotMap.builder().assign(5, 4, "aaaa")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SlotMap.builder().assign(0, 16384, "aaaa"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void diffNamesWhatChanged() {
        ClusterNode c = ClusterNode.master("cccc", "10.0.0.6", 7000, ONLINE);
        ClusterNode promoted = ClusterNode.master("aaaa-r1", "10.0.0.3", 7000, ONLINE);
        SlotMap after = SlotMap.builder()
                .node(ClusterNode.master("aaaa", "10.0.0.1", 7000, FAILED))
                .node(promoted)
                .node(B)
                .node(c)
                .assign(0, 8191, "aaaa-r1")
                .assign(8192, 16283, "bbbb")
                .assign(16284, 16383, "cccc")
                .build();
        SlotMapDiff diff = SlotMapDiff.between(twoMasters(), after);
        assertThat(diff.added()).containsExactly(c);
        assertThat(diff.removed()).containsExactly(A2, B1);
        assertThat(diff.changed())
                .extracting(SlotMapDiff.Change::after)
                .containsExactly(ClusterNode.master("aaaa", "10.0.0.1", 7000, FAILED), promoted);
        assertThat(diff.movedSlots()).isEqualTo(8192 + 100);
        assertThat(diff.isEmpty()).isFalse();
        assertThat(diff.toString()).contains("1 node added", "2 nodes removed", "2 nodes changed", "8292 slots moved");
        assertThat(SlotMapDiff.between(twoMasters(), twoMasters()).isEmpty()).isTrue();
    }

    @Test
    void diffCountsSlotsThatLostOrGainedAMaster() {
        SlotMap half = SlotMap.builder().node(A).assign(0, 8191, "aaaa").build();
        SlotMap full = SlotMap.builder().node(A).assign(0, 16383, "aaaa").build();
        SlotMapDiff diff = SlotMapDiff.between(half, full);
        assertThat(diff.movedSlots()).isEqualTo(8192);
        assertThat(diff.toString()).contains("8192 -> 16384/16384 slots covered");
        assertThat(SlotMapDiff.between(full, half).movedSlots()).isEqualTo(8192);
    }

    @Test
    void describesItselfOneMasterPerLine() {
        assertThat(twoMasters().toString().lines().toList())
                .hasSize(6)
                .anySatisfy(line -> assertThat(line).contains("aaaa@10.0.0.1:7000 master [0-8191]"))
                .anySatisfy(line -> assertThat(line).contains("bbbb-r1@10.0.0.5:7000 replica failed"));
        assertThat(List.of(SlotMap.EMPTY.toString()))
                .containsExactly("SlotMap[0/16384 slots covered\n  uncovered [0-16383]]");
    }
}
