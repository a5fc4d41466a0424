package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;

/**
 * Finds where one complete reply ends, without decoding it: the proxy forwards reply bytes
 * untouched. Understands every RESP2 and RESP3 type, nested aggregates and attributes.
 *
 * <p>Incremental: when a reply is incomplete, the framer remembers how far it got (relative to the
 * reader index) and resumes there on the next call, so a large reply is scanned once. The caller
 * must not consume bytes between calls that return -1.
 */
public final class RespReplyFramer {

    private final RespLimits limits;
    /** Elements still expected by each open aggregate, innermost last. */
    private final long[] remaining;

    private int depth;
    /** How far the current reply has been scanned, relative to the reader index. */
    private int scanOffset;
    /** End (relative) of a bulk whose header was read but whose body is incomplete, or -1. */
    private long pendingBulkEnd = -1;
    /** How far the current unfinished line has been searched, relative to the reader index. */
    private int lineScanned;

    /**
     * Bytes of the current reply's bulk body that have not arrived yet in {@code in} (the buffer of
     * the last {@link #frame} call), or 0 when no bulk body is awaited.
     */
    public long awaitedBulkBytes(ByteBuf in) {
        return pendingBulkEnd < 0 ? 0 : Math.max(0, in.readerIndex() + pendingBulkEnd - in.writerIndex());
    }

    public RespReplyFramer(RespLimits limits) {
        this.limits = limits;
        this.remaining = new long[limits.maxNesting()];
    }

    /**
     * Length of the first complete reply readable in {@code in}, or -1 when more bytes are needed.
     * Does not move the reader index.
     *
     * @throws RespProtocolException when the bytes are not RESP or exceed the limits
     */
    public int frame(ByteBuf in) {
        int base = in.readerIndex();
        int end = in.writerIndex();
        // Every index read below lies in [base, end): read a direct buffer without a check per byte.
        long address = base < end ? Numbers.address(in) : 0;
        while (true) {
            if (pendingBulkEnd >= 0) {
                if (base + pendingBulkEnd > end) {
                    return -1;
                }
                int crlf = (int) (base + pendingBulkEnd - 2);
                if (byteAt(in, address, crlf) != '\r' || byteAt(in, address, crlf + 1) != '\n') {
                    throw new RespProtocolException("bulk reply not terminated by CRLF");
                }
                scanOffset = (int) pendingBulkEnd;
                pendingBulkEnd = -1;
                if (elementDone()) {
                    return finish();
                }
                continue;
            }
            int at = base + scanOffset;
            if (at >= end) {
                return -1;
            }
            byte type = byteAt(in, address, at);
            // Resume the search for this line's end where the last call stopped.
            int cr = findCr(in, address, Math.max(at + 1, base + lineScanned), end);
            // Too long whether or not its end has arrived, so the verdict does not depend on how
            // the reply was split into reads.
            if ((cr < 0 ? end : cr) - at > limits.maxInlineLength()) {
                throw new RespProtocolException("reply line longer than " + limits.maxInlineLength());
            }
            if (cr < 0) {
                lineScanned = end - base;
                return -1;
            }
            if (cr + 1 >= end) {
                lineScanned = cr - base;
                return -1;
            }
            lineScanned = 0;
            if (byteAt(in, address, cr + 1) != '\n') {
                throw new RespProtocolException("reply line not terminated by CRLF");
            }
            int next = cr + 2 - base;
            switch (type) {
                case '+', '-', ':', ',', '#', '_', '(' -> {
                    scanOffset = next;
                    if (elementDone()) {
                        return finish();
                    }
                }
                case '$', '=', '!' -> {
                    long length = parseLong(in, address, at + 1, cr - at - 1);
                    if (length == -1 && type == '$') {
                        scanOffset = next;
                        if (elementDone()) {
                            return finish();
                        }
                    } else if (length < 0 || length > limits.maxBulkLength()) {
                        throw new RespProtocolException("invalid bulk length in reply");
                    } else {
                        pendingBulkEnd = next + length + 2;
                        if (pendingBulkEnd > Integer.MAX_VALUE - 16) {
                            throw new RespProtocolException("reply larger than 2 GiB");
                        }
                    }
                }
                case '*', '%', '~', '>', '|' -> {
                    long count = parseLong(in, address, at + 1, cr - at - 1);
                    scanOffset = next;
                    if (count == -1 && type != '|') {
                        if (elementDone()) { // RESP2 null array
                            return finish();
                        }
                        continue;
                    }
                    if (count < 0 || count > limits.maxArrayLength()) {
                        throw new RespProtocolException("invalid aggregate length in reply");
                    }
                    // A map holds pairs; an attribute's pairs are followed by the value they annotate.
                    long elements = type == '%' ? 2 * count : type == '|' ? 2 * count + 1 : count;
                    if (elements == 0) {
                        if (elementDone()) {
                            return finish();
                        }
                    } else {
                        if (depth == remaining.length) {
                            throw new RespProtocolException("reply nested deeper than " + remaining.length);
                        }
                        remaining[depth++] = elements;
                    }
                }
                default ->
                    throw new RespProtocolException("unexpected reply type byte 0x" + Integer.toHexString(type & 0xFF));
            }
        }
    }

    /** True between replies: nothing of a reply scanned yet. */
    boolean idle() {
        return depth == 0 && scanOffset == 0 && lineScanned == 0 && pendingBulkEnd < 0;
    }

    /** Forgets a partly scanned reply; for a connection that is reset. */
    public void reset() {
        depth = 0;
        scanOffset = 0;
        lineScanned = 0;
        pendingBulkEnd = -1;
    }

    /** True when the element just scanned completes the whole reply. */
    private boolean elementDone() {
        while (depth > 0) {
            if (--remaining[depth - 1] > 0) {
                return false;
            }
            depth--;
        }
        return true;
    }

    private int finish() {
        int length = scanOffset;
        scanOffset = 0;
        return length;
    }

    private static int findCr(ByteBuf in, long address, int from, int end) {
        if (from >= end) {
            return -1;
        }
        return address != 0 ? Numbers.indexOfCrAt(address, from, end) : Numbers.indexOfCr(in, from, end);
    }

    private static byte byteAt(ByteBuf in, long address, int index) {
        return address != 0 ? PlatformDependent.getByte(address + index) : in.getByte(index);
    }

    private static long parseLong(ByteBuf in, long address, int index, int length) {
        return address != 0 ? Numbers.parseLongAt(address + index, length) : Numbers.parseLong(in, index, length);
    }

    /** True when a complete reply is an error ({@code -ERR ...}, {@code -MOVED ...}, RESP3 {@code !}). */
    public static boolean isError(ByteBuf reply) {
        byte type = reply.getByte(reply.readerIndex());
        return type == '-' || type == '!';
    }
}
