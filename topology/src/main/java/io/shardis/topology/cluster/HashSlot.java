package io.shardis.topology.cluster;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The Redis Cluster hash slot of a key, exactly as Redis' {@code keyHashSlot} computes it: if the
 * key has a {@code '{'} and a {@code '}'} after the first one with at least one byte between them,
 * only those bytes are hashed; otherwise the whole key. The hash is CRC-16/XMODEM (polynomial
 * 0x1021, initial value 0) and the slot its low 14 bits.
 *
 * <p>Allocation-free. The CRC table is this class's own: Twemproxy's {@code crc16} in the shard
 * package runs the same step on an unmasked 32-bit register, which Redis Cluster must not.
 */
public final class HashSlot {

    /** Slots in a Redis Cluster: 0 to 16383. */
    public static final int SLOT_COUNT = 16384;

    private static final char[] TABLE = table();

    private HashSlot() {}

    /** The slot of {@code key[offset, offset + length)}. */
    public static int of(byte[] key, int offset, int length) {
        int end = offset + length;
        int open = offset;
        while (open < end && key[open] != '{') {
            open++;
        }
        if (open < end) {
            int close = open + 1;
            while (close < end && key[close] != '}') {
                close++;
            }
            if (close < end && close > open + 1) {
                return crc16(key, open + 1, close) & (SLOT_COUNT - 1);
            }
        }
        return crc16(key, offset, end) & (SLOT_COUNT - 1);
    }

    public static int of(byte[] key) {
        return of(key, 0, key.length);
    }

    /** The slot of a key given as text, encoded as UTF-8 (as clients send it). Allocates; for tests and tools. */
    public static int of(String key) {
        return of(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The slot of the {@code length} bytes of {@code key} from absolute index {@code index}, such as
     * a key argument sliced from a request. Reads without moving indexes; does not retain or release.
     */
    public static int of(ByteBuf key, int index, int length) {
        int end = index + length;
        int open = index;
        while (open < end && key.getByte(open) != '{') {
            open++;
        }
        if (open < end) {
            int close = open + 1;
            while (close < end && key.getByte(close) != '}') {
                close++;
            }
            if (close < end && close > open + 1) {
                return crc16(key, open + 1, close) & (SLOT_COUNT - 1);
            }
        }
        return crc16(key, index, end) & (SLOT_COUNT - 1);
    }

    /** CRC-16/XMODEM of {@code bytes[from, to)}. */
    static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    private static int crc16(ByteBuf bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes.getByte(i)) & 0xFF]) & 0xFFFF;
        }
        return crc;
    }

    private static char[] table() {
        char[] table = new char[256];
        for (int n = 0; n < 256; n++) {
            int c = n << 8;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            }
            table[n] = (char) c;
        }
        return table;
    }
}
