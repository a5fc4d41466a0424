package io.shardis.proxy.route;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.config.ReadFrom;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;

/**
 * A Redis Cluster's placement: key → hash slot (CRC16 with hash tags) → the index of the master
 * serving that slot in the current {@link SlotMap}, and for reads, when the pool's
 * {@code read_from} says so, one of that master's replicas. Each new map is turned into an
 * immutable snapshot and published with one volatile write; event loops read whichever is current.
 *
 * <p>Server indexes are those of the pool's node registry, which only grows: a node keeps its index
 * across maps, so connections made for it stay valid.
 */
public final class ClusterRouter implements ShardRouter {

    private static final int[] NO_REPLICAS = new int[0];
    /** Spreads one client's slots over the replicas of a master (Fibonacci hashing). */
    private static final int SLOT_SPREAD = 0x9E3779B9;

    private final IntSupplier nodeCount;
    private final ReadFrom readFrom;
    private final IntPredicate reachable;
    private volatile Snapshot current = new Snapshot(SlotMap.EMPTY, emptySlots(), emptyReplicas(), new int[0]);

    /**
     * @param slotServer   slot → server index, -1 when no master serves it
     * @param slotReplicas slot → server indexes of the online replicas of its master (one array per
     *                     master, shared by its slots); empty unless reads go to replicas
     * @param masters      masters serving slots, in the map's (id) order
     */
    private record Snapshot(SlotMap map, int[] slotServer, int[][] slotReplicas, int[] masters) {}

    /** Every command to masters. @param nodeCount how many servers the pool's node registry holds now */
    public ClusterRouter(IntSupplier nodeCount) {
        this(nodeCount, ReadFrom.MASTER, server -> true);
    }

    /**
     * @param nodeCount how many servers the pool's node registry holds now
     * @param readFrom  where {@link #readServerOfGroup} sends reads
     * @param reachable whether a server may take reads now; called on event loops for each replica
     *                  considered, so it must be a cheap, lock-free read
     */
    public ClusterRouter(IntSupplier nodeCount, ReadFrom readFrom, IntPredicate reachable) {
        this.nodeCount = nodeCount;
        this.readFrom = readFrom;
        this.reachable = reachable;
    }

    /**
     * Publishes a new slot map; {@code serverOf} gives (adding it if needed) a node's server index:
     * every master's, and every online replica's when reads go to replicas. Called off the event loops.
     */
    public void update(SlotMap map, ToIntFunction<ClusterNode> serverOf) {
        List<ClusterNode> masters = map.masters();
        int[] masterServers = new int[masters.size()];
        int[][] replicaServers = new int[masters.size()][];
        for (int m = 0; m < masterServers.length; m++) {
            masterServers[m] = serverOf.applyAsInt(masters.get(m));
            replicaServers[m] = NO_REPLICAS;
        }
        int[] slotServer = new int[HashSlot.SLOT_COUNT];
        int[][] slotReplicas = new int[HashSlot.SLOT_COUNT][];
        for (int slot = 0; slot < slotServer.length; slot++) {
            int master = map.masterIndex(slot);
            slotServer[slot] = master < 0 ? NO_SERVER : masterServers[master];
            if (master >= 0 && readFrom.readsReplicas() && replicaServers[master] == NO_REPLICAS) {
                replicaServers[master] =
                        map.replicas(slot).stream().mapToInt(serverOf).toArray();
            }
            slotReplicas[slot] = master < 0 ? NO_REPLICAS : replicaServers[master];
        }
        // Only masters that serve slots take keyless and every-shard commands: an empty master has no keys.
        int[] serving = Arrays.stream(masterServers)
                .filter(server -> Arrays.stream(slotServer).anyMatch(s -> s == server))
                .toArray();
        current = new Snapshot(map, slotServer, slotReplicas, serving);
    }

    /** The map in use. */
    public SlotMap map() {
        return current.map();
    }

    /** The servers of the masters that serve slots, in the map's order. */
    public int[] masters() {
        return current.masters().clone();
    }

    /** Where read-only commands go. */
    public ReadFrom readFrom() {
        return readFrom;
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

    /** Keyless commands (EVAL without keys, TIME…) spread over the masters by client. */
    @Override
    public int keylessServer(int clientSeed) {
        int[] masters = current.masters();
        return masters.length == 0 ? NO_SERVER : masters[Math.floorMod(clientSeed, masters.length)];
    }

    @Override
    public int groupFor(ByteBuf buf, int offset, int length) {
        return HashSlot.of(buf, offset, length);
    }

    @Override
    public int serverOfGroup(int slot) {
        return current.slotServer()[slot];
    }

    /**
     * The one place where a read's server is chosen. With {@code read_from: master}, the slot's
     * master. Otherwise one of the master's online replicas: the one {@code clientSeed} picks for
     * this slot, so that a client's reads of a slot stay on one replica and do not go back in time
     * between replicas; when that one is not reachable, the next reachable one in turn. When none
     * is: the master ({@code replica_preferred}) or {@link #NO_SERVER} ({@code replica}).
     * {@link #NO_SERVER} when no master serves the slot. Reads one snapshot; allocates nothing.
     */
    @Override
    public int readServerOfGroup(int slot, int clientSeed) {
        Snapshot snapshot = current;
        int master = snapshot.slotServer()[slot];
        if (master < 0 || !readFrom.readsReplicas()) {
            return master;
        }
        int[] replicas = snapshot.slotReplicas()[slot];
        int count = replicas.length;
        if (count > 0) {
            int first = Integer.remainderUnsigned(clientSeed ^ (slot * SLOT_SPREAD), count);
            for (int i = 0; i < count; i++) {
                int replica = replicas[(first + i) % count];
                if (reachable.test(replica)) {
                    return replica;
                }
            }
        }
        return readFrom == ReadFrom.REPLICA ? NO_SERVER : master;
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

    private static int[][] emptyReplicas() {
        int[][] replicas = new int[HashSlot.SLOT_COUNT][];
        Arrays.fill(replicas, NO_REPLICAS);
        return replicas;
    }
}
