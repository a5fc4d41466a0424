package io.shardis.proxy.backend;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import java.net.SocketAddress;

/**
 * Opens the channel of a {@link BackendConnection}: the pool's Netty {@code Bootstrap} in
 * production, an {@code EmbeddedChannel} in unit tests, which then drive a connection's whole life
 * (set-up, replies, failures, teardown) in milliseconds.
 */
@FunctionalInterface
public interface BackendConnector {

    /** Starts connecting to {@code address} with {@code handler} (a channel initializer) on the channel. */
    ChannelFuture connect(ChannelHandler handler, SocketAddress address);
}
