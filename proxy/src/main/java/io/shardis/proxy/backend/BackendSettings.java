package io.shardis.proxy.backend;

import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ServerConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.metrics.ServerMetrics;
import io.shardis.resp.RespLimits;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What a connection needs to know about its server and pool; immutable, shared by all event loops.
 *
 * @param masterOnly each new connection asks ROLE first and is not used unless the server is a master
 * @param readOnly   each new connection sends READONLY first: a Redis Cluster replica then serves
 *                   reads of its master's slots instead of answering MOVED
 * @param tls        TLS towards the server ({@code backend_tls}); null for plain TCP
 */
public record BackendSettings(
        String pool,
        String label,
        BackendAddress endpoint,
        int timeoutMillis,
        int connectTimeoutMillis,
        String password,
        int database,
        RespLimits replyLimits,
        BackendEvents events,
        ServerMetrics metrics,
        PoolMetrics poolMetrics,
        boolean masterOnly,
        String user,
        boolean readOnly,
        io.shardis.proxy.tls.BackendTls tls) {

    /** How long a server that refused a connection is given before the next attempt. */
    static final long RETRY_DELAY_NANOS = 200_000_000L;

    /**
     * {@code address} is where the server is, in the transport's terms (TCP, or a Unix socket).
     * Connections need the observers that {@link #observedBy} adds.
     */
    public static BackendSettings of(PoolConfig pool, ServerConfig server, SocketAddress address) {
        return new BackendSettings(
                pool.name(),
                server.label(),
                new BackendAddress(address),
                pool.timeouts().requestMillis(),
                pool.timeouts().connectMillis(),
                pool.auth().redisAuth(),
                pool.backend().redisDb(),
                RespLimits.DEFAULT
                        .withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH)
                        .withMaxNesting(128)
                        .withMaxInlineLength(64 * 1024 * 1024),
                BackendEvents.NONE,
                null,
                null,
                false,
                pool.auth().redisUser(),
                false,
                null);
    }

    /** The same server, reporting its health to {@code newEvents} and its traffic to the metrics given. */
    public BackendSettings observedBy(BackendEvents newEvents, ServerMetrics serverMetrics, PoolMetrics pool) {
        return new BackendSettings(
                this.pool,
                label,
                endpoint,
                timeoutMillis,
                connectTimeoutMillis,
                password,
                database,
                replyLimits,
                newEvents,
                serverMetrics,
                pool,
                masterOnly,
                user,
                readOnly,
                tls);
    }

    /**
     * The same server, which must be a master: each new connection asks ROLE before any client
     * command goes out, and one that is a replica is not used.
     */
    public BackendSettings requiringMaster() {
        return new BackendSettings(
                pool,
                label,
                endpoint,
                timeoutMillis,
                connectTimeoutMillis,
                password,
                database,
                replyLimits,
                events,
                metrics,
                poolMetrics,
                true,
                user,
                readOnly,
                tls);
    }

    /** The same server, reached over TLS with {@code newTls} (null: plain TCP). */
    public BackendSettings withTls(io.shardis.proxy.tls.BackendTls newTls) {
        return new BackendSettings(
                pool,
                label,
                endpoint,
                timeoutMillis,
                connectTimeoutMillis,
                password,
                database,
                replyLimits,
                events,
                metrics,
                poolMetrics,
                masterOnly,
                user,
                readOnly,
                newTls);
    }

    /** "pool 'alpha' backend 127.0.0.1:6379" or with the server's name; for logs and error replies. */
    /** Where the server is now (it moves when Sentinel promotes another master). */
    public SocketAddress address() {
        return endpoint.current();
    }

    public String describe() {
        SocketAddress address = address();
        String addr = address instanceof InetSocketAddress inet
                ? inet.getHostString() + ":" + inet.getPort()
                : address.toString();
        return "pool '" + pool + "' backend " + (label.equals(addr) ? addr : label + " (" + addr + ")");
    }

    /** Without the password, which must never reach a log. */
    @Override
    public String toString() {
        return describe() + (user != null ? " as user '" + user + "'" : "") + " db " + database;
    }
}
