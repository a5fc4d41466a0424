package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.channel.WriteCoalescer;

import java.util.ArrayDeque;

/**
 * The replies one client is owed, in the order of its commands: each is written as soon as every
 * earlier one has been ("flush out what we can"), and the writes of one event-loop turn go out in
 * one flush. Also decides when the client is not read from: too many replies outstanding, a
 * backend it writes to with a full buffer, or a client that does not read its replies
 * (back-pressure, nothing buffered without bound). Runs on the client's event loop.
 *
 * <p>Ownership: a reply is owned by its {@link PendingCommand} until written here, or released
 * by {@link #discard}.
 */
final class ClientReplies {

    private final ChannelHandlerContext ctx;
    private final ReplySink owner;
    private final int maxPipeline;
    private final ArrayDeque<PendingCommand> queue = new ArrayDeque<>();
    /** Small replies copied together, so a flush writes one buffer instead of one per reply. */
    private final WriteCoalescer out;
    private final Runnable flushTask = this::flushNow;
    private boolean flushScheduled;
    private boolean closeAfterFlush;
    private boolean discarded;
    private boolean pausedForPipeline;
    private boolean pausedForBackend;

    /** @param owner the session, the sink of the replies made here and told when a backend drains */
    ClientReplies(ChannelHandlerContext ctx, ReplySink owner, int maxPipeline) {
        this.ctx = ctx;
        this.owner = owner;
        this.maxPipeline = maxPipeline;
        this.out = new WriteCoalescer(ctx.alloc());
    }

    /** Queues the reply slot of a command sent on (or split, or answered later). */
    void expect(PendingCommand pending) {
        queue.add(pending);
        if (!pausedForPipeline && queue.size() >= maxPipeline) {
            // Too many replies outstanding: bounded memory, no error.
            pausedForPipeline = true;
            updateAutoRead();
        }
    }

    /** A reply made here; written as soon as every earlier reply has been. Takes {@code reply}. */
    void add(ByteBuf reply) {
        if (queue.isEmpty()) {
            out.write(ctx, reply);
            scheduleFlush();
        } else {
            queue.add(PendingCommand.answered(owner, reply));
        }
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
            out.write(ctx, head.takeReply());
            wrote = true;
            if (head.closeAfterReply()) {
                closeAfterFlush = true;
                discardQueue();
                break;
            }
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

    /** Reads from the client only while nothing above holds it back, nor its own unread replies. */
    void updateAutoRead() {
        boolean read = !pausedForPipeline && !pausedForBackend && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /** The client is gone: what is queued or buffered is released. */
    void discard() {
        discarded = true;
        out.discard();
        discardQueue();
    }

    private void discardQueue() {
        PendingCommand command;
        while ((command = queue.poll()) != null) {
            // Replies still in flight are released when they arrive, since the session is closed.
            command.discard();
        }
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
