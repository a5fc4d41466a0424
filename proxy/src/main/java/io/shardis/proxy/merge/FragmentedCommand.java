package io.shardis.proxy.merge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.backend.SubCommandSink;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyFramer;
import java.nio.charset.StandardCharsets;

/**
 * One client command sent as several sub-commands, one per server, whose replies are merged into
 * the reply the client expects (Envoy's FragmentedRequest). The client's reply queue holds the
 * {@code parent}; each sub-command's reply comes here, and when the last one is in, the merged
 * reply goes to the session as the parent's.
 *
 * <p>Ownership: each sub-reply is owned here from {@link #onReply} until the merge, which releases
 * them all; the merged reply passes to the session.
 */
public final class FragmentedCommand extends SubCommandSink {

    private final PendingCommand parent;
    private final ReplyMerge merge;
    private final ByteBufAllocator alloc;
    private final PendingCommand[] children;
    private final ByteBuf[] replies;
    /** For KEY_ORDER: the sub-command holding the client's k-th key (which holds its keys in the client's order). */
    private final int[] keyChild;

    private int remaining;
    /** Set for admin commands sent to every server: a server's error names it (see {@link #nameErrorsBy}). */
    private String[] origins;
    /** INFO of a pool with {@code redis_version}: the version its text reports. */
    private String redisVersion;

    /**
     * @param keyChild null unless {@code merge} is {@link ReplyMerge#KEY_ORDER}
     */
    public FragmentedCommand(
            ReplySink session,
            PendingCommand parent,
            ReplyMerge merge,
            int fragments,
            int[] keyChild,
            ByteBufAllocator alloc) {
        super(session);
        this.parent = parent;
        this.merge = merge;
        this.alloc = alloc;
        this.children = new PendingCommand[fragments];
        this.replies = new ByteBuf[fragments];
        this.keyChild = keyChild;
        this.remaining = fragments;
        for (int i = 0; i < fragments; i++) {
            children[i] = new PendingCommand(this);
        }
    }

    /**
     * Makes an error that not every server gave name the server that gave it
     * ({@code -ERR Unknown option ... (from pool 'cache' backend b (10.0.0.2:6379))}): after CONFIG SET fails on one of
     * several backends, the operator must know which one now differs. An error every server gave
     * alike passes unchanged, as one Redis would answer it.
     *
     * @param origins what to call the server of each sub-command, in sub-command order
     */
    public void nameErrorsBy(String[] origins) {
        this.origins = origins;
    }

    /** INFO: {@code redis_version} says {@code version} rather than the first server's version. */
    public void reportVersion(String version) {
        this.redisVersion = version;
    }

    /** The pending command of sub-command {@code i}, to send with it. */
    public PendingCommand fragment(int i) {
        return children[i];
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        int i = indexOf(command);
        if (i < 0 || replies[i] != null) {
            reply.release();
            return;
        }
        replies[i] = reply;
        parent.roundTripFrom(command);
        if (--remaining == 0) {
            ByteBuf merged;
            try {
                merged = ReplyMerger.merge(merge, replies, keyChild, alloc, redisVersion);
                if (origins != null && RespReplyFramer.isError(merged)) {
                    merged = namedError(merged);
                }
            } finally {
                for (int r = 0; r < replies.length; r++) {
                    replies[r].release();
                    replies[r] = null;
                }
            }
            session.onReply(parent, merged);
        }
    }

    /** Takes {@code merged}; see {@link #nameErrorsBy}. */
    private ByteBuf namedError(ByteBuf merged) {
        int first = -1;
        boolean alike = true;
        for (int i = 0; i < replies.length; i++) {
            if (!RespReplyFramer.isError(replies[i])) {
                alike = false;
            } else if (first < 0) {
                first = i;
            } else if (!ByteBufUtil.equals(replies[first], replies[i])) {
                alike = false;
            }
        }
        if (first < 0 || alike) {
            return merged;
        }
        ByteBuf error = replies[first];
        // "-ERR text\r\n": the text without its type byte and line end
        String text = error.toString(error.readerIndex() + 1, error.readableBytes() - 3, StandardCharsets.UTF_8);
        merged.release();
        return RespReplies.error(alloc, text + " (from " + origins[first] + ")");
    }

    private int indexOf(PendingCommand command) {
        for (int i = 0; i < children.length; i++) {
            if (children[i] == command) {
                return i;
            }
        }
        return -1;
    }
}
