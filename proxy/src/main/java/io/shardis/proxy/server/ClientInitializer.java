package io.shardis.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.shardis.proxy.metrics.ClientConnectionStats;
import io.shardis.proxy.session.ClientSession;
import io.shardis.proxy.session.Refusals;
import io.shardis.proxy.tls.ServerTls;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespRequestDecoder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets up each accepted client connection of a pool, or turns it away past {@code client_connections}. */
final class ClientInitializer extends ChannelInitializer<Channel> {

    private static final Logger log = LoggerFactory.getLogger(ClientInitializer.class);

    /** The pool's runtime now: a reload may replace it. */
    private final Supplier<PoolRuntime> pools;
    /** Null on a plain listener. */
    private final ServerTls tls;

    ClientInitializer(Supplier<PoolRuntime> pools, ServerTls tls) {
        this.pools = pools;
        this.tls = tls;
    }

    @Override
    protected void initChannel(Channel channel) {
        PoolRuntime pool = pools.get();
        if (tls != null) {
            // First in the pipeline: even the "max number of clients" refusal goes out encrypted.
            channel.pipeline().addLast(tls.newHandler(channel.alloc()), tls.newGuard());
        }
        if (!pool.admitClient()) {
            log.warn(
                    "pool '{}': client_connections limit of {} reached; refusing {}",
                    pool.config().name(),
                    pool.config().limits().clientConnections(),
                    channel.remoteAddress());
            channel.writeAndFlush(RespReplies.error(channel.alloc(), Refusals.MAX_CLIENTS))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        pool.track(channel);
        channel.pipeline()
                .addLast(
                        new RespRequestDecoder(pool.requestLimits()),
                        new ClientConnectionStats(pool.metrics()),
                        new ClientSession(pool));
    }
}
