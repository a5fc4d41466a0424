package io.shardis.proxy.config;

/**
 * The pool key {@code max_client_reply_bytes}: how many bytes of replies Shardis holds for one
 * client, in the terms of Redis' {@code client-output-buffer-limit}. Past {@code softBytes} the
 * client is not read from; past {@code hardBytes}, or past {@code softBytes} for
 * {@code softSeconds} in a row, it is disconnected.
 *
 * @param hardBytes   0: no limit in bytes (only {@code max_pipeline} bounds the client)
 * @param softBytes   at most {@code hardBytes}
 * @param softSeconds 0: the soft limit only stops reading, it never disconnects
 */
public record ClientReplyLimit(long hardBytes, long softBytes, int softSeconds) {

    /** Safe on the default 1 GiB of direct memory: dozens of clients that read nothing fit in its half. */
    public static final ClientReplyLimit DEFAULT = new ClientReplyLimit(32L << 20, 8L << 20, 60);

    /** No limit in bytes. */
    public static final ClientReplyLimit NONE = new ClientReplyLimit(0, 0, 0);

    public ClientReplyLimit {
        if (hardBytes < 0 || softBytes < 0 || softSeconds < 0 || softBytes > hardBytes) {
            throw new IllegalArgumentException("expected 0 <= soft <= hard and seconds >= 0");
        }
    }

    public boolean isLimited() {
        return hardBytes > 0;
    }

    @Override
    public String toString() {
        return hardBytes + " " + softBytes + " " + softSeconds;
    }
}
