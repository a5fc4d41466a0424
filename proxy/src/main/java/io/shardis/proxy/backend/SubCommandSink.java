package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;

/**
 * Where the reply of a command the proxy sent on a session's behalf goes (a split command's part,
 * one server's step of a SCAN) before the session gets the reply it expects. Only
 * {@link #onReply} differs; the rest belongs to the session.
 */
public abstract class SubCommandSink implements ReplySink {

    protected final ReplySink session;

    protected SubCommandSink(ReplySink session) {
        this.session = session;
    }

    /** Sub-commands never subscribe: an unasked frame is dropped. */
    @Override
    public final void onPush(ByteBuf frame) {
        frame.release();
    }

    @Override
    public final void onBackendWritable() {
        session.onBackendWritable();
    }

    @Override
    public final int sharedIndex() {
        return session.sharedIndex();
    }

    @Override
    public final io.shardis.resp.RespProtocol protocol() {
        return session.protocol();
    }

    @Override
    public final int readSeed() {
        return session.readSeed();
    }

    @Override
    public final void onDeliveryFailed(Throwable cause) {
        session.onDeliveryFailed(cause);
    }

    /** A dedicated connection the sub-command used is the session's own, which tells the session itself. */
    @Override
    public final void onDedicatedClosed(BackendConnection connection) {}
}
