package io.shardis.proxy.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stats port, as nutcracker serves it: every connection receives the current stats document,
 * then the server ends it. What the client sends is read and discarded.
 *
 * <p>Address: Shardis listens on 127.0.0.1 unless told otherwise ({@code -a}), where nutcracker
 * listens on 0.0.0.0: the document names every backend and its traffic, which is not for whoever
 * can reach the machine. {@code -a 0.0.0.0} restores nutcracker's behaviour. Port 0 binds a free
 * port ({@link #address()} says which), as a pool's {@code listen} port 0 does; as in nutcracker
 * there is no "off" switch on the command line. An address that cannot be bound (port in use) stops
 * Shardis from starting, as it stops nutcracker 0.5.0 (which exits with status 1).
 *
 * <p>When the document is made: when a client connects, from the counters as they are then.
 * nutcracker's stats thread also aggregates right before it answers (and every {@code -i}
 * milliseconds), but only what its worker thread has handed over, which the worker does between
 * event-loop iterations and not again until the previous hand-over was aggregated: its document
 * lags behind events by up to about the interval. Shardis' counters are shared, lock-free
 * {@code LongAdder}s that need no hand-over, so its document does not lag and {@code -i} has
 * nothing to pace.
 *
 * <p>Threads: one thread of its own, never a data-path event loop; the document is made on it.
 * A client that connects and vanishes costs a failed write; one that does not read its document
 * is disconnected after {@link #LINGER_SECONDS}.
 *
 * <p>Ending: after the document the server shuts down its side (the client reads end-of-file) and
 * closes the connection when the client closes its own, rather than at once: bytes arriving at a
 * closed socket (an HTTP request from curl, say) make the kernel reset the connection and drop
 * whatever part of the document it has not sent yet.
 */
public final class StatsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatsServer.class);

    /** How long a stats connection may stay open, document written or not. */
    static final int LINGER_SECONDS = 10;

    private final EventLoopGroup group;
    private final Channel channel;

    private StatsServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Listens on {@code address} and serves {@code document} (called on the stats thread, once per
     * connection).
     *
     * @throws IllegalStateException if the address cannot be bound (in use, not local); nutcracker
     *                               refuses to start then too
     */
    public static StatsServer start(InetSocketAddress address, Supplier<String> document) {
        if (address.isUnresolved()) {
            throw new IllegalStateException("cannot listen for stats on " + address.getHostString() + ":"
                    + address.getPort() + ": unknown host (check -a)");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("shardis-stats", true), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new DocumentWriter(document));
        ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            Throwable cause = bound.cause();
            throw new IllegalStateException(
                    "cannot listen for stats on " + address + ": " + cause.getMessage()
                            + " (choose another address or port with -a/-s)",
                    cause);
        }
        return new StatsServer(group, bound.channel());
    }

    /** Where it listens (the real port when asked for port 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops listening and closes the connections being served; waits for its thread to end. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Writes the document to each new connection, then ends it. */
    @ChannelHandler.Sharable
    private static final class DocumentWriter extends ChannelInboundHandlerAdapter {

        private final Supplier<String> document;

        DocumentWriter(Supplier<String> document) {
            this.document = document;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ScheduledFuture<?> linger = ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
            ctx.channel().closeFuture().addListener(closed -> linger.cancel(false));
            ByteBuf bytes = ByteBufUtil.writeUtf8(ctx.alloc(), document.get());
            // The buffer passes to the channel, which releases it once written or failed.
            ctx.writeAndFlush(bytes).addListener((ChannelFutureListener) written -> {
                if (written.isSuccess()) {
                    ((SocketChannel) ctx.channel()).shutdownOutput();
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof IOException) {
                log.debug("stats client {}: {}", ctx.channel().remoteAddress(), cause.toString());
            } else {
                log.warn(
                        "stats client {}: closing after an unexpected error",
                        ctx.channel().remoteAddress(),
                        cause);
            }
            ctx.close();
        }
    }
}
