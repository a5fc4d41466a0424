package io.shardis.proxy.channel;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.shardis.proxy.config.HostPort;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** Native epoll where the platform has it, Java NIO elsewhere. */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannelClass,
        Class<? extends Channel> socketChannelClass,
        Class<? extends ServerChannel> domainServerChannelClass,
        Class<? extends Channel> domainChannelClass) {

    public static Transport best() {
        if (Epoll.isAvailable() && !Boolean.getBoolean("shardis.nio")) {
            return new Transport("epoll", EpollIoHandler.newFactory(),
                    EpollServerSocketChannel.class, EpollSocketChannel.class,
                    EpollServerDomainSocketChannel.class, EpollDomainSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(),
                NioServerSocketChannel.class, NioSocketChannel.class,
                NioServerDomainSocketChannel.class, NioDomainSocketChannel.class);
    }

    /** The address to bind or connect to: TCP, or a Unix socket path in this transport's own type. */
    public SocketAddress address(HostPort endpoint) {
        if (!endpoint.isUnix()) {
            return endpoint.toSocketAddress();
        }
        return name.equals("epoll") ? new DomainSocketAddress(endpoint.host()) : UnixDomainSocketAddress.of(endpoint.host());
    }

    public Class<? extends Channel> channelClass(HostPort endpoint) {
        return endpoint.isUnix() ? domainChannelClass : socketChannelClass;
    }

    public Class<? extends ServerChannel> serverChannelClass(HostPort endpoint) {
        return endpoint.isUnix() ? domainServerChannelClass : serverChannelClass;
    }

    public EventLoopGroup newGroup(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true),
                ioHandlerFactory);
    }
}
