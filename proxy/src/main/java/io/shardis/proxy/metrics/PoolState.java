package io.shardis.proxy.metrics;

/**
 * What a running pool says of its servers now, read when {@code /metrics} is scraped: the pool's
 * runtime implements it (the metrics know nothing of rings, ejections or Sentinels).
 */
public interface PoolState {

    /** A pool that says nothing (before it starts). */
    PoolState NONE = new PoolState() {
        @Override
        public String serverState(String server) {
            return null;
        }

        @Override
        public int sentinels() {
            return 0;
        }

        @Override
        public int sentinelsAgreeing(String server) {
            return 0;
        }
    };

    /** The states {@link #serverState} names, the values of the {@code state} label. */
    String[] SERVER_STATES = {"in_ring", "ejected", "maintenance"};

    /** Server {@code server}'s state, one of {@link #SERVER_STATES}; null when the pool has no such server (a cluster node). */
    String serverState(String server);

    /** How many Sentinels the pool asks; 0 when it follows none. */
    int sentinels();

    /** How many of them last reported the address the pool uses for server {@code server}'s master. */
    int sentinelsAgreeing(String server);
}
