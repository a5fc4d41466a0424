package io.shardis.proxy.session;

import io.netty.channel.Channel;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespProtocol;

/**
 * The client as the helpers of its session read it: its pool and where keys go in it, who it is,
 * the protocol it speaks. A reload replaces the pool, router and placement: they are read anew at
 * each use, never kept. {@link ClientSession} implements it.
 */
interface SessionContext extends Dispatcher.ClientState {

    long id();

    /** Whether the client's connection has closed. */
    boolean isClosed();

    /** The session as the owner of the commands sent for the client: told of their replies. */
    ReplySink owner();

    /** The client's connection to Shardis (its address, its event loop). */
    Channel channel();

    SessionPool pool();

    ShardRouter router();

    Placement placement();

    /** Who the client is (AUTH, HELLO AUTH, RESET) and what it may run. */
    ClientAccess access();

    /** The client as CLIENT LIST shows it. */
    ClientEntry entry();

    /** The protocol the client speaks: RESP2 until its HELLO 3, again after RESET. */
    RespProtocol protocol();
}
