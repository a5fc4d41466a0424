package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shardis.proxy.channel.WriteCoalescer;
import io.shardis.proxy.command.CommandGroup;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyDecoder;
import io.shardis.resp.RespReplyFramer;
import java.net.ConnectException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Lifecycle: one {@link State}, and one way out of a channel, {@link #teardown}, whatever ends
 * it (connect failure, EOF, reset, decode or allocation error, timeout, refused set-up, Sentinel
 * switch, close). Teardown first detaches the channel and the commands queued on it, then answers
 * each of them exactly once (an error, or a failover hold), so that no failure while answering one
 * can leave a command behind to be matched with a reply of the next channel. Error replies are made
 * on the heap: they must be deliverable when direct memory is what ran out.
 *
 * <p>Ownership: {@link #send} takes the frame; Netty releases it once written.
 *
 * <p>Longer than our usual 350 lines because the lifecycle, the FIFO it guards, the set-up
 * handshake and the timeout watch share the one state and the one teardown; the handshake and the
 * timeout watch are the parts to move into classes of their own next.
 */
public final class BackendConnection {

    private static final Logger log = LoggerFactory.getLogger(BackendConnection.class);

    /** Where error replies are made: heap memory, so that they can be made when direct memory is exhausted. */
    static final ByteBufAllocator ERRORS = new UnpooledByteBufAllocator(false);

    /** A connection's lifecycle; the channel is non-null exactly in CONNECTING, SETTING_UP and READY. */
    enum State {
        /** No channel: the next command connects (or fails fast within the retry delay after a failure). */
        IDLE,
        /** The channel is connecting; commands wait in {@link #unsent}. */
        CONNECTING,
        /** Connected; AUTH/SELECT/ROLE/READONLY are in flight, commands still wait in {@link #unsent}. */
        SETTING_UP,
        /** Set up: commands are written as they come. */
        READY,
        /** Closed for good (a dedicated connection whose session ended, or shutdown): commands fail at once. */
        CLOSED
    }

    /** How a channel ended: what its teardown counts and whether its commands may wait for a failover. */
    private enum Ending {
        /** The connection could not be opened: nothing was written. */
        CONNECT_FAILED,
        /** The server closed it (EOF). */
        EOF,
        /** An I/O, decode or allocation error, or a reply that matched no command. */
        ERROR,
        /** The set-up was refused, or the server is not a master: nothing of the clients' was written. */
        SETUP_REFUSED,
        /** The oldest reply took longer than the pool's timeout: commands fail, none is held. */
        TIMED_OUT,
        /** Dropped on purpose (Sentinel switch): the next command connects at once. */
        RESET,
        /** Closed for good by {@link #close}. */
        CLOSED
    }

    private final BackendSettings settings;
    private final EventLoop loop;
    private final BackendConnector connector;
    /** Whether sessions take this connection to themselves (transactions, blocking, Pub/Sub). */
    private final boolean dedicated;
    /** The session that has this dedicated connection now; null while it waits in the pool. */
    private ReplySink owner;
    /** The protocol the connection speaks (RESP3: HELLO 3 in its set-up); its clients speak it too. */
    private final RespProtocol protocol;
    /** RESP3: a {@code >} frame is a push, never the reply to a command in flight. */
    private final boolean pushesAreFramed;

    /** Bytes waiting to be written to the backend above which its clients are not read from. */
    static final int HIGH_WATER_MARK = 1024 * 1024;

    static final int LOW_WATER_MARK = 256 * 1024;

    private State state = State.IDLE;
    private Channel channel;
    private ArrayDeque<PendingCommand> inFlight = new ArrayDeque<>();
    /** Sessions that stopped reading their clients until this connection drains. */
    private final List<ReplySink> waitingForWritability = new ArrayList<>();
    /** Bytes of {@link #unsent}: while connecting, the outbound buffer does not exist yet. */
    private long unsentBytes;
    /** Frames accepted while connecting, written once the connection is up. */
    private final List<ByteBuf> unsent = new ArrayList<>();

    private final Runnable flushTask = this::flushNow;
    private final Runnable timeoutTask = this::checkTimeout;

    private final WriteCoalescer out = new WriteCoalescer(ByteBufAllocator.DEFAULT);
    /** Replies still expected to the AUTH/SELECT a new connection starts with. */
    private int setupReplies;
    /** The last setup reply expected is ROLE's. */
    private boolean awaitingRole;

    private boolean flushScheduled;
    private ScheduledFuture<?> timeoutCheck;
    /** Until when (nanoTime) commands fail fast because the last connection attempt failed. */
    private long retryAfterNanos;
    /** See {@link #replyBatchNanos()}. */
    private long replyBatchAtNanos;

    private boolean replyBatchKnown;
    /** Why commands fail fast while {@link #retryAfterNanos} has not passed. */
    private String downReason = "unreachable";
    /** The server's unreachability was logged; its return will be. */
    private boolean reportedDown;
    /**
     * ROLE said the server is no master, and that was logged: later attempts (one every retry
     * delay, while Sentinel still names it) are not, until a connection is usable or the address moves.
     */
    private boolean reportedNotMaster;

    /** Null outside cluster pools; on dedicated connections, the owning session's (see BackendPool). */
    private final Redirects redirects;

    BackendConnection(
            BackendSettings settings,
            EventLoop loop,
            BackendConnector connector,
            ReplySink owner,
            Redirects redirects) {
        this(settings, loop, connector, owner, redirects, RespProtocol.RESP2);
    }

    BackendConnection(
            BackendSettings settings,
            EventLoop loop,
            BackendConnector connector,
            ReplySink owner,
            Redirects redirects,
            RespProtocol protocol) {
        this.protocol = protocol;
        this.pushesAreFramed = protocol == RespProtocol.RESP3;
        this.settings = settings;
        this.redirects = redirects;
        this.loop = loop;
        this.connector = connector;
        this.owner = owner;
        this.dedicated = owner != null;
    }

    /** Hands a dedicated connection to another session (or, with null, back to the pool). */
    void assignTo(ReplySink newOwner) {
        this.owner = newOwner;
    }

    /** A dedicated connection another session may take: open, set up, nothing in flight. */
    boolean isReusable() {
        return dedicated && state == State.READY && inFlight.isEmpty() && unsent.isEmpty();
    }

    State state() {
        return state;
    }

    public RespProtocol protocol() {
        return protocol;
    }

    /**
     * The oldest command in flight here whose reply goes to {@code sink}'s client (not a set-up or
     * silent one), or null: where a push that arrives now stands among that client's replies.
     */
    public PendingCommand oldestAnsweredTo(ReplySink sink) {
        for (PendingCommand command : inFlight) {
            if (command.sink() == sink && !command.isSilent()) {
                return command;
            }
        }
        return null;
    }

    /**
     * Sends a command frame (ownership passes here). {@code pending} receives the reply; null for a
     * command whose replies arrive as pushes (Pub/Sub on a dedicated connection).
     */
    public void send(ByteBuf frame, PendingCommand pending) {
        if (redirects != null
                && pending != null
                && redirects.isHolding()
                && pending.hasFrame()
                && redirects.queueBehindHeld(pending, frame, settings)) {
            return;
        }
        if (state == State.CLOSED) {
            frame.release();
            failOne(pending, "connection closed");
            return;
        }
        if (state == State.IDLE && !connect()) {
            frame.release();
            failOrHold(pending, downReason, false);
            return;
        }
        int bytes = frame.readableBytes();
        settings.metrics().requestForwarded(bytes, pending == null ? CommandGroup.PUBSUB : pending.group());
        if (pending != null) {
            pending.requestBytes(bytes);
            settings.metrics().outQueueAdded(bytes);
            // The loop's clock, as the timeout check's (a test's EmbeddedChannel advances it).
            pending.sentAt(loop.ticker().nanoTime());
            if (settings.timeoutMillis() > 0) {
                if (timeoutCheck == null) {
                    timeoutCheck = loop.schedule(timeoutTask, settings.timeoutMillis(), TimeUnit.MILLISECONDS);
                }
            }
            inFlight.add(pending);
        }
        if (state == State.READY) {
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
        if (state == State.READY) {
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
        if (state == State.IDLE) {
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
        State was = state;
        state = State.CLOSED;
        if (was == State.CLOSED) {
            return;
        }
        if (channel != null) {
            // The teardown follows when the channel is inactive (or its connect attempt fails).
            channel.close();
        } else {
            failAll(detachInFlight(), "connection closed", false, false);
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
        if (state == State.READY) {
            out.flush(channel);
        }
    }

    /** Starts connecting unless the server failed moments ago; false means fail fast. */
    private boolean connect() {
        if (retryAfterNanos != 0 && System.nanoTime() - retryAfterNanos < 0) {
            return false;
        }
        state = State.CONNECTING;
        ChannelFuture future;
        try {
            future = connector.connect(
                    new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (settings.tls() != null) {
                                ch.pipeline()
                                        .addLast(settings.tls()
                                                .newHandler(
                                                        ch.alloc(),
                                                        settings.address(),
                                                        settings.connectTimeoutMillis()));
                            }
                            ch.pipeline().addLast(new RespReplyDecoder(settings.replyLimits()));
                            if (pushesAreFramed) {
                                // Only RESP3 connections look for pushes: a RESP2 one's replies go straight on.
                                ch.pipeline().addLast(new PushHandler());
                            }
                            ch.pipeline().addLast(new ReplyHandler());
                        }
                    },
                    settings.address());
        } catch (RuntimeException e) {
            state = State.IDLE;
            downReason = "unreachable: " + describe(e);
            return false;
        }
        channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                teardown(future.channel(), Ending.CONNECT_FAILED, "unreachable: " + describe(f.cause()));
                return;
            }
            // Over TLS the connection is up once the handshake is: a refused certificate is a
            // connection failure, reported as such, not a drop after the setup commands went out.
            SslHandler tls = future.channel().pipeline().get(SslHandler.class);
            if (tls == null) {
                onConnected(future.channel());
                return;
            }
            tls.handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    onConnected(future.channel());
                } else {
                    teardown(future.channel(), Ending.CONNECT_FAILED, "unreachable: " + describe(h.cause()));
                }
            });
        });
        return true;
    }

    private void onConnected(Channel connected) {
        if (connected != channel) {
            return;
        }
        if (state == State.CLOSED) {
            connected.close();
            return;
        }
        state = State.SETTING_UP;
        List<RespCommand> setup = ConnectionSetup.commands(settings, protocol, connected.alloc());
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
        state = State.READY;
        retryAfterNanos = 0;
        settings.events().connected();
        settings.metrics().connected();
        reportedNotMaster = false;
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

    /**
     * The one way out of a channel. Runs once per channel (later calls for it, such as the
     * {@code channelInactive} after a timeout closed it, find it detached and do nothing): detaches
     * the channel and every command queued on it, counts and logs the ending, closes the channel,
     * and only then answers the commands, each exactly once.
     */
    private void teardown(Channel ending, Ending how, String reason) {
        if (ending == null || ending != channel) {
            return;
        }
        boolean wasReady = state == State.READY;
        // close() was called: nothing waits for a failover, and the end is not the server's failure.
        boolean closedByUs = state == State.CLOSED;
        channel = null;
        state = closedByUs || dedicated ? State.CLOSED : State.IDLE;
        cancelTimeoutCheck();
        ArrayDeque<PendingCommand> stranded = detachInFlight();
        releaseUnsent();
        count(closedByUs ? Ending.CLOSED : how, reason, wasReady, stranded.size());
        if (ending.isOpen()) {
            ending.close();
        }
        // Commands may wait for a failover (written ones only if reads); none after a timeout,
        // whose point is that the client hears at once.
        failAll(
                stranded,
                reason,
                !closedByUs && how != Ending.TIMED_OUT,
                wasReady && how != Ending.CONNECT_FAILED && how != Ending.SETUP_REFUSED);
        if (dedicated && owner != null) {
            // The session's transaction or subscription state is gone with the connection: it must
            // not believe otherwise, so it is closed like a session whose connection dropped.
            owner.onDedicatedClosed(this);
        }
    }

    /** Statistics, events and logs of a channel's end; no command is touched here. */
    private void count(Ending how, String reason, boolean wasReady, int stranded) {
        switch (how) {
            case CONNECT_FAILED -> {
                retryAfterNanos = System.nanoTime() + BackendSettings.RETRY_DELAY_NANOS;
                downReason = reason;
                settings.metrics().connectFailed();
                if (dedicated) {
                    log.debug("{}: dedicated connection failed: {}", settings.describe(), reason);
                } else if (!reportedDown) {
                    reportedDown = true;
                    log.warn(
                            "{}: {}; {}",
                            settings.describe(),
                            reason,
                            redirects == null
                                    ? "its commands fail until it is back"
                                    : "its commands wait for it or its successor, up to failover_timeout");
                }
            }
            case SETUP_REFUSED -> {
                retryAfterNanos = System.nanoTime() + BackendSettings.RETRY_DELAY_NANOS;
                downReason = reason;
            }
            case TIMED_OUT -> {
                settings.metrics().timedOut();
                if (wasReady) {
                    settings.metrics().disconnected();
                }
            }
            case RESET, CLOSED -> {
                if (wasReady) {
                    settings.metrics().disconnected();
                }
            }
            case EOF, ERROR -> {
                if (wasReady) {
                    if (how == Ending.ERROR) {
                        settings.metrics().disconnectedByError();
                    } else {
                        settings.metrics().disconnectedByEof();
                    }
                }
                if (wasReady && stranded > 0) {
                    log.warn(
                            "{}: connection lost with {} command(s) in flight ({}); each gets an error",
                            settings.describe(),
                            stranded,
                            reason);
                }
            }
        }
        if (how != Ending.RESET && how != Ending.CLOSED) {
            settings.events().failed(reason);
        }
    }

    private void checkTimeout() {
        timeoutCheck = null;
        PendingCommand oldest = firstTimed();
        if (oldest == null) {
            return;
        }
        long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.timeoutMillis());
        long age = loop.ticker().nanoTime() - oldest.sentAtNanos();
        if (age >= timeoutNanos) {
            log.warn(
                    "{}: no reply within {} ms; closing the connection and failing {} command(s)",
                    settings.describe(),
                    settings.timeoutMillis(),
                    inFlight.size());
            // Fail now rather than when the close completes, so clients hear at the timeout.
            teardown(channel, Ending.TIMED_OUT, "timed out after " + settings.timeoutMillis() + " ms");
        } else {
            timeoutCheck = loop.schedule(timeoutTask, timeoutNanos - age, TimeUnit.NANOSECONDS);
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

    /** Takes every queued command off this connection: a new channel starts with an empty FIFO. */
    private ArrayDeque<PendingCommand> detachInFlight() {
        ArrayDeque<PendingCommand> detached = inFlight;
        inFlight = new ArrayDeque<>();
        for (PendingCommand command : detached) {
            answered(command);
        }
        return detached;
    }

    /**
     * Answers each of {@code commands} once: an error, or, when {@code mayHold}, a failover hold
     * ({@code written}: whether they may have reached the server). A failure answering one (its
     * client's memory, its session) is that client's, and keeps no other from its answer.
     */
    private void failAll(ArrayDeque<PendingCommand> commands, String reason, boolean mayHold, boolean written) {
        PendingCommand command;
        while ((command = commands.poll()) != null) {
            if (mayHold) {
                failOrHold(command, reason, written);
            } else {
                failOne(command, reason);
            }
        }
    }

    private void failOrHold(PendingCommand command, String reason, boolean written) {
        if (redirects != null && command != null && command.hasFrame() && command.sink() != null) {
            try {
                if (redirects.holdUnreachable(command, settings, reason, written)) {
                    return;
                }
            } catch (RuntimeException | OutOfMemoryError e) {
                log.warn(
                        "{}: could not hold a command for the failover ({}); it fails",
                        settings.describe(),
                        describe(e));
            }
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
        reportedNotMaster = false;
        teardown(channel, Ending.RESET, reason);
        retryAfterNanos = 0;
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
            deliver(command, RespReplies.error(ERRORS, "ERR Shardis: " + settings.describe() + " " + reason));
        }
    }

    /**
     * Hands {@code reply} to its command's client. Should that fail (its client's memory is
     * exhausted, say), the client is the one dropped: the connection and the other clients on it
     * carry on, the FIFO still in step.
     */
    private void deliver(PendingCommand command, ByteBuf reply) {
        try {
            command.complete(reply);
        } catch (RuntimeException | OutOfMemoryError e) {
            DeliveryFailures.report(settings.describe(), e);
            ReplySink sink = command.sink();
            if (sink != null) {
                sink.onDeliveryFailed(e);
            }
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
            teardown(channel, Ending.ERROR, "sent a reply no command was waiting for");
            return;
        }
        if (command.sink() == null) {
            onSetupReply(reply);
            return;
        }
        settings.metrics().replyReceived(reply.readableBytes());
        command.replied(replyBatchNanos(), settings.poolMetrics());
        if (settings.masterOnly() && ConnectionSetup.isReadOnlyError(reply)) {
            settings.events().notMaster("a write was refused with READONLY");
        }
        answered(command);
        if (redirects == null
                || !command.hasFrame()
                || !RespReplyFramer.isError(reply)
                || !redirects.follow(command, reply, settings)) {
            deliver(command, reply);
        }
        if (timeoutCheck == null && settings.timeoutMillis() > 0 && !inFlight.isEmpty()) {
            timeoutCheck = loop.schedule(timeoutTask, settings.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A RESP3 push: out of band, whatever is in flight. Relayed to the session that owns a dedicated
     * connection (Pub/Sub messages, subscription confirmations); a shared connection has no one to
     * give it to (nothing Shardis sends on it subscribes or tracks), so it is dropped.
     */
    private void onPushFrame(ByteBuf push) {
        if (owner != null) {
            owner.onPush(push);
            return;
        }
        push.release();
        log.debug("{}: push frame on a shared connection dropped", settings.describe());
    }

    private void onSetupReply(ByteBuf reply) {
        if (awaitingRole && setupReplies == 1) {
            awaitingRole = false;
            if (!ConnectionSetup.isMasterRole(reply)) {
                reply.release();
                String reason = "is not a master (ROLE); waiting for Sentinel to name the new one";
                if (reportedNotMaster) {
                    log.debug("{}: {}", settings.describe(), reason);
                } else {
                    reportedNotMaster = true;
                    log.warn("{}: {}", settings.describe(), reason);
                }
                settings.events().notMaster("ROLE on a new connection");
                teardown(channel, Ending.SETUP_REFUSED, reason);
                return;
            }
        }
        if (RespReplyFramer.isError(reply)) {
            String error =
                    reply.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
            reply.release();
            String reason = "refused the connection setup: " + error;
            log.error("{}: {}", settings.describe(), reason);
            teardown(channel, Ending.SETUP_REFUSED, reason);
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
        if (cause instanceof javax.net.ssl.SSLException) {
            return "TLS handshake failed: " + io.shardis.proxy.tls.TlsFailures.describe(cause);
        }
        if (cause instanceof ConnectException
                && cause.getMessage() != null
                && cause.getMessage().toLowerCase(java.util.Locale.ROOT).contains("refused")) {
            return "connection refused";
        }
        if (cause instanceof DecoderException && cause.getCause() != null) {
            return describe(cause.getCause());
        }
        return cause.getMessage() != null
                ? cause.getMessage()
                : cause.getClass().getSimpleName();
    }

    /** When the replies of the current read from the socket arrived: one clock read for a pipeline of replies. */
    private long replyBatchNanos() {
        if (!replyBatchKnown) {
            replyBatchAtNanos = loop.ticker().nanoTime();
            replyBatchKnown = true;
        }
        return replyBatchAtNanos;
    }

    /** On a RESP3 connection, takes the push frames ({@code >}) out of the replies; one instance per channel. */
    private final class PushHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            if (frame.getByte(frame.readerIndex()) != '>') {
                ctx.fireChannelRead(msg);
            } else if (ctx.channel() != channel) {
                frame.release();
            } else {
                onPushFrame(frame);
            }
        }
    }

    /** Reads the backend's replies; one instance per channel. */
    private final class ReplyHandler extends ChannelInboundHandlerAdapter {

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            replyBatchKnown = false;
            ctx.fireChannelReadComplete();
        }

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
            teardown(ctx.channel(), state == State.CLOSED ? Ending.CLOSED : Ending.EOF, "closed the connection");
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel && ctx.channel().isWritable()) {
                wakeWaiting();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (state == State.CONNECTING
                    && (cause instanceof SSLException || cause.getCause() instanceof SSLException)) {
                // A failed TLS handshake: reported once, as an unreachable server, by the handshake's listener.
                ctx.close();
                return;
            }
            String reason = describe(cause);
            log.warn("{}: {}; closing the connection", settings.describe(), reason);
            teardown(
                    ctx.channel(),
                    state == State.CLOSED ? Ending.CLOSED : Ending.ERROR,
                    "closed the connection: " + reason);
            ctx.close();
        }
    }
}
