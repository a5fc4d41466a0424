package io.shardis.topology.shard;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * nutcracker.yml's {@code hash_tag}: two bytes that mark the part of a key to hash, so related
 * keys land on the same server.
 *
 * <p>As in nutcracker 0.5.0, the hashed part is the bytes after the first opening byte and before
 * the first closing byte that follows it. The whole key is hashed instead when there is no opening
 * byte, no closing byte after it, or nothing between them: with {@code {}}, {@code a{b}c{d}}
 * hashes {@code b}, while {@code {}x}, {@code }{}, {@code a{b} and {@code {}{x}} hash whole. The
 * two bytes may be equal ({@code $$}): the closing one is then the next one after the opening one.
 */
public final class HashTag {

    /** No hash tag: every key is hashed whole. */
    public static final HashTag NONE = new HashTag("", (byte) 0, (byte) 0);

    private final String text;
    private final byte open;
    private final byte close;

    private HashTag(String text, byte open, byte close) {
        this.text = text;
        this.open = open;
        this.close = close;
    }

    /**
     * The tag nutcracker.yml's {@code hash_tag: "{}"} sets; {@code null} or empty for {@link #NONE}.
     *
     * @throws IllegalArgumentException unless {@code twoBytes} is two bytes in UTF-8, the only
     *     length nutcracker accepts
     */
    public static HashTag parse(String twoBytes) {
        if (twoBytes == null || twoBytes.isEmpty()) {
            return NONE;
        }
        byte[] bytes = twoBytes.getBytes(StandardCharsets.UTF_8);
        if (bytes.length != 2) {
            throw new IllegalArgumentException("hash_tag '" + twoBytes + "' is not a valid hash tag: it must be "
                    + "two characters (two bytes), e.g. \"{}\"");
        }
        return new HashTag(twoBytes, bytes[0], bytes[1]);
    }

    public boolean isNone() {
        return text.isEmpty();
    }

    /** The two bytes as configured, or {@code ""} for {@link #NONE}. */
    public String text() {
        return text;
    }

    /**
     * The part of {@code key[offset, offset + length)} to hash, packed as
     * {@code (start << 32) | hashedLength} so that the lookup path allocates nothing; read it with
     * {@link #start(long)} and {@link #length(long)}.
     */
    public long hashedRange(byte[] key, int offset, int length) {
        if (!isNone()) {
            int end = offset + length;
            int tagStart = indexOf(key, offset, end, open);
            if (tagStart >= 0) {
                int tagEnd = indexOf(key, tagStart + 1, end, close);
                if (tagEnd - tagStart > 1) {
                    return pack(tagStart + 1, tagEnd - tagStart - 1);
                }
            }
        }
        return pack(offset, length);
    }

    /** The offset of the hashed part, from a {@link #hashedRange} result. */
    public static int start(long range) {
        return (int) (range >>> 32);
    }

    /** The length of the hashed part, from a {@link #hashedRange} result. */
    public static int length(long range) {
        return (int) range;
    }

    private static long pack(int start, int length) {
        return ((long) start << 32) | (length & 0xffffffffL);
    }

    private static int indexOf(byte[] key, int from, int end, byte wanted) {
        for (int i = from; i < end; i++) {
            if (key[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HashTag tag && tag.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return isNone() ? "no hash tag" : "hash tag \"" + text + "\"";
    }
}
