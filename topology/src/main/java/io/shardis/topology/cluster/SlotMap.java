package io.shardis.topology.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable view of a Redis Cluster: which master serves each of the 16384 slots, the replicas
 * of each master, and every node the cluster reported. Built once per topology refresh and
 * swapped whole; lookups by slot are an array read and allocate nothing.
 *
 * <p>Nodes and masters are kept in id order, so two maps built from the same cluster state are
 * {@linkplain #equals equal} whatever order the replies listed them in. {@link SlotMapDiff} says
 * what changed between two maps.
 */
public final class SlotMap {

    /** No node, no slot covered: what a proxy knows before its first refresh. */
    public static final SlotMap EMPTY = builder().build();

    private static final Comparator<ClusterNode> BY_ID = Comparator.comparing(ClusterNode::id);

    private final List<ClusterNode> nodes;
    private final List<ClusterNode> masters;
    private final ClusterNode[] masterArray;
    /** Per master index: its online replicas, the read targets. */
    private final List<List<ClusterNode>> onlineReplicas;
    /** Slot to index in {@link #masters}; -1 when no master serves the slot. */
    private final short[] slotToMaster;

    private final int coveredSlots;

    private SlotMap(List<ClusterNode> nodes, short[] slotToMaster) {
        this.nodes = List.copyOf(nodes);
        this.masters = nodes.stream().filter(ClusterNode::isMaster).toList();
        this.masterArray = masters.toArray(new ClusterNode[0]);
        List<List<ClusterNode>> replicas = new ArrayList<>(masters.size());
        for (ClusterNode master : masters) {
            replicas.add(nodes.stream()
                    .filter(node ->
                            !node.isMaster() && node.isOnline() && master.id().equals(node.masterId()))
                    .toList());
        }
        this.onlineReplicas = List.copyOf(replicas);
        this.slotToMaster = slotToMaster;
        int covered = 0;
        for (short owner : slotToMaster) {
            if (owner >= 0) {
                covered++;
            }
        }
        this.coveredSlots = covered;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The master serving {@code slot} (0 to 16383), or {@code null} when none does. */
    public ClusterNode master(int slot) {
        int index = slotToMaster[slot];
        return index < 0 ? null : masterArray[index];
    }

    /** The index in {@link #masters()} of the master serving {@code slot}, or -1 when none does. */
    public int masterIndex(int slot) {
        return slotToMaster[slot];
    }

    /**
     * The online replicas of the master serving {@code slot}: where reads may go. Empty when the
     * master has none or no master serves the slot. Failed and loading replicas are left out.
     */
    public List<ClusterNode> replicas(int slot) {
        int index = slotToMaster[slot];
        return index < 0 ? List.of() : onlineReplicas.get(index);
    }

    /** Every node reported, masters (with or without slots) and replicas of any health, in id order. */
    public List<ClusterNode> nodes() {
        return nodes;
    }

    /** Every master, including masters serving no slot, in id order. */
    public List<ClusterNode> masters() {
        return masters;
    }

    /** Every replica reported, of any health, in id order. */
    public List<ClusterNode> replicas() {
        return nodes.stream().filter(node -> !node.isMaster()).toList();
    }

    /** The node with this id, or {@code null}. */
    public ClusterNode node(String id) {
        for (ClusterNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        return null;
    }

    /** The node at {@code host:port}, as a MOVED or ASK reply names it, or {@code null}. */
    public ClusterNode nodeAt(String host, int port) {
        for (ClusterNode node : nodes) {
            if (node.port() == port && node.host().equalsIgnoreCase(host)) {
                return node;
            }
        }
        return null;
    }

    /** Whether every slot has a master. */
    public boolean isCovered() {
        return coveredSlots == HashSlot.SLOT_COUNT;
    }

    public int coveredSlotCount() {
        return coveredSlots;
    }

    /** The slots {@code master} serves, as ascending ranges; empty for a node that serves none. */
    public List<SlotRange> slotsOf(ClusterNode master) {
        int index = masters.indexOf(master);
        return index < 0 ? List.of() : ranges(index);
    }

    /** The slots no master serves, as ascending ranges. */
    public List<SlotRange> uncoveredSlots() {
        return ranges(-1);
    }

    private List<SlotRange> ranges(int owner) {
        List<SlotRange> ranges = new ArrayList<>();
        int start = -1;
        for (int slot = 0; slot <= HashSlot.SLOT_COUNT; slot++) {
            boolean owned = slot < HashSlot.SLOT_COUNT && slotToMaster[slot] == owner;
            if (owned && start < 0) {
                start = slot;
            } else if (!owned && start >= 0) {
                ranges.add(new SlotRange(start, slot - 1));
                start = -1;
            }
        }
        return ranges;
    }

    /** Same nodes (id, address, role, master, health) and the same master for every slot. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SlotMap that
                && nodes.equals(that.nodes)
                && Arrays.equals(slotToMaster, that.slotToMaster);
    }

    @Override
    public int hashCode() {
        return 31 * nodes.hashCode() + Arrays.hashCode(slotToMaster);
    }

    /** One line per master: its slots and replicas; then uncovered slots, if any. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("SlotMap[")
                .append(coveredSlots)
                .append('/')
                .append(HashSlot.SLOT_COUNT)
                .append(" slots covered");
        for (int i = 0; i < masters.size(); i++) {
            ClusterNode master = masters.get(i);
            out.append("\n  ").append(master.describe()).append(' ').append(ranges(i));
            for (ClusterNode node : nodes) {
                if (!node.isMaster() && master.id().equals(node.masterId())) {
                    out.append("\n    ").append(node.describe());
                }
            }
        }
        if (!isCovered()) {
            out.append("\n  uncovered ").append(uncoveredSlots());
        }
        return out.append(']').toString();
    }

    /** Collects nodes and slot assignments; {@link #build()} checks them and makes the map. */
    public static final class Builder {
        private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
        private final String[] owners = new String[HashSlot.SLOT_COUNT];

        private Builder() {}

        /**
         * Adds a node. The same node may be added again (a {@code CLUSTER SLOTS} reply repeats a
         * node once per range it serves), but not a different node under the same id.
         */
        public Builder node(ClusterNode node) {
            ClusterNode known = nodes.putIfAbsent(node.id(), node);
            if (known != null && !known.equals(node)) {
                throw new IllegalArgumentException(
                        "node " + node.id() + " reported twice, differently: " + known + " and " + node);
            }
            return this;
        }

        /** Assigns slots {@code first} to {@code last} (both included) to the master with id {@code masterId}. */
        public Builder assign(int first, int last, String masterId) {
            SlotRange range = new SlotRange(first, last);
            Objects.requireNonNull(masterId, "masterId");
            for (int slot = range.first(); slot <= range.last(); slot++) {
                String owner = owners[slot];
                if (owner != null && !owner.equals(masterId)) {
                    throw new IllegalArgumentException(
                            "slot " + slot + " claimed by both " + owner + " and " + masterId);
                }
                owners[slot] = masterId;
            }
            return this;
        }

        public Builder assign(SlotRange range, String masterId) {
            return assign(range.first(), range.last(), masterId);
        }

        /**
         * @throws IllegalArgumentException when a slot is assigned to a node that was not added or
         *                                  is not a master
         */
        public SlotMap build() {
            List<ClusterNode> sorted = new ArrayList<>(nodes.values());
            sorted.sort(BY_ID);
            Map<String, Short> masterIndexes = new LinkedHashMap<>();
            for (ClusterNode node : sorted) {
                if (node.isMaster()) {
                    masterIndexes.put(node.id(), (short) masterIndexes.size());
                }
            }
            short[] slotToMaster = new short[HashSlot.SLOT_COUNT];
            for (int slot = 0; slot < HashSlot.SLOT_COUNT; slot++) {
                String owner = owners[slot];
                if (owner == null) {
                    slotToMaster[slot] = -1;
                    continue;
                }
                Short index = masterIndexes.get(owner);
                if (index == null) {
                    throw new IllegalArgumentException("slot " + slot + " assigned to " + owner
                            + (nodes.containsKey(owner) ? ", which is not a master" : ", which is not a known node"));
                }
                slotToMaster[slot] = index;
            }
            return new SlotMap(sorted, slotToMaster);
        }
    }
}
