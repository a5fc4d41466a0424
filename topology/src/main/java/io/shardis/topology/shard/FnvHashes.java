package io.shardis.topology.shard;

/**
 * Twemproxy's four FNV variants. Key bytes are signed {@code char}s there, so {@code key[i]} is
 * used sign-extended, exactly as Java widens a {@code byte}.
 */
final class FnvHashes {

    /** The low 32 bits of FNV-1's 64-bit offset basis {@code 0xcbf29ce484222325}. */
    private static final int FNV_64_INIT_LOW = 0x84222325;
    /** The low 32 bits of FNV-1's 64-bit prime {@code 0x100000001b3}. */
    private static final int FNV_64_PRIME_LOW = 0x000001b3;

    private static final int FNV_32_INIT = 0x811c9dc5;
    private static final int FNV_32_PRIME = 16777619;

    private FnvHashes() {}

    /**
     * Twemproxy keeps a 64-bit state and returns its low half; the low 32 bits of a product or an
     * XOR depend only on the low 32 bits of the operands, so 32-bit arithmetic gives the same answer.
     */
    static int fnv1_64(byte[] key, int offset, int length) {
        int hash = FNV_64_INIT_LOW;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash *= FNV_64_PRIME_LOW;
            hash ^= key[i];
        }
        return hash;
    }

    /** Computed in 32 bits with the low halves of the 64-bit constants, as Twemproxy does. */
    static int fnv1a_64(byte[] key, int offset, int length) {
        int hash = FNV_64_INIT_LOW;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash ^= key[i];
            hash *= FNV_64_PRIME_LOW;
        }
        return hash;
    }

    static int fnv1_32(byte[] key, int offset, int length) {
        int hash = FNV_32_INIT;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash *= FNV_32_PRIME;
            hash ^= key[i];
        }
        return hash;
    }

    static int fnv1a_32(byte[] key, int offset, int length) {
        int hash = FNV_32_INIT;
        for (int i = offset, end = offset + length; i < end; i++) {
            hash ^= key[i];
            hash *= FNV_32_PRIME;
        }
        return hash;
    }
}
