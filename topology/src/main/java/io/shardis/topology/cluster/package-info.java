/**
 * Redis Cluster topology: which node serves a key. {@link io.shardis.topology.cluster.HashSlot}
 * maps a key to its slot as Redis does; {@link io.shardis.topology.cluster.SlotMap} is an
 * immutable slot-to-master map with each master's replicas, swapped whole on every change.
 *
 * <p>The control plane learns maps off the event loops:
 * {@link io.shardis.topology.cluster.LettuceTopologySource} asks nodes {@code CLUSTER SHARDS} (or
 * {@code CLUSTER SLOTS}), {@link io.shardis.topology.cluster.ClusterTopologyParser} reads the
 * reply, and {@link io.shardis.topology.cluster.ClusterTopologyRefresher} refreshes periodically
 * and on request, rate limited, handing changed maps to a listener.
 *
 * <p>Replies are parsed as {@link io.shardis.resp.RespValue}, Shardis' own decoded RESP, not as
 * Lettuce's typed results: the parser then has no client in it, and tests feed it replies
 * recorded byte for byte from real clusters.
 */
package io.shardis.topology.cluster;
