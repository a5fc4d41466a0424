package io.shardis.resp;

import io.netty.buffer.ByteBuf;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one RESP2/RESP3 reply into a {@link RespValue}, for the control plane, the merging of
 * split replies and tests; the data path frames replies with {@link RespReplyFramer} instead.
 *
 * <p>Every length is checked against {@link RespLimits} and against the bytes actually present
 * before anything is allocated for it, so {@code *2000000000\r\n} costs nothing. Stateless and
 * thread-safe.
 */
public final class RespValueReader {

    /** The smallest element on the wire ({@code _\r\n}); bounds list capacities by bytes present. */
    private static final int MIN_ELEMENT_BYTES = 3;

    private final RespLimits limits;

    public RespValueReader(RespLimits limits) {
        this.limits = limits;
    }

    public RespValueReader() {
        this(RespLimits.DEFAULT);
    }

    /**
     * Reads the reply at {@code in}'s reader index and moves the reader index past it. Returns null,
     * leaving the reader index where it was, when the reply is not complete yet. Does not release
     * or retain {@code in}.
     *
     * @throws RespProtocolException when the bytes are not RESP or break a limit
     */
    public RespValue read(ByteBuf in) {
        Cursor cursor = new Cursor(in, limits);
        RespValue value = cursor.value(0);
        if (value != null) {
            in.readerIndex(cursor.pos);
        }
        return value;
    }

    /**
     * Decodes a buffer holding exactly one complete reply, such as a slice emitted by
     * {@link RespReplyDecoder}. Reads {@code reply} without consuming or releasing it.
     *
     * @throws RespProtocolException when the reply is malformed, incomplete or followed by more bytes
     */
    public RespValue decode(ByteBuf reply) {
        Cursor cursor = new Cursor(reply, limits);
        RespValue value = cursor.value(0);
        if (value == null) {
            throw new RespProtocolException("incomplete reply");
        }
        if (cursor.pos != reply.writerIndex()) {
            throw new RespProtocolException((reply.writerIndex() - cursor.pos) + " bytes after the reply");
        }
        return value;
    }

    /** One pass over the buffer; every method returns null when the input ends too early. */
    private static final class Cursor {
        private final ByteBuf in;
        private final RespLimits limits;
        private final int end;
        private int pos;

        Cursor(ByteBuf in, RespLimits limits) {
            this.in = in;
            this.limits = limits;
            this.pos = in.readerIndex();
            this.end = in.writerIndex();
        }

        /** {@code depth} counts the aggregates enclosing this value. */
        RespValue value(int depth) {
            if (pos >= end) {
                return null;
            }
            byte type = in.getByte(pos);
            int lineStart = pos + 1;
            int cr = lineEnd(lineStart);
            if (cr < 0) {
                return null;
            }
            int lineLength = cr - lineStart;
            pos = cr + 2;
            switch (type) {
                case '+':
                    return new RespValue.SimpleString(text(lineStart, lineLength));
                case '-':
                    return new RespValue.SimpleError(text(lineStart, lineLength));
                case ':':
                    return new RespValue.Integer(integer(lineStart, lineLength));
                case '_':
                    if (lineLength != 0) {
                        throw new RespProtocolException("null reply with content");
                    }
                    return RespValue.Null.INSTANCE;
                case '#':
                    return bool(lineStart, lineLength);
                case ',':
                    return new RespValue.Double(parseDouble(text(lineStart, lineLength)));
                case '(':
                    return new RespValue.BigNumber(bigNumber(text(lineStart, lineLength)));
                case '$': {
                    long length = length(lineStart, lineLength, true);
                    if (length < 0) {
                        return RespValue.BulkString.NULL;
                    }
                    byte[] bytes = blob(length);
                    return bytes == null ? null : new RespValue.BulkString(bytes);
                }
                case '!': {
                    byte[] bytes = blob(length(lineStart, lineLength, false));
                    return bytes == null ? null : new RespValue.BulkError(bytes);
                }
                case '=':
                    return verbatim(length(lineStart, lineLength, false));
                case '*': {
                    long count = count(lineStart, lineLength, true, depth);
                    if (count < 0) {
                        return RespValue.Array.NULL;
                    }
                    List<RespValue> elements = elements(count, depth + 1);
                    return elements == null ? null : new RespValue.Array(elements);
                }
                case '~': {
                    List<RespValue> elements = elements(count(lineStart, lineLength, false, depth), depth + 1);
                    return elements == null ? null : new RespValue.Set(elements);
                }
                case '>': {
                    List<RespValue> elements = elements(count(lineStart, lineLength, false, depth), depth + 1);
                    return elements == null ? null : new RespValue.Push(elements);
                }
                case '%': {
                    List<RespValue.Pair> pairs = pairs(count(lineStart, lineLength, false, depth), depth + 1);
                    return pairs == null ? null : new RespValue.Map(pairs);
                }
                case '|': {
                    // The annotated value belongs to the attribute, one level down, as the framer counts it.
                    List<RespValue.Pair> pairs = pairs(count(lineStart, lineLength, false, depth), depth + 1);
                    if (pairs == null) {
                        return null;
                    }
                    RespValue annotated = value(depth + 1);
                    return annotated == null ? null : new RespValue.Attribute(pairs, annotated);
                }
                default:
                    throw new RespProtocolException("unknown reply type byte 0x" + Integer.toHexString(type & 0xFF));
            }
        }

