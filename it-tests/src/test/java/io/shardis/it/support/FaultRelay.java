package io.shardis.it.support;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay between Shardis and one backend that injects network faults: added latency and
 * jitter, a bandwidth limit, a half-open peer (connections accepted, nothing ever answered), a
 * reset in the middle of a reply, replies trickling one byte at a time, and a partition (every
 * connection, old and new, goes silent). {@link #heal()} lifts them all.
 *
 * <p>Faults apply to bytes as they pass, per direction and in order: a delayed chunk never
 * overtakes an earlier one. Everything runs on the relay's own event loop, stopped by {@link #close()}.
 */
public final class FaultRelay implements AutoCloseable {

    private final InetSocketAddress target;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    /** Both channels of each replication link seen (a replica's REPLCONF or PSYNC through the relay). */
    private final Set<Channel> replication = ConcurrentHashMap.newKeySet();

    private volatile boolean keepReplication;

    private volatile long latencyNanos;
    private volatile long jitterNanos;
    private volatile long bytesPerSecond;
    private volatile boolean silent;
    private volatile boolean partitioned;
    private volatile long trickleNanos;
    /** Reply bytes still let through before the backend side is reset; negative: no reset planned. */
    private final AtomicLong resetAfter = new AtomicLong(-1);

    private FaultRelay(InetSocketAddress target) {
        this.target = target;
        this.server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel client) {
                        accepted.incrementAndGet();
                        channels.add(client);
                        client.closeFuture().addListener(f -> channels.remove(client));
                        client.pipeline().addLast(new Accepted());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
    }

    /** A relay on a free loopback port forwarding to {@code target}. */
    public static FaultRelay start(InetSocketAddress target) {
        return new FaultRelay(target);
    }

    /** {@code host:port} of the relay, for a Shardis configuration. */
    public String address() {
        InetSocketAddress local = (InetSocketAddress) server.localAddress();
        return "127.0.0.1:" + local.getPort();
    }

    /** Connections accepted so far (by Shardis, towards the backend). */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Every chunk, both ways, waits {@code latency} plus up to {@code jitter} more. */
    public FaultRelay latency(Duration latency, Duration jitter) {
        latencyNanos = latency.toNanos();
        jitterNanos = jitter.toNanos();
        return this;
    }

    /** Each direction of each connection carries at most {@code bytesPerSecond}. */
    public FaultRelay bandwidth(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Reply bytes go one at a time, {@code interval} apart. */
    public FaultRelay trickle(Duration interval) {
        trickleNanos = interval.toNanos();
        return this;
    }

    /** The backend's peer is half-open: new connections are accepted and never answered; old ones go on. */
    public FaultRelay halfOpen() {
        silent = true;
        return this;
    }

    /** A partition: every connection, old and new, goes silent both ways (nothing is closed). */
    public FaultRelay partition() {
        partitioned = true;
        silent = true;
        return this;
    }

    /**
     * As {@link #partition()}, except for replication links (a replica's connection, known by the
     * REPLCONF or PSYNC it sent): the server is cut off from its clients, not from its replicas.
     */
    public FaultRelay partitionKeepingReplication() {
        keepReplication = true;
        return partition();
    }

    /** Replication links relayed so far (see {@link #partitionKeepingReplication()}). */
    public long replicationLinks() {
        return replication.size() / 2;
    }

    /** After {@code replyBytes} more bytes from the backend, both sides of that connection are reset (RST). */
    public FaultRelay resetAfterReplyBytes(long replyBytes) {
        resetAfter.set(replyBytes);
        return this;
    }

    /** Resets every connection relayed so far (the backend itself stays up): its client must connect again. */
    public FaultRelay resetConnections() {
        channels.forEach(FaultRelay::reset);
        return this;
    }

    /** Lifts every fault: new connections are relayed again, as are partitioned ones. */
    public FaultRelay heal() {
        latencyNanos = 0;
        jitterNanos = 0;
        bytesPerSecond = 0;
        trickleNanos = 0;
        silent = false;
        partitioned = false;
        keepReplication = false;
        resetAfter.set(-1);
        return this;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        channels.forEach(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A connection from Shardis: relayed to the backend unless the relay is silent now. */
    private final class Accepted extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            if (silent) {
                // Half-open: read and drop whatever comes, never answer, never close.
                client.pipeline().replace(this, "sink", new Sink());
                client.config().setAutoRead(true);
                return;
            }
            new Bootstrap()
                    .group(client.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel backend) {
                            channels.add(backend);
                            backend.pipeline().addLast(new Forward(client, true));
                        }
                    })
                    .connect(target)
                    .addListener((ChannelFutureListener) connected -> {
                        if (!connected.isSuccess()) {
                            client.close();
                            return;
                        }
                        client.pipeline().replace(this, "forward", new Forward(connected.channel(), false));
                        client.config().setAutoRead(true);
                    });
        }
    }

    private static final class Sink extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** One direction: what {@code ctx}'s channel reads goes to {@code peer}, faults applied. */
    private final class Forward extends ChannelInboundHandlerAdapter {

        private final Channel peer;
        private final boolean fromBackend;
        /** When (nanoTime) the last chunk of this direction is due, so none overtakes another. */
        private long lastDue;

        private final java.util.ArrayDeque<Pending> queue = new java.util.ArrayDeque<>();

        Forward(Channel peer, boolean fromBackend) {
            this.peer = peer;
            this.fromBackend = fromBackend;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = (ByteBuf) msg;
            if (!fromBackend && !replication.contains(ctx.channel()) && bytes.readableBytes() < 4096) {
                String text = bytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1)
                        .toUpperCase(java.util.Locale.ROOT);
                if (text.contains("REPLCONF") || text.contains("PSYNC")) {
                    replication.add(ctx.channel());
                    replication.add(peer);
                    ctx.channel().closeFuture().addListener(f -> replication.remove(ctx.channel()));
                    peer.closeFuture().addListener(f -> replication.remove(peer));
                }
            }
            if (cut(ctx.channel())) {
                bytes.release();
                return;
            }
            if (fromBackend) {
                long left = resetAfter.get();
                if (left >= 0) {
                    if (bytes.readableBytes() >= left) {
                        resetAfter.set(-1);
                        ByteBuf head = bytes.readRetainedSlice((int) left);
                        bytes.release();
                        send(head, () -> {
                            reset(ctx.channel());
                            reset(peer);
                        });
                        return;
                    }
                    resetAfter.addAndGet(-bytes.readableBytes());
                }
                if (trickleNanos > 0) {
                    while (bytes.isReadable()) {
                        send(bytes.readRetainedSlice(1), null);
                    }
                    bytes.release();
                    return;
                }
            }
            send(bytes, null);
        }

        private void send(ByteBuf bytes, Runnable then) {
            long now = System.nanoTime();
            long due = now;
            if (latencyNanos > 0) {
                due += latencyNanos
                        + (jitterNanos > 0 ? ThreadLocalRandom.current().nextLong(jitterNanos) : 0);
            }
            if (bytesPerSecond > 0) {
                due = Math.max(due, lastDue) + TimeUnit.SECONDS.toNanos(bytes.readableBytes()) / bytesPerSecond;
            }
            if (fromBackend && trickleNanos > 0) {
                due = Math.max(due, lastDue) + trickleNanos;
            }
            due = Math.max(due, lastDue);
            lastDue = due;
            // One queue per direction, drained in order: chunks due at nearly the same time are
            // never reordered by the scheduler.
            boolean idle = queue.isEmpty();
            queue.add(new Pending(due, bytes, then));
            if (idle) {
                drain();
            }
        }

        private void drain() {
            while (!queue.isEmpty()) {
                Pending head = queue.peek();
                long wait = head.due - System.nanoTime();
                if (wait > 0) {
                    peer.eventLoop().schedule(this::drain, wait, TimeUnit.NANOSECONDS);
                    return;
                }
                queue.poll();
                if (cut(peer) || !peer.isActive()) {
                    head.bytes.release();
                } else {
                    peer.writeAndFlush(head.bytes);
                }
                if (head.then != null) {
                    head.then.run();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Whatever is still scheduled goes first; then the other side closes too.
            peer.eventLoop()
                    .schedule(
                            () -> {
                                peer.close();
                            },
                            Math.max(0, lastDue - System.nanoTime()),
                            TimeUnit.NANOSECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Whether the partition silences {@code channel}'s connection. */
    private boolean cut(Channel channel) {
        return partitioned && !(keepReplication && replication.contains(channel));
    }

    /** Bytes waiting for their time, and what to do once written. */
    private record Pending(long due, ByteBuf bytes, Runnable then) {}

    /** Closes with SO_LINGER 0: the peer sees a reset, not an orderly close. */
    private static void reset(Channel channel) {
        if (channel.isOpen()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
        }
    }
}
