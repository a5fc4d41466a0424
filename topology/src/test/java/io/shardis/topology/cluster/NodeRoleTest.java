package io.shardis.topology.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shardis.resp.RespValue;
import io.shardis.resp.RespValue.Array;
import io.shardis.resp.RespValue.BulkString;
import org.junit.jupiter.api.Test;

class NodeRoleTest {

    private static Array replica(String state) {
        return Array.of(
                BulkString.of("slave"),
                BulkString.of("127.0.0.1"),
                new RespValue.Integer(7000),
                BulkString.of(state),
                new RespValue.Integer(state.equals("connected") ? 1234 : -1));
    }

    @Test
    void aMasterServesReads() {
        NodeRole role = NodeRole.parse(Array.of(
                BulkString.of("master"),
                new RespValue.Integer(3129659),
                Array.of(Array.of(BulkString.of("127.0.0.1"), BulkString.of("9001"), BulkString.of("3129242")))));
        assertThat(role.master()).isTrue();
        assertThat(role.servesReads()).isTrue();
    }

    @Test
    void aReplicaServesReadsOnlyWhileItsLinkToItsMasterIsUp() {
        assertThat(NodeRole.parse(replica("connected")).servesReads()).isTrue();
        for (String state : new String[] {"connect", "connecting", "sync", "handshake", "none"}) {
            NodeRole role = NodeRole.parse(replica(state));
            assertThat(role.master()).as(state).isFalse();
            assertThat(role.replicationState()).isEqualTo(state);
            assertThat(role.servesReads()).as(state).isFalse();
        }
    }

    @Test
    void refusesWhatIsNotARoleReply() {
        assertThatThrownBy(() -> NodeRole.parse(BulkString.of("master"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NodeRole.parse(Array.of(BulkString.of("sentinel"), Array.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sentinel");
        assertThatThrownBy(() -> NodeRole.parse(Array.of(BulkString.of("slave"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
