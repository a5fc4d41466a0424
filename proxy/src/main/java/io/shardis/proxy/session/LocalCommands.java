package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.route.ClusterRouter;
import io.shardis.topology.cluster.HashSlot;
import io.shardis.topology.cluster.SlotMap;
import io.shardis.topology.cluster.SlotRange;
import io.shardis.proxy.config.Version;
import io.shardis.proxy.auth.AuthErrors;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;

import java.net.InetSocketAddress;

/**
 * Commands Shardis answers itself, because they concern the client's connection to Shardis rather
 * than the data: PING, ECHO, QUIT, HELLO, SELECT, AUTH, RESET, ACL WHOAMI, READONLY/READWRITE and
 * the CLIENT subcommands about the connection.
 */
final class LocalCommands {

    /** What HELLO reports as the Redis API level Shardis speaks. */
    private static final String REDIS_VERSION = "7.0.0";

    private final ClientSession session;
    private String clientName;

    LocalCommands(ClientSession session) {
        this.session = session;
    }

    /**
     * CLUSTER INFO of a cluster pool, from the slot map Shardis routes by, so that tools checking
     * {@code cluster_state} see the truth; other pools are not clusters and refuse it.
     */
    private void clusterInfo(RespCommand command, CommandSpec spec, ByteBufAllocator alloc) {
        if (!(session.router() instanceof ClusterRouter cluster) || cluster.map() == null) {
            session.refuse(command, Refusals.unsupported(spec.name()));
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
        reply(command, RespReplies.bulk(alloc, info));
    }

    void answer(RespCommand command, CommandSpec spec) {
        ByteBufAllocator alloc = session.context().alloc();
        switch (spec.name()) {
            case "ping" -> reply(command, command.argCount() == 1 ? RespReplies.PONG.duplicate()
                    : command.argCount() == 2 ? RespReplies.bulk(alloc, command.arg(1))
                    // the table's arity (-1) lets any count through; Redis' own check takes at most one
                    : RespReplies.error(alloc, "ERR wrong number of arguments for 'ping' command"));
            case "echo" -> reply(command, RespReplies.bulk(alloc, command.arg(1)));
            case "quit" -> {
                reply(command, RespReplies.OK.duplicate());
                session.replyThenClose();
            }
            case "hello" -> hello(command, alloc);
            case "select" -> select(command, alloc);
            case "auth" -> {
                String error = session.access().auth(command, clientAddress());
                reply(command, error == null ? RespReplies.OK.duplicate() : RespReplies.error(alloc, error));
            }
            case "acl|whoami" -> reply(command, RespReplies.bulk(alloc, session.access().userName()));
            case "reset" -> {
                clientName = null;
                session.access().reset();
                if (session.isPinned()) {
                    // WATCHed keys live on the client's own backend connection: reset them there.
                    session.transactions().reset();
                    session.forward(command);
                    restoreBackendSetup();
                } else {
                    reply(command, RespReplies.simpleString(alloc, "RESET"));
                }
            }
            case "readonly", "readwrite" -> reply(command, RespReplies.OK.duplicate());
            case "cluster|keyslot" -> reply(command, RespReplies.integer(alloc,
                    HashSlot.of(command.content(), command.argOffset(2), command.argLength(2))));
            case "cluster|info" -> clusterInfo(command, spec, alloc);
            case "client|setname" -> setName(command, alloc);
            case "client|getname" -> reply(command, clientName == null
                    ? RespReplies.NULL_BULK.duplicate() : RespReplies.bulk(alloc, clientName));
            case "client|id" -> reply(command, RespReplies.integer(alloc, session.id()));
            case "client|info" -> reply(command, RespReplies.bulk(alloc, clientInfo()));
            case "client|setinfo", "client|no-evict", "client|no-touch" ->
                    reply(command, RespReplies.OK.duplicate());
            default -> session.refuse(command, Refusals.unsupported(spec.name()));
        }
    }

    /** A command Shardis usually answers, sent inside MULTI: Redis must queue it with the others. */
    void answerInTransaction(RespCommand command, CommandSpec spec) {
        switch (spec.name()) {
            case "quit" -> answer(command, spec);
            case "ping", "echo" -> session.forward(command);
            case "reset" -> {
                // Redis runs RESET at once, ending the transaction; the backend must see it.
                clientName = null;
                session.access().reset();
                boolean pinned = session.isPinned();
                session.transactions().reset();
                if (pinned) {
                    session.forward(command);
                    restoreBackendSetup();
                } else {
                    // Nothing was queued yet: no backend has seen the transaction, and a RESET on a
                    // shared connection would log every client on it out.
                    reply(command, RespReplies.simpleString(session.context().alloc(), "RESET"));
                }
            }
            case "select" -> {
                if (command.argAsLong(1) == session.pool().config().backend().redisDb()) {
                    session.forward(command);
                } else {
                    select(command, session.context().alloc());
                    session.transactions().commandRefused();
                }
            }
            default -> session.refuse(command, "ERR '" + spec.name()
                    + "' cannot be queued in a transaction through Shardis");
        }
    }

    /**
     * RESET on a backend connection also logs it out to the backend's default user and selects
     * database 0: the connection's AUTH and SELECT are sent again behind it, before anything else,
     * so that it neither runs as a user with other rights (a default user without password would
     * reopen the script route to FLUSHALL that redis_user closes) nor in the wrong database.
     */
    private void restoreBackendSetup() {
        var config = session.pool().config();
        ByteBufAllocator alloc = session.context().alloc();
        if (config.auth().redisAuth() != null) {
            session.sendSilently(config.auth().redisUser() == null
                    ? RespCommands.encode(alloc, "AUTH", config.auth().redisAuth())
                    : RespCommands.encode(alloc, "AUTH", config.auth().redisUser(), config.auth().redisAuth()));
        }
        if (config.backend().redisDb() != 0) {
            session.sendSilently(RespCommands.encode(alloc, "SELECT", Integer.toString(config.backend().redisDb())));
        }
    }

    private void reply(RespCommand command, ByteBuf reply) {
        command.release();
        session.reply(reply);
    }

    /** HELLO answers for protocol 2 only: backend connections are shared and speak RESP2. */
    private void hello(RespCommand command, ByteBufAllocator alloc) {
        if (command.argCount() > 1) {
            long version = command.argAsLong(1);
            if (version == Long.MIN_VALUE || version < 1 || version > Integer.MAX_VALUE) {
                reply(command, RespReplies.error(alloc, "ERR Protocol version is not an integer or out of range"));
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
                    reply(command, RespReplies.error(alloc, "ERR Syntax error in HELLO option '"
                            + Names.printable(command, i) + "'"));
                    return;
                }
            }
            // As Redis: credentials first, then the client name, once authenticated. Before the
            // protocol is refused: a client offering HELLO 3 with its credentials (Lettuce) may have
            // pipelined commands behind it, and falls back to RESP2 already authenticated.
            if (auth > 0 && !session.access().authenticate(command.argString(auth),
                    ClientAccess.argBytes(command, auth + 1), clientAddress())) {
                reply(command, RespReplies.error(alloc, AuthErrors.WRONGPASS));
                return;
            }
            if (!session.access().authenticated()) {
                reply(command, RespReplies.error(alloc, AuthErrors.HELLO_NOAUTH));
                return;
            }
            if (version != 2) {
                reply(command, RespReplies.error(alloc, "NOPROTO sorry, this protocol version is not supported"));
                return;
            }
            if (name != null) {
                clientName = name;
            }
        } else if (!session.access().authenticated()) {
            reply(command, RespReplies.error(alloc, AuthErrors.HELLO_NOAUTH));
            return;
        }
        ByteBuf out = alloc.buffer(192);
        RespReplies.writeHeader(out, '*', 14);
        bulk(out, "server");
        bulk(out, "redis");
        bulk(out, "version");
        bulk(out, REDIS_VERSION);
        bulk(out, "proto");
        RespReplies.writeHeader(out, ':', 2);
        bulk(out, "id");
        RespReplies.writeHeader(out, ':', session.id());
        bulk(out, "mode");
        bulk(out, "standalone");
        bulk(out, "role");
        bulk(out, "master");
        bulk(out, "modules");
        RespReplies.writeHeader(out, '*', 0);
        reply(command, out);
    }

