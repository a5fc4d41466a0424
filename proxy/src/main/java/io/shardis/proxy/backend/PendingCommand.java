package io.shardis.proxy.backend;

import io.netty.buffer.ByteBuf;
import io.netty.util.Recycler;
import io.netty.util.ReferenceCountUtil;
import io.shardis.proxy.command.CommandGroup;
import io.shardis.proxy.metrics.PoolMetrics;

/**
 * A command waiting for its reply, and the slot that reply is kept in until the client can be sent
 * it in order. Created by the session, queued both in the session (reply order) and in the backend
 * connection it was sent on (FIFO matching, since RESP replies carry no id).
 *
 * <p>Ownership: once {@link #complete} is called the command owns the reply buffer, until the
 * session {@link #takeReply() takes} it to write it or {@link #discard() discards} it.
 * Commands sent to one server are pooled per event loop ({@link #pooled}): their owner, the reply
 * queue, {@link #recycle recycles} each once its reply is written, unless anything else may hold it.
 * A command that kept its frame is recycled too: whatever else holds such a command (the connection
 * it is in flight on, a redirection's retry, a failover hold) lets go of it before its reply is
 * delivered, and delivering the reply released the frame.
 *
 * <p>Past 350 lines because it is one object's whole life, read and written on the hot path of every
 * command: its reply slot, the frame kept for a resend, redirection and hold counts, timing and the
 * pooling that resets them all. Split up, its reset in {@link #recycle} would have to reach into
 * every part, and a field forgotten there is a stale state handed to the next command.
 */
public final class PendingCommand {

    private static final Recycler<PendingCommand> RECYCLER = new Recycler<>() {
        @Override
        protected PendingCommand newObject(Handle<PendingCommand> handle) {
            return new PendingCommand(handle);
        }
    };

    private final Recycler.Handle<PendingCommand> handle; // null unless made by pooled()
    /** Something besides the reply queue and the connection took a reference: never recycled. */
    private boolean referenced;

    private ReplySink sink;
    private ByteBuf reply;
    private boolean done;
    private long sentAtNanos;
    /** When set, the client is sent this instead of the backend's reply (EXECABORT after a refused command). */
    private ByteBuf substitute;

    private boolean closeAfterReply;
    private boolean silent;
    private boolean untimed;
    /** Sent on a client's dedicated connection inside a transaction (WATCH … EXEC): never sent elsewhere. */
    private boolean partOfTransaction;
    /** Last sent after ASKING, to a node importing its slot. */
    private boolean asking;
    /**
     * In cluster and Sentinel pools, the buffer the command was sent in, kept until its reply is
     * known so that a redirection or a failover can send it again elsewhere: one reference to it is
     * owned here, released when the reply is delivered ({@link #complete}) or the command recycled.
     * It is the very buffer written (no duplicate per command): writing it may move its reader
     * index, so the command's bytes are those at {@link #frameIndex}, {@link #frameLength} long.
     */
    private ByteBuf frame;

    private int frameIndex;
    private int frameLength;
    /** MOVED and ASK redirections followed so far. */
    private int redirections;
    /** TRYAGAIN and CLUSTERDOWN retries so far. */
    private int retries;
    /** Times the command was held for a failover (see {@code UnreachableHold}). */
    private int holds;
    /** When the command was first sent (nanoTime), for the retry deadline; 0 until then. */
    private long firstSentNanos;
    /** Size of the request as sent, for the out-queue statistics; 0 until sent. */
    private int requestBytes;
    /** When the command was read from its client (nanoTime), for the latency histograms. */
    private long createdAtNanos;
    /** The backend's round trip for this command (the longest of its parts'); 0 until a reply came. */
    private long roundTripNanos;
    /** The kind of client command this is, for {@code shardis_requests_total}; Shardis' own until the session says. */
    private CommandGroup group = CommandGroup.PROXY;

    public PendingCommand(ReplySink sink) {
        this(sink, System.nanoTime());
    }

