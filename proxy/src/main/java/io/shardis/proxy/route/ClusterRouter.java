package io.shardis.proxy.route;

import io.netty.buffer.ByteBuf;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A Redis Cluster's placement: key → hash slot (CRC16 with hash tags) → the index of the master
 * serving that slot in the current {@link SlotMap}. Each new map is turned into an immutable
 * snapshot and published with one volatile write; event loops read whichever is current.
 *
 * <p>Server indexes are those of the pool's node registry, which only grows: a node keeps its index
 * across maps, so connections made for it stay valid.
 */
public final class ClusterRouter implements ShardRouter {

    private final java.util.function.IntSupplier nodeCount;
    private volatile Snapshot current = new Snapshot(SlotMap.EMPTY, emptySlots(), new int[0]);

    /** @param slotServer slot → server index, -1 when no master serves it; masters in the map's (id) order */
    private record Snapshot(SlotMap map, int[] slotServer, int[] masters) {
    }

    /** @param nodeCount how many servers the pool's node registry holds now */
    public ClusterRouter(java.util.function.IntSupplier nodeCount) {
        this.nodeCount = nodeCount;
    }

    /**
     * Publishes a new slot map; {@code serverOf} gives (adding it if needed) a master's server index.
     * Called off the event loops.
     */
    public void update(SlotMap map, ToIntFunction<ClusterNode> serverOf) {
        List<ClusterNode> masters = map.masters();
        int[] masterServers = new int[masters.size()];
        for (int m = 0; m < masterServers.length; m++) {
            masterServers[m] = serverOf.applyAsInt(masters.get(m));
        }
        int[] slotServer = new int[HashSlot.SLOT_COUNT];
        for (int slot = 0; slot < slotServer.length; slot++) {
            int master = map.masterIndex(slot);
            slotServer[slot] = master < 0 ? NO_SERVER : masterServers[master];
        }
        // Only masters that serve slots take keyless and every-shard commands: an empty master has no keys.
        int[] serving = Arrays.stream(masterServers)
                .filter(server -> Arrays.stream(slotServer).anyMatch(s -> s == server)).toArray();
        current = new Snapshot(map, slotServer, serving);
    }

    /** The map in use. */
    public SlotMap map() {
        return current.map();
    }

    /** The servers of the masters that serve slots, in the map's order. */
    public int[] masters() {
        return current.masters().clone();
    }

    @Override
    public int serverCount() {
        return nodeCount.getAsInt();
    }

    @Override
    public int serverFor(ByteBuf buf, int offset, int length) {
        return current.slotServer()[HashSlot.of(buf, offset, length)];
    }

    @Override
    public int keylessServer() {
        int[] masters = current.masters();
        return masters.length == 0 ? NO_SERVER : masters[0];
    }

    @Override
    public int groupFor(ByteBuf buf, int offset, int length) {
        return HashSlot.of(buf, offset, length);
    }

    @Override
    public int serverOfGroup(int slot) {
        return current.slotServer()[slot];
    }

    @Override
    public int groupCount() {
        return HashSlot.SLOT_COUNT;
    }

    @Override
    public boolean groupsAreSlots() {
        return true;
    }

    @Override
    public int scanServerCount() {
        return current.masters().length;
    }

    @Override
    public int scanServer(int step) {
        int[] masters = current.masters();
        return step < masters.length ? masters[step] : NO_SERVER;
    }

    private static int[] emptySlots() {
        int[] slots = new int[HashSlot.SLOT_COUNT];
        Arrays.fill(slots, NO_SERVER);
        return slots;
    }
}
