package io.shardis.resp;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A fully decoded RESP2 or RESP3 value. Values own plain Java data (no {@code ByteBuf}), so they
 * can be kept, compared and shared freely; equality is by content, bytes included.
 *
 * <p>Use them where a reply must be understood rather than forwarded: the control plane, merging
 * the replies of split commands, tests. {@link RespValueWriter} encodes them and
 * {@link RespValueReader} decodes them.
 */
public sealed interface RespValue {

    /** {@code +text\r\n}. The text may not contain CR or LF. */
    record SimpleString(String value) implements RespValue {
        public SimpleString {
            requireOneLine(value);
        }
    }

    /** {@code -CODE message\r\n}. The message may not contain CR or LF. */
    record SimpleError(String message) implements RespValue {
        public SimpleError {
            requireOneLine(message);
        }
    }

    /** {@code :value\r\n}. */
    record Integer(long value) implements RespValue {}

    /** {@code $len\r\nbytes\r\n}, or the RESP2 null bulk {@code $-1\r\n} when {@code bytes} is null. */
    record BulkString(byte[] bytes) implements RespValue {
        public static final BulkString NULL = new BulkString(null);

        public BulkString {
            bytes = bytes == null ? null : bytes.clone();
        }

        public static BulkString of(String utf8) {
            return new BulkString(utf8.getBytes(StandardCharsets.UTF_8));
        }

        public boolean isNull() {
            return bytes == null;
        }

        /** A copy, so the value stays immutable. */
        @Override
        public byte[] bytes() {
            return bytes == null ? null : bytes.clone();
        }

        /** Content as UTF-8 text; null for the null bulk. */
        public String asString() {
            return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof BulkString that && Arrays.equals(bytes, that.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return bytes == null ? "BulkString[null]" : "BulkString[" + printable(bytes) + "]";
        }
    }

    /** {@code *n\r\n...}, or the RESP2 null array {@code *-1\r\n} when {@code elements} is null. */
    record Array(List<RespValue> elements) implements RespValue {
        public static final Array NULL = new Array(null);

        public Array {
            elements = elements == null ? null : List.copyOf(elements);
        }

        public static Array of(RespValue... elements) {
            return new Array(List.of(elements));
        }

        public boolean isNull() {
            return elements == null;
        }
    }

    /** RESP3 {@code _\r\n}. */
    record Null() implements RespValue {
        public static final Null INSTANCE = new Null();
    }

    /** One key and value of a {@link Map} or an {@link Attribute}. */
    record Pair(RespValue key, RespValue value) {
        public Pair {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** RESP3 {@code %n\r\n} followed by n keys and values, in wire order (keys may repeat). */
    record Map(List<Pair> entries) implements RespValue {
        public Map {
            entries = List.copyOf(entries);
        }
    }

    /** RESP3 {@code ~n\r\n...}, in wire order. */
    record Set(List<RespValue> elements) implements RespValue {
        public Set {
            elements = List.copyOf(elements);
        }
    }

    /**
     * RESP3 {@code |n\r\n} attributes and the value they annotate, which follows them on the wire.
     * The annotated value may itself be an {@code Attribute} when several attribute blocks precede it.
     */
    record Attribute(List<Pair> attributes, RespValue value) implements RespValue {
        public Attribute {
            attributes = List.copyOf(attributes);
            Objects.requireNonNull(value, "value");
        }
    }

    /** RESP3 out-of-band {@code >n\r\n...} (pub/sub messages, invalidations). */
    record Push(List<RespValue> elements) implements RespValue {
        public Push {
            elements = List.copyOf(elements);
        }
    }

    /** RESP3 {@code ,value\r\n}, infinities and NaN included. Equality as {@link java.lang.Double#equals}. */
    record Double(double value) implements RespValue {}

    /** RESP3 {@code #t\r\n} / {@code #f\r\n}. */
    record Boolean(boolean value) implements RespValue {
        public static final Boolean TRUE = new Boolean(true);
        public static final Boolean FALSE = new Boolean(false);
    }

    /** RESP3 {@code (digits\r\n}. */
    record BigNumber(BigInteger value) implements RespValue {
        public BigNumber {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * RESP3 {@code =len\r\nfmt:content\r\n}: {@code format} is exactly three characters
     * ({@code txt}, {@code mkd}) and {@code len} counts the format and its colon too.
     */
    record VerbatimString(String format, byte[] content) implements RespValue {
        public VerbatimString {
            if (format.length() != 3 || format.getBytes(StandardCharsets.UTF_8).length != 3) {
                throw new IllegalArgumentException("verbatim format must be 3 bytes: '" + format + "'");
            }
            content = content.clone();
        }

        @Override
        public byte[] content() {
            return content.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof VerbatimString that
                    && format.equals(that.format)
                    && Arrays.equals(content, that.content);
        }

        @Override
        public int hashCode() {
            return 31 * format.hashCode() + Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "VerbatimString[" + format + ":" + printable(content) + "]";
        }
    }

    /** RESP3 {@code !len\r\nbytes\r\n}: an error whose message may hold any bytes. */
    record BulkError(byte[] message) implements RespValue {
        public BulkError {
            message = message.clone();
        }

        @Override
        public byte[] message() {
            return message.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof BulkError that && Arrays.equals(message, that.message);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(message);
        }

        @Override
        public String toString() {
            return "BulkError[" + printable(message) + "]";
        }
    }

    private static void requireOneLine(String text) {
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("simple strings and errors cannot hold CR or LF");
        }
    }

    /** Up to 64 bytes, escaping what is not printable ASCII; for toString only. */
    private static String printable(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        int shown = Math.min(bytes.length, 64);
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\') {
                out.append((char) b);
            } else {
                out.append(String.format("\\x%02x", b));
            }
        }
        if (bytes.length > shown) {
            out.append("…(").append(bytes.length).append(" bytes)");
        }
        return out.toString();
    }
}
