package io.shardis.topology.cluster;

import static io.shardis.topology.cluster.CapturedReplies.MASTER_0;
import static io.shardis.topology.cluster.CapturedReplies.MASTER_1;
import static io.shardis.topology.cluster.CapturedReplies.MASTER_2;
import static io.shardis.topology.cluster.CapturedReplies.REPLICA_0;
import static io.shardis.topology.cluster.CapturedReplies.REPLICA_1;
import static io.shardis.topology.cluster.CapturedReplies.REPLICA_2;
import static io.shardis.topology.cluster.CapturedReplies.value;
import static io.shardis.topology.cluster.ClusterNode.Health.FAILED;
import static io.shardis.topology.cluster.ClusterNode.Health.LOADING;
import static io.shardis.topology.cluster.ClusterNode.Health.ONLINE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.resp.RespValue;
import io.shardis.resp.RespValue.Array;
import io.shardis.resp.RespValue.BulkString;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterTopologyParserTest {

    private static final String ASKED = "192.0.2.10";

    private static SlotMap shards(String file) {
        return ClusterTopologyParser.parseShards(value(file), ASKED);
    }

    private static SlotMap slots(String file) {
        return ClusterTopologyParser.parseSlots(value(file), ASKED);
    }

    @Test
    void readsMastersReplicasAndSlotsFromClusterShards() {
        SlotMap map = shards("shards-3x1.resp");
        assertThat(map.isCovered()).isTrue();
        assertThat(map.masters()).extracting(ClusterNode::id).containsExactlyInAnyOrder(MASTER_0, MASTER_1, MASTER_2);
        assertThat(map.master(0)).isEqualTo(ClusterNode.master(MASTER_0, "127.0.0.1", 37355, ONLINE));
        assertThat(map.master(5460).id()).isEqualTo(MASTER_0);
        assertThat(map.master(5461).id()).isEqualTo(MASTER_1);
        assertThat(map.master(10921).id()).isEqualTo(MASTER_1);
        assertThat(map.master(10922)).isEqualTo(ClusterNode.master(MASTER_2, "127.0.0.1", 46551, ONLINE));
        assertThat(map.replicas(0))
                .containsExactly(ClusterNode.replica(REPLICA_0, "127.0.0.1", 45789, MASTER_0, ONLINE));
        assertThat(map.replicas(6000)).extracting(ClusterNode::id).containsExactly(REPLICA_1);
        assertThat(map.replicas(16383)).extracting(ClusterNode::id).containsExactly(REPLICA_2);
        assertThat(map.nodes()).hasSize(6);
    }

    @ParameterizedTest
    @ValueSource(strings = {"shards-3x1-resp3.resp", "slots-3x1.resp", "slots-3x1-resp3.resp"})
    void resp3AndClusterSlotsDescribeTheSameCluster(String file) {
        SlotMap map = file.startsWith("shards") ? shards(file) : slots(file);
        assertThat(map).isEqualTo(shards("shards-3x1.resp"));
    }

    @Test
    void withHostnamesPreferredButNoneSetNodesAreReachedByIp() {
        // The endpoint is '?'; the IP is in the node's fields (SHARDS) or metadata (SLOTS).
        assertThat(shards("shards-hostname-unset.resp")).isEqualTo(shards("shards-3x1.resp"));
        assertThat(slots("slots-hostname-unset.resp")).isEqualTo(shards("shards-3x1.resp"));
    }

    @Test
    void withAnUnknownEndpointNodesAreReachedAtTheHostAsked() {
        // CLUSTER SHARDS gives an empty endpoint, CLUSTER SLOTS a null one: use the host the reply came from.
        SlotMap map = shards("shards-unknown-endpoint.resp");
        assertThat(map.nodes()).extracting(ClusterNode::host).containsOnly(ASKED);
        assertThat(map.master(0).port()).isEqualTo(37355);
        assertThat(slots("slots-unknown-endpoint.resp")).isEqualTo(map);
    }

    @Test
    void announcedHostnamesAreTheEndpoints() {
        SlotMap map = shards("shards-hostnames.resp");
        assertThat(map.nodes())
                .allSatisfy(node -> assertThat(node.host()).isEqualTo("node-" + node.port() + ".example"));
        assertThat(map.master(0).address()).isEqualTo("node-37355.example:37355");
        assertThat(slots("slots-hostnames.resp")).isEqualTo(map);
    }

    @Test
    void afterAFailoverThePromotedReplicaServesTheSlotsAndTheDeadMasterKeepsNone() {
        SlotMap map = shards("shards-after-failover.resp");
        assertThat(map.master(0)).isEqualTo(ClusterNode.master(REPLICA_0, "127.0.0.1", 45789, ONLINE));
        assertThat(map.replicas(0)).isEmpty();
        assertThat(map.isCovered()).isTrue();
        ClusterNode dead = map.node(MASTER_0);
        // A shard with no slot: the failed master is still reported, with its last known hostname.
        assertThat(dead.health()).isEqualTo(FAILED);
        assertThat(dead.isMaster()).isTrue();
        assertThat(dead.host()).isEqualTo("127.0.0.1");
        assertThat(map.slotsOf(dead)).isEmpty();
        assertThat(map.masters()).hasSize(4);
    }

    @Test
    void clusterSlotsAfterAFailoverLeavesTheDeadMasterOut() {
        SlotMap fromSlots = slots("slots-after-failover.resp");
        SlotMap fromShards = shards("shards-after-failover.resp");
        assertThat(fromSlots.node(MASTER_0)).isNull();
        assertThat(fromSlots.nodes()).hasSize(5);
        for (int slot = 0; slot < HashSlot.SLOT_COUNT; slot += 97) {
            assertThat(fromSlots.master(slot)).isEqualTo(fromShards.master(slot));
            assertThat(fromSlots.replicas(slot)).isEqualTo(fromShards.replicas(slot));
        }
    }

    @Test
    void aShardThatListsItsFailedFormerMasterGivesTheSlotsToTheLiveOne() {
        RespValue reply = Array.of(shard(
                List.of(0, 16383),
                node("old", 7000, "master", "failed"),
                node("new", 7001, "master", "online"),
                node("replica", 7002, "replica", "loading")));
        SlotMap map = ClusterTopologyParser.parseShards(reply, ASKED);
        assertThat(map.master(100).id()).isEqualTo("new");
        assertThat(map.node("replica")).isEqualTo(ClusterNode.replica("replica", "10.0.0.1", 7002, "new", LOADING));
        assertThat(map.replicas(100)).as("a loading replica is no read target").isEmpty();
    }

    @Test
    void aShardWithTwoLiveMastersIsRefused() {
        RespValue reply = Array.of(
                shard(List.of(0, 16383), node("one", 7000, "master", "online"), node("two", 7001, "master", "online")));
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(reply, ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("one live master");
    }

    @Test
    void readsSeveralRangesPerShardAndTlsOnlyPorts() {
        RespValue tlsNode = fields(
                "id",
                bulk("tls"),
                "tls-port",
                new RespValue.Integer(6380),
                "ip",
                bulk("10.0.0.9"),
                "endpoint",
                bulk("10.0.0.9"),
                "role",
                bulk("master"),
                "health",
                bulk("online"));
        RespValue reply = Array.of(shard(List.of(0, 9, 20, 16383), tlsNode));
        SlotMap map = ClusterTopologyParser.parseShards(reply, ASKED);
        assertThat(map.master(5).address()).isEqualTo("10.0.0.9:6380");
        assertThat(map.uncoveredSlots()).containsExactly(new SlotRange(10, 19));
    }

    @Test
    void overTlsANodeIsReachedAtItsTlsPortAndByItsHostName() {
        // tls-cluster yes with both ports: CLUSTER SHARDS reports each; plain clients keep 'port'.
        RespValue both = fields(
                "id",
                bulk("both"),
                "port",
                new RespValue.Integer(6379),
                "tls-port",
                new RespValue.Integer(6380),
                "ip",
                bulk("10.0.0.9"),
                "endpoint",
                bulk("redis-1.internal"),
                "hostname",
                bulk("redis-1.internal"),
                "role",
                bulk("master"),
                "health",
                bulk("online"));
        RespValue reply = Array.of(shard(List.of(0, 16383), both));
        assertThat(ClusterTopologyParser.parseShards(reply, ASKED, true)
                        .master(0)
                        .address())
                .isEqualTo("redis-1.internal:6380");
        assertThat(ClusterTopologyParser.parseShards(reply, ASKED, false)
                        .master(0)
                        .address())
                .isEqualTo("redis-1.internal:6379");
        assertThat(ClusterTopologyParser.parseShards(reply, ASKED).master(0).address())
                .isEqualTo("redis-1.internal:6379");
    }

    @Test
    void readsOldClusterSlotsRepliesWithoutIds() {
        // Redis 3: [first, last, [host, port], [host, port]...]
        RespValue reply = Array.of(Array.of(
                new RespValue.Integer(0),
                new RespValue.Integer(16383),
                Array.of(bulk("10.0.0.1"), new RespValue.Integer(7000)),
                Array.of(bulk("10.0.0.2"), new RespValue.Integer(7000))));
        SlotMap map = ClusterTopologyParser.parseSlots(reply, ASKED);
        assertThat(map.master(0)).isEqualTo(ClusterNode.master("10.0.0.1:7000", "10.0.0.1", 7000, ONLINE));
        assertThat(map.replicas(0))
                .containsExactly(ClusterNode.replica("10.0.0.2:7000", "10.0.0.2", 7000, "10.0.0.1:7000", ONLINE));
    }

    @Test
    void anErrorReplyBecomesTheExceptionMessage() {
        RespValue error = new RespValue.SimpleError("ERR This instance has cluster support disabled");
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(error, ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("cluster support disabled");
        assertThatThrownBy(() -> ClusterTopologyParser.parseSlots(error, ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("cluster support disabled");
    }

    @Test
    void malformedRepliesAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(
                        Array.of(shard(List.of(0), node("a", 7000, "master", "online"))), ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("odd number of slot bounds");
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(
                        Array.of(shard(List.of(0, 16384), node("a", 7000, "master", "online"))), ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("slot out of range");
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(
                        Array.of(shard(List.of(0, 1), node("a", 7000, "arbiter", "online"))), ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("unknown role 'arbiter'");
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(Array.of(fields("nodes", Array.of())), ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("without 'slots'");
        assertThatThrownBy(() -> ClusterTopologyParser.parseSlots(
                        Array.of(Array.of(new RespValue.Integer(0), new RespValue.Integer(5))), ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("without a master");
        assertThatThrownBy(() -> ClusterTopologyParser.parseSlots(new RespValue.Integer(3), ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("not an array");
    }

    @Test
    void twoShardsClaimingOneSlotAreRefused() {
        RespValue reply = Array.of(
                shard(List.of(0, 100), node("a", 7000, "master", "online")),
                shard(List.of(100, 16383), node("b", 7001, "master", "online")));
        assertThatThrownBy(() -> ClusterTopologyParser.parseShards(reply, ASKED))
                .isInstanceOf(ClusterTopologyException.class)
                .hasMessageContaining("slot 100");
    }

    private static RespValue shard(List<Integer> bounds, RespValue... nodes) {
        List<RespValue> slots = new ArrayList<>();
        bounds.forEach(bound -> slots.add(new RespValue.Integer(bound)));
        return fields("slots", new Array(slots), "nodes", Array.of(nodes));
    }

    private static RespValue node(String id, int port, String role, String health) {
        return fields(
                "id",
                bulk(id),
                "port",
                new RespValue.Integer(port),
                "ip",
                bulk("10.0.0.1"),
                "endpoint",
                bulk("10.0.0.1"),
                "role",
                bulk(role),
                "replication-offset",
                new RespValue.Integer(1),
                "health",
                bulk(health));
    }

    /** A RESP2 map: names and values in one flat array. */
    private static RespValue fields(Object... namesAndValues) {
        List<RespValue> flat = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            flat.add(bulk((String) namesAndValues[i]));
            flat.add((RespValue) namesAndValues[i + 1]);
        }
        return new Array(flat);
    }

    private static BulkString bulk(String text) {
        return BulkString.of(text);
    }
}
