package io.shardis.proxy.metrics;

/**
 * nutcracker 0.5.0's per-pool counters ({@code STATS_POOL_CODEC} in its {@code nc_stats.h}), in the
 * order its stats document lists them. {@link #key()} is the name in the document and the last part
 * of the registry name.
 */
public enum PoolStat {
    /** Client connections the client closed (FIN), or ended with QUIT. */
    CLIENT_EOF("client_eof"),
    /** Client connections that ended in an error: reset, protocol error, closed by Shardis. */
    CLIENT_ERR("client_err"),
    /** Client connections open now. */
    CLIENT_CONNECTIONS("client_connections"),
    /** Times a backend server of the pool was ejected. */
    SERVER_EJECTS("server_ejects"),
    /** Requests answered with an error because they could not be forwarded or answered. */
    FORWARD_ERROR("forward_error"),
    /** Sub-requests made by splitting multi-key commands. */
    FRAGMENTS("fragments");

    private final String key;

    PoolStat(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
