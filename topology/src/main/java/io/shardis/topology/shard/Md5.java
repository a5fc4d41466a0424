package io.shardis.topology.shard;

/**
 * MD5 over a slice of a byte array without allocating (past a 16-word scratch block per thread):
 * the padding is read from a virtual message, not copied into a buffer. {@code md5} hashes keys with it and ketama places server
 * points with it, both reading the digest as four little-endian words.
 */
final class Md5 {

    private static final int[] SHIFTS = {
            7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
            5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    /** {@code floor(abs(sin(i + 1)) * 2^32)}, as RFC 1321 lists them. */
    private static final int[] SINES = {
            0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
            0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
            0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
            0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
            0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
            0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
            0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
            0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

    /** Which word of the block each of the 64 steps reads. */
    private static final int[] WORD_INDEXES = wordIndexes();
    /** One block's 16 words; per thread, so lookups on an event loop allocate nothing after the first. */
    private static final ThreadLocal<int[]> BLOCK = ThreadLocal.withInitial(() -> new int[16]);

    private Md5() {
    }

    /** The digest's first four bytes as a little-endian word: Twemproxy's {@code md5} hash. */
    static int firstWord(byte[] data, int offset, int length) {
        return digest(data, offset, length, null);
    }

    /** The digest as four little-endian words into {@code words[0..3]}. */
    static void words(byte[] data, int offset, int length, int[] words) {
        digest(data, offset, length, words);
    }

    private static int digest(byte[] data, int offset, int length, int[] out) {
        int[] x = BLOCK.get();
        int a0 = 0x67452301;
        int b0 = 0xefcdab89;
        int c0 = 0x98badcfe;
        int d0 = 0x10325476;
        long paddedLength = ((length + 8L) / 64 + 1) * 64;
        for (long block = 0; block < paddedLength; block += 64) {
            for (int j = 0; j < 16; j++) {
                x[j] = word(data, offset, length, block + 4L * j);
            }
            int a = a0;
            int b = b0;
            int c = c0;
            int d = d0;
            for (int i = 0; i < 64; i++) {
                int f = switch (i >>> 4) {
                    case 0 -> (b & c) | (~b & d);
                    case 1 -> (d & b) | (~d & c);
                    case 2 -> b ^ c ^ d;
                    default -> c ^ (b | ~d);
                };
                f += a + SINES[i] + x[WORD_INDEXES[i]];
                a = d;
                d = c;
                c = b;
                b += Integer.rotateLeft(f, SHIFTS[i]);
            }
            a0 += a;
            b0 += b;
            c0 += c;
            d0 += d;
        }
        if (out != null) {
            out[0] = a0;
            out[1] = b0;
            out[2] = c0;
            out[3] = d0;
        }
        return a0;
    }

    /** The little-endian word at {@code position} of the padded message. */
    private static int word(byte[] data, int offset, int length, long position) {
        if (position + 4 <= length) {
            int p = offset + (int) position;
            return (data[p] & 0xff) | (data[p + 1] & 0xff) << 8 | (data[p + 2] & 0xff) << 16 | (data[p + 3] & 0xff) << 24;
        }
        return paddedByte(data, offset, length, position)
                | paddedByte(data, offset, length, position + 1) << 8
                | paddedByte(data, offset, length, position + 2) << 16
                | paddedByte(data, offset, length, position + 3) << 24;
    }

    /** Message bytes, then 0x80, zeros, and the length in bits as 8 little-endian bytes at the very end. */
    private static int paddedByte(byte[] data, int offset, int length, long position) {
        if (position < length) {
            return data[offset + (int) position] & 0xff;
        }
        if (position == length) {
            return 0x80;
        }
        long paddedLength = ((length + 8L) / 64 + 1) * 64;
        long lengthByte = position - (paddedLength - 8);
        if (lengthByte < 0) {
            return 0;
        }
        return (int) ((length * 8L) >>> (8 * lengthByte)) & 0xff;
    }

    private static int[] wordIndexes() {
        int[] indexes = new int[64];
        for (int i = 0; i < 64; i++) {
            indexes[i] = switch (i >>> 4) {
                case 0 -> i;
                case 1 -> (5 * i + 1) & 15;
                case 2 -> (3 * i + 5) & 15;
                default -> (7 * i) & 15;
            };
        }
        return indexes;
    }
}
