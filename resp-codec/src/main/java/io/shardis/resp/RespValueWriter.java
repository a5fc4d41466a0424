package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes {@link RespValue}s as RESP2/RESP3 bytes, exactly as Redis writes them.
 *
 * <p>{@link #write(RespValue, ByteBuf)} writes each value with its own type byte. The replies
 * Shardis composes for a client go through {@link #write(RespValue, ByteBuf, RespProtocol)}, which
 * spells them as Redis spells the same reply to a client of that protocol: in RESP3 a null is
 * {@code _}; in RESP2 a map is a flat array, a set or push an array, a null the null bulk (or null
 * array), a boolean the integer 1 or 0, a double or big number a bulk string, a verbatim string a
 * bulk of its content, attributes are left out.
 */
public final class RespValueWriter {

    private static final byte[] CRLF = {'\r', '\n'};

    private RespValueWriter() {}

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

    /**
     * Appends {@code value} as Redis writes the same reply to a client speaking {@code protocol};
     * the caller keeps ownership of {@code out}.
     */
    public static void write(RespValue value, ByteBuf out, RespProtocol protocol) {
        if (protocol == RespProtocol.RESP3) {
            writeResp3(value, out);
        } else {
            writeResp2(value, out);
        }
    }

    private static void writeResp3(RespValue value, ByteBuf out) {
        if (value instanceof RespValue.BulkString b && b.isNull() || value instanceof RespValue.Array a && a.isNull()) {
            out.writeByte('_').writeBytes(CRLF);
        } else if (value instanceof RespValue.Array a) {
            RespReplies.writeHeader(out, '*', a.elements().size());
            for (RespValue element : a.elements()) {
                writeResp3(element, out);
            }
        } else if (value instanceof RespValue.Set s) {
            RespReplies.writeHeader(out, '~', s.elements().size());
            for (RespValue element : s.elements()) {
                writeResp3(element, out);
            }
        } else if (value instanceof RespValue.Push p) {
            RespReplies.writeHeader(out, '>', p.elements().size());
            for (RespValue element : p.elements()) {
                writeResp3(element, out);
            }
        } else if (value instanceof RespValue.Map m) {
            RespReplies.writeHeader(out, '%', m.entries().size());
            for (RespValue.Pair pair : m.entries()) {
                writeResp3(pair.key(), out);
                writeResp3(pair.value(), out);
            }
        } else if (value instanceof RespValue.Attribute a) {
            RespReplies.writeHeader(out, '|', a.attributes().size());
            for (RespValue.Pair pair : a.attributes()) {
                writeResp3(pair.key(), out);
                writeResp3(pair.value(), out);
            }
            writeResp3(a.value(), out);
        } else {
            write(value, out);
        }
    }

    private static void writeResp2(RespValue value, ByteBuf out) {
        if (value instanceof RespValue.Null) {
            RespReplies.writeHeader(out, '$', -1);
        } else if (value instanceof RespValue.Array a && !a.isNull()) {
            RespReplies.writeHeader(out, '*', a.elements().size());
            for (RespValue element : a.elements()) {
                writeResp2(element, out);
            }
        } else if (value instanceof RespValue.Set s) {
            RespReplies.writeHeader(out, '*', s.elements().size());
            for (RespValue element : s.elements()) {
                writeResp2(element, out);
            }
        } else if (value instanceof RespValue.Push p) {
            RespReplies.writeHeader(out, '*', p.elements().size());
            for (RespValue element : p.elements()) {
                writeResp2(element, out);
            }
        } else if (value instanceof RespValue.Map m) {
            RespReplies.writeHeader(out, '*', 2L * m.entries().size());
            for (RespValue.Pair pair : m.entries()) {
                writeResp2(pair.key(), out);
                writeResp2(pair.value(), out);
            }
        } else if (value instanceof RespValue.Attribute a) {
            writeResp2(a.value(), out);
        } else if (value instanceof RespValue.Boolean b) {
            RespReplies.writeHeader(out, ':', b.value() ? 1 : 0);
        } else if (value instanceof RespValue.Double d) {
            blob(out, '$', formatDouble(d.value()).getBytes(StandardCharsets.US_ASCII));
        } else if (value instanceof RespValue.BigNumber n) {
            blob(out, '$', n.value().toString().getBytes(StandardCharsets.US_ASCII));
        } else if (value instanceof RespValue.VerbatimString v) {
            blob(out, '$', v.content());
        } else if (value instanceof RespValue.BulkError e) {
            String message = new String(e.message(), StandardCharsets.UTF_8);
            line(out, '-', message.replace('\r', ' ').replace('\n', ' '));
        } else {
            write(value, out);
        }
    }

    /**
     * A double as Redis 7.0 writes it ({@code %.17g}: 17 significant digits, trailing zeros dropped,
     * an exponent below 1e-4 and from 1e17), and its spelling of the special values. It reads back
     * as the same double.
     */
    public static String formatDouble(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(value).round(SEVENTEEN_DIGITS);
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= 17) {
            String digits = rounded.unscaledValue().abs().toString();
            digits = stripZeros(digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits);
            int magnitude = Math.abs(exponent);
            return (value < 0 ? "-" : "") + digits + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "")
                    + magnitude;
        }
        return stripZeros(rounded.toPlainString());
    }

    private static final MathContext SEVENTEEN_DIGITS = new MathContext(17, RoundingMode.HALF_EVEN);

    /** {@code 1.50000} to {@code 1.5}, {@code 2.000} to {@code 2}; integers stay as they are. */
    private static String stripZeros(String number) {
        if (number.indexOf('.') < 0) {
            return number;
        }
        int end = number.length();
        while (number.charAt(end - 1) == '0') {
            end--;
        }
        if (number.charAt(end - 1) == '.') {
            end--;
        }
        return number.substring(0, end);
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
