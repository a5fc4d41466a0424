package io.shardis.proxy.session;

import io.shardis.proxy.auth.AclVerdict;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.Routing;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;

/**
 * Decides where each command of one client goes, as a {@link Route}: the command table's routing
 * and flags, the client's ACL, the pool's servers, and what the client has in progress
 * ({@link ClientState}). Decides only: it sends, answers and counts nothing, so each rule is
 * tested without a channel ({@code DispatcherTest}); {@link ClientSession} carries the route out.
 */
final class Dispatcher {

    /** What the dispatcher needs to know of the client: read only. */
    interface ClientState {
        /** After SUBSCRIBE: replies no longer match commands one to one. */
        boolean pushMode();

        /**
         * Whether the client speaks RESP3: subscribed, it may still send any command, whose reply
         * comes as usual among the pushes.
         */
        boolean resp3();

        /** Between MULTI and EXEC/DISCARD. */
        boolean inMulti();

        /** Whether the client has a backend connection of its own. */
        boolean isPinned();

        /** The server of that connection; meaningless unless {@link #isPinned}. */
        int pinnedServer();

        /**
         * Whether the client tracks keys (CLIENT TRACKING): its reads stay on masters, whose
         * invalidations it hears, so that a replica lagging behind one cannot refill its cache.
         */
        default boolean tracksKeys() {
            return false;
        }
    }

    private final ShardRouter router;
    private final Placement placement;
    private final ClientAccess access;
    private final String pool;
    private final boolean allowAdmin;

    Dispatcher(ShardRouter router, Placement placement, ClientAccess access, String pool, boolean allowAdmin) {
        this.router = router;
        this.placement = placement;
        this.access = access;
        this.pool = pool;
        this.allowAdmin = allowAdmin;
    }

    /** Where {@code command}, which the table knows as {@code spec} (null: not at all), goes. */
    Route route(RespCommand command, CommandSpec spec, ClientState client) {
        if (spec == null) {
            return new Route.Refused(Refusals.unknownCommand(command));
        }
        if (!spec.arityAccepts(command.argCount())) {
            return new Route.Refused(Refusals.wrongArity(spec));
        }
        if (spec.isContainer() && spec.routing() == Routing.REFUSED && command.argCount() > 1) {
            // Before the ACL check, as Redis looks the subcommand up before it checks the client's rights.
            return new Route.Refused(Refusals.unknownSubcommand(command, spec));
        }
        AclVerdict verdict = access.check(spec, command);
        if (verdict != AclVerdict.ALLOWED) {
            return new Route.Refused(verdict.error(spec), true);
        }
        if (client.pushMode() && (!client.resp3() || spec.routing() == Routing.SUBSCRIBE)) {
            return inPushMode(command, spec, client);
        }
        if (spec.routing() == Routing.REFUSED) {
            // Before the admin check: allow_admin does not turn these on, so the error must not say it does.
            return new Route.Refused(Refusals.unsupported(command, spec));
        }
        if (spec.has(CommandFlag.DANGEROUS) && !allowAdmin) {
            return new Route.Refused(Refusals.adminOff(spec, pool));
        }
        if (client.inMulti() && spec.routing() != Routing.TRANSACTION) {
            return inTransaction(command, spec, client);
        }
        return switch (spec.routing()) {
            case LOCAL -> Route.Local.ANSWER;
            case TRANSACTION -> Route.Transaction.CONTROL;
            case SUBSCRIBE -> subscription(command, spec, client);
            case MULTI_KEY -> oneServerPool() ? toServer(0, command, spec, client) : Route.Fanout.SPLIT;
            case ALL_SHARDS -> oneServerPool() ? toServer(0, command, spec, client) : Route.Fanout.BROADCAST;
            default -> byKeys(command, spec, client);
        };
    }

    /** A pool of one server, not a cluster: every command goes to it, whatever its keys. */
    private boolean oneServerPool() {
        return router.serverCount() == 1 && !router.groupsAreSlots();
    }

    private Route byKeys(RespCommand command, CommandSpec spec, ClientState client) {
        if (oneServerPool()) {
            return toServer(0, command, spec, client);
        }
        if (spec.routing() == Routing.KEYLESS && spec.has(CommandFlag.COUNTS_REPLICAS)) {
            return new Route.Refused(Refusals.countsReplicasOfOneServer(spec, pool, router.serverCount()));
        }
        Route route = placement.route(command, spec, readsFromReplica(command, spec, client));
        return route instanceof Route.Server server ? toServer(server.index(), command, spec, client) : route;
    }

