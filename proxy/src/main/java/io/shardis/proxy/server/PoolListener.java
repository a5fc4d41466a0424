package io.shardis.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

import java.net.InetSocketAddress;

/** A pool's listening socket. */
public final class PoolListener {

    private final PoolRuntime pool;
    private final Channel channel;

    public PoolListener(PoolRuntime pool, Channel channel) {
        this.pool = pool;
        this.channel = channel;
    }

    public static ChannelInitializer<Channel> initializer(PoolRuntime pool) {
        return new ClientInitializer(pool, null);
    }

    /** Clients of {@code pool} that start with a TLS handshake ({@code tls}); plain ones with null. */
    public static ChannelInitializer<Channel> initializer(PoolRuntime pool, io.shardis.proxy.tls.ServerTls tls) {
        return new ClientInitializer(pool, tls);
    }

    /** The TCP address listened on; for a Unix socket pool, see {@link #localAddress()}. */
    public InetSocketAddress address() {
        if (!(channel.localAddress() instanceof InetSocketAddress address)) {
            throw new IllegalStateException("pool '" + pool.config().name() + "' listens on a Unix socket: "
                    + channel.localAddress());
        }
        return address;
    }

    public java.net.SocketAddress localAddress() {
        return channel.localAddress();
    }

    public PoolRuntime pool() {
        return pool;
    }

    /** Stops accepting clients; those already connected are left alone. */
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
