package io.shardis.proxy.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pool: a listening address and the backends behind it. Keys and defaults are Twemproxy's
 * (nutcracker.yml), plus Shardis' own, documented in {@code conf/shardis.yml}.
 *
 * @param timeoutMillis   how long a request may wait for its backend's reply; 0 waits forever
 *                        (Twemproxy's default)
 * @param maxPipeline     replies a client may have outstanding before Shardis stops reading from it
 * @param maxRequestBytes largest request accepted from a client
 * @param maxBulkBytes    largest single argument accepted from a client
 * @param listenMode      permissions of a Unix listen socket (octal in the file), -1 to leave them be
 * @param sentinels       Redis Sentinels that say where each server (by name: its Sentinel master
 *                        name) is; empty when the servers' addresses are fixed
 * @param sentinelUser    ACL user for the Sentinels, or null
 * @param sentinelAuth    password for the Sentinels, or null
 * @param redisUser       ACL user Shardis authenticates as on every backend connection, with
 *                        {@code redis_auth} as its password; null for the default user
 * @param cluster         the Redis Cluster behind the pool, or null for a pool of {@code servers}
 * @param connectTimeout  ms a backend connection may take to open; 0 to derive it (see
 *                        {@link #connectTimeoutMillis})
 * @param failoverTimeoutMillis in cluster and Sentinel pools, how long a command may wait while no
 *                        server can take it (its master unreachable until a replica is promoted;
 *                        CLUSTERDOWN, TRYAGAIN) before its client gets the error; 0 fails at once
 * @param clientReplyLimit bytes of replies held for one client ({@code max_client_reply_bytes})
 * @param users           the pool's proxy users, by name, each with its ACL rules in Redis'
 *                        vocabulary ({@code on >password ~cache:* +@read}); empty when the pool
 *                        has none (then {@code redis_auth}, if set, is also the clients' password)
 * @param tls             TLS towards clients, backends and Sentinels; {@link TlsConfig#NONE} for plain TCP
 */
public record PoolConfig(
        String name,
        HostPort listen,
        String hash,
        String hashTag,
        String distribution,
        int timeoutMillis,
        int backlog,
        boolean preconnect,
        String redisAuth,
        int redisDb,
        int serverConnections,
        int clientConnections,
        boolean autoEjectHosts,
        int serverRetryTimeoutMillis,
        int serverFailureLimit,
        boolean allowAdmin,
        int maxPipeline,
        long maxRequestBytes,
        long maxBulkBytes,
        List<ServerConfig> servers,
        int listenMode,
        List<HostPort> sentinels,
        String sentinelUser,
        String sentinelAuth,
        ClusterConfig cluster,
        String redisUser,
        int connectTimeout,
        int failoverTimeoutMillis,
        ClientReplyLimit clientReplyLimit,
        Map<String, List<String>> users,
        TlsConfig tls) {

    /** Covers a failover within a few seconds; longer ones need a longer wait. */
    public static final int DEFAULT_FAILOVER_TIMEOUT_MILLIS = 5_000;

    public PoolConfig {
        servers = List.copyOf(servers);
        sentinels = List.copyOf(sentinels);
        tls = tls == null ? TlsConfig.NONE : tls;
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        users.forEach((user, rules) -> ordered.put(user, List.copyOf(rules)));
        users = java.util.Collections.unmodifiableMap(ordered);
    }

    /** Without the secrets (redis_auth, sentinel_auth, the users' rules), which must never reach a log. */
    @Override
    public String toString() {
        return "PoolConfig[name=" + name + ", listen=" + listen + ", servers=" + servers
                + (cluster != null ? ", cluster=" + cluster : "") + ", users=" + users.keySet() + "]";
    }

    /** Whether commands of an unreachable master wait for its replacement: cluster and Sentinel pools. */
    public boolean holdsForFailover() {
        return failoverTimeoutMillis > 0 && (cluster != null || !sentinels.isEmpty());
    }

    /** Whether Sentinel says where the servers are. */
    public boolean followsSentinel() {
        return !sentinels.isEmpty();
    }

    /** Whether the pool fronts a Redis Cluster, whose nodes come from its slot map rather than {@code servers}. */
    public boolean isCluster() {
        return cluster != null;
    }

    /** Connect timeout towards backends: {@code connect_timeout}, else the request timeout, else 3 s. */
    public int connectTimeoutMillis() {
        if (connectTimeout > 0) {
            return connectTimeout;
        }
        return timeoutMillis > 0 ? timeoutMillis : 3000;
    }
}
