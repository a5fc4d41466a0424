package io.shardis.topology.shard;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * MD5 over a slice of a byte array, read as four little-endian words: {@code md5} hashes keys with
 * the first word and ketama places server points with all four, as Twemproxy does. The JDK's
 * digest (an intrinsic on x86_64 and aarch64) with one instance and one output block per thread,
 * so that a lookup on an event loop allocates nothing after the first.
 */
final class Md5 {

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Md5() {}

    /** The digest's first four bytes as a little-endian word: Twemproxy's {@code md5} hash. */
    static int firstWord(byte[] data, int offset, int length) {
        byte[] digest = SCRATCH.get().digest(data, offset, length);
        return word(digest, 0);
    }

    /** The digest as four little-endian words into {@code words[0..3]}. */
    static void words(byte[] data, int offset, int length, int[] words) {
        byte[] digest = SCRATCH.get().digest(data, offset, length);
        for (int i = 0; i < 4; i++) {
            words[i] = word(digest, 4 * i);
        }
    }

    private static int word(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    private static final class Scratch {
        private final MessageDigest md5;
        private final byte[] out = new byte[16];

        Scratch() {
            try {
                md5 = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                // Every Java SE platform must provide MD5 (MessageDigest's documentation).
                throw new IllegalStateException(e);
            }
        }

        byte[] digest(byte[] data, int offset, int length) {
            md5.update(data, offset, length);
            try {
                md5.digest(out, 0, out.length);
            } catch (DigestException e) {
                throw new IllegalStateException(e); // out is exactly MD5's 16 bytes
            }
            return out;
        }
    }
}
