package io.shardis.proxy.channel;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.shardis.proxy.config.HostPort;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * The I/O transport of every socket: io_uring or epoll (Linux, native) or Java NIO. Chosen once at
 * start ({@link #choose}); {@code auto} takes the first that works here of io_uring, epoll and NIO.
 *
 * @param fallback why a transport asked for (or preferred by {@code auto}) was passed over; null when none was
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannelClass,
        Class<? extends Channel> socketChannelClass,
        Class<? extends ServerChannel> domainServerChannelClass,
        Class<? extends Channel> domainChannelClass,
        String fallback) {

    public static final String AUTO = "auto";
    public static final String IO_URING = "io_uring";
    public static final String EPOLL = "epoll";
    public static final String NIO = "nio";
    /** The values {@link #choose} takes. */
    public static final List<String> CHOICES = List.of(AUTO, IO_URING, EPOLL, NIO);

    /**
     * The transport named {@code choice} (one of {@link #CHOICES}); when it cannot run here, the next
     * of io_uring, epoll, NIO that can, with {@link #fallback()} saying why.
     *
     * @throws IllegalArgumentException for a name not in {@link #CHOICES}
     */
    public static Transport choose(String choice) {
        String wanted = choice.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        if (!CHOICES.contains(wanted)) {
            throw new IllegalArgumentException("unknown transport '" + choice + "': expected one of " + CHOICES);
        }
        StringBuilder passedOver = new StringBuilder();
        if (wanted.equals(AUTO) || wanted.equals(IO_URING)) {
            if (IoUring.isAvailable()) {
                return ioUring(null);
            }
            passedOver.append("io_uring: ").append(reason(IoUring.unavailabilityCause()));
        }
        if (!wanted.equals(NIO)) {
            if (Epoll.isAvailable()) {
                return epoll(fallback(passedOver));
            }
            if (!passedOver.isEmpty()) {
                passedOver.append("; ");
            }
            passedOver.append("epoll: ").append(reason(Epoll.unavailabilityCause()));
        }
        return nio(fallback(passedOver));
    }

    private static String fallback(StringBuilder passedOver) {
        return passedOver.isEmpty() ? null : passedOver.toString();
    }

    private static String reason(Throwable cause) {
        if (cause == null) {
            return "not available";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    private static Transport ioUring(String fallback) {
        return new Transport(
                IO_URING,
                IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class,
                IoUringSocketChannel.class,
                IoUringServerDomainSocketChannel.class,
                IoUringDomainSocketChannel.class,
                fallback);
    }

    private static Transport epoll(String fallback) {
        return new Transport(
                EPOLL,
                EpollIoHandler.newFactory(),
                EpollServerSocketChannel.class,
                EpollSocketChannel.class,
                EpollServerDomainSocketChannel.class,
                EpollDomainSocketChannel.class,
                fallback);
    }

    private static Transport nio(String fallback) {
        return new Transport(
                NIO,
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioServerDomainSocketChannel.class,
                NioDomainSocketChannel.class,
                fallback);
    }

    /** The address to bind or connect to: TCP, or a Unix socket path in this transport's own type. */
    public SocketAddress address(HostPort endpoint) {
        if (!endpoint.isUnix()) {
            return endpoint.toSocketAddress();
        }
        return name.equals(NIO)
                ? UnixDomainSocketAddress.of(endpoint.host())
                : new DomainSocketAddress(endpoint.host());
    }

    public Class<? extends Channel> channelClass(HostPort endpoint) {
        return endpoint.isUnix() ? domainChannelClass : socketChannelClass;
    }

    public Class<? extends ServerChannel> serverChannelClass(HostPort endpoint) {
        return endpoint.isUnix() ? domainServerChannelClass : serverChannelClass;
    }

    public EventLoopGroup newGroup(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), ioHandlerFactory);
    }
}
