package io.shardis.topology.shard;

/**
 * Bob Jenkins' lookup3 {@code hashlittle} with initial value 13, Twemproxy's {@code jenkins}.
 * Twemproxy picks word, half-word or byte reads by the key's alignment; on little-endian machines
 * all three give this byte-wise result.
 */
final class JenkinsHash {

    private static final int INITVAL = 13;

    private JenkinsHash() {}

    static int hash(byte[] key, int offset, int length) {
        int a = 0xdeadbeef + length + INITVAL;
        int b = a;
        int c = a;
        if (length == 0) {
            return c;
        }
        int p = offset;
        int left = length;
        while (left > 12) {
            a += word(key, p);
            b += word(key, p + 4);
            c += word(key, p + 8);
            // mix(a, b, c)
            a -= c;
            a ^= Integer.rotateLeft(c, 4);
            c += b;
            b -= a;
            b ^= Integer.rotateLeft(a, 6);
            a += c;
            c -= b;
            c ^= Integer.rotateLeft(b, 8);
            b += a;
            a -= c;
            a ^= Integer.rotateLeft(c, 16);
            c += b;
            b -= a;
            b ^= Integer.rotateLeft(a, 19);
            a += c;
            c -= b;
            c ^= Integer.rotateLeft(b, 4);
            b += a;
            left -= 12;
            p += 12;
        }
        // The last 1..12 bytes, each added at its little-endian position.
        for (int i = left - 1; i >= 0; i--) {
            int shifted = (key[p + i] & 0xff) << ((i & 3) * 8);
            if (i >= 8) {
                c += shifted;
            } else if (i >= 4) {
                b += shifted;
            } else {
                a += shifted;
            }
        }
        // final(a, b, c)
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }

    private static int word(byte[] key, int p) {
        return (key[p] & 0xff) | (key[p + 1] & 0xff) << 8 | (key[p + 2] & 0xff) << 16 | (key[p + 3] & 0xff) << 24;
    }
}
