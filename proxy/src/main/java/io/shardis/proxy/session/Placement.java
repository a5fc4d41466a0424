package io.shardis.proxy.session;

import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;

/**
 * Where one client's commands go by their keys, through the pool's router, and what the client is
 * told when they cannot go anywhere. Knows nothing of the client's state (transactions, its own
 * connection): the session decides whether a command is a read that may go to a replica.
 */
final class Placement {

    /** Returned by {@link #serverOf} when the command's keys live on different servers. */
    static final int CROSS_SERVER = -2;

    private final ShardRouter router;
    private final String pool;
    /** Whether read-only commands may go to replicas: a cluster pool whose read_from is not master. */
    private final boolean readsReplicas;
    /**
     * Names this client to the router: its reads of a slot stay on one replica, its keyless
     * commands on one master of a cluster.
     */
    private final int clientSeed;

    Placement(ShardRouter router, String pool, boolean readsReplicas, int clientSeed) {
        this.router = router;
        this.pool = pool;
        this.readsReplicas = readsReplicas;
        this.clientSeed = clientSeed;
    }

    boolean readsReplicas() {
        return readsReplicas;
    }

    ShardRouter router() {
        return router;
    }

    /**
     * The server every key of {@code command} maps to (its master); this client's keyless server for a
     * command without keys (or whose keys cannot be told, which Redis will answer);
     * {@link #CROSS_SERVER} when its keys are on several servers, {@link ShardRouter#NO_SERVER}
     * when no live server can take them.
     */
    int serverOf(RespCommand command, CommandSpec spec) {
        return serverOf(command, spec, false);
    }

    /** {@link #serverOf(RespCommand, CommandSpec)}, or for a read, as {@link #serverOfGroup} says. */
    int serverOf(RespCommand command, CommandSpec spec, boolean read) {
        int keys = spec.keyCount(command);
        if (keys <= 0) {
            // PUBLISH counts, and PUBSUB lists, the subscribers of the node it runs on: Pub/Sub
            // stays on the one server subscriptions go to.
            return spec.has(CommandFlag.PUBSUB) ? router.keylessServer() : keylessServer();
        }
        // Keys must share a group: their server, or in a cluster their hash slot.
        int group = -1;
        for (int k = 0; k < keys; k++) {
            int arg = spec.keyIndex(command, k);
            int keyGroup = router.groupFor(command.content(), command.argOffset(arg), command.argLength(arg));
            if (keyGroup < 0) {
                return ShardRouter.NO_SERVER;
            }
            if (k > 0 && keyGroup != group) {
                return CROSS_SERVER;
            }
            group = keyGroup;
        }
        return serverOfGroup(group, read);
    }

    /**
     * The server of a group ({@link ShardRouter#groupFor}): for a read, where the pool reads from,
     * which may be {@link ShardRouter#NO_REPLICA}; else its master.
     */
    int serverOfGroup(int group, boolean read) {
        return read ? router.readServerOfGroup(group, clientSeed) : router.serverOfGroup(group);
    }

    /** Where this client's keyless commands go (see {@link ShardRouter#keylessServer(int)}). */
    int keylessServer() {
        return router.keylessServer(clientSeed);
    }

    /** The group ({@link ShardRouter#groupFor}) of the command's first key; -1 for a keyless command. */
    int firstKeyGroup(RespCommand command, CommandSpec spec) {
        if (spec.keyCount(command) <= 0) {
            return -1;
        }
        int arg = spec.keyIndex(command, 0);
        return router.groupFor(command.content(), command.argOffset(arg), command.argLength(arg));
    }

    /** The error for a command {@link #serverOf} found no single server for ({@code server} < 0). */
    String unroutable(RespCommand command, CommandSpec spec, int server) {
        return server == CROSS_SERVER ? crossServer(spec)
                : server == ShardRouter.NO_REPLICA ? noReplica(spec, firstKeyGroup(command, spec))
                : noServer(spec);
    }

    String crossServer(CommandSpec spec) {
        if (router.groupsAreSlots()) {
            return "ERR Shardis: keys of '" + spec.name() + "' are in different hash slots of the cluster behind pool '"
                    + pool + "'; keys used together need the same hash tag, e.g. {user1}.a and {user1}.b";
        }
        return "ERR Shardis: the keys of '" + spec.name() + "' are on different servers of pool '"
                + pool + "'; keys used together need the same hash tag, e.g. {user1}.a and {user1}.b";
    }

    /** For {@link ShardRouter#NO_REPLICA}: the pool reads only from replicas, and {@code slot} has none reachable. */
    String noReplica(CommandSpec spec, int slot) {
        return "ERR Shardis: pool '" + pool + "' reads from replicas only (read_from: replica)"
                + " and no replica of hash slot " + slot + " is reachable; '" + spec.name() + "' was not sent";
    }

    String noServer(CommandSpec spec) {
        return "ERR Shardis: no server of pool '" + pool + "' is available for '" + spec.name() + "'";
    }
}