        /** Index of the CR ending the line that starts at {@code from}, or -1 when it has not arrived. */
        private int lineEnd(int from) {
            int searchable = Math.min(end - from, limits.maxInlineLength() + 1);
            int cr = -1;
            for (int i = from; i < from + searchable; i++) {
                byte b = in.getByte(i);
                if (b == '\r') {
                    cr = i;
                    break;
                }
                if (b == '\n') {
                    throw new RespProtocolException("line feed without carriage return in a reply line");
                }
            }
            if (cr < 0) {
                if (end - from > limits.maxInlineLength()) {
                    throw new RespProtocolException("reply line longer than " + limits.maxInlineLength() + " bytes");
                }
                return -1;
            }
            if (cr + 1 >= end) {
                return -1;
            }
            if (in.getByte(cr + 1) != '\n') {
                throw new RespProtocolException("carriage return without line feed in a reply line");
            }
            return cr;
        }

        private String text(int from, int length) {
            return in.toString(from, length, StandardCharsets.UTF_8);
        }

        private long integer(int from, int length) {
            String text = in.toString(from, length, StandardCharsets.US_ASCII);
            int digitsFrom = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
            if (text.length() == digitsFrom || text.length() > 20 || !allDigits(text, digitsFrom)) {
                throw new RespProtocolException("invalid integer reply '" + text + "'");
            }
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new RespProtocolException("integer reply out of range '" + text + "'");
            }
        }

        /** A bulk or aggregate length: -1 (when {@code nullable}) or within the bulk limit. */
        private long length(int from, int length, boolean nullable) {
            long value = Numbers.parseLong(in, from, length);
            if (value == -1 && nullable) {
                return -1;
            }
            if (value < 0) {
                throw new RespProtocolException("invalid length '" + text(from, length) + "'");
            }
            if (value > limits.maxBulkLength()) {
                throw new RespProtocolException(
                        "bulk length " + value + " exceeds the limit of " + limits.maxBulkLength());
            }
            return value;
        }

        private long count(int from, int length, boolean nullable, int depth) {
            long value = Numbers.parseLong(in, from, length);
            if (value == -1 && nullable) {
                return -1;
            }
            if (value < 0) {
                throw new RespProtocolException("invalid aggregate length '" + text(from, length) + "'");
            }
            if (value > limits.maxArrayLength()) {
                throw new RespProtocolException(
                        "aggregate length " + value + " exceeds the limit of " + limits.maxArrayLength());
            }
            // As the framer counts: an empty aggregate opens no level, an attribute always does.
            boolean opensLevel = value > 0 || in.getByte(from - 1) == '|';
            if (opensLevel && depth + 1 > limits.maxNesting()) {
                throw new RespProtocolException("reply nested deeper than " + limits.maxNesting());
            }
            return value;
        }

