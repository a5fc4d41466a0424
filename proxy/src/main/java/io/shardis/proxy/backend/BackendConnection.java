package io.shardis.proxy.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.shardis.proxy.metrics.CommandGroup;
import io.netty.util.concurrent.ScheduledFuture;
import io.shardis.proxy.channel.WriteCoalescer;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyDecoder;
import io.shardis.resp.RespReplyFramer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One connection to one backend, living on one event loop: many clients' commands are pipelined on
 * it and its replies are matched to them in FIFO order. Everything here runs on {@link #loop}, so
 * nothing is locked.
 *
 * <p>The connection opens lazily, and again after a failure; while the server cannot be reached,
 * commands are answered at once with an error instead of waiting. A reply slower than the pool's
 * timeout closes the connection and fails every command in flight on it (the connection cannot
 * be resynchronised: a late reply would be matched to the wrong command).
 *
 * <p>Ownership: {@link #send} takes the frame; Netty releases it once written.
 */
public final class BackendConnection {

    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);

    private final BackendSettings settings;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** Whether sessions take this connection to themselves (transactions, blocking, Pub/Sub). */
    private final boolean dedicated;
    /** The session that has this dedicated connection now; null while it waits in the pool. */
    private ReplySink owner;

    /** Bytes waiting to be written to the backend above which its clients are not read from. */
    static final int HIGH_WATER_MARK = 1024 * 1024;
    static final int LOW_WATER_MARK = 256 * 1024;

    private final ArrayDeque<PendingCommand> inFlight = new ArrayDeque<>();
    /** Sessions that stopped reading their clients until this connection drains. */
    private final List<ReplySink> waitingForWritability = new ArrayList<>();
    /** Bytes of {@link #unsent}: while connecting, the outbound buffer does not exist yet. */
    private long unsentBytes;
    /** Frames accepted while connecting, written once the connection is up. */
    private final List<ByteBuf> unsent = new ArrayList<>();
    private final Runnable flushTask = this::flushNow;
    private final Runnable timeoutTask = this::checkTimeout;

    private final WriteCoalescer out = new WriteCoalescer(ByteBufAllocator.DEFAULT);
    private Channel channel;
    /** Connected and set up: commands are written as they come. */
    private boolean active;
    /** Replies still expected to the AUTH/SELECT a new connection starts with. */
    private int setupReplies;
    private boolean flushScheduled;
    private boolean closedForGood;
    private ScheduledFuture<?> timeoutCheck;
    /** Until when (nanoTime) commands fail fast because the last connection attempt failed. */
    private long retryAfterNanos;
    /** Why commands fail fast while {@link #retryAfterNanos} has not passed. */
    private String downReason = "unreachable";
    /** Why the current channel is being closed, for the errors of its in-flight commands. */
    private String closeReason;
    private boolean reportedDown;
    /** The current channel is closing after an I/O error, not an orderly close by the server. */
    private boolean errorClosed;
    /** The last setup reply expected is ROLE's. */
    private boolean awaitingRole;

    /** Null outside cluster pools; on dedicated connections, the owning session's (see BackendPool). */
    private final Redirects redirects;

    BackendConnection(BackendSettings settings, EventLoop loop, Bootstrap bootstrap, ReplySink owner,
                      Redirects redirects) {
        this.settings = settings;
        this.redirects = redirects;
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.owner = owner;
        this.dedicated = owner != null;
    }

    /** Hands a dedicated connection to another session (or, with null, back to the pool). */
    void assignTo(ReplySink newOwner) {
        this.owner = newOwner;
    }

    /** A dedicated connection another session may take: open, set up, nothing in flight. */
    boolean isReusable() {
        return dedicated && !closedForGood && active && inFlight.isEmpty() && unsent.isEmpty();
    }

    /**
     * Sends a command frame (ownership passes here). {@code pending} receives the reply; null for a
     * command whose replies arrive as pushes (Pub/Sub on a dedicated connection).
     */
    public void send(ByteBuf frame, PendingCommand pending) {
        if (redirects != null && pending != null && redirects.isHolding() && pending.hasFrame()
                && redirects.queueBehindHeld(pending, frame, settings)) {
            return;
        }
        if (closedForGood) {
            frame.release();
            failOne(pending, "connection closed");
            return;
        }
        if (channel == null && !connect()) {
            frame.release();
            failOrHold(pending, downReason, false);
            return;
        }
        int bytes = frame.readableBytes();
        settings.metrics().requestForwarded(bytes, pending == null ? CommandGroup.PUBSUB : pending.group());
        if (pending != null) {
            pending.requestBytes(bytes);
            settings.metrics().outQueueAdded(bytes);
            pending.sentAt(System.nanoTime());
            if (settings.timeoutMillis() > 0) {
                if (timeoutCheck == null) {
                    timeoutCheck = loop.schedule(timeoutTask, settings.timeoutMillis(), TimeUnit.MILLISECONDS);
                }
            }
            inFlight.add(pending);
        }
        if (active) {
            out.write(channel, frame);
            scheduleFlush();
        } else {
            unsentBytes += bytes;
            settings.metrics().inQueueAdded(bytes);
            unsent.add(frame);
        }
    }

    /**
     * False when more than {@link #HIGH_WATER_MARK} bytes wait to be written to the backend: the
     * caller should stop reading its client and ask to be told when writes are welcome again.
     */
    public boolean isWritable() {
        if (active) {
            return channel.isWritable();
        }
        return unsentBytes < HIGH_WATER_MARK;
    }

    /** {@code sink} hears {@link ReplySink#onBackendWritable} once this connection drains or closes. */
    public void notifyWhenWritable(ReplySink sink) {
        waitingForWritability.add(sink);
    }

    private void wakeWaiting() {
        if (waitingForWritability.isEmpty()) {
            return;
        }
        List<ReplySink> waiting = new ArrayList<>(waitingForWritability);
        waitingForWritability.clear();
        for (ReplySink sink : waiting) {
            sink.onBackendWritable();
        }
    }

    /** Connects now rather than at the first command (the pool's {@code preconnect}). */
    public void open() {
        if (channel == null && !closedForGood) {
            connect();
        }
    }

    /** Commands sent and not yet answered. */
    public int inFlight() {
        return inFlight.size();
    }

    public BackendSettings settings() {
        return settings;
    }

    /** Closes for good (a dedicated connection whose session ended, or shutdown). */
    public void close() {
        closedForGood = true;
        if (channel != null) {
            channel.close();
        } else {
            failAll("connection closed");
        }
    }

    private void scheduleFlush() {
        // Flush after this event-loop iteration: every client served in it shares one write syscall.
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (active) {
            out.flush(channel);
        }
    }

    /** Starts connecting unless the server failed moments ago; false means fail fast. */
    private boolean connect() {
        if (retryAfterNanos != 0 && System.nanoTime() - retryAfterNanos < 0) {
            return false;
        }
        ChannelFuture future = bootstrap.clone().handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new RespReplyDecoder(settings.replyLimits()), new ReplyHandler());
            }
        }).connect(settings.address());
        channel = future.channel();
        future.addListener(f -> {
            if (f.isSuccess()) {
                onConnected(future.channel());
            } else {
                onConnectFailed(future.channel(), f.cause());
            }
        });
        return true;
    }

    private void onConnected(Channel connected) {
        if (connected != channel) {
            return;
        }
        if (closedForGood) {
            connected.close();
            return;
        }
        List<RespCommand> setup = ConnectionSetup.commands(settings, connected.alloc());
        awaitingRole = settings.masterOnly();
        if (setup.isEmpty()) {
            becomeReady(connected);
            return;
        }
        // Their replies come before any client command's: they go first in the FIFO.
        for (int i = setup.size() - 1; i >= 0; i--) {
            inFlight.addFirst(new PendingCommand(null));
        }
        for (RespCommand command : setup) {
            connected.write(command.content(), connected.voidPromise());
        }
        setupReplies = setup.size();
        connected.flush();
    }

    /** The connection is set up: the commands that waited for it go out. */
    private void becomeReady(Channel connected) {
        active = true;
        retryAfterNanos = 0;
        settings.events().connected();
        settings.metrics().connected();
        if (reportedDown) {
            reportedDown = false;
            log.info("{}: reachable again", settings.describe());
        }
        for (ByteBuf frame : unsent) {
            settings.metrics().inQueueRemoved(frame.readableBytes());
            out.write(connected, frame);
        }
        unsent.clear();
        unsentBytes = 0;
        out.flush(connected);
        if (connected.isWritable()) {
            wakeWaiting();
        }
    }

    private void onConnectFailed(Channel failed, Throwable cause) {
        if (failed != channel) {
            return;
        }
        channel = null;
        retryAfterNanos = System.nanoTime() + BackendSettings.RETRY_DELAY_NANOS;
        downReason = "unreachable: " + describe(cause);
        if (!closedForGood) {
            settings.events().failed(downReason);
        }
        settings.metrics().connectFailed();
        releaseUnsent();
        failOrHoldAll(downReason, false);
        if (dedicated) {
            // The session's transaction or subscription never reached the backend: it must not
            // believe otherwise, so it is closed like a session whose connection dropped.
            log.debug("{}: dedicated connection failed: {}", settings.describe(), downReason);
            closedForGood = true;
            if (owner != null) {
                owner.onDedicatedClosed(this);
            }
        } else if (!reportedDown) {
            reportedDown = true;
            log.warn("{}: {}; {}", settings.describe(), downReason, redirects == null
                    ? "its commands fail until it is back"
                    : "its commands wait for it or its successor, up to failover_timeout");
        }
    }

    private void onClosed(Channel closed) {
        if (closed != channel) {
            return;
        }
        boolean wasActive = active;
        channel = null;
        active = false;
        cancelTimeoutCheck();
        releaseUnsent();
        String reason = closeReason != null ? closeReason : "closed the connection";
        closeReason = null;
        if (!closedForGood) {
            settings.events().failed(reason);
        }
        if (wasActive) {
            if (closedForGood) {
                settings.metrics().disconnected();
            } else if (errorClosed) {
                settings.metrics().disconnectedByError();
            } else {
                settings.metrics().disconnectedByEof();
            }
        }
        errorClosed = false;
        if (wasActive && !inFlight.isEmpty()) {
            log.warn("{}: connection lost with {} command(s) in flight", settings.describe(), inFlight.size());
        }
        failOrHoldAll(reason, wasActive);
        if (dedicated) {
            closedForGood = true;
            if (owner != null) {
                owner.onDedicatedClosed(this);
            }
        }
    }

    private void checkTimeout() {
        timeoutCheck = null;
        PendingCommand oldest = firstTimed();
        if (oldest == null) {
            return;
        }
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
        long age = System.nanoTime() - oldest.sentAtNanos();
        if (age >= timeoutNanos) {
            log.warn("{}: no reply within {} ms; closing the connection and failing {} command(s)",
                    settings.describe(), settings.timeoutMillis(), inFlight.size());
            Channel timedOut = channel;
            // Fail now rather than when the close completes, so clients hear at the timeout.
            onClosedForTimeout(timedOut);
        } else {
            timeoutCheck = loop.schedule(timeoutTask, timeoutNanos - age, TimeUnit.NANOSECONDS);
        }
    }

    private void onClosedForTimeout(Channel timedOut) {
        channel = null;
        settings.metrics().timedOut();
        if (active) {
            settings.metrics().disconnected();
        }
        active = false;
        releaseUnsent();
        failAll("timed out after " + settings.timeoutMillis() + " ms");
        settings.events().failed("timed out after " + settings.timeoutMillis() + " ms");
        if (timedOut != null) {
            timedOut.close();
        }
        if (dedicated) {
            closedForGood = true;
            if (owner != null) {
                owner.onDedicatedClosed(this);
            }
        }
    }

    /**
     * The oldest command that can time out. Nothing can while a blocking command is ahead of the
     * others: replies come in order, so they all wait for it, as they would on a Redis connection.
     */
    private PendingCommand firstTimed() {
        for (PendingCommand command : inFlight) {
            if (command.isUntimed()) {
                return null;
            }
            if (command.sink() != null && !command.isSilent()) {
                return command;
            }
        }
        return null;
    }

    private void cancelTimeoutCheck() {
        if (timeoutCheck != null) {
            timeoutCheck.cancel(false);
            timeoutCheck = null;
        }
    }

    private void releaseUnsent() {
        out.discard();
        for (ByteBuf frame : unsent) {
            settings.metrics().inQueueRemoved(frame.readableBytes());
            frame.release();
        }
        unsent.clear();
        unsentBytes = 0;
        // Whoever waited for this connection to drain must not wait for a connection that is gone.
        wakeWaiting();
    }

    private void failAll(String reason) {
        PendingCommand command;
        while ((command = inFlight.poll()) != null) {
            answered(command);
            failOne(command, reason);
        }
        cancelTimeoutCheck();
    }

    /**
     * Fails every command in flight after the connection failed, except those a cluster pool holds
     * for its failover. {@code written}: whether they may have reached the server.
     */
    private void failOrHoldAll(String reason, boolean written) {
        PendingCommand command;
        while ((command = inFlight.poll()) != null) {
            answered(command);
            failOrHold(command, reason, written);
        }
        cancelTimeoutCheck();
    }

    private void failOrHold(PendingCommand command, String reason, boolean written) {
        if (redirects != null && !closedForGood && command != null && command.hasFrame() && command.sink() != null
                && redirects.holdUnreachable(command, settings, reason, written)) {
            return;
        }
        failOne(command, reason);
    }

    /**
     * Drops the current connection at once, failing what is in flight on it with {@code reason};
     * the next command connects again, to the server's address as it is then. For a master that
     * Sentinel replaced: nothing more may reach the demoted one.
     */
    public void reset(String reason) {
        // A failure of the old address says nothing of the new one: try it at once.
        retryAfterNanos = 0;
        Channel old = channel;
        if (old == null) {
            return;
        }
        boolean wasActive = active;
        channel = null;
        active = false;
        cancelTimeoutCheck();
        releaseUnsent();
        // Commands not yet written, and reads, may wait for the new master; writes may have run.
        failOrHoldAll(reason, wasActive);
        if (wasActive) {
            settings.metrics().disconnected();
        }
        old.close();
        if (dedicated) {
            closedForGood = true;
            if (owner != null) {
                owner.onDedicatedClosed(this);
            }
        }
    }

    /** A command left the out queue: answered or failed. */
    private void answered(PendingCommand command) {
        if (command.requestBytes() > 0) {
            settings.metrics().outQueueRemoved(command.requestBytes());
        }
    }

    private void failOne(PendingCommand command, String reason) {
        if (command != null && command.sink() != null) {
            settings.poolMetrics().forwardFailed();
            command.complete(RespReplies.error(ByteBufAllocator.DEFAULT,
                    "ERR Shardis: " + settings.describe() + " " + reason));
        }
    }

    private void onReply(ByteBuf reply) {
        PendingCommand command = inFlight.poll();
        if (command == null) {
            if (owner != null) {
                owner.onPush(reply);
                return;
            }
            // A shared connection never receives unasked frames: the stream is out of step.
            ReferenceCountUtil.release(reply);
            log.error("{}: unexpected reply with no command waiting; closing the connection", settings.describe());
            channel.close();
            return;
        }
        if (command.sink() == null) {
            onSetupReply(reply);
            return;
        }
        settings.metrics().replyReceived(reply.readableBytes());
        command.replied(System.nanoTime(), settings.poolMetrics());
        if (settings.masterOnly() && ConnectionSetup.isReadOnlyError(reply)) {
            settings.events().notMaster("a write was refused with READONLY");
        }
        answered(command);
        if (redirects == null || !command.hasFrame() || !RespReplyFramer.isError(reply)
                || !redirects.follow(command, reply, settings)) {
            command.complete(reply);
        }
        if (timeoutCheck == null && settings.timeoutMillis() > 0 && !inFlight.isEmpty()) {
            timeoutCheck = loop.schedule(timeoutTask, settings.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void onSetupReply(ByteBuf reply) {
        if (awaitingRole && setupReplies == 1) {
            awaitingRole = false;
            if (!ConnectionSetup.isMasterRole(reply)) {
                reply.release();
                downReason = "is not a master (ROLE); waiting for Sentinel to name the new one";
                closeReason = downReason;
                log.warn("{}: {}", settings.describe(), downReason);
                retryAfterNanos = System.nanoTime() + BackendSettings.RETRY_DELAY_NANOS;
                settings.events().notMaster("ROLE on a new connection");
                channel.close();
                return;
            }
        }
        if (RespReplyFramer.isError(reply)) {
            String error = reply.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
            reply.release();
            downReason = "refused the connection setup: " + error;
            closeReason = downReason;
            log.error("{}: {}", settings.describe(), downReason);
            retryAfterNanos = System.nanoTime() + BackendSettings.RETRY_DELAY_NANOS;
            channel.close();
            return;
        }
        reply.release();
        if (--setupReplies == 0) {
            becomeReady(channel);
        }
    }

    private static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof ConnectException && cause.getMessage() != null
                && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** Reads the backend's replies; one instance per channel. */
    private final class ReplyHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (ctx.channel() != channel) {
                ReferenceCountUtil.release(msg);
                return;
            }
            onReply((ByteBuf) msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onClosed(ctx.channel());
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel && ctx.channel().isWritable()) {
                wakeWaiting();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("{}: {}; closing the connection", settings.describe(), describe(cause));
            if (ctx.channel() == channel) {
                errorClosed = true;
            }
            ctx.close();
        }
    }
}
