package io.shardis.proxy.merge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.resp.Numbers;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyFramer;

/**
 * Merges the replies of one command's sub-commands (see {@link ReplyMerge}). An error from any
 * server is the client's answer, as Redis would give one error for the whole command; merges that
 * tolerate some errors say so.
 *
 * <p>Ownership: the inputs stay the caller's; the result is a new buffer (or a retained input).
 */
public final class ReplyMerger {

    private ReplyMerger() {}

    /**
     * @param keyChild for KEY_ORDER: the sub-command holding the client's k-th key (each
     *                 sub-command holds its keys in the client's order); else null
     */
    public static ByteBuf merge(ReplyMerge merge, ByteBuf[] replies, int[] keyChild, ByteBufAllocator alloc) {
        return merge(merge, replies, keyChild, alloc, null);
    }

    /**
     * @param redisVersion for INFO: the {@code redis_version} to report instead of the first
     *                     server's, or null to leave it
     */
    public static ByteBuf merge(
            ReplyMerge merge, ByteBuf[] replies, int[] keyChild, ByteBufAllocator alloc, String redisVersion) {
        if (merge == ReplyMerge.ANY_OK) {
            return anyOk(replies);
        }
        for (ByteBuf reply : replies) {
            if (RespReplyFramer.isError(reply)) {
                return reply.retainedDuplicate();
            }
        }
        return switch (merge) {
            case KEY_ORDER -> keyOrder(replies, keyChild, alloc);
            case SUM -> sum(replies, alloc);
            case SAME -> same(replies, alloc);
            case CONCAT -> concat(replies, alloc);
            case AND -> and(replies, alloc);
            case ANY_NON_NIL -> anyNonNil(replies);
            case FIRST, SCAN -> replies[0].retainedDuplicate();
            case INFO -> info(replies, alloc, redisVersion);
            case DOCS -> DocsFilter.filter(replies[0], alloc);
            case ANY_OK -> throw new AssertionError();
        };
    }

    /**
     * MGET's merge: the array header, then each key's element copied from its server's reply as
     * it came, in the client's key order. Each sub-command holds its keys in the client's order,
     * so one cursor per reply walks it front to back; runs of keys of one server are copied at
     * once. No element is decoded beyond its length.
     */
    private static ByteBuf keyOrder(ByteBuf[] replies, int[] keyChild, ByteBufAllocator alloc) {
        int fragments = replies.length;
        // [2i]: where reply i's next element starts; [2i+1]: how many elements it has left.
        int[] cursors = new int[2 * fragments];
        int bytes = 16;
        for (int i = 0; i < fragments; i++) {
            ByteBuf reply = replies[i];
            long count = ReplyReader.type(reply) == '*' ? ReplyReader.headerNumber(reply) : -1;
            if (count < 0 || count > reply.readableBytes()) {
                return unexpected(alloc, reply);
            }
            cursors[2 * i] = reply.readerIndex() + ReplyReader.headerLength(reply);
            cursors[2 * i + 1] = (int) count;
            bytes += reply.readableBytes();
        }
        ByteBuf out = alloc.buffer(bytes);
        FrameBytes.writeHeader(out, '*', keyChild.length);
        int keys = keyChild.length;
        int k = 0;
        while (k < keys) {
            int child = keyChild[k];
            ByteBuf reply = replies[child];
            int start = cursors[2 * child];
            int at = start;
            // Read through the reply's native address when it has one: every index is below its writer index.
            long address = Numbers.address(reply);
            do {
                int length = cursors[2 * child + 1]-- > 0 ? elementLength(reply, address, at) : -1;
                if (length < 0) {
                    out.release();
                    return unexpected(alloc, reply);
                }
                at += length;
                k++;
            } while (k < keys && keyChild[k] == child);
            cursors[2 * child] = at;
            FrameBytes.copy(reply, start, at - start, out);
        }
        return out;
    }

    /**
     * Length of the element at absolute index {@code at}, header to final CRLF, read from the
     * header of a bulk string; other elements, and headers that are not a plain length, go to the
     * general framer. -1 when there is no element. With an {@code address} ({@link
     * Numbers#address}), the reply is read through it.
     */
    private static int elementLength(ByteBuf reply, long address, int at) {
        int end = reply.writerIndex();
        if (at >= end || (address != 0 ? PlatformDependent.getByte(address + at) : reply.getByte(at)) != '$') {
            return ReplyReader.frameAt(reply, at);
        }
        // "$" and at most 20 characters of length before the CR.
        int stop = Math.min(end, at + 22);
        int cr = -1;
        if (at + 1 < stop) {
            cr = address != 0 ? Numbers.indexOfCrAt(address, at + 1, stop) : Numbers.indexOfCr(reply, at + 1, stop);
        }
        long value = Long.MIN_VALUE;
        if (cr >= 0) {
            value = address != 0
                    ? Numbers.parseLongAt(address + at + 1, cr - at - 1)
                    : Numbers.parseLong(reply, at + 1, cr - at - 1);
        }
        if (value == Long.MIN_VALUE) {
            return ReplyReader.frameAt(reply, at);
        }
        int header = cr + 2 - at;
        if (value < 0) {
            return value == -1 ? header : -1;
        }
        long length = header + value + 2;
        return length <= end - at ? (int) length : -1;
    }

