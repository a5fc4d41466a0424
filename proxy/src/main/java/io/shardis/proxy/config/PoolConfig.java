package io.shardis.proxy.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pool: a listening address and the backends behind it, as small records by concern. Keys and
 * defaults are Twemproxy's (nutcracker.yml), plus Shardis' own, documented in {@code conf/shardis.yml};
 * the defaults are in one table, {@link PoolDefaults}.
 *
 * @param listen    where clients connect
 * @param sharding  the {@code servers} and how keys are placed on them; {@link Sharding#NONE} in a
 *                  cluster pool, whose slot map places keys
 * @param sentinels the Sentinels that say where each server is; {@link Sentinels#NONE} when the
 *                  servers' addresses are fixed
 * @param cluster   the Redis Cluster behind the pool, or null for a pool of {@code servers}
 * @param backend   how Shardis connects to each server
 * @param limits    what one client may send, hold and open
 * @param auth      credentials towards the servers and the pool's proxy users
 * @param timeouts  request, connect and failover timeouts
 * @param allowAdmin whether the pool forwards administrative commands ({@code allow_admin})
 * @param resp3     whether clients may switch to RESP3 ({@code resp3}; needs backends that speak it, Redis 6+)
 * @param tls       TLS towards clients, backends and Sentinels; {@link TlsConfig#NONE} for plain TCP
 * @param redisVersion the Redis version Shardis reports in HELLO and INFO ({@code redis_version},
 *                  {@code x.y.z}), or null: HELLO says {@link PoolDefaults#REDIS_VERSION} and INFO
 *                  the first server's
 */
public record PoolConfig(
        String name,
        Listen listen,
        Sharding sharding,
        Sentinels sentinels,
        ClusterConfig cluster,
        Backend backend,
        Limits limits,
        Auth auth,
        Timeouts timeouts,
        boolean allowAdmin,
        boolean resp3,
        TlsConfig tls,
        String redisVersion) {

    public PoolConfig {
        sentinels = sentinels == null ? Sentinels.NONE : sentinels;
        tls = tls == null ? TlsConfig.NONE : tls;
    }

    /**
     * @param address where clients connect: TCP, or a Unix socket path
     * @param mode    permissions of a Unix listen socket (octal in the file), -1 to leave them be
     * @param backlog the listen socket's accept queue
     */
    public record Listen(HostPort address, int mode, int backlog) {}

    /**
     * The {@code servers} of a pool and how keys are placed on them (Twemproxy's keys).
     *
     * @param servers each {@code host:port:weight [name]} line
     */
    public record Sharding(
            List<ServerConfig> servers,
            String hash,
            String hashTag,
            String distribution,
            boolean autoEjectHosts,
            int serverRetryTimeoutMillis,
            int serverFailureLimit) {

        /** A cluster pool's: no servers, the defaults for the rest. */
        public static final Sharding NONE = new Sharding(
                List.of(),
                PoolDefaults.HASH,
                null,
                PoolDefaults.DISTRIBUTION,
                PoolDefaults.AUTO_EJECT_HOSTS,
                PoolDefaults.SERVER_RETRY_TIMEOUT.fallback(),
                PoolDefaults.SERVER_FAILURE_LIMIT.fallback());

        public Sharding {
            servers = List.copyOf(servers);
        }
    }

    /**
     * Redis Sentinels that say where each server (by name: its Sentinel master name) is.
     *
     * @param user ACL user for the Sentinels, or null
     * @param auth password for the Sentinels, or null
     */
    public record Sentinels(List<HostPort> addresses, String user, String auth) {

        public static final Sentinels NONE = new Sentinels(List.of(), null, null);

        public Sentinels {
            addresses = List.copyOf(addresses);
        }

        /** Without the password. */
        @Override
        public String toString() {
            return "Sentinels" + addresses;
        }
    }

    /**
     * @param serverConnections connections to each server ({@code server_connections})
     * @param preconnect        whether they open at start rather than on first use
     * @param redisDb           the database each connection SELECTs
     */
    public record Backend(int serverConnections, boolean preconnect, int redisDb) {}

    /**
     * @param maxPipeline       replies a client may have outstanding before Shardis stops reading from it
     * @param maxRequestBytes   largest request accepted from a client
     * @param maxBulkBytes      largest single argument accepted from a client
     * @param clientReplyLimit  bytes of replies held for one client ({@code max_client_reply_bytes})
     * @param clientConnections clients the pool accepts at once; 0 for no limit
     * @param trackingMaxKeys   keys client-side caching remembers per event loop ({@code tracking_max_keys})
     */
    public record Limits(
            int maxPipeline,
            long maxRequestBytes,
            long maxBulkBytes,
            ClientReplyLimit clientReplyLimit,
            int clientConnections,
            int trackingMaxKeys) {}

    /**
     * @param redisUser ACL user Shardis authenticates as on every backend connection, with
     *                  {@code redisAuth} as its password; null for the default user
     * @param redisAuth the servers' password ({@code redis_auth}), or null
     * @param users     the pool's proxy users, by name, each with its ACL rules in Redis' vocabulary
     *                  ({@code on >password ~cache:* +@read}); empty when the pool has none (then
     *                  {@code redis_auth}, if set, is also the clients' password)
     */
    public record Auth(String redisUser, String redisAuth, Map<String, List<String>> users) {

        public Auth {
            Map<String, List<String>> ordered = new LinkedHashMap<>();
            users.forEach((user, rules) -> ordered.put(user, List.copyOf(rules)));
            users = Collections.unmodifiableMap(ordered);
        }

        /** Without the secrets (redis_auth, the users' rules), which must never reach a log. */
        @Override
        public String toString() {
            return "Auth[redisUser=" + redisUser + ", users=" + users.keySet() + "]";
        }
    }

    /**
     * @param requestMillis  how long a request may wait for its backend's reply; 0 waits forever
     *                       (Twemproxy's default)
     * @param connectMillis  how long a backend connection may take to open: {@code connect_timeout},
     *                       else the request timeout, else {@link PoolDefaults#CONNECT_TIMEOUT_MILLIS}
     * @param failoverMillis in cluster and Sentinel pools, how long a command may wait while no server
     *                       can take it (its master unreachable until a replica is promoted;
     *                       CLUSTERDOWN, TRYAGAIN) before its client gets the error; 0 fails at once
     */
    public record Timeouts(int requestMillis, int connectMillis, int failoverMillis) {

        /** The connect timeout as {@code connect_timeout} (0: not set) and {@code timeout} make it. */
        static int connectMillis(int connectTimeout, int requestMillis) {
            if (connectTimeout > 0) {
                return connectTimeout;
            }
            return requestMillis > 0 ? requestMillis : PoolDefaults.CONNECT_TIMEOUT_MILLIS;
        }
    }

    /** Without the secrets (redis_auth, sentinel_auth, the users' rules), which must never reach a log. */
    @Override
    public String toString() {
        return "PoolConfig[name=" + name + ", listen=" + listen.address() + ", servers=" + sharding.servers()
                + (cluster != null ? ", cluster=" + cluster : "") + ", users="
                + auth.users().keySet() + "]";
    }

    /** The version HELLO reports: {@code redis_version}, else {@link PoolDefaults#REDIS_VERSION}. */
    public String helloVersion() {
        return redisVersion != null ? redisVersion : PoolDefaults.REDIS_VERSION;
    }

    /** Whether commands of an unreachable master wait for its replacement: cluster and Sentinel pools. */
    public boolean holdsForFailover() {
        return timeouts.failoverMillis() > 0 && (cluster != null || followsSentinel());
    }

    /** Whether Sentinel says where the servers are. */
    public boolean followsSentinel() {
        return !sentinels.addresses().isEmpty();
    }

    /** Whether the pool fronts a Redis Cluster, whose nodes come from its slot map rather than {@code servers}. */
    public boolean isCluster() {
        return cluster != null;
    }
}
