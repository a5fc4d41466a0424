package io.shardis.proxy.session;

import io.netty.channel.ChannelHandlerContext;
import io.shardis.proxy.channel.RateLimitedLog;
import io.shardis.proxy.config.ClientReplyLimit;
import io.shardis.proxy.metrics.PoolMetrics;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Disconnects a client that broke {@code max_client_reply_bytes}: counted
 * ({@code client_reply_limit_disconnects}) and logged, at most one line per 10 seconds for all
 * clients, so that a crowd of clients that read nothing cannot flood the log.
 */
final class ReplyLimitBreach implements ClientReplies.Breach {

    private static final RateLimitedLog log =
            new RateLimitedLog(LoggerFactory.getLogger(ClientSession.class), 10, TimeUnit.SECONDS);

    private final ChannelHandlerContext ctx;
    private final String pool;
    private final long clientId;
    private ClientReplyLimit limit;
    private final PoolMetrics metrics;
    private final ReplyBudget budget;

    ReplyLimitBreach(
            ChannelHandlerContext ctx,
            String pool,
            long clientId,
            ClientReplyLimit limit,
            PoolMetrics metrics,
            ReplyBudget budget) {
        this.ctx = ctx;
        this.pool = pool;
        this.clientId = clientId;
        this.limit = limit;
        this.metrics = metrics;
        this.budget = budget;
    }

    /** The limit a breach reports, after a reload changed it. */
    void limit(ClientReplyLimit next) {
        this.limit = next;
    }

    @Override
    public void disconnect(ReplyBytes.Verdict why, long heldBytes) {
        String reason = switch (why) {
            case DROP_HARD -> "past the hard limit of " + limit.hardBytes() + " bytes";
            case DROP_SOFT_TOO_LONG ->
                "past the soft limit of " + limit.softBytes() + " bytes for " + limit.softSeconds() + " s";
            case DROP_BUDGET ->
                "past the soft limit of " + limit.softBytes() + " bytes while the replies held"
                        + " for all clients exceed Shardis' budget of " + budget.limitBytes() + " bytes";
            default -> why.name();
        };
        log.warn(
                "pool '{}': client {} ({}) disconnected: {} bytes of replies held for it, {}"
                        + " (max_client_reply_bytes: {}); it does not read its replies",
                pool,
                clientId,
                ctx.channel().remoteAddress(),
                heldBytes,
                reason,
                limit);
        if (metrics != null) {
            metrics.clientReplyLimitReached();
        }
        ctx.close();
    }
}
