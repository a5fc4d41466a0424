package io.shardis.proxy.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.shardis.proxy.channel.Transport;
import io.shardis.proxy.config.PoolConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/** Binds a pool's listening socket: TCP, or a Unix socket with the mode nutcracker.yml gives it. */
public final class ListenSockets {

    private ListenSockets() {}

    public static Channel bind(
            PoolConfig pool,
            Transport transport,
            EventLoopGroup acceptors,
            EventLoopGroup workers,
            ChannelHandler clients)
            throws InterruptedException {
        return bind(pool, pool.listen().address(), transport, acceptors, workers, clients);
    }

    /** Binds {@code listen} (the pool's own, or its TLS one beside it) with the pool's socket settings. */
    public static Channel bind(
            PoolConfig pool,
            io.shardis.proxy.config.HostPort listen,
            Transport transport,
            EventLoopGroup acceptors,
            EventLoopGroup workers,
            ChannelHandler clients)
            throws InterruptedException {
        boolean unix = listen.isUnix();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannelClass(listen))
                .option(ChannelOption.SO_BACKLOG, pool.listen().backlog())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(clients);
        if (unix) {
            removeStaleSocket(Path.of(listen.host()));
        } else {
            bootstrap
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        Channel channel = bootstrap.bind(transport.address(listen)).sync().channel();
        if (unix) {
            Path path = Path.of(listen.host());
            if (pool.listen().mode() >= 0) {
                setMode(path, pool.listen().mode());
            }
            channel.closeFuture().addListener(f -> Files.deleteIfExists(path));
        }
        return channel;
    }

    /** A socket file left by a process that died would make the bind fail; a regular file is left alone. */
    private static void removeStaleSocket(Path path) {
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the old socket " + path, e);
        }
    }

    private static void setMode(Path path, int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int bit = 0; bit < bits.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                permissions.add(bits[bit]);
            }
        }
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set mode " + Integer.toOctalString(mode) + " on " + path, e);
        }
    }
}
