package io.shardis.topology.shard;

/**
 * nutcracker 0.5.0's {@code crc16}: the CRC-16/XMODEM step (polynomial 0x1021, initial value 0,
 * as Redis Cluster uses) run on a 32-bit register that is never masked. The low 16 bits are the
 * usual CRC; the bits above keep what each {@code crc << 8} pushed out, and they count: ketama
 * compares all 32 bits and modula divides all 32.
 */
final class Crc16Hash {

    private static final int[] TABLE = table();

    private Crc16Hash() {}

    static int hash(byte[] key, int offset, int length) {
        int crc = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            crc = (crc << 8) ^ TABLE[((crc >>> 8) ^ key[i]) & 0xff];
        }
        return crc;
    }

    private static int[] table() {
        int[] table = new int[256];
        for (int n = 0; n < 256; n++) {
            int c = n << 8;
            for (int bit = 0; bit < 8; bit++) {
                c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            }
            table[n] = c & 0xffff;
        }
        return table;
    }
}
