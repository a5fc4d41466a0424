package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.auth.AuthErrors;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.route.ClusterRouter;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespValue;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;
import io.shardis.topology.cluster.SlotRange;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Commands Shardis answers itself, because they concern the client's connection to Shardis rather
 * than the data: PING, ECHO, QUIT, HELLO, SELECT, AUTH, RESET, ACL WHOAMI, READONLY/READWRITE and
 * the CLIENT subcommands about the connection.
 */
final class LocalCommands {

    private final SessionContext client;
    private final SessionControl control;
    private final Replies replies;
    private final Forwarding sender;
    private final Transactions transactions;
    private final ClientCommands clientCommands;
    private final CommandCommands commands;

    LocalCommands(
            SessionContext client,
            SessionControl control,
            Replies replies,
            Forwarding sender,
            Transactions transactions) {
        this.client = client;
        this.control = control;
        this.replies = replies;
        this.sender = sender;
        this.transactions = transactions;
        this.clientCommands = new ClientCommands(client, control, replies);
        this.commands = new CommandCommands(client, replies, sender);
    }

    /**
     * CLUSTER INFO of a cluster pool, from the slot map Shardis routes by, so that tools checking
     * {@code cluster_state} see the truth; other pools are not clusters and refuse it.
     */
    private void clusterInfo(RespCommand command, CommandSpec spec, ByteBufAllocator alloc) {
        if (!(client.router() instanceof ClusterRouter cluster) || cluster.map() == null) {
            replies.refuse(command, Refusals.unsupported(spec.name()));
            return;
        }
        SlotMap map = cluster.map();
        int uncovered = 0;
        for (SlotRange range : map.uncoveredSlots()) {
            uncovered += range.size();
        }
        String info = "cluster_state:" + (map.isCovered() ? "ok" : "fail") + "\r\n"
                + "cluster_slots_assigned:" + (HashSlot.SLOT_COUNT - uncovered) + "\r\n"
                + "cluster_slots_ok:" + (HashSlot.SLOT_COUNT - uncovered) + "\r\n"
                + "cluster_slots_pfail:0\r\n"
                + "cluster_slots_fail:0\r\n"
                + "cluster_known_nodes:" + map.nodes().size() + "\r\n"
                + "cluster_size:" + map.masters().size() + "\r\n";
        // Redis 7 answers with a verbatim string: a bulk in RESP2.
        reply(
                command,
                LocalReplies.encode(
                        alloc,
                        new RespValue.VerbatimString("txt", info.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        client.protocol()));
    }

    void answer(RespCommand command, CommandSpec spec) {
        ByteBufAllocator alloc = replies.alloc();
        switch (spec.name()) {
            case "ping" ->
                reply(
                        command,
                        command.argCount() == 1
                                ? RespReplies.PONG.duplicate()
                                : command.argCount() == 2
                                        ? RespReplies.bulk(alloc, command.arg(1))
                                        // the table's arity (-1) lets any count through; Redis' own check takes at most
                                        // one
                                        : RespReplies.error(alloc, Refusals.PING_ARITY));
            case "echo" -> reply(command, RespReplies.bulk(alloc, command.arg(1)));
            case "quit" -> {
                reply(command, RespReplies.OK.duplicate());
                control.replyThenClose();
            }
            case "hello" -> hello(command, alloc);
            case "select" -> select(command, alloc);
            case "auth" -> {
                String error = client.access().auth(command, clientAddress());
                client.entry().user(client.access().userName());
                reply(command, error == null ? RespReplies.OK.duplicate() : RespReplies.error(alloc, error));
            }
            case "acl|whoami" ->
                reply(command, RespReplies.bulk(alloc, client.access().userName()));
            case "reset" -> {
                forgetIdentity();
                if (client.isPinned()) {
                    // WATCHed keys live on the client's own backend connection: reset them there.
                    transactions.reset();
                    sender.forward(command);
                    restoreBackendSetup();
                } else {
                    reply(command, RespReplies.simpleString(alloc, "RESET"));
                }
            }
            case "readonly", "readwrite" -> reply(command, RespReplies.OK.duplicate());
            case "cluster|keyslot" ->
                reply(
                        command,
                        RespReplies.integer(
                                alloc, HashSlot.of(command.content(), command.argOffset(2), command.argLength(2))));
            case "cluster|info" -> clusterInfo(command, spec, alloc);
            default -> {
                if (!clientCommands.answer(command, spec.name()) && !commands.answer(command, spec.name())) {
                    replies.refuse(command, Refusals.unsupported(spec.name()));
                }
            }
        }
    }

    /** RESET: the client's name, user and protocol (RESP2) are a new connection's again. */
    private void forgetIdentity() {
        if (control.pinnedProtocol() == RespProtocol.RESP3) {
            // The RESET sent on it puts the connection back to RESP2 too: it must not be reused as RESP3.
            control.spoilPinned();
        }
        control.protocol(RespProtocol.RESP2);
        if (client.pushMode() && client.isPinned()) {
            // A RESP3 client's RESET is answered by its own connection (RESP2 ones are relayed): Redis unsubscribes it
            // there.
            control.endPushMode();
        }
        control.stopTracking();
        client.access().reset();
        client.entry().name(null);
        client.entry().user(client.access().userName());
        client.entry().noEvict(false);
        client.entry().noTouch(false);
    }

    /** A command Shardis usually answers, sent inside MULTI: Redis must queue it with the others. */
    void answerInTransaction(RespCommand command, CommandSpec spec) {
        switch (spec.name()) {
            case "quit" -> answer(command, spec);
            // COMMAND's subcommands describe commands alike on any Redis: queued there, a backend answers.
            case "ping",
                    "echo",
                    "command",
                    "command|count",
                    "command|info",
                    "command|list",
                    "command|docs",
                    "command|getkeys",
                    "command|getkeysandflags" -> sender.forward(command);
            case "reset" -> {
                // Redis runs RESET at once, ending the transaction; the backend must see it.
                forgetIdentity();
                boolean pinned = client.isPinned();
                transactions.reset();
                if (pinned) {
                    sender.forward(command);
                    restoreBackendSetup();
                } else {
                    // Nothing was queued yet: no backend has seen the transaction, and a RESET on a
                    // shared connection would log every client on it out.
                    reply(command, RespReplies.simpleString(replies.alloc(), "RESET"));
                }
            }
            case "select" -> {
                if (command.argAsLong(1) == client.pool().config().backend().redisDb()) {
                    sender.forward(command);
                } else {
                    select(command, replies.alloc());
                    transactions.commandRefused();
                }
            }
            default -> replies.refuse(command, Refusals.notQueueable(spec));
        }
    }

    /**
     * RESET on a backend connection also logs it out to the backend's default user and selects
     * database 0: the connection's AUTH and SELECT are sent again behind it, before anything else,
     * so that it neither runs as a user with other rights (a default user without password would
     * reopen the script route to FLUSHALL that redis_user closes) nor in the wrong database.
     */
    private void restoreBackendSetup() {
        var config = client.pool().config();
        ByteBufAllocator alloc = replies.alloc();
        if (config.auth().redisAuth() != null) {
            sender.sendSilently(
                    config.auth().redisUser() == null
                            ? RespCommands.encode(alloc, "AUTH", config.auth().redisAuth())
                            : RespCommands.encode(
                                    alloc,
                                    "AUTH",
                                    config.auth().redisUser(),
                                    config.auth().redisAuth()));
        }
        if (config.backend().redisDb() != 0) {
            sender.sendSilently(RespCommands.encode(
                    alloc, "SELECT", Integer.toString(config.backend().redisDb())));
        }
    }

    private void reply(RespCommand command, ByteBuf reply) {
        command.release();
        replies.reply(reply);
    }

    /**
     * HELLO [protover [AUTH user pass] [SETNAME name]], as Redis 7.0 answers it: the client speaks
     * {@code protover} from here on, and the reply, Redis' HELLO map, is spelled in it.
     */
    private void hello(RespCommand command, ByteBufAllocator alloc) {
        RespProtocol next = client.protocol();
        if (command.argCount() > 1) {
            long version = command.argAsLong(1);
            if (version == Long.MIN_VALUE) {
                reply(command, RespReplies.error(alloc, Refusals.PROTOCOL_VERSION));
                return;
            }
            next = RespProtocol.of(version);
            if (next == null) {
                // As Redis 7: before the options are read or the credentials checked.
                reply(command, RespReplies.error(alloc, Refusals.NOPROTO));
                return;
            }
            String name = null;
            int auth = -1;
            for (int i = 2; i < command.argCount(); i++) {
                if (command.argEqualsIgnoreCase(i, "setname") && i + 1 < command.argCount()) {
                    name = command.argString(++i);
                } else if (command.argEqualsIgnoreCase(i, "auth") && i + 2 < command.argCount()) {
                    auth = i + 1;
                    i += 2;
                } else {
                    reply(command, RespReplies.error(alloc, Refusals.helloSyntax(command, i)));
                    return;
                }
            }
            // As Redis: credentials first, then the client name, once authenticated.
            if (auth > 0
                    && !client.access()
                            .authenticate(
                                    command.argString(auth),
                                    ClientAccess.argBytes(command, auth + 1),
                                    clientAddress())) {
                reply(command, RespReplies.error(alloc, AuthErrors.WRONGPASS));
                return;
            }
            client.entry().user(client.access().userName());
            if (!client.access().authenticated()) {
                reply(command, RespReplies.error(alloc, AuthErrors.HELLO_NOAUTH));
                return;
            }
            if (next == RespProtocol.RESP3 && !client.pool().config().resp3()) {
                // resp3: false (backends older than Redis 6): refused after the credentials, so that
                // a client offering RESP3 with them (Lettuce) falls back to RESP2 already authenticated.
                reply(command, RespReplies.error(alloc, Refusals.NOPROTO));
                return;
            }
            if (name != null) {
                client.entry().name(name);
            }
        } else if (!client.access().authenticated()) {
            reply(command, RespReplies.error(alloc, AuthErrors.HELLO_NOAUTH));
            return;
        }
        switchProtocol(next);
        reply(
                command,
                LocalReplies.encode(
                        alloc,
                        helloMap(client.id(), next, client.pool().config().helloVersion()),
                        next));
    }

    /**
     * The client speaks {@code next} from now on. A connection of its own it keeps (WATCH, a
     * subscription) is told too, behind the commands sent on it so far, and is closed rather than
     * reused once given back.
     */
    private void switchProtocol(RespProtocol next) {
        RespProtocol connection = control.pinnedProtocol();
        control.protocol(next);
        if (connection != null && connection != next) {
            sender.sendSilently(RespCommands.encode(replies.alloc(), "HELLO", Integer.toString(next.version())));
            control.spoilPinned();
        }
    }

    /** Redis' HELLO reply: who answers (as the pool's {@code redis_version}), and the client's id and protocol. */
    static RespValue helloMap(long id, RespProtocol protocol, String version) {
        return new RespValue.Map(List.of(
                pair("server", RespValue.BulkString.of("redis")),
                pair("version", RespValue.BulkString.of(version)),
                pair("proto", new RespValue.Integer(protocol.version())),
                pair("id", new RespValue.Integer(id)),
                pair("mode", RespValue.BulkString.of("standalone")),
                pair("role", RespValue.BulkString.of("master")),
                pair("modules", RespValue.Array.of())));
    }

    private static RespValue.Pair pair(String key, RespValue value) {
        return new RespValue.Pair(RespValue.BulkString.of(key), value);
    }

    private void select(RespCommand command, ByteBufAllocator alloc) {
        long db = command.argAsLong(1);
        int poolDb = client.pool().config().backend().redisDb();
        if (db == Long.MIN_VALUE) {
            reply(command, RespReplies.error(alloc, Refusals.NOT_AN_INTEGER));
        } else if (db == poolDb) {
            reply(command, RespReplies.OK.duplicate());
        } else {
            reply(
                    command,
                    RespReplies.error(
                            alloc,
                            Refusals.selectOtherDatabase(client.pool().config().name(), poolDb)));
        }
    }

    private String clientAddress() {
        InetSocketAddress remote = (InetSocketAddress) client.channel().remoteAddress();
        return remote == null
                ? String.valueOf(client.channel().remoteAddress())
                : remote.getHostString() + ":" + remote.getPort();
    }
}
