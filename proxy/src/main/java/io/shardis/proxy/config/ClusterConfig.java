package io.shardis.proxy.config;

import java.util.List;

/**
 * A pool in front of a Redis Cluster ({@code cluster:} in the pool), instead of a list of servers.
 *
 * @param seeds                 nodes asked for the slot map at start; the cluster's own nodes after that
 * @param readFrom              where read-only commands go: masters, or replicas of their slot
 * @param refreshIntervalMillis time between periodic slot map refreshes (MOVED and failures also trigger one)
 * @param failoverTimeoutMillis how long a command may wait for a node to serve its slot again (its
 *                              node unreachable, CLUSTERDOWN, TRYAGAIN) before its client gets the
 *                              error; 0 fails such commands at once
 */
public record ClusterConfig(List<HostPort> seeds, ReadFrom readFrom, int refreshIntervalMillis, int failoverTimeoutMillis) {

    public static final int DEFAULT_REFRESH_INTERVAL_MILLIS = 10_000;
    /** Covers a failover with a few seconds' cluster-node-timeout; longer ones need a longer wait. */
    public static final int DEFAULT_FAILOVER_TIMEOUT_MILLIS = 5_000;

    public ClusterConfig {
        seeds = List.copyOf(seeds);
        java.util.Objects.requireNonNull(readFrom, "readFrom");
    }
}
