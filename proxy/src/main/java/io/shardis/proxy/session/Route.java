package io.shardis.proxy.session;

/**
 * Where one client command goes, as {@link Dispatcher} decides it and the session carries it out.
 * The common case, a command for one server, is a shared instance per server index
 * ({@link #server}): deciding a route allocates nothing but the text of a refusal.
 */
sealed interface Route {

    /** To one server, on the connection the client uses for it (shared, or its own when pinned there). */
    record Server(int index) implements Route {}

    /**
     * A command that blocks (BLPOP, WAIT...), to one server on a connection of the client's own,
     * so that it blocks no other client.
     */
    record Pinned(int index) implements Route {}

    /** Inside MULTI: queued on the transaction's server; {@code keyGroup} is its first key's, or -1. */
    record Queued(int server, int keyGroup) implements Route {}

    /** A subscription, on the client's own connection to {@code server}; the client is in push mode after it. */
    record Subscribe(int server) implements Route {}

    /** Answered with an error; {@code accessDenied} when the client's ACL refused it (counted apart). */
    record Refused(String reason, boolean accessDenied) implements Route {

        Refused(String reason) {
            this(reason, false);
        }
    }

    /** A command on keys of several servers split per server (MULTI_KEY), or one sent to every server (ALL_SHARDS). */
    enum Fanout implements Route {
        SPLIT,
        BROADCAST
    }

    /** Answered by Shardis; inside MULTI, as a transaction needs (see {@link LocalCommands#answerInTransaction}). */
    enum Local implements Route {
        ANSWER,
        IN_TRANSACTION
    }

    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH: the client's transaction ({@link Transactions}). */
    enum Transaction implements Route {
        CONTROL
    }

    /** In push mode (after SUBSCRIBE): relayed on the client's own connection; replies are not matched to it. */
    enum Relay implements Route {
        PUSH_MODE
    }

    /** The routes of server indexes below this are made once. */
    int SHARED_SERVERS = 1024;

    /** The route to {@code index}: a shared instance. */
    static Server server(int index) {
        return index < SHARED_SERVERS ? Shared.SERVERS[index] : new Server(index);
    }

    /** The blocking route to {@code index}: a shared instance. */
    static Pinned pinned(int index) {
        return index < SHARED_SERVERS ? Shared.PINNED[index] : new Pinned(index);
    }

    /** The shared instances, made when first used. */
    final class Shared {
        private static final Server[] SERVERS = new Server[SHARED_SERVERS];
        private static final Pinned[] PINNED = new Pinned[SHARED_SERVERS];

        static {
            for (int i = 0; i < SHARED_SERVERS; i++) {
                SERVERS[i] = new Server(i);
                PINNED[i] = new Pinned(i);
            }
        }

        private Shared() {}
    }
}