    /**
     * @param readAtNanos when the command was read from its client (nanoTime): a session reads the
     *                    clock once for all the commands of one read from the socket
     */
    public PendingCommand(ReplySink sink, long readAtNanos) {
        this.handle = null;
        this.sink = sink;
        this.createdAtNanos = readAtNanos;
    }

    private PendingCommand(Recycler.Handle<PendingCommand> handle) {
        this.handle = handle;
    }

    /** Like {@link #PendingCommand(ReplySink, long)}, from this event loop's pool: see {@link #recycle}. */
    public static PendingCommand pooled(ReplySink sink, long readAtNanos) {
        PendingCommand command = RECYCLER.get();
        command.sink = sink;
        command.createdAtNanos = readAtNanos;
        return command;
    }

    /** A reference to this command is kept beyond its reply (a barrier, a tracking slot): it is never recycled. */
    public void referenced() {
        this.referenced = true;
    }

    /**
     * Returns a pooled command to its pool once its reply was taken and written; does nothing to a
     * command that was not pooled, or that something else may still hold (see the class comment).
     * The caller lets go of it.
     */
    public void recycle() {
        if (handle == null || referenced || reply != null || substitute != null) {
            return;
        }
        // A kept frame was let go of when the reply was delivered; should one be left, it goes now.
        releaseFrame();
        sink = null;
        done = false;
        sentAtNanos = 0;
        closeAfterReply = false;
        silent = false;
        untimed = false;
        partOfTransaction = false;
        asking = false;
        redirections = 0;
        retries = 0;
        holds = 0;
        firstSentNanos = 0;
        requestBytes = 0;
        createdAtNanos = 0;
        roundTripNanos = 0;
        group = CommandGroup.PROXY;
        handle.recycle(this);
    }

    /** A reply known at once (answered by the proxy itself); owns {@code reply}. */
    public static PendingCommand answered(ReplySink sink, ByteBuf reply) {
        PendingCommand command = new PendingCommand(sink);
        command.reply = reply;
        command.done = true;
        return command;
    }

    /**
     * Delivers {@code reply} (ownership passes) to the sink and lets go of the kept frame. Called by
     * the backend connection, or by whoever took the reply over in {@link Redirects#follow}.
     */
    public void complete(ByteBuf reply) {
        releaseFrame();
        if (sink == null) {
            ReferenceCountUtil.release(reply);
            return;
        }
        sink.onReply(this, reply);
    }

    /**
     * Keeps {@code sentFrame}, the buffer about to be sent or a copy of it, so that the command can
     * be sent again after a MOVED, ASK or TRYAGAIN, or a failover. One reference passes here (the
     * caller retains the buffer it sends); the command's bytes are its readable bytes now, whatever
     * writing it does to its reader index later. Allocates nothing.
     */
    public void keepFrame(ByteBuf sentFrame) {
        releaseFrame();
        this.frame = sentFrame;
        this.frameIndex = sentFrame.readerIndex();
        this.frameLength = sentFrame.readableBytes();
        this.firstSentNanos = System.nanoTime();
    }

    public boolean hasFrame() {
        return frame != null;
    }

    /**
     * A view of exactly the command's bytes as kept, to read (not to send, keep or release); null
     * when none is kept.
     */
    public ByteBuf keptFrame() {
        return frame == null ? null : frame.slice(frameIndex, frameLength);
    }

    /** A new reference to exactly the command's bytes as kept, to send again; the caller owns it. */
    public ByteBuf resendableFrame() {
        return frame.retainedSlice(frameIndex, frameLength);
    }

    /** Counts one more redirection (MOVED, ASK); returns how many there have been, this one included. */
    public int countRedirection() {
        return ++redirections;
    }

    /** Counts one more time held for a failover; returns how many there have been, this one included. */
    public int countHold() {
        return ++holds;
    }

    /** Counts one more retry (TRYAGAIN, CLUSTERDOWN); returns how many there have been, this one included. */
    public int countRetry() {
        return ++retries;
    }

    public long firstSentNanos() {
        return firstSentNanos;
    }

