package io.shardis.topology.shard;

/** Bob Jenkins' one-at-a-time hash as Twemproxy has it: key bytes are signed and sign-extended. */
final class OneAtATimeHash {

    private OneAtATimeHash() {}

    static int hash(byte[] key, int offset, int length) {
        int value = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            value += key[i];
            value += value << 10;
            value ^= value >>> 6;
        }
        value += value << 3;
        value ^= value >>> 11;
        value += value << 15;
        return value;
    }
}
