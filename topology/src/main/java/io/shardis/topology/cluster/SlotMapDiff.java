package io.shardis.topology.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What changed from one {@link SlotMap} to the next, for the log line of a topology change:
 * nodes that joined or left, nodes whose address, role, master or health changed, and how many
 * slots changed master (including slots that became served or unserved).
 *
 * @param added      nodes in the new map only
 * @param removed    nodes in the old map only
 * @param changed    nodes in both under the same id but described differently, as they are now
 * @param movedSlots slots whose master (by id) differs between the maps
 */
public record SlotMapDiff(
        List<ClusterNode> added,
        List<ClusterNode> removed,
        List<Change> changed,
        int movedSlots,
        int coveredBefore,
        int coveredAfter) {

    /** One node as it was and as it is. */
    public record Change(ClusterNode before, ClusterNode after) {
        @Override
        public String toString() {
            return before.describe() + " -> " + after.describe();
        }
    }

    public SlotMapDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
    }

    public static SlotMapDiff between(SlotMap before, SlotMap after) {
        Map<String, ClusterNode> old = byId(before.nodes());
        Map<String, ClusterNode> now = byId(after.nodes());
        List<ClusterNode> added = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        for (ClusterNode node : after.nodes()) {
            ClusterNode was = old.get(node.id());
            if (was == null) {
                added.add(node);
            } else if (!was.equals(node)) {
                changed.add(new Change(was, node));
            }
        }
        List<ClusterNode> removed = before.nodes().stream()
                .filter(node -> !now.containsKey(node.id()))
                .toList();
        int moved = 0;
        for (int slot = 0; slot < HashSlot.SLOT_COUNT; slot++) {
            ClusterNode was = before.master(slot);
            ClusterNode is = after.master(slot);
            if (was == null ? is != null : is == null || !was.id().equals(is.id())) {
                moved++;
            }
        }
        return new SlotMapDiff(added, removed, changed, moved, before.coveredSlotCount(), after.coveredSlotCount());
    }

    /** Whether the two maps are equal. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && movedSlots == 0;
    }

    /** E.g. {@code 1 node added [...]; 1 node changed [...]; 5461 slots moved; 16384/16384 slots covered}. */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "no change";
        }
        List<String> parts = new ArrayList<>();
        if (!added.isEmpty()) {
            parts.add(count(added.size(), "node") + " added " + described(added));
        }
        if (!removed.isEmpty()) {
            parts.add(count(removed.size(), "node") + " removed " + described(removed));
        }
        if (!changed.isEmpty()) {
            parts.add(count(changed.size(), "node") + " changed " + changed);
        }
        if (movedSlots > 0) {
            parts.add(count(movedSlots, "slot") + " moved");
        }
        parts.add((coveredBefore == coveredAfter ? "" : coveredBefore + " -> ") + coveredAfter + "/"
                + HashSlot.SLOT_COUNT + " slots covered");
        return String.join("; ", parts);
    }

    private static Map<String, ClusterNode> byId(List<ClusterNode> nodes) {
        return nodes.stream().collect(Collectors.toMap(ClusterNode::id, Function.identity()));
    }

    private static String described(List<ClusterNode> nodes) {
        return nodes.stream().map(ClusterNode::describe).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
