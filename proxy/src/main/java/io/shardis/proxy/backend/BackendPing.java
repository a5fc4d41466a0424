package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.shardis.proxy.channel.Transport;
import io.shardis.resp.RespCommands;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One PING over a fresh connection of Shardis' own: the connection every backend gets (Netty, with
 * the server's AUTH, SELECT and TLS, TCP or Unix socket), opened on an event loop and closed after
 * the answer. How {@link PoolHealth} checks an ejected server before it takes keys again, without a
 * client of its own beside Netty.
 */
final class BackendPing implements ReplySink {

    private final CompletableFuture<String> result = new CompletableFuture<>();

    private BackendPing() {}

    /**
     * Pings over connections opened on {@code loops} with {@code transport}: null when the server
     * answered PONG (after AUTH, if any), else what went wrong. Never blocks the caller.
     */
    static Function<BackendSettings, CompletionStage<String>> over(
            EventLoopGroup loops, Transport transport, int timeoutMillis) {
        return server -> {
            EventLoop loop = loops.next();
            return ping(
                    server,
                    loop,
                    BackendPool.bootstraps(loop, transport, timeoutMillis).apply(server),
                    timeoutMillis);
        };
    }

    /** PING to {@code server} over a connection {@code connector} opens on {@code loop}; see {@link #over}. */
    static CompletionStage<String> ping(
            BackendSettings server, EventLoop loop, BackendConnector connector, int timeoutMillis) {
        BackendPing ping = new BackendPing();
        loop.execute(() -> {
            BackendConnection connection = new BackendConnection(server, loop, connector, ping, null);
            ScheduledFuture<?> deadline = loop.schedule(
                    () -> ping.finish("no answer to PING within " + timeoutMillis + " ms"),
                    timeoutMillis,
                    TimeUnit.MILLISECONDS);
            ping.result.whenComplete((problem, error) -> loop.execute(() -> {
                deadline.cancel(false);
                connection.close();
            }));
            connection.send(
                    RespCommands.encode(ByteBufAllocator.DEFAULT, "PING").content(), new PendingCommand(ping));
        });
        return ping.result;
    }

    private void finish(String problem) {
        result.complete(problem);
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        String text;
        try {
            text = reply.toString(StandardCharsets.UTF_8);
        } finally {
            reply.release();
        }
        int end = text.indexOf('\r');
        String line = end >= 0 ? text.substring(0, end) : text;
        finish(line.equals("+PONG") ? null : "PING answered " + line);
    }

    @Override
    public void onDeliveryFailed(Throwable cause) {
        finish(cause.toString());
    }

    @Override
    public void onDedicatedClosed(BackendConnection connection) {
        finish("the connection closed before PING was answered");
    }
}
