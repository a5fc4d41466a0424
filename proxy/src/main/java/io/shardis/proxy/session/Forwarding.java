package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.resp.RespCommand;

/**
 * How the helpers of a session send to a server: on the client's shared connection to it, or on its
 * own connection ({@link PinnedConnection}) when it has one there. Frames pass to the connection.
 * {@link CommandSender} implements it.
 */
interface Forwarding {

    /**
     * Sends a command whose reply is queued in order, to the server the client is pinned to, else
     * the keyless one; inside MULTI, to the transaction's server.
     */
    void forward(RespCommand command);

    /** EXEC, sent after the transaction's state was closed: a redirection of it cannot be followed. */
    void forwardExec(RespCommand command);

    /** Like {@link #forward} on the client's own connection, but the client sees {@code substitute}. */
    void forwardReplacingReply(RespCommand command, ByteBuf substitute);

    /** A frame of Shardis' own (a deferred MULTI, a HELLO) on the client's own connection; its reply is dropped. */
    void sendSilently(RespCommand command);

    /** Sends {@code frame} to {@code server}: the client's own connection if it goes there, else its shared one. */
    void send(int server, ByteBuf frame, PendingCommand pending);

    /** Sends {@code frame} on the client's shared connection to {@code server}. */
    void sendShared(int server, ByteBuf frame, PendingCommand pending);

    /** Gives the client a connection of its own to {@code server}; false when it has one to another server. */
    boolean pin(int server);
}
