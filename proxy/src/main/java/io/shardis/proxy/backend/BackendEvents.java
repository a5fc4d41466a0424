package io.shardis.proxy.backend;

/**
 * What happens to the connections of one backend server, as far as its health is concerned.
 * Called on event loops; implementations must be cheap and thread-safe.
 */
public interface BackendEvents {

    BackendEvents NONE = new BackendEvents() {
        @Override
        public void connected() {}

        @Override
        public void failed(String reason) {}
    };

    /** A connection was established and set up. */
    void connected();

    /** A connection attempt failed, an established connection dropped, or a reply timed out. */
    void failed(String reason);

    /**
     * The server is not (or no longer) a master: ROLE said so on a new connection, or a write was
     * refused with READONLY. Its address should be asked for again.
     */
    default void notMaster(String reason) {}
}
