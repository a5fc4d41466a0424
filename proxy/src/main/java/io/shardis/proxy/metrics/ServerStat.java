package io.shardis.proxy.metrics;

/**
 * nutcracker 0.5.0's per-server counters ({@code STATS_SERVER_CODEC} in its {@code nc_stats.h}), in
 * the order its stats document lists them. {@link #key()} is the name in the document and the last
 * part of the registry name.
 */
public enum ServerStat {
    /** Backend connections the server closed (FIN). */
    SERVER_EOF("server_eof"),
    /** Backend connections that failed: refused, reset, or unusable. */
    SERVER_ERR("server_err"),
    /** Requests to the server that passed the pool's {@code timeout}. */
    SERVER_TIMEDOUT("server_timedout"),
    /** Backend connections open now. */
    SERVER_CONNECTIONS("server_connections"),
    /** When the server was last ejected, in microseconds since the epoch; 0 if never. */
    SERVER_EJECTED_AT("server_ejected_at"),
    /** Requests queued for the server. */
    REQUESTS("requests"),
    /** Bytes of those requests. */
    REQUEST_BYTES("request_bytes"),
    /** Replies received from the server. */
    RESPONSES("responses"),
    /** Bytes of those replies. */
    RESPONSE_BYTES("response_bytes"),
    /** Requests queued for the server and not written to it yet. */
    IN_QUEUE("in_queue"),
    /** Bytes of those requests. */
    IN_QUEUE_BYTES("in_queue_bytes"),
    /** Requests written to the server and waiting for its reply. */
    OUT_QUEUE("out_queue"),
    /** Bytes of those requests. */
    OUT_QUEUE_BYTES("out_queue_bytes");

    private final String key;

    ServerStat(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }
}
