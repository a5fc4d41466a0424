package io.shardis.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

import java.net.InetSocketAddress;

/** A pool's listening socket. */
public final class PoolListener {

    private final PoolRuntime pool;
    private final Channel channel;

    public PoolListener(PoolRuntime pool, Channel channel) {
        this.pool = pool;
        this.channel = channel;
    }

    public static ChannelInitializer<SocketChannel> initializer(PoolRuntime pool) {
        return new ClientInitializer(pool);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public PoolRuntime pool() {
        return pool;
    }

    /** Stops accepting clients; those already connected are left alone. */
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
