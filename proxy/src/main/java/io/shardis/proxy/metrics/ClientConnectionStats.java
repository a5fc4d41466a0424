package io.shardis.proxy.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.shardis.resp.RespCommand;

/**
 * Counts a client connection in its pool's {@link PoolMetrics} when it opens, and when it ends
 * says how, as nutcracker does ({@code client_close_stats}): {@code client_eof} when the client
 * closed its side (FIN) or asked to with QUIT, {@code client_err} for anything else: a reset or
 * other socket error, or Shardis closing the connection itself (after a protocol error, say).
 *
 * <p>Sits between the request decoder and the session, one instance per connection, on the
 * connection's event loop. It only looks: every message and event passes on unchanged, and it
 * owns no buffer.
 *
 * <p>How it tells: Netty closes a connection whose peer sent FIN without going through the
 * pipeline, while Shardis closing it passes through {@link #close}, and a socket error arrives
 * as {@link #exceptionCaught} first. A connection that Netty closes after a failed write is
 * counted as EOF; nutcracker would count an error.
 */
public final class ClientConnectionStats extends ChannelDuplexHandler {

    private final PoolMetrics pool;
    private boolean quitRequested;
    private boolean failed;
    private boolean closedByShardis;

    public ClientConnectionStats(PoolMetrics pool) {
        this.pool = pool;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        pool.clientConnected();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RespCommand command) {
            pool.clientBytesReceived(command.content().readableBytes());
            if (command.argCount() > 0 && command.argEqualsIgnoreCase(0, "quit")) {
                quitRequested = true;
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed = true;
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf reply) {
            pool.clientBytesSent(reply.readableBytes());
        }
        ctx.write(msg, promise);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        closedByShardis = true;
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (quitRequested || !(failed || closedByShardis)) {
            pool.clientClosedByEof();
        } else {
            pool.clientClosedByError();
        }
        ctx.fireChannelInactive();
    }
}
