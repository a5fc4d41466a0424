package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.channel.WriteCoalescer;
import io.shardis.proxy.config.ClientReplyLimit;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The replies one client is owed, in the order of its commands: each is written as soon as every
 * earlier one has been ("flush out what we can"), and the writes of one event-loop turn go out in
 * one flush. Also decides when the client's commands are not processed: too many replies
 * outstanding ({@code max_pipeline}), too many bytes of replies held or expected
 * ({@code max_client_reply_bytes}, see {@link ReplyBytes}), a client that does not read its
 * replies, or a backend it writes to with a full buffer (back-pressure, nothing buffered without
 * bound). Commands already read from the socket when one of the first three holds are kept here,
 * unprocessed, until it no longer does. Runs on the client's event loop.
 *
 * <p>Ownership: a reply is owned by its {@link PendingCommand} until written here, or released
 * by {@link #discard}; a held-back message is owned here until handed to the dispatcher.
 *
 * <p>Longer than our usual 350 lines because the order of replies (RESP3 pushes placed among them
 * included) and the limits that hold the client back judge the same queue at the same moments;
 * the held-back messages are the part to move into a class of their own next.
 */
final class ClientReplies {

    /** What a limit breach does to the client; the session closes it and counts it. */
    interface Breach {
        void disconnect(ReplyBytes.Verdict why, long heldBytes);
    }

    private final ChannelHandlerContext ctx;
    private final ReplySink owner;
    private int maxPipeline;
    private final ReplyBytes bytes;
    private final Breach breach;
    private final Consumer<Object> dispatcher;
    private final ArrayDeque<PendingCommand> queue = new ArrayDeque<>();
    /** Messages read from the client but not processed while it is held back, in order. */
    private final ArrayDeque<Object> heldBack = new ArrayDeque<>();
    /** Small replies copied together, so a flush writes one buffer instead of one per reply. */
    private final WriteCoalescer out;

    private final Runnable flushTask = this::flushNow;
    private final Runnable resumeTask = this::resume;
    private final Runnable softExpiryTask = this::judgeLater;
    private boolean flushScheduled;
    private boolean resumeScheduled;
    private boolean closeAfterFlush;
    private boolean discarded;
    /** A limit was broken and the client is being disconnected: judged no more. */
    private boolean breached;

    private boolean pausedForPipeline;
    private boolean pausedForBackend;
    private boolean pausedForBytes;
    /** A reload moves the client to another pool once its replies are in: its commands wait. */
    private boolean pausedForMove;
    /** Bytes of replies arrived (or made here) and queued behind an earlier one, not yet written. */
    private long queuedBytes;
    /** Replies expected and not yet arrived. */
    private int awaiting;

    private ScheduledFuture<?> softExpiry;
    /** The size of the reply being written now, for a judgement its write triggers. */
    private long arriving;

    /**
     * @param owner      the session, the sink of the replies made here and told when a backend drains
     * @param dispatcher processes a message read from the client (a command, a protocol error)
     */
    ClientReplies(
            ChannelHandlerContext ctx,
            ReplySink owner,
            int maxPipeline,
            ReplyBytes bytes,
            Breach breach,
            Consumer<Object> dispatcher) {
        this.ctx = ctx;
        this.owner = owner;
        this.maxPipeline = maxPipeline;
        this.bytes = bytes;
        this.breach = breach;
        this.dispatcher = dispatcher;
        this.out = new WriteCoalescer(ctx.alloc());
    }

    /**
     * A reload changed the client's pool: {@code max_pipeline} and {@code client_reply_limit} as
     * the new settings say, from the next command on. Called while nothing is owed (a client moves
     * to the new pool only then), so no pause is in force.
     */
    void limits(int nextMaxPipeline, ClientReplyLimit replyLimit) {
        this.maxPipeline = nextMaxPipeline;
        bytes.limit(replyLimit);
    }

    /**
     * Keeps {@code msg} (ownership passes) to be processed later when the client is held back, or
     * when earlier messages still are; false when the caller should process it now.
     */
    boolean holdBack(Object msg) {
        if (heldBack.isEmpty() && !isHeldBack()) {
            return false;
        }
        heldBack.add(msg);
        updateAutoRead();
        return true;
    }

    /** Whether the client's commands must wait: too many replies owed, or too many bytes, or it does not read. */
    private boolean isHeldBack() {
        return pausedForPipeline
                || pausedForBytes
                || pausedForMove
                || !ctx.channel().isWritable();
    }

    /** Whether the client's commands wait until it moves to the pool a reload made (see {@link PoolMove}). */
    void waitForMove(boolean wait) {
        if (pausedForMove != wait) {
            pausedForMove = wait;
            updateAutoRead();
        }
    }

    boolean waitingForMove() {
        return pausedForMove;
    }

    /** Keeps {@code msg} (ownership passes) ahead of every message held back: it was being processed. */
    void holdBackFirst(Object msg) {
        heldBack.addFirst(msg);
        updateAutoRead();
    }

    /** Queues the reply slot of a command sent on (or split, or answered later). */
    void expect(PendingCommand pending) {
        queue.add(pending);
        if (!pending.isDone()) {
            awaiting++;
        }
        if (!pausedForPipeline && queue.size() >= maxPipeline) {
            // Too many replies outstanding: bounded memory, no error.
            pausedForPipeline = true;
            updateAutoRead();
        } else if (!pausedForBytes
                && bytes.limit().isLimited()
                && (long) awaiting * bytes.estimate() >= bytes.limit().softBytes()) {
            judge(0);
        }
    }

    /** The reply to a queued command arrived (ownership passes): recorded, written when its turn comes. */
    void arrived(PendingCommand command, ByteBuf reply) {
        if (closeAfterFlush) {
            // The connection closes once written: what is still in flight was discarded with the queue.
            reply.release();
            return;
        }
        command.fill(reply);
        if (awaiting > 0) {
            awaiting--;
        }
        int size = command.replyBytes();
        bytes.replyArrived(size);
        queuedBytes += size;
        // Writing it may change the connection's writability, which judges at once: it is the newest there too.
        arriving = size;
        drain();
        arriving = 0;
        judge(size);
    }

    /** A reply made here; written as soon as every earlier reply has been. Takes {@code reply}. */
    void add(ByteBuf reply) {
        int size = reply.readableBytes();
        if (queue.isEmpty()) {
            arriving = size;
            out.write(ctx, reply);
            arriving = 0;
            scheduleFlush();
        } else {
            queuedBytes += size;
            queue.add(PendingCommand.answered(owner, reply));
        }
        judge(size);
    }

    /**
     * A push (ownership passes) that the backend wrote before the reply to {@code before}, a command
     * still awaited: it goes just ahead of that command's reply; at the end when {@code before} is
     * null or not awaited here.
     */
    void addBefore(ByteBuf push, PendingCommand before) {
        if (before == null || before.isDone() || !queue.contains(before)) {
            add(push);
            return;
        }
        int size = push.readableBytes();
        queuedBytes += size;
        PendingCommand answered = PendingCommand.answered(owner, push);
        for (int n = queue.size(); n > 0; n--) {
            PendingCommand slot = queue.poll();
            if (slot == before) {
                queue.add(answered);
            }
            queue.add(slot);
        }
        drain();
        judge(size);
    }

    /** Closes the connection once every reply queued so far has been written. */
    void closeAfterQueued() {
        if (queue.isEmpty()) {
            closeAfterFlush = true;
            scheduleFlush();
        } else {
            queue.add(PendingCommand.answered(owner, ctx.alloc().buffer(0)).closingAfterReply());
        }
    }

    /** Writes every reply at the head of the queue that has arrived. */
    void drain() {
        PendingCommand head;
        boolean wrote = false;
        while ((head = queue.peek()) != null && head.isDone()) {
            queue.poll();
            queuedBytes -= head.replyBytes();
            out.write(ctx, head.takeReply());
            wrote = true;
            if (head.closeAfterReply()) {
                closeAfterFlush = true;
                discardQueue();
                break;
            }
            // Written: the queue was its owner, the connection let go of it when the reply came.
            head.recycle();
        }
        if (wrote) {
            scheduleFlush();
            if (pausedForPipeline && queue.size() <= maxPipeline / 2) {
                pausedForPipeline = false;
                updateAutoRead();
            }
        }
    }

    /** The last command whose reply has not arrived, or null: what a new connection's commands must wait for. */
    PendingCommand lastUnanswered() {
        var descending = queue.descendingIterator();
        while (descending.hasNext()) {
            PendingCommand command = descending.next();
            if (!command.isDone()) {
                // The caller keeps it (a barrier, a tracking slot): never recycled.
                command.referenced();
                return command;
            }
        }
        return null;
    }

    /** Stops reading the client while the backend it writes to has a full outbound buffer. */
    void limitBackendBacklog(BackendConnection connection) {
        if (!pausedForBackend && !connection.isWritable()) {
            pausedForBackend = true;
            connection.notifyWhenWritable(owner);
            updateAutoRead();
        }
    }

    /** The backend drained (see {@link #limitBackendBacklog}). */
    void backendWritable() {
        pausedForBackend = false;
        if (!discarded) {
            updateAutoRead();
        }
    }

    /** The client's connection became writable or not: the bytes held for it changed. */
    void writabilityChanged() {
        judge(0);
        updateAutoRead();
    }

    /**
     * Reads from the client only while nothing above holds it back, nor its own unread replies, and
     * nothing read earlier waits; once nothing holds it back, what waits is processed first.
     */
    void updateAutoRead() {
        if (discarded) {
            return;
        }
        boolean heldBackNow = isHeldBack();
        if (!heldBackNow && !heldBack.isEmpty() && !resumeScheduled) {
            resumeScheduled = true;
            ctx.channel().eventLoop().execute(resumeTask);
        }
        boolean read = !heldBackNow && !pausedForBackend && heldBack.isEmpty();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /** Processes what was held back, in order, until the client is held back again. */
    private void resume() {
        resumeScheduled = false;
        Object msg;
        while (!discarded && !isHeldBack() && (msg = heldBack.poll()) != null) {
            dispatcher.accept(msg);
        }
        updateAutoRead();
    }

    /** Bytes held for the client: replies queued here, and written to its connection but not yet sent. */
    long heldBytes() {
        ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
        return queuedBytes + (pending == null ? 0 : pending.totalPendingWriteBytes());
    }

    /** Applies {@link ReplyBytes}' verdict; {@code newest}: the size of a reply that just arrived. */
    private void judge(long newest) {
        if (discarded || breached) {
            return;
        }
        newest = Math.max(newest, arriving);
        long held = heldBytes();
        long now = bytes.needsTime(held) ? ctx.channel().eventLoop().ticker().nanoTime() : 0;
        ReplyBytes.Verdict verdict = bytes.judge(held, newest, awaiting, now);
        switch (verdict) {
            case READ, PAUSE -> {
                boolean pause = verdict == ReplyBytes.Verdict.PAUSE;
                if (pause != pausedForBytes) {
                    pausedForBytes = pause;
                    updateAutoRead();
                }
                long expiry = bytes.nanosUntilSoftExpiry(now);
                if (expiry >= 0 && softExpiry == null) {
                    softExpiry = ctx.channel()
                            .eventLoop()
                            .schedule(softExpiryTask, expiry + 1_000_000, TimeUnit.NANOSECONDS);
                }
            }
            default -> {
                breached = true;
                pausedForBytes = true;
                ctx.channel().config().setAutoRead(false);
                breach.disconnect(verdict, held);
            }
        }
    }

    private void judgeLater() {
        softExpiry = null;
        judge(0);
    }

    /** The client is gone: what is queued, buffered or held back is released. */
    void discard() {
        discarded = true;
        out.discard();
        discardQueue();
        Object msg;
        while ((msg = heldBack.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        if (softExpiry != null) {
            softExpiry.cancel(false);
            softExpiry = null;
        }
        bytes.release();
    }

    private void discardQueue() {
        PendingCommand command;
        while ((command = queue.poll()) != null) {
            // Replies still in flight are released when they arrive, since the session is closed.
            command.discard();
        }
        queuedBytes = 0;
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.channel().eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (discarded) {
            return;
        }
        out.flush(ctx);
        if (closeAfterFlush) {
            ctx.close();
        }
    }
}
