package io.shardis.proxy.session;

import io.shardis.proxy.config.ClientReplyLimit;

/**
 * The byte side of one client's replies ({@code max_client_reply_bytes}): decides, from the bytes
 * Shardis holds for the client and the replies it still awaits, whether to go on reading the
 * client, to stop reading it, or to drop it. Decisions only; {@link ClientReplies} acts on them.
 *
 * <p>Replies in flight are counted before they arrive by an estimate of their size: the largest
 * recent reply of this client, decaying towards smaller ones (a client's replies tend to look
 * alike). Until a first reply has set it, a client is assumed to be owed large replies, so at most
 * a sixteenth of the soft limit's worth of commands goes out before one comes back.
 */
final class ReplyBytes {

    enum Verdict {
        /** Read and process the client's commands. */
        READ,
        /** Past the soft limit (held plus expected): process none of its commands until replies are written. */
        PAUSE,
        /** Past the hard limit. */
        DROP_HARD,
        /** Past the soft limit for longer than its seconds. */
        DROP_SOFT_TOO_LONG,
        /** Shardis' budget for all clients' replies is spent, and this client is past its soft limit. */
        DROP_BUDGET
    }

    /**
     * What a client may hold besides one reply larger than the hard limit and still get it: small
     * replies not yet flushed, and Netty's bookkeeping of its connection's buffer (about 100 bytes
     * per write).
     */
    static final long LONE_REPLY_SLACK = 64 * 1024;

    /** Changes of a client's held bytes smaller than this are not reported to the shared budget. */
    static final long BUDGET_STEP = 64 * 1024;

    private ClientReplyLimit limit;
    private final ReplyBudget budget;
    /** Expected size of a reply still in flight. */
    private long estimate;
    /** This client's bytes as last added to {@link #budget}. */
    private long reported;
    /** A reply larger than the hard limit let through (see {@link #LONE_REPLY_SLACK}), until held is under it again. */
    private long loneReply;
    /** When (nanoTime) held bytes went past the soft limit; -1 while under it. */
    private long softSinceNanos = -1;

    ReplyBytes(ClientReplyLimit limit, ReplyBudget budget) {
        this.limit = limit;
        this.budget = budget;
        this.estimate = Math.max(1, limit.softBytes() / 16);
    }

    /** The client's pool changed its {@code client_reply_limit} (a reload): judged by the new one from now on. */
    void limit(ClientReplyLimit next) {
        this.limit = next;
    }

    /** A reply of {@code bytes} arrived: the estimate jumps up to it, or eases down towards it. */
    void replyArrived(long bytes) {
        estimate = bytes >= estimate ? bytes : estimate - Math.max(1, (estimate - bytes) >> 3);
    }

    long estimate() {
        return estimate;
    }

    /**
     * @param held        bytes of replies held for the client: arrived but not yet written, and
     *                    written to its connection but not yet taken by the socket
     * @param newest      of {@code held}, the reply that just arrived (0 if none did): a single reply
     *                    larger than the hard limit is still delivered to a client that held little
     *                    else ({@link #LONE_REPLY_SLACK})
     * @param awaiting    replies sent for and not yet arrived
     * @param nowNanos    the time, for the soft limit's seconds
     */
    Verdict judge(long held, long newest, int awaiting, long nowNanos) {
        if (held == 0 ? reported != 0 : Math.abs(held - reported) >= BUDGET_STEP) {
            // In steps: the budget is shared by every event loop, and a reply should not cost an atomic add.
            budget.add(held - reported);
            reported = held;
        }
        if (!limit.isLimited()) {
            return Verdict.READ;
        }
        if (held > limit.hardBytes()) {
            if (held - newest <= LONE_REPLY_SLACK) {
                // One reply larger than the limit, to a client that held little else: it gets it.
                loneReply = newest;
            } else if (held - loneReply > LONE_REPLY_SLACK) {
                return Verdict.DROP_HARD;
            }
        } else {
            loneReply = 0;
        }
        if (held > limit.softBytes()) {
            if (softSinceNanos < 0) {
                softSinceNanos = nowNanos;
            } else if (limit.softSeconds() > 0 && nowNanos - softSinceNanos >= limit.softSeconds() * 1_000_000_000L) {
                return Verdict.DROP_SOFT_TOO_LONG;
            }
            if (budget.isSpent()) {
                return Verdict.DROP_BUDGET;
            }
            return Verdict.PAUSE;
        }
        softSinceNanos = -1;
        if (held + awaiting * estimate >= limit.softBytes()) {
            return Verdict.PAUSE;
        }
        return Verdict.READ;
    }

    /**
     * Whether {@link #judge} and {@link #nanosUntilSoftExpiry} need the time for {@code held}: only
     * past the soft limit, or while its seconds run, so that a reply under it costs no clock read.
     */
    boolean needsTime(long held) {
        return limit.isLimited() && (held > limit.softBytes() || softSinceNanos >= 0);
    }

    /** Nanoseconds until the soft limit's seconds run out, or -1 when the client is under it or they never do. */
    long nanosUntilSoftExpiry(long nowNanos) {
        if (softSinceNanos < 0 || limit.softSeconds() == 0) {
            return -1;
        }
        return Math.max(0, softSinceNanos + limit.softSeconds() * 1_000_000_000L - nowNanos);
    }

    /** The client is gone: its bytes leave the budget. */
    void release() {
        budget.add(-reported);
        reported = 0;
    }

    ClientReplyLimit limit() {
        return limit;
    }
}
