package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.backend.SubCommandSink;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyFramer;
import java.nio.charset.StandardCharsets;

/**
 * One server's part of a SCAN walk: its reply {@code [cursor, keys]} reaches the client with the
 * cursor rewritten to the walk's (see {@link ScanCursor}).
 *
 * <p>Ownership: the server's reply is released here; the rewritten one passes to the session.
 */
final class ScanStep extends SubCommandSink {

    private final PendingCommand parent;
    private final ScanCursor cursor;
    private final ByteBufAllocator alloc;
    private final PendingCommand pending = new PendingCommand(this);

    ScanStep(ReplySink session, PendingCommand parent, ScanCursor cursor, ByteBufAllocator alloc) {
        super(session);
        this.parent = parent;
        this.cursor = cursor;
        this.alloc = alloc;
    }

    PendingCommand pending() {
        return pending;
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        parent.roundTripFrom(command);
        if (RespReplyFramer.isError(reply)) {
            session.onReply(parent, reply);
            return;
        }
        ByteBuf rewritten;
        try {
            rewritten = rewrite(reply);
        } finally {
            reply.release();
        }
        session.onReply(parent, rewritten);
    }

    private ByteBuf rewrite(ByteBuf reply) {
        int[] bounds = io.shardis.proxy.merge.ReplyReader.elements(reply);
        if (bounds == null || bounds.length != 4) {
            return RespReplies.error(alloc, Refusals.SCAN_REPLY_UNEXPECTED);
        }
        ByteBuf cursorBulk = reply.slice(bounds[0], bounds[1]);
        int headerEnd = cursorBulk.indexOf(0, cursorBulk.readableBytes(), (byte) '\n') + 1;
        String serverNext =
                cursorBulk.toString(headerEnd, cursorBulk.readableBytes() - headerEnd - 2, StandardCharsets.US_ASCII);
        long next;
        try {
            next = Long.parseUnsignedLong(serverNext);
        } catch (NumberFormatException e) {
            return RespReplies.error(alloc, Refusals.SCAN_CURSOR_UNEXPECTED);
        }
        long following = cursor.following(next);
        if (following == -1) {
            return RespReplies.error(alloc, Refusals.SCAN_CURSOR_TOO_LARGE);
        }
        byte[] text = Long.toUnsignedString(following).getBytes(StandardCharsets.US_ASCII);
        ByteBuf out = alloc.buffer(32 + bounds[3]);
        RespReplies.writeHeader(out, '*', 2);
        RespReplies.writeHeader(out, '$', text.length);
        out.writeBytes(text).writeByte('\r').writeByte('\n');
        out.writeBytes(reply, bounds[2], bounds[3]);
        return out;
    }
}
