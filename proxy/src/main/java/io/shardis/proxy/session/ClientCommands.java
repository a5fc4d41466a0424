package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code CLIENT} subcommands Shardis answers, about Shardis' own clients of the pool: SETNAME,
 * GETNAME, ID, INFO, LIST, KILL, SETINFO, NO-EVICT, NO-TOUCH, and client-side caching's TRACKING,
 * CACHING, TRACKINGINFO, GETREDIR (see {@link ClientTracking}). Replies and errors are Redis 7's for
 * the same input; the table has checked arity and the client's rights before.
 */
final class ClientCommands {

    private final SessionContext client;
    private final SessionControl control;
    private final Replies replies;

    ClientCommands(SessionContext client, SessionControl control, Replies replies) {
        this.client = client;
        this.control = control;
        this.replies = replies;
    }

    /** Answers {@code command} ({@code spec} named {@code name}); false when it is not a CLIENT subcommand of these. */
    boolean answer(RespCommand command, String name) {
        ByteBufAllocator alloc = replies.alloc();
        ClientEntry self = client.entry();
        switch (name) {
            case "client|setname" -> setName(command, alloc);
            case "client|getname" -> {
                String clientName = self.name();
                reply(command, clientName == null ? nullReply() : RespReplies.bulk(alloc, clientName));
            }
            case "client|id" -> reply(command, RespReplies.integer(alloc, self.id()));
            case "client|info" ->
                reply(
                        command,
                        LocalReplies.encode(alloc, verbatim(self.line(System.nanoTime()) + "\n"), client.protocol()));
            case "client|list" -> list(command, alloc);
            case "client|kill" -> kill(command, alloc);
            case "client|setinfo" -> setInfo(command, alloc);
            case "client|tracking" -> control.tracking().tracking(command);
            case "client|caching" -> control.tracking().caching(command);
            case "client|trackinginfo" -> control.tracking().trackingInfo(command);
            case "client|getredir" -> control.tracking().getRedir(command);
            case "client|no-evict", "client|no-touch" -> {
                String value = command.argString(2);
                boolean on = value.equalsIgnoreCase("on");
                if (!on && !value.equalsIgnoreCase("off")) {
                    reply(command, RespReplies.error(alloc, Refusals.SYNTAX));
                    return true;
                }
                if (name.equals("client|no-evict")) {
                    self.noEvict(on);
                } else {
                    self.noTouch(on);
                }
                reply(command, RespReplies.OK.duplicate());
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** CLIENT LIST [TYPE type] | [ID id...]: Redis 7.0's reading of the options. */
    private void list(RespCommand command, ByteBufAllocator alloc) {
        ClientRegistry registry = client.pool().clients();
        List<ClientEntry> shown;
        if (command.argCount() == 4 && command.argEqualsIgnoreCase(2, "type")) {
            String type = ClientKillFilter.typeNamed(command.argString(3));
            if (type == null) {
                reply(command, RespReplies.error(alloc, Refusals.unknownClientType(Names.printable(command, 3))));
                return;
            }
            shown = registry.all().stream()
                    .filter(entry -> entry.type().equals(type))
                    .toList();
        } else if (command.argCount() > 3 && command.argEqualsIgnoreCase(2, "id")) {
            shown = new ArrayList<>();
            for (int i = 3; i < command.argCount(); i++) {
                long id = command.argAsLong(i);
                if (id == Long.MIN_VALUE) {
                    reply(command, RespReplies.error(alloc, Refusals.INVALID_CLIENT_ID));
                    return;
                }
                ClientEntry entry = registry.get(id);
                if (entry != null) {
                    shown.add(entry);
                }
            }
        } else if (command.argCount() != 2) {
            reply(command, RespReplies.error(alloc, Refusals.SYNTAX));
            return;
        } else {
            shown = registry.all();
        }
        long now = System.nanoTime();
        StringBuilder out = new StringBuilder(shown.size() * 300);
        for (ClientEntry entry : shown) {
            out.append(entry.line(now)).append('\n');
        }
        reply(command, LocalReplies.encode(alloc, verbatim(out.toString()), client.protocol()));
    }

    private void kill(RespCommand command, ByteBufAllocator alloc) {
        List<String> args = new ArrayList<>(command.argCount() - 2);
        for (int i = 2; i < command.argCount(); i++) {
            args.add(command.argString(i));
        }
        PoolAccess access = client.pool().access();
        Object parsed = ClientKillFilter.parse(
                args,
                user -> user.equals(PoolAccess.DEFAULT_USER) || access.users().containsKey(user));
        if (parsed instanceof ClientKillFilter.Refusal refusal) {
            reply(command, RespReplies.error(alloc, refusal.error()));
            return;
        }
        ClientKillFilter filter = (ClientKillFilter) parsed;
        boolean[] selfKilled = new boolean[1];
        int killed = client.pool().clients().kill(filter, client.entry(), selfKilled);
        if (filter.oldForm()) {
            reply(
                    command,
                    killed == 0 ? RespReplies.error(alloc, Refusals.NO_SUCH_CLIENT) : RespReplies.OK.duplicate());
        } else {
            reply(command, RespReplies.integer(alloc, killed));
        }
        if (selfKilled[0]) {
            control.replyThenClose();
        }
    }

    /** CLIENT SETINFO LIB-NAME|LIB-VER value, checked as Redis 7.2 checks it. */
    private void setInfo(RespCommand command, ByteBufAllocator alloc) {
        if (command.argCount() != 4) {
            reply(
                    command,
                    RespReplies.error(
                            alloc, Refusals.wrongArity(client.pool().commands().lookup("client|setinfo"))));
            return;
        }
        String attribute = command.argString(2).toLowerCase(Locale.ROOT);
        if (!attribute.equals("lib-name") && !attribute.equals("lib-ver")) {
            reply(command, RespReplies.error(alloc, Refusals.unrecognizedOption(command, 2)));
            return;
        }
        for (int i = 0; i < command.argLength(3); i++) {
            byte b = command.argByte(3, i);
            if (b < '!' || b > '~') {
                reply(command, RespReplies.error(alloc, Refusals.badLibraryAttribute(attribute)));
                return;
            }
        }
        client.entry().library(attribute, command.argLength(3) == 0 ? null : command.argString(3));
        reply(command, RespReplies.OK.duplicate());
    }

    private void setName(RespCommand command, ByteBufAllocator alloc) {
        for (int i = 0; i < command.argLength(2); i++) {
            byte b = command.argByte(2, i);
            if (b < '!' || b > '~') {
                reply(command, RespReplies.error(alloc, Refusals.BAD_CLIENT_NAME));
                return;
            }
        }
        client.entry().name(command.argLength(2) == 0 ? null : command.argString(2));
        reply(command, RespReplies.OK.duplicate());
    }

    /** The null reply in the client's protocol: {@code $-1} in RESP2, {@code _} in RESP3. */
    private ByteBuf nullReply() {
        return (client.protocol() == RespProtocol.RESP3 ? RespReplies.NULL : RespReplies.NULL_BULK).duplicate();
    }

    /** CLIENT LIST and INFO are verbatim text in RESP3, bulks in RESP2. */
    private static RespValue verbatim(String text) {
        return new RespValue.VerbatimString("txt", text.getBytes(StandardCharsets.UTF_8));
    }

    private void reply(RespCommand command, ByteBuf reply) {
        command.release();
        replies.reply(reply);
    }
}
