package io.shardis.proxy.session;

import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;

/**
 * Where one client's commands go by their keys, through the pool's router, and what the client is
 * told when they cannot go anywhere. Knows nothing of the client's state (transactions, its own
 * connection): the dispatcher decides whether a command is a read that may go to a replica.
 */
final class Placement {

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
     * The server every key of {@code command} maps to (its master; for a {@code read}, where the pool
     * reads from); this client's keyless server for a command without keys (or whose keys cannot
     * be told, which Redis will answer). Refused when its keys are on several servers, or no live
     * server can take them. Allocates nothing unless refused.
     */
    Route route(RespCommand command, CommandSpec spec, boolean read) {
        int keys = spec.keyCount(command);
        if (keys <= 0) {
            // PUBLISH counts, and PUBSUB lists, the subscribers of the node it runs on: Pub/Sub
            // stays on the one server subscriptions go to.
            int server = spec.has(CommandFlag.PUBSUB) ? router.keylessServer() : keylessServer();
            return server < 0 ? new Route.Refused(Refusals.noServer(spec, pool)) : Route.server(server);
        }
        // Keys must share a group: their server, or in a cluster their hash slot.
        int group = -1;
        for (int k = 0; k < keys; k++) {
            int arg = spec.keyIndex(command, k);
            int keyGroup = router.groupFor(command.content(), command.argOffset(arg), command.argLength(arg));
            if (keyGroup < 0) {
                return new Route.Refused(Refusals.noServer(spec, pool));
            }
            if (k > 0 && keyGroup != group) {
                return new Route.Refused(Refusals.crossServer(spec, pool, router.groupsAreSlots()));
            }
            group = keyGroup;
        }
        int server = serverOfGroup(group, read);
        return server < 0 ? new Route.Refused(unroutable(spec, group, read)) : Route.server(server);
    }

    /**
     * The server of a group ({@link ShardRouter#groupFor}): for a read, where the pool reads from;
     * else its master. {@link ShardRouter#NO_SERVER} when there is none: see {@link #unroutable}.
     */
    int serverOfGroup(int group, boolean read) {
        return read ? router.readServerOfGroup(group, clientSeed) : router.serverOfGroup(group);
    }

    /** Why {@link #serverOfGroup} found no server for {@code group}: no replica to read from, or no server. */
    String unroutable(CommandSpec spec, int group, boolean read) {
        if (group >= 0 && read && router.serverOfGroup(group) >= 0) {
            // The slot has a master: only a replica was wanted (read_from: replica).
            return Refusals.noReplica(spec, pool, group);
        }
        return Refusals.noServer(spec, pool);
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

    String noServer(CommandSpec spec) {
        return Refusals.noServer(spec, pool);
    }
}
