package io.shardis.proxy.backend;

import java.net.SocketAddress;

/**
 * Where a server is now. Fixed for most servers; a Sentinel-managed master's moves on failover,
 * and every connection opened after the move goes to the new address. Shared by all event loops.
 */
public final class BackendAddress {

    private volatile SocketAddress current;

    public BackendAddress(SocketAddress initial) {
        this.current = initial;
    }

    public SocketAddress current() {
        return current;
    }

    /** Points new connections at {@code next}; the caller resets the connections to the old address. */
    public void moveTo(SocketAddress next) {
        this.current = next;
    }

    @Override
    public String toString() {
        return String.valueOf(current);
    }
}