    private void select(RespCommand command, ByteBufAllocator alloc) {
        long db = command.argAsLong(1);
        int poolDb = session.pool().config().backend().redisDb();
        if (db == Long.MIN_VALUE) {
            reply(command, RespReplies.error(alloc, "ERR value is not an integer or out of range"));
        } else if (db == poolDb) {
            reply(command, RespReplies.OK.duplicate());
        } else {
            reply(command, RespReplies.error(alloc, "ERR SELECT is not supported by Shardis: pool '"
                    + session.pool().config().name() + "' serves database " + poolDb + " (redis_db)"));
        }
    }

    private void setName(RespCommand command, ByteBufAllocator alloc) {
        for (int i = 0; i < command.argLength(2); i++) {
            byte b = command.argByte(2, i);
            if (b < '!' || b > '~') {
                reply(command, RespReplies.error(alloc,
                        "ERR Client names cannot contain spaces, newlines or special characters."));
                return;
            }
        }
        clientName = command.argLength(2) == 0 ? null : command.argString(2);
        reply(command, RespReplies.OK.duplicate());
    }

    private String clientAddress() {
        InetSocketAddress remote = (InetSocketAddress) session.context().channel().remoteAddress();
        return remote == null ? String.valueOf(session.context().channel().remoteAddress())
                : remote.getHostString() + ":" + remote.getPort();
    }

    private String clientInfo() {
        InetSocketAddress remote = (InetSocketAddress) session.context().channel().remoteAddress();
        InetSocketAddress localAddress = (InetSocketAddress) session.context().channel().localAddress();
        return "id=" + session.id()
                + " addr=" + (remote == null ? "?" : remote.getHostString() + ":" + remote.getPort())
                + " laddr=" + (localAddress == null ? "?" : localAddress.getHostString() + ":" + localAddress.getPort())
                + " name=" + (clientName == null ? "" : clientName)
                + " db=" + session.pool().config().backend().redisDb()
                + " user=" + session.access().userName()
                + " pool=" + session.pool().config().name()
                + " proxy=shardis-" + Version.current() + "\n";
    }

    private static void bulk(ByteBuf out, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        RespReplies.writeHeader(out, '$', bytes.length);
        out.writeBytes(bytes).writeByte('\r').writeByte('\n');
    }
}
