package io.shardis.proxy.config;

/**
 * The one table of a pool's defaults and ranges: Twemproxy's where nutcracker.yml has the key,
 * Shardis' own otherwise (documented in {@code conf/shardis.yml}). {@link ConfigParser} reads every
 * numeric key through these entries, and the records of {@link PoolConfig} take their defaults
 * from here, so that a default is written once.
 */
public final class PoolDefaults {

    /** A numeric key: its name in the file, its value when absent, and the range a value must be in. */
    record IntKey(String key, int fallback, int min, int max) {}

    /** A byte count written as {@code 512m}, {@code 64k}...; values are kept in 1k..2g. */
    record SizeKey(String key, long fallback) {}

    private static final int MAX = Integer.MAX_VALUE;

    /** Connect timeout towards backends when neither {@code connect_timeout} nor {@code timeout} is set. */
    public static final int CONNECT_TIMEOUT_MILLIS = 3_000;

    /**
     * How long a pool's start keeps asking for its topology (a cluster's slot map, the Sentinels'
     * masters) before Shardis gives up: at least this, or the connect timeout if longer. One
     * timeout would fail a start on a busy machine whose first connections are slow, or when the
     * backends start beside Shardis.
     */
    public static final int STARTUP_PATIENCE_MILLIS = 10_000;

    static final String HASH = "fnv1a_64";
    static final String DISTRIBUTION = "ketama";
    static final boolean PRECONNECT = false;
    static final boolean AUTO_EJECT_HOSTS = false;
    static final boolean ALLOW_ADMIN = false;
    /** Clients may switch to RESP3 (HELLO 3); false answers it -NOPROTO, for backends older than Redis 6. */
    static final boolean RESP3 = true;

    /**
     * The Redis API level HELLO reports when {@code redis_version} is not set: the commands and
     * replies Shardis answers itself are Redis 7.0's.
     */
    public static final String REDIS_VERSION = "7.0.0";

    // 0 (wait forever) is the default, not a value one may write: Twemproxy's rule.
    static final IntKey TIMEOUT = new IntKey("timeout", 0, 1, MAX);
    static final IntKey CONNECT_TIMEOUT = new IntKey("connect_timeout", 0, 1, MAX);
    /** Covers a failover within a few seconds; longer ones need a longer wait. */
    static final IntKey FAILOVER_TIMEOUT = new IntKey("failover_timeout", 5_000, 0, MAX);

    static final IntKey BACKLOG = new IntKey("backlog", 512, 1, 65_535);
    static final IntKey REDIS_DB = new IntKey("redis_db", 0, 0, 1 << 20);
    static final IntKey SERVER_CONNECTIONS = new IntKey("server_connections", 1, 1, 1024);
    static final IntKey CLIENT_CONNECTIONS = new IntKey("client_connections", 0, 0, MAX);
    static final IntKey SERVER_RETRY_TIMEOUT = new IntKey("server_retry_timeout", 30_000, 1, MAX);
    static final IntKey SERVER_FAILURE_LIMIT = new IntKey("server_failure_limit", 2, 1, MAX);
    static final IntKey MAX_PIPELINE = new IntKey("max_pipeline", 16_384, 1, 1 << 24);
    /** Keys remembered for client-side caching per event loop (Redis' tracking-table-max-keys default). */
    static final IntKey TRACKING_MAX_KEYS = new IntKey("tracking_max_keys", 1_000_000, 1, MAX);

    static final IntKey CLUSTER_REFRESH_INTERVAL = new IntKey("cluster.refresh_interval", 10_000, 100, MAX);
    static final SizeKey MAX_REQUEST_BYTES = new SizeKey("max_request_bytes", 576L << 20);
    static final SizeKey MAX_BULK_BYTES = new SizeKey("max_bulk_bytes", 512L << 20);

    private PoolDefaults() {}
}