    private static ByteBuf sum(ByteBuf[] replies, ByteBufAllocator alloc) {
        long total = 0;
        for (ByteBuf reply : replies) {
            long value = ReplyReader.type(reply) == ':' ? ReplyReader.headerNumber(reply) : ReplyReader.NOT_A_NUMBER;
            if (value == ReplyReader.NOT_A_NUMBER) {
                return unexpected(alloc, reply);
            }
            total += value;
        }
        return RespReplies.integer(alloc, total);
    }

    private static ByteBuf same(ByteBuf[] replies, ByteBufAllocator alloc) {
        for (int i = 1; i < replies.length; i++) {
            if (!replies[i].equals(replies[0])) {
                return RespReplies.error(alloc, "ERR Shardis: the servers of the pool answered differently");
            }
        }
        return replies[0].retainedDuplicate();
    }

    private static ByteBuf concat(ByteBuf[] replies, ByteBufAllocator alloc) {
        long count = 0;
        int bytes = 16;
        // An array, or in RESP3 a set: the merged reply has the first server's type.
        byte type = ReplyReader.type(replies[0]);
        for (ByteBuf reply : replies) {
            long n = ReplyReader.type(reply) == type && (type == '*' || type == '~')
                    ? ReplyReader.headerNumber(reply)
                    : ReplyReader.NOT_A_NUMBER;
            if (n < 0) {
                return unexpected(alloc, reply);
            }
            count += n;
            bytes += reply.readableBytes();
        }
        ByteBuf out = alloc.buffer(bytes);
        RespReplies.writeHeader(out, (char) type, count);
        for (ByteBuf reply : replies) {
            int header = ReplyReader.headerLength(reply);
            out.writeBytes(reply, reply.readerIndex() + header, reply.readableBytes() - header);
        }
        return out;
    }

    private static ByteBuf and(ByteBuf[] replies, ByteBufAllocator alloc) {
        long[] result = null;
        for (ByteBuf reply : replies) {
            int[] bounds = ReplyReader.elements(reply);
            if (bounds == null || (result != null && result.length != bounds.length / 2)) {
                return unexpected(alloc, reply);
            }
            if (result == null) {
                result = new long[bounds.length / 2];
                java.util.Arrays.fill(result, 1);
            }
            for (int e = 0; e < result.length; e++) {
                long value = ReplyReader.headerNumber(reply.slice(bounds[2 * e], bounds[2 * e + 1]));
                if (value == ReplyReader.NOT_A_NUMBER) {
                    return unexpected(alloc, reply);
                }
                result[e] = Math.min(result[e], value);
            }
        }
        ByteBuf out = alloc.buffer(8 + result.length * 4);
        RespReplies.writeHeader(out, '*', result.length);
        for (long value : result) {
            RespReplies.writeHeader(out, ':', value);
        }
        return out;
    }

    private static ByteBuf info(ByteBuf[] replies, ByteBufAllocator alloc, String redisVersion) {
        ByteBuf merged = InfoMerge.merge(replies, alloc, redisVersion);
        if (merged != null) {
            return merged;
        }
        for (ByteBuf reply : replies) {
            if (ReplyReader.type(reply) != '$' && ReplyReader.type(reply) != '=') {
                return unexpected(alloc, reply);
            }
        }
        return unexpected(alloc, replies[0]);
    }

    private static ByteBuf anyNonNil(ByteBuf[] replies) {
        for (ByteBuf reply : replies) {
            if (!ReplyReader.isNil(reply)) {
                return reply.retainedDuplicate();
            }
        }
        return replies[0].retainedDuplicate();
    }

    private static ByteBuf anyOk(ByteBuf[] replies) {
        for (ByteBuf reply : replies) {
            if (ReplyReader.isOk(reply)) {
                return reply.retainedDuplicate();
            }
        }
        return replies[0].retainedDuplicate();
    }

    private static ByteBuf unexpected(ByteBufAllocator alloc, ByteBuf reply) {
        byte type = ReplyReader.type(reply);
        return RespReplies.error(
                alloc, "ERR Shardis: unexpected reply of type '" + (char) type + "' from a server; cannot merge it");
    }
}
