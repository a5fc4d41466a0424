package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Encodes {@link RespValue}s as RESP2/RESP3 bytes, exactly as Redis writes them. */
public final class RespValueWriter {

    private static final byte[] CRLF = {'\r', '\n'};

    private RespValueWriter() {
    }

    /** Appends {@code value} to {@code out}; the caller keeps ownership of {@code out}. */
    public static void write(RespValue value, ByteBuf out) {
        if (value instanceof RespValue.SimpleString s) {
            line(out, '+', s.value());
        } else if (value instanceof RespValue.SimpleError e) {
            line(out, '-', e.message());
        } else if (value instanceof RespValue.Integer i) {
            RespReplies.writeHeader(out, ':', i.value());
        } else if (value instanceof RespValue.BulkString b) {
            if (b.isNull()) {
                RespReplies.writeHeader(out, '$', -1);
            } else {
                blob(out, '$', b.bytes());
            }
        } else if (value instanceof RespValue.Array a) {
            if (a.isNull()) {
                RespReplies.writeHeader(out, '*', -1);
            } else {
                elements(out, '*', a.elements());
            }
        } else if (value instanceof RespValue.Null) {
            out.writeByte('_').writeBytes(CRLF);
        } else if (value instanceof RespValue.Map m) {
            pairs(out, '%', m.entries());
        } else if (value instanceof RespValue.Set s) {
            elements(out, '~', s.elements());
        } else if (value instanceof RespValue.Attribute a) {
            pairs(out, '|', a.attributes());
            write(a.value(), out);
        } else if (value instanceof RespValue.Push p) {
            elements(out, '>', p.elements());
        } else if (value instanceof RespValue.Double d) {
            out.writeByte(',');
            ByteBufUtil.writeAscii(out, formatDouble(d.value()));
            out.writeBytes(CRLF);
        } else if (value instanceof RespValue.Boolean b) {
            out.writeByte('#').writeByte(b.value() ? 't' : 'f').writeBytes(CRLF);
        } else if (value instanceof RespValue.BigNumber n) {
            out.writeByte('(');
            ByteBufUtil.writeAscii(out, n.value().toString());
            out.writeBytes(CRLF);
        } else if (value instanceof RespValue.VerbatimString v) {
            byte[] content = v.content();
            RespReplies.writeHeader(out, '=', content.length + 4L);
            ByteBufUtil.writeAscii(out, v.format());
            out.writeByte(':').writeBytes(content).writeBytes(CRLF);
        } else if (value instanceof RespValue.BulkError e) {
            blob(out, '!', e.message());
        } else {
            throw new IllegalArgumentException("not a RESP value: " + value);
        }
    }

    /** Redis' spelling of the special doubles; finite values in Java's shortest round-trip form. */
    static String formatDouble(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        return Double.toString(value);
    }

    private static void line(ByteBuf out, char type, String text) {
        out.writeByte(type);
        out.writeCharSequence(text, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
    }

    private static void blob(ByteBuf out, char type, byte[] bytes) {
        RespReplies.writeHeader(out, type, bytes.length);
        out.writeBytes(bytes).writeBytes(CRLF);
    }

    private static void elements(ByteBuf out, char type, List<RespValue> elements) {
        RespReplies.writeHeader(out, type, elements.size());
        for (RespValue element : elements) {
            write(element, out);
        }
    }

    private static void pairs(ByteBuf out, char type, List<RespValue.Pair> pairs) {
        RespReplies.writeHeader(out, type, pairs.size());
        for (RespValue.Pair pair : pairs) {
            write(pair.key(), out);
            write(pair.value(), out);
        }
    }
}
