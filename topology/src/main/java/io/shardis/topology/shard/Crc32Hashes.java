package io.shardis.topology.shard;

/** CRC-32 (reflected polynomial 0xEDB88320) in Twemproxy's two flavours. */
final class Crc32Hashes {

    private static final int[] TABLE = table();

    private Crc32Hashes() {
    }

    /** libmemcached's {@code crc32}: bits 16..30 of the standard CRC-32, so a value below 32768. */
    static int crc32(byte[] key, int offset, int length) {
        return (crc32a(key, offset, length) >>> 16) & 0x7fff;
    }

    /** The standard CRC-32, as {@link java.util.zip.CRC32} computes it. */
    static int crc32a(byte[] key, int offset, int length) {
        int crc = ~0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = (crc >>> 8) ^ TABLE[(crc ^ key[i]) & 0xff];
        }
        return ~crc;
    }

    private static int[] table() {
        int[] table = new int[256];
        for (int n = 0; n < 256; n++) {
            int c = n;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0xEDB88320 : c >>> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
