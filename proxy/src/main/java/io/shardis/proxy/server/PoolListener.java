package io.shardis.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A pool's listening socket, and the pool runtime its new clients join: a reload that changes the
 * pool puts a new runtime in place ({@link #replace}) on the same socket.
 */
public final class PoolListener {

    private final AtomicReference<PoolRuntime> pool;
    private final Channel channel;

    public PoolListener(AtomicReference<PoolRuntime> pool, Channel channel) {
        this.pool = pool;
        this.channel = channel;
    }

    /** Clients of the runtime {@code pool} holds when they connect, starting with a TLS handshake ({@code tls}) unless null. */
    public static ChannelInitializer<Channel> initializer(
            AtomicReference<PoolRuntime> pool, io.shardis.proxy.tls.ServerTls tls) {
        return new ClientInitializer(pool::get, tls);
    }

    /**
     * A reload changed the pool: new clients join {@code next}, and those of the runtime it replaces
     * move there (see {@link PoolRuntime#replacedBy}). Returns the runtime replaced.
     */
    public PoolRuntime replace(PoolRuntime next) {
        PoolRuntime old = pool.getAndSet(next);
        if (old != next) {
            old.replacedBy(next);
        }
        return old;
    }

    /** The TCP address listened on; for a Unix socket pool, see {@link #localAddress()}. */
    public InetSocketAddress address() {
        if (!(channel.localAddress() instanceof InetSocketAddress address)) {
            throw new IllegalStateException(
                    "pool '" + pool.get().config().name() + "' listens on a Unix socket: " + channel.localAddress());
        }
        return address;
    }

    public java.net.SocketAddress localAddress() {
        return channel.localAddress();
    }

    public PoolRuntime pool() {
        return pool.get();
    }

    /** Stops accepting clients; those already connected are left alone. */
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
