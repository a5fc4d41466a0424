package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.shardis.resp.RespProtocol;

/** Where a backend connection delivers replies: a client session. Called on the event loop. */
public interface ReplySink {

    /** The reply to {@code command}; the sink owns {@code reply} from here on. */
    void onReply(PendingCommand command, ByteBuf reply);

    /**
     * A frame no command asked for (Pub/Sub messages on a dedicated connection); the sink owns it.
     * By default released: a sink whose commands ask for no pushes has no use for one.
     */
    default void onPush(ByteBuf frame) {
        frame.release();
    }

    /**
     * A backend connection this sink waited on (see {@link BackendConnection#notifyWhenWritable})
     * takes writes again. By default nothing: only a sink that waits needs it.
     */
    default void onBackendWritable() {}

    /**
     * Handing a reply to this sink failed ({@link #onReply} threw: its memory is exhausted, say).
     * The sink should drop its client; the backend connection carries on with its other commands.
     */
    default void onDeliveryFailed(Throwable cause) {}

    /**
     * A dedicated connection of this sink closed; its in-flight commands have had their errors. By
     * default nothing: only a sink that has dedicated connections needs it.
     */
    default void onDedicatedClosed(BackendConnection connection) {}

    /**
     * Which of each server's shared connections this sink's commands use: a command re-sent after
     * a redirection goes on the same one, so it cannot overtake the sink's later commands there.
     */
    default int sharedIndex() {
        return 0;
    }

    /** The protocol of this sink's client: a re-sent command goes on a shared connection that speaks it. */
    default RespProtocol protocol() {
        return RespProtocol.RESP2;
    }

    /**
     * A redirection (MOVED, ASK, TRYAGAIN, CLUSTERDOWN) answered {@code command} on this sink's own
     * connection; true when the sink took it over, as {@link Redirects#follow} does.
     */
    default boolean followRedirection(PendingCommand command, ByteBuf reply, BackendSettings from) {
        return false;
    }

    /** What picks this sink's replica for a slot's reads (see {@code ShardRouter#readServerOfGroup}). */
    default int readSeed() {
        return 0;
    }
}
