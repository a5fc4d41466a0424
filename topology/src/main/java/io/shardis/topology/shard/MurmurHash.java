package io.shardis.topology.shard;

/** MurmurHash2 with Twemproxy's seed ({@code 0xdeadbeef * length}), reading words little-endian as on x86. */
final class MurmurHash {

    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private MurmurHash() {}

    static int hash(byte[] key, int offset, int length) {
        int seed = 0xdeadbeef * length;
        int h = seed ^ length;
        int p = offset;
        int left = length;
        while (left >= 4) {
            int k = (key[p] & 0xff) | (key[p + 1] & 0xff) << 8 | (key[p + 2] & 0xff) << 16 | (key[p + 3] & 0xff) << 24;
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
            p += 4;
            left -= 4;
        }
        // The last 1..3 bytes, as Twemproxy's switch falls through from case 3 to case 1.
        if (left == 3) {
            h ^= (key[p + 2] & 0xff) << 16;
        }
        if (left >= 2) {
            h ^= (key[p + 1] & 0xff) << 8;
        }
        if (left >= 1) {
            h ^= key[p] & 0xff;
            h *= M;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }
}
