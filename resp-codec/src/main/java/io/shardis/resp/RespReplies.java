package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Writes RESP replies, and holds the common ones pre-encoded.
 *
 * <p>Canned replies are shared, read-only and never released: send them with
 * {@code ctx.write(RespReplies.OK.duplicate())}, which costs no copy and no reference count.
 */
public final class RespReplies {

    static final short CRLF_SHORT = ('\r' << 8) | '\n';

    public static final ByteBuf OK = canned("+OK\r\n");
    public static final ByteBuf PONG = canned("+PONG\r\n");
    public static final ByteBuf QUEUED = canned("+QUEUED\r\n");
    public static final ByteBuf NULL_BULK = canned("$-1\r\n");
    public static final ByteBuf NULL_ARRAY = canned("*-1\r\n");
    /** RESP3's null, {@code _}: what Redis sends a RESP3 client where a RESP2 one gets a null bulk or array. */
    public static final ByteBuf NULL = canned("_\r\n");

    public static final ByteBuf EMPTY_ARRAY = canned("*0\r\n");
    public static final ByteBuf ZERO = canned(":0\r\n");
    public static final ByteBuf ONE = canned(":1\r\n");

    private RespReplies() {}

    private static ByteBuf canned(String reply) {
        byte[] bytes = reply.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(bytes.length).writeBytes(bytes).asReadOnly());
    }

    /** {@code -<message>\r\n}; the message includes its code, e.g. "ERR unknown command". */
    public static ByteBuf error(ByteBufAllocator alloc, String message) {
        return simple(alloc, '-', message);
    }

    /** {@code +<text>\r\n}. */
    public static ByteBuf simpleString(ByteBufAllocator alloc, String text) {
        return simple(alloc, '+', text);
    }

    public static ByteBuf integer(ByteBufAllocator alloc, long value) {
        ByteBuf out = alloc.buffer(24);
        writeHeader(out, ':', value);
        return out;
    }

    /** A bulk string holding a copy of {@code content}'s readable bytes. */
    public static ByteBuf bulk(ByteBufAllocator alloc, ByteBuf content) {
        int length = content.readableBytes();
        ByteBuf out = alloc.buffer(length + 16);
        writeHeader(out, '$', length);
        out.writeBytes(content, content.readerIndex(), length).writeShort(CRLF_SHORT);
        return out;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, byte[] content) {
        ByteBuf out = alloc.buffer(content.length + 16);
        writeHeader(out, '$', content.length);
        out.writeBytes(content).writeShort(CRLF_SHORT);
        return out;
    }

    public static ByteBuf bulk(ByteBufAllocator alloc, String content) {
        return bulk(alloc, content.getBytes(StandardCharsets.UTF_8));
    }

    /** "00" to "99", two ASCII digits to a short, for writing numbers two digits at a time. */
    private static final short[] DIGIT_PAIRS = new short[100];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[i] = (short) ((('0' + i / 10) << 8) | ('0' + i % 10));
        }
    }

    /**
     * Writes {@code <type><value>\r\n}, e.g. an array header {@code *3\r\n}, with no string made of
     * the number: a header of one or two digits (every bulk length of a typical key) is one or two
     * writes.
     */
    public static void writeHeader(ByteBuf out, char type, long value) {
        int typeByte = (type & 0xFF) << 24;
        if (value >= 0 && value < 10) {
            out.writeInt(typeByte | ('0' + (int) value) << 16 | CRLF_SHORT);
        } else if (value >= 10 && value < 100) {
            out.writeInt(typeByte | DIGIT_PAIRS[(int) value] << 8 | '\r');
            out.writeByte('\n');
        } else {
            out.writeByte(type);
            writeDecimal(out, value);
            out.writeShort(CRLF_SHORT);
        }
    }

    /** Writes {@code value} in decimal ASCII, as {@link Long#toString(long)} spells it. */
    public static void writeDecimal(ByteBuf out, long value) {
        if (value == Long.MIN_VALUE) {
            // The one long whose negation is not a long.
            ByteBufUtil.writeAscii(out, Long.toString(value));
            return;
        }
        long rest = value;
        if (rest < 0) {
            out.writeByte('-');
            rest = -rest;
        }
        int digits = 1;
        for (long power = 10; digits < 19 && rest >= power; power *= 10) {
            digits++;
        }
        out.ensureWritable(digits);
        int end = out.writerIndex() + digits;
        int at = end;
        while (rest >= 100) {
            at -= 2;
            out.setShort(at, DIGIT_PAIRS[(int) (rest % 100)]);
            rest /= 100;
        }
        if (rest >= 10) {
            out.setShort(at - 2, DIGIT_PAIRS[(int) rest]);
        } else {
            out.setByte(at - 1, '0' + (int) rest);
        }
        out.writerIndex(end);
    }

    /** Writes a bulk string of {@code content}'s readable bytes into {@code out}. */
    public static void writeBulk(ByteBuf out, ByteBuf content) {
        writeHeader(out, '$', content.readableBytes());
        out.writeBytes(content, content.readerIndex(), content.readableBytes()).writeShort(CRLF_SHORT);
    }

    private static ByteBuf simple(ByteBufAllocator alloc, char type, String text) {
        // Simple strings cannot carry line breaks; keep the reply one line whatever the text.
        String line = text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0
                ? text.replace('\r', ' ').replace('\n', ' ')
                : text;
        ByteBuf out = alloc.buffer(line.length() + 3);
        out.writeByte(type);
        out.writeCharSequence(line, StandardCharsets.UTF_8);
        out.writeShort(CRLF_SHORT);
        return out;
    }
}
