package io.shardis.proxy.config;

import java.util.List;
import java.util.Objects;

/**
 * A pool in front of a Redis Cluster ({@code cluster:} in the pool), instead of a list of servers.
 *
 * @param seeds                 nodes asked for the slot map at start; the cluster's own nodes after that
 * @param readFrom              where read-only commands go: masters, or replicas of their slot
 * @param refreshIntervalMillis time between periodic slot map refreshes (MOVED and failures also trigger one)
 */
public record ClusterConfig(List<HostPort> seeds, ReadFrom readFrom, int refreshIntervalMillis) {

    public ClusterConfig {
        seeds = List.copyOf(seeds);
        Objects.requireNonNull(readFrom, "readFrom");
    }
}
