package io.shardis.proxy.session;

import io.shardis.resp.RespCommand;

/**
 * The cursor a client sees when SCAN walks several servers: the low bits hold the server's index,
 * the high bits that server's own cursor. Redis' cursors are small (they index hash-table buckets),
 * so a few bits to spare are always there; a cursor that would not fit is refused, not wrapped.
 */
record ScanCursor(int server, long serverCursor, int servers) {

    /** The cursor in argument 1 of a SCAN, or null when it is not one Shardis handed out. */
    static ScanCursor parse(RespCommand command, int servers) {
        long value;
        try {
            value = Long.parseUnsignedLong(command.argString(1));
        } catch (NumberFormatException e) {
            return null;
        }
        int bits = bits(servers);
        int server = (int) (value & ((1L << bits) - 1));
        if (server >= servers) {
            return null;
        }
        return new ScanCursor(server, value >>> bits, servers);
    }

    /**
     * The client's next cursor after this server answered {@code next}: the same server further on,
     * or the next server from its start, or 0 when the last server is done. -1 when {@code next}
     * does not fit beside the server bits.
     */
    long following(long next) {
        int bits = bits(servers);
        if (next == 0) {
            return server + 1 < servers ? server + 1 : 0;
        }
        if (bits > 0 && (next >>> (64 - bits)) != 0) {
            return -1;
        }
        return (next << bits) | server;
    }

    private static int bits(int servers) {
        return servers <= 1 ? 0 : 32 - Integer.numberOfLeadingZeros(servers - 1);
    }
}
