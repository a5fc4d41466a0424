package io.shardis.topology.shard;

/**
 * Paul Hsieh's SuperFastHash as Twemproxy has it on little-endian machines. One quirk: with three
 * bytes left over, the last of them is read as a signed {@code char} and sign-extended.
 */
final class HsiehHash {

    private HsiehHash() {}

    static int hash(byte[] key, int offset, int length) {
        if (length <= 0) {
            return 0;
        }
        int hash = 0;
        int p = offset;
        for (int words = length >>> 2; words > 0; words--) {
            hash += get16(key, p);
            int tmp = (get16(key, p + 2) << 11) ^ hash;
            hash = (hash << 16) ^ tmp;
            p += 4;
            hash += hash >>> 11;
        }
        switch (length & 3) {
            case 3 -> {
                hash += get16(key, p);
                hash ^= hash << 16;
                hash ^= key[p + 2] << 18;
                hash += hash >>> 11;
            }
            case 2 -> {
                hash += get16(key, p);
                hash ^= hash << 11;
                hash += hash >>> 17;
            }
            case 1 -> {
                hash += key[p] & 0xff;
                hash ^= hash << 10;
                hash += hash >>> 1;
            }
            default -> {
                // no remainder
            }
        }
        hash ^= hash << 3;
        hash += hash >>> 5;
        hash ^= hash << 4;
        hash += hash >>> 17;
        hash ^= hash << 25;
        hash += hash >>> 6;
        return hash;
    }

    private static int get16(byte[] key, int p) {
        return ((key[p + 1] & 0xff) << 8) + (key[p] & 0xff);
    }
}
