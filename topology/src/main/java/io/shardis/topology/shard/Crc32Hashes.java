package io.shardis.topology.shard;

import java.util.zip.CRC32;

/**
 * CRC-32 in Twemproxy's two flavours, on the JDK's {@link CRC32} (an intrinsic on common CPUs),
 * one instance per thread so that hashing on an event loop allocates nothing.
 */
final class Crc32Hashes {

    private static final ThreadLocal<CRC32> CRC = ThreadLocal.withInitial(CRC32::new);

    private Crc32Hashes() {}

    /** libmemcached's {@code crc32}: bits 16..30 of the standard CRC-32, so a value below 32768. */
    static int crc32(byte[] key, int offset, int length) {
        return (crc32a(key, offset, length) >>> 16) & 0x7fff;
    }

    /** The standard CRC-32 (reflected polynomial 0xEDB88320): Twemproxy's {@code crc32a}. */
    static int crc32a(byte[] key, int offset, int length) {
        CRC32 crc = CRC.get();
        crc.reset();
        crc.update(key, offset, length);
        return (int) crc.getValue();
    }
}