        /** The {@code length} bytes and CRLF at the cursor, allocated only once they are all present. */
        private byte[] blob(long length) {
            if (end - pos < length + 2) {
                return null;
            }
            int size = (int) length;
            if (in.getByte(pos + size) != '\r' || in.getByte(pos + size + 1) != '\n') {
                throw new RespProtocolException("bulk reply not terminated by CRLF");
            }
            byte[] bytes = new byte[size];
            in.getBytes(pos, bytes);
            pos += size + 2;
            return bytes;
        }

        private RespValue verbatim(long length) {
            if (length < 4) {
                throw new RespProtocolException("verbatim string shorter than its format");
            }
            byte[] bytes = blob(length);
            if (bytes == null) {
                return null;
            }
            if (bytes[3] != ':') {
                throw new RespProtocolException("verbatim string without ':' after its format");
            }
            if (bytes[0] < 0 || bytes[1] < 0 || bytes[2] < 0) {
                // What a VerbatimString holds: three ASCII characters (txt, mkd).
                throw new RespProtocolException("verbatim string format is not three ASCII characters");
            }
            byte[] content = new byte[bytes.length - 4];
            System.arraycopy(bytes, 4, content, 0, content.length);
            return new RespValue.VerbatimString(new String(bytes, 0, 3, StandardCharsets.ISO_8859_1), content);
        }

        private List<RespValue> elements(long count, int depth) {
            List<RespValue> elements = new ArrayList<>(capacity(count));
            for (long i = 0; i < count; i++) {
                RespValue element = value(depth);
                if (element == null) {
                    return null;
                }
                elements.add(element);
            }
            return elements;
        }

        private List<RespValue.Pair> pairs(long count, int depth) {
            List<RespValue.Pair> pairs = new ArrayList<>(capacity(count * 2) / 2);
            for (long i = 0; i < count; i++) {
                RespValue key = value(depth);
                if (key == null) {
                    return null;
                }
                RespValue value = value(depth);
                if (value == null) {
                    return null;
                }
                pairs.add(new RespValue.Pair(key, value));
            }
            return pairs;
        }

        /** Never more slots than the bytes present could fill. */
        private int capacity(long count) {
            return (int) Math.min(count, (end - pos) / MIN_ELEMENT_BYTES);
        }

        private RespValue bool(int from, int length) {
            if (length == 1 && in.getByte(from) == 't') {
                return RespValue.Boolean.TRUE;
            }
            if (length == 1 && in.getByte(from) == 'f') {
                return RespValue.Boolean.FALSE;
            }
            throw new RespProtocolException("invalid boolean reply '" + text(from, length) + "'");
        }

        private static double parseDouble(String text) {
            switch (text.toLowerCase(java.util.Locale.ROOT)) {
                case "inf", "+inf" -> {
                    return Double.POSITIVE_INFINITY;
                }
                case "-inf" -> {
                    return Double.NEGATIVE_INFINITY;
                }
                case "nan", "-nan" -> {
                    return Double.NaN;
                }
                default -> {
                    // Double.parseDouble alone would also take "0x1p3", "1d" and "Infinity".
                    if (!isDecimal(text)) {
                        throw new RespProtocolException("invalid double reply '" + text + "'");
                    }
                    return Double.parseDouble(text);
                }
            }
        }

        /** {@code [+-]digits[.digits][(e|E)[+-]digits]}. */
        private static boolean isDecimal(String text) {
            int i = 0;
            int n = text.length();
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int digits = i;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
            }
            if (i == digits) {
                return false;
            }
            if (i < n && text.charAt(i) == '.') {
                int fraction = ++i;
                while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                    i++;
                }
                if (i == fraction) {
                    return false;
                }
            }
            if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
                i++;
                if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                    i++;
                }
                int exponent = i;
                while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                    i++;
                }
                if (i == exponent) {
                    return false;
                }
            }
            return i == n;
        }

        private static BigInteger bigNumber(String text) {
            int digitsFrom = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
            if (text.length() == digitsFrom || !allDigits(text, digitsFrom)) {
                throw new RespProtocolException("invalid big number reply '" + text + "'");
            }
            return new BigInteger(text);
        }

        private static boolean allDigits(String text, int from) {
            for (int i = from; i < text.length(); i++) {
                if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                    return false;
                }
            }
            return true;
        }
    }
}
