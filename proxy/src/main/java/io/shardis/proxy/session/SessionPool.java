package io.shardis.proxy.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.cluster.ClusterNodes;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.route.ShardRouter;

/**
 * What a client session needs of the pool it serves. The session package declares it so that it
 * does not depend on the server package that runs pools ({@code server.PoolRuntime} implements it):
 * the server builds sessions, sessions never reach up into the server.
 */
public interface SessionPool {

    PoolConfig config();

    /** What a client's commands may be ({@code max_request_bytes} and the codec's bounds). */
    io.shardis.resp.RespLimits requestLimits();

    /** Who may use the pool: its users, or redis_auth as the clients' password. */
    PoolAccess access();

    CommandTable commands();

    /** Which server holds a key. */
    ShardRouter router();

    /** The Redis Cluster behind the pool, or null for a pool of {@code servers}. */
    ClusterNodes cluster();

    /** The pool's stats. */
    PoolMetrics metrics();

    /** The indexes of the servers not ejected, in configuration order. */
    int[] liveServers();

    /** Server {@code index} as the router numbers it, in every pool type (cluster nodes included). */
    BackendSettings server(int index);

    /** The backend connections of this pool on {@code loop}; call it on that loop. */
    BackendPool backendsFor(EventLoop loop);

    /** Client-side caching of this pool on {@code loop} (see {@link InvalidationHub}); call it on that loop. */
    InvalidationHub invalidationHub(EventLoop loop);

    /** The pool's connected clients (CLIENT LIST, CLIENT KILL). */
    ClientRegistry clients();

    /** A fresh id for a new client connection (CLIENT ID). */
    long nextClientId();

    /** A client of the pool closed its connection. */
    void clientGone();

    /** The pool a configuration reload put in this one's place, where its clients move; null while current. */
    SessionPool successor();

    /** A client moved here from the pool this one replaced: counted and tracked as if admitted here. */
    void adopt(Channel client);

    /** A client moved to the successor: no longer counted nor tracked here. */
    void disown(Channel client);
}
