package io.shardis.proxy.route;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}
