package io.shardis.topology.shard;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The key hash functions of Twemproxy (nutcracker 0.5.0), bit for bit, under the names
 * nutcracker.yml's {@code hash} uses.
 *
 * <p>Each computes the {@code uint32_t} nutcracker computes on x86-64, returned in an {@code int}
 * (use {@link Integer#toUnsignedLong} to see it unsigned). Their quirks are kept on purpose, since
 * they decide which server holds a key:
 * <ul>
 *   <li>{@code one_at_a_time}, the four {@code fnv*} and the third-last byte of {@code hsieh}'s
 *       tail read key bytes as signed {@code char}s: a byte {@code >= 0x80} is sign-extended;</li>
 *   <li>{@code fnv1_64} and {@code fnv1a_64} return 32 bits: {@code fnv1a_64} works in 32 bits
 *       with the low halves of the 64-bit constants, {@code fnv1_64} keeps the low half of a
 *       64-bit state, which comes to the same thing;</li>
 *   <li>{@code crc32} is libmemcached's: bits 16..30 of the CRC-32, a 15-bit value;
 *       {@code crc32a} is the standard CRC-32;</li>
 *   <li>{@code crc16} is Redis Cluster's CRC-16/XMODEM run on a 32-bit register that is never
 *       masked, so the result has more than 16 bits;</li>
 *   <li>{@code md5} is the first four bytes of the MD5 digest, little-endian.</li>
 * </ul>
 * These are the bare functions: that nutcracker hashes an empty key to 0 without calling them, and
 * does not hash at all in a one-server pool, is {@link ShardRing}'s business. No method allocates.
 */
public enum HashFunction {
    ONE_AT_A_TIME("one_at_a_time"),
    MD5("md5"),
    CRC16("crc16"),
    CRC32("crc32"),
    CRC32A("crc32a"),
    FNV1_64("fnv1_64"),
    FNV1A_64("fnv1a_64"),
    FNV1_32("fnv1_32"),
    FNV1A_32("fnv1a_32"),
    HSIEH("hsieh"),
    MURMUR("murmur"),
    JENKINS("jenkins");

    private final String configName;

    HashFunction(String configName) {
        this.configName = configName;
    }

    /** The name nutcracker.yml uses, e.g. {@code fnv1a_64}. */
    public String configName() {
        return configName;
    }

    /**
     * The function nutcracker.yml calls {@code name} (case-sensitive, as nutcracker compares it).
     *
     * @throws IllegalArgumentException naming the valid hash functions
     */
    public static HashFunction fromConfigName(String name) {
        for (HashFunction function : values()) {
            if (function.configName.equals(name)) {
                return function;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a valid hash; valid ones are "
                + Arrays.stream(values()).map(HashFunction::configName).collect(Collectors.joining(", ")));
    }

    /** The hash of {@code key[offset, offset + length)}. */
    public int hash(byte[] key, int offset, int length) {
        return switch (this) {
            case ONE_AT_A_TIME -> OneAtATimeHash.hash(key, offset, length);
            case MD5 -> Md5.firstWord(key, offset, length);
            case CRC16 -> Crc16Hash.hash(key, offset, length);
            case CRC32 -> Crc32Hashes.crc32(key, offset, length);
            case CRC32A -> Crc32Hashes.crc32a(key, offset, length);
            case FNV1_64 -> FnvHashes.fnv1_64(key, offset, length);
            case FNV1A_64 -> FnvHashes.fnv1a_64(key, offset, length);
            case FNV1_32 -> FnvHashes.fnv1_32(key, offset, length);
            case FNV1A_32 -> FnvHashes.fnv1a_32(key, offset, length);
            case HSIEH -> HsiehHash.hash(key, offset, length);
            case MURMUR -> MurmurHash.hash(key, offset, length);
            case JENKINS -> JenkinsHash.hash(key, offset, length);
        };
    }

    /** The hash of the whole of {@code key}. */
    public int hash(byte[] key) {
        return hash(key, 0, key.length);
    }
}