    private void releaseFrame() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }

    /** The shared connection index ({@link ReplySink#sharedIndex}) a re-sent command goes on. */
    public int sharedIndex() {
        return sink == null ? 0 : sink.sharedIndex();
    }

    /** The protocol of the shared connection a re-sent command goes on: its client's. */
    public io.shardis.resp.RespProtocol protocol() {
        return sink == null ? io.shardis.resp.RespProtocol.RESP2 : sink.protocol();
    }

    /** The sink's {@link ReplySink#readSeed}, for a re-sent read. */
    public int readSeed() {
        return sink == null ? 0 : sink.readSeed();
    }

    ReplySink sink() {
        return sink;
    }

    /** Records the reply; the session calls this from {@link ReplySink#onReply}. */
    public void fill(ByteBuf reply) {
        if (substitute != null) {
            reply.release();
            reply = substitute;
            substitute = null;
        }
        this.reply = reply;
        this.done = true;
    }

    public boolean isDone() {
        return done;
    }

    /** Size of the reply held here (0 before it arrives, or once taken). */
    public int replyBytes() {
        return reply == null ? 0 : reply.readableBytes();
    }

    /** Hands the reply to the caller, who now owns it. */
    public ByteBuf takeReply() {
        ByteBuf taken = reply;
        reply = null;
        return taken;
    }

    /** Releases whatever this command holds; for a session that went away. */
    public void discard() {
        ReferenceCountUtil.release(reply);
        reply = null;
        ReferenceCountUtil.release(substitute);
        substitute = null;
    }

    public void substituteReply(ByteBuf replacement) {
        ReferenceCountUtil.release(substitute);
        this.substitute = replacement;
    }

    /** A command the proxy sent on its own behalf: its reply is dropped, never shown to the client. */
    public static PendingCommand silent(ReplySink sink) {
        PendingCommand command = new PendingCommand(sink);
        command.silent = true;
        return command;
    }

    /** A blocking command (BLPOP…): it may legitimately outlast the pool's timeout. */
    public PendingCommand untimed() {
        this.untimed = true;
        return this;
    }

    public boolean isUntimed() {
        return untimed;
    }

    /** Marks a command whose transaction state lives on the connection it was sent on. */
    public PendingCommand partOfTransaction() {
        this.partOfTransaction = true;
        return this;
    }

    public boolean isPartOfTransaction() {
        return partOfTransaction;
    }

    /** Records whether the command was last sent after ASKING, so that a retry is too. */
    public void sentAfterAsking(boolean asking) {
        this.asking = asking;
    }

    public boolean wasSentAfterAsking() {
        return asking;
    }

    public boolean isSilent() {
        return silent;
    }

    public boolean closeAfterReply() {
        return closeAfterReply;
    }

    public PendingCommand closingAfterReply() {
        this.closeAfterReply = true;
        return this;
    }

    int requestBytes() {
        return requestBytes;
    }

    void requestBytes(int bytes) {
        this.requestBytes = bytes;
    }

    long sentAtNanos() {
        return sentAtNanos;
    }

    /** The group of the client command this is (or is a part of). */
    public void group(CommandGroup group) {
        this.group = group;
    }

    public CommandGroup group() {
        return group;
    }

    /** Its backend answered at {@code nowNanos}: the round trip since it was (last) sent is recorded. */
    void replied(long nowNanos, PoolMetrics metrics) {
        long roundTrip = nowNanos - sentAtNanos;
        roundTripNanos = roundTrip;
        metrics.backendReplied(roundTrip);
    }

    /** A part of this command (a fragment, a SCAN step) was answered: its round trip counts for the whole. */
    public void roundTripFrom(PendingCommand part) {
        roundTripNanos = Math.max(roundTripNanos, part.roundTripNanos);
    }

    /**
     * Its reply reached the client's session: records how long the command took since it was read,
     * and how much of that Shardis added to the backend's round trip.
     */
    public void answered(PoolMetrics metrics) {
        long total = System.nanoTime() - createdAtNanos;
        metrics.commandAnswered(total, Math.min(roundTripNanos, total));
    }

    void sentAt(long nanos) {
        this.sentAtNanos = nanos;
    }
}
