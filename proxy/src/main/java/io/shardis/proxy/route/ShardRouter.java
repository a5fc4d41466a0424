package io.shardis.proxy.route;

import io.netty.buffer.ByteBuf;

/**
 * Which server of a pool holds a key. Implementations are immutable snapshots or read one; called
 * on event loops for every keyed command, so lookups do not lock and do not allocate.
 */
public interface ShardRouter {

    /**
     * No live server can take the key (every server ejected), or for a read none that reads may go
     * to. An index rather than an object because lookups run for every key and allocate nothing;
     * the session turns it into a typed route ({@code session.Route}) with the reason.
     */
    int NO_SERVER = -1;

    /** Servers of the pool, live or not; server indexes run from 0 to this, in configuration order. */
    int serverCount();

    /** The server for the key held in {@code buf} at {@code offset}, {@code length} bytes; or {@link #NO_SERVER}. */
    int serverFor(ByteBuf buf, int offset, int length);

    /**
     * The server for commands that have no key (PUBLISH, TIME, SUBSCRIBE…): always the same one
     * while it is live, so that publishers and subscribers meet. {@link #NO_SERVER} when none is live.
     */
    int keylessServer();

    /**
     * The server for one client's keyless commands other than Pub/Sub, {@code clientSeed} naming
     * the client: the {@link #keylessServer} unless the pool can spread them (in a Redis Cluster any
     * master will do; one client's commands still go to one).
     */
    default int keylessServer(int clientSeed) {
        return keylessServer();
    }

    /**
     * What keys must share to be used in one command: their server, or in a Redis Cluster their
     * hash slot (Redis refuses keys of different slots in one command, even on one node).
     */
    default int groupFor(ByteBuf buf, int offset, int length) {
        return serverFor(buf, offset, length);
    }

    /**
     * {@link #groupFor(ByteBuf, int, int)} for callers that look up many keys in a row (a split
     * MGET): {@code scratch}, at least {@code length} bytes, is theirs to copy the key into.
     */
    default int groupFor(ByteBuf buf, int offset, int length, byte[] scratch) {
        return groupFor(buf, offset, length);
    }

    /** The server of a group from {@link #groupFor}; {@link #NO_SERVER} when none serves it. */
    default int serverOfGroup(int group) {
        return group;
    }

    /**
     * The server for a read-only command of a group: where the pool reads from (a cluster's
     * replica, see {@link ClusterRouter#readServerOfGroup}), else {@link #serverOfGroup}.
     * {@code clientSeed} keeps one client's reads of a group on one server. {@link #NO_SERVER} also
     * when reads must go to a replica ({@code read_from: replica}) and the group has none reachable.
     */
    default int readServerOfGroup(int group, int clientSeed) {
        return serverOfGroup(group);
    }

    /** Groups from {@link #groupFor} run from 0 to this. */
    default int groupCount() {
        return serverCount();
    }

    /** Whether groups are hash slots (a cluster), for the words of error replies. */
    default boolean groupsAreSlots() {
        return false;
    }

    /** How many servers a SCAN walks. */
    default int scanServerCount() {
        return serverCount();
    }

    /** The {@code step}-th server of a SCAN walk; {@link #NO_SERVER} when none. */
    default int scanServer(int step) {
        return step;
    }
}
