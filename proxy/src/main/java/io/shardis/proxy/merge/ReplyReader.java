package io.shardis.proxy.merge;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.shardis.resp.Numbers;
import io.shardis.resp.RespLimits;
import io.shardis.resp.RespReplyFramer;

/**
 * Reads the little a merge needs from complete replies: integers, array headers and where each
 * element of an array reply starts and ends. Never moves a reply's reader index.
 */
public final class ReplyReader {

    public static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private static final FastThreadLocal<RespReplyFramer> FRAMER = new FastThreadLocal<>() {
        @Override
        protected RespReplyFramer initialValue() {
            return new RespReplyFramer(RespLimits.DEFAULT
                    .withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH)
                    .withMaxNesting(128)
                    .withMaxInlineLength(64 * 1024 * 1024));
        }
    };

    private ReplyReader() {}

    public static byte type(ByteBuf reply) {
        return reply.getByte(reply.readerIndex());
    }

    /** The number in a {@code :n}, {@code *n} or {@code $n} line, or {@link #NOT_A_NUMBER}. */
    public static long headerNumber(ByteBuf reply) {
        int start = reply.readerIndex() + 1;
        int cr = start < reply.writerIndex() ? Numbers.indexOfCr(reply, start, reply.writerIndex()) : -1;
        if (cr < 0 || cr == start) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        boolean negative = reply.getByte(start) == '-';
        for (int i = negative ? start + 1 : start; i < cr; i++) {
            int digit = reply.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return NOT_A_NUMBER;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /** Length of the header line of a reply, CRLF included. */
    public static int headerLength(ByteBuf reply) {
        int start = reply.readerIndex();
        int cr = start < reply.writerIndex() ? Numbers.indexOfCr(reply, start, reply.writerIndex()) : -1;
        return cr - start + 2;
    }

    /**
     * The absolute start offset and the length of each element of an array reply ({@code [2i]},
     * {@code [2i+1]}), or null when the reply is not a well-formed array.
     */
    public static int[] elements(ByteBuf reply) {
        if (type(reply) != '*') {
            return null;
        }
        long count = headerNumber(reply);
        if (count < 0 || count > reply.readableBytes()) {
            return null;
        }
        int[] bounds = new int[(int) count * 2];
        RespReplyFramer framer = FRAMER.get();
        ByteBuf cursor = reply.duplicate();
        cursor.readerIndex(reply.readerIndex() + headerLength(reply));
        for (int i = 0; i < count; i++) {
            int length = framer.frame(cursor);
            if (length < 0) {
                framer.reset();
                return null;
            }
            bounds[2 * i] = cursor.readerIndex();
            bounds[2 * i + 1] = length;
            cursor.skipBytes(length);
        }
        return bounds;
    }

    /**
     * Length of the whole reply (an element of an array reply) that starts at absolute index
     * {@code at}, or -1 when none does; the general framer, for elements that are not plain bulk strings.
     */
    static int frameAt(ByteBuf reply, int at) {
        if (at < reply.readerIndex() || at >= reply.writerIndex()) {
            return -1;
        }
        RespReplyFramer framer = FRAMER.get();
        ByteBuf cursor = reply.duplicate();
        cursor.readerIndex(at);
        int length = framer.frame(cursor);
        if (length < 0) {
            framer.reset();
        }
        return length;
    }

    /** True for {@code $-1} and {@code *-1} (RESP2 nils) and RESP3's {@code _}. */
    public static boolean isNil(ByteBuf reply) {
        byte type = type(reply);
        return type == '_' || ((type == '$' || type == '*') && headerNumber(reply) == -1);
    }

    public static boolean isOk(ByteBuf reply) {
        return reply.readableBytes() == 5
                && reply.getByte(reply.readerIndex()) == '+'
                && reply.getByte(reply.readerIndex() + 1) == 'O'
                && reply.getByte(reply.readerIndex() + 2) == 'K';
    }
}
