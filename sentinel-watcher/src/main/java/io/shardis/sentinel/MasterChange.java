package io.shardis.sentinel;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A master's agreed address moved.
 *
 * @param masterName the Sentinel master name (the server's name in the pool)
 * @param previous   the address before, or {@code null} when the watcher first learns the master
 * @param current    the address a majority of the configured Sentinels report now
 * @param how        how it was learned: {@code "startup"}, {@code "+switch-master from 127.0.0.1:26379"},
 *                   {@code "periodic recheck"}, {@code "recheck requested: ..."}, ...
 */
public record MasterChange(String masterName, InetSocketAddress previous, InetSocketAddress current, String how) {

    public MasterChange {
        Objects.requireNonNull(masterName, "masterName");
        Objects.requireNonNull(current, "current");
        Objects.requireNonNull(how, "how");
    }

    @Override
    public String toString() {
        return masterName + ": " + (previous == null ? "(none)" : HostPort.format(previous)) + " -> "
                + HostPort.format(current) + " (" + how + ")";
    }
}
