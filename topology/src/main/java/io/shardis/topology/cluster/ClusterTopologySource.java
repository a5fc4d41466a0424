package io.shardis.topology.cluster;

/**
 * Where cluster topology comes from. The production source asks real nodes
 * ({@link LettuceTopologySource}); tests give canned maps.
 */
public interface ClusterTopologySource {

    /**
     * The cluster's current slot map as one node sees it. Blocks for network round trips: call it
     * from a control-plane thread, never from an event loop.
     *
     * @throws ClusterTopologyException when no node could be asked or none gave a usable answer
     */
    SlotMap fetch();
}
