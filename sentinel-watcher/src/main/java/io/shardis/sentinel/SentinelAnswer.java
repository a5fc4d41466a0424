package io.shardis.sentinel;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What one Sentinel said when asked {@code SENTINEL get-master-addr-by-name}.
 *
 * @param sentinel the Sentinel asked
 * @param master   the master address it reported, or {@code null} if it reported none or failed
 * @param failure  why there is no address ({@code "does not know the master"}, a connection
 *                 error, a timeout), or {@code null} when {@code master} is set
 */
record SentinelAnswer(InetSocketAddress sentinel, InetSocketAddress master, String failure) {

    SentinelAnswer {
        Objects.requireNonNull(sentinel, "sentinel");
        if ((master == null) == (failure == null)) {
            throw new IllegalArgumentException("an answer is either an address or a failure");
        }
    }

    static SentinelAnswer address(InetSocketAddress sentinel, InetSocketAddress master) {
        return new SentinelAnswer(sentinel, Objects.requireNonNull(master, "master"), null);
    }

    static SentinelAnswer failure(InetSocketAddress sentinel, String why) {
        return new SentinelAnswer(sentinel, null, Objects.requireNonNull(why, "why"));
    }

    @Override
    public String toString() {
        return HostPort.format(sentinel) + (master != null ? " said " + HostPort.format(master) : " " + failure);
    }
}
