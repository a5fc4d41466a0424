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

    /** Writes {@code <type><value>\r\n}, e.g. an array header {@code *3\r\n}. */
    public static void writeHeader(ByteBuf out, char type, long value) {
        out.writeByte(type);
        if (value >= 0 && value < 10) {
            out.writeByte('0' + (int) value);
        } else {
            ByteBufUtil.writeAscii(out, Long.toString(value));
        }
        out.writeShort(CRLF_SHORT);
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