    /** A whole command to {@code server}; a blocking one on the client's own connection, which it may already have elsewhere. */
    Route toServer(int server, RespCommand command, CommandSpec spec, ClientState client) {
        if (!spec.blocks(command)) {
            return Route.server(server);
        }
        if (client.isPinned() && client.pinnedServer() != server) {
            return new Route.Refused(Refusals.blocksElsewhere(spec));
        }
        return Route.pinned(server);
    }

    /**
     * Whether {@code command} may be read from a replica: the pool reads from replicas, the table
     * says the command only reads ({@link CommandFlag#REPLICA_READABLE}), it does not block, and the
     * client has no transaction and no connection of its own (WATCH, a subscription, a blocking
     * command in progress), whose commands must all see the master.
     */
    boolean readsFromReplica(RespCommand command, CommandSpec spec, ClientState client) {
        return placement.readsReplicas()
                && spec.has(CommandFlag.REPLICA_READABLE)
                && !client.isPinned()
                && !client.inMulti()
                && !spec.blocks(command)
                && !client.tracksKeys();
    }

    /**
     * Where a subscription lives: sharded channels (SSUBSCRIBE) on the server of their channel, as
     * SPUBLISH routes by it; other channels and patterns on the server the client already uses,
     * else the pool's keyless server, where PUBLISH goes, so publishers and subscribers meet.
     */
    private Route subscription(RespCommand command, CommandSpec spec, ClientState client) {
        int server;
        if (spec.keyCount(command) > 0) {
            Route route = placement.route(command, spec, false);
            if (!(route instanceof Route.Server byKey)) {
                return route;
            }
            server = byKey.index();
        } else {
            server = client.isPinned() ? client.pinnedServer() : router.keylessServer();
            if (server < 0) {
                return new Route.Refused(placement.noServer(spec));
            }
        }
        if (client.isPinned() && client.pinnedServer() != server) {
            return new Route.Refused(Refusals.otherSubscriptionServer(spec, pool));
        }
        return new Route.Subscribe(server);
    }

    /** After a subscription Redis itself decides what is allowed; everything but QUIT goes to it. */
    private Route inPushMode(RespCommand command, CommandSpec spec, ClientState client) {
        if (spec.has(CommandFlag.CLOSES_CLIENT)) {
            return Route.Local.ANSWER;
        }
        if (spec.has(CommandFlag.SHARD_CHANNELS)
                && spec.keyCount(command) > 0
                && !(placement.route(command, spec, false) instanceof Route.Server server
                        && server.index() == client.pinnedServer())) {
            return new Route.Refused(Refusals.otherSubscriptionServer(spec, pool));
        }
        if (spec.routing() == Routing.REFUSED || (spec.has(CommandFlag.DANGEROUS) && !allowAdmin)) {
            return new Route.Refused(Refusals.unsupported(command, spec));
        }
        return Route.Relay.PUSH_MODE;
    }

    /**
     * Inside MULTI, Redis queues commands and answers them all at EXEC, so commands Shardis would
     * answer itself go to the backend too; blocking commands do not block inside a transaction.
     */
    private Route inTransaction(RespCommand command, CommandSpec spec, ClientState client) {
        switch (spec.routing()) {
            case LOCAL:
                return Route.Local.IN_TRANSACTION;
            case SUBSCRIBE:
                return new Route.Refused(Refusals.subscribeInMulti(spec));
            case ALL_SHARDS:
                if (router.serverCount() > 1) {
                    return new Route.Refused(Refusals.allShardsInMulti(spec, pool));
                }
                int server = client.isPinned() ? client.pinnedServer() : router.keylessServer();
                return server < 0 ? new Route.Refused(Refusals.noServerAvailable(pool)) : new Route.Queued(server, -1);
            default:
                Route route = placement.route(command, spec, false);
                if (route instanceof Route.Server byKey) {
                    return new Route.Queued(byKey.index(), placement.firstKeyGroup(command, spec));
                }
                return route;
        }
    }
}
