package io.shardis.proxy.session;

import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.command.AclCategory;
import io.shardis.proxy.command.CommandDescriptions;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.ReplyMerge;
import io.shardis.proxy.merge.FragmentedCommand;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * {@code COMMAND}, {@code COMMAND COUNT}, {@code COMMAND INFO}, {@code COMMAND LIST} and
 * {@code COMMAND GETKEYS[ANDFLAGS]}, answered from Shardis' command table so that they describe
 * what Shardis accepts ({@link CommandDescriptions}); errors as Redis 7.0 words them.
 * {@code COMMAND DOCS} comes from a backend, filtered the same way; {@code COMMAND HELP} is a backend's.
 */
final class CommandCommands {

    private final SessionContext client;
    private final Replies replies;
    private final Forwarding sender;

    CommandCommands(SessionContext client, Replies replies, Forwarding sender) {
        this.client = client;
        this.replies = replies;
        this.sender = sender;
    }

    /** Answers {@code command}; false when {@code name} is none of these. */
    boolean answer(RespCommand command, String name) {
        ByteBufAllocator alloc = replies.alloc();
        CommandDescriptions table = new CommandDescriptions(client.pool().commands());
        switch (name) {
            case "command" -> {
                if (command.argCount() > 1) {
                    error(
                            command,
                            Refusals.unknownSubcommand(
                                    command, client.pool().commands().lookup("command")));
                } else {
                    reply(command, all(table));
                }
            }
            case "command|count" ->
                reply(command, new RespValue.Integer(table.commands().size()));
            case "command|info" -> {
                if (command.argCount() == 2) {
                    reply(command, all(table));
                    return true;
                }
                List<RespValue> infos = new ArrayList<>(command.argCount() - 2);
                for (int i = 2; i < command.argCount(); i++) {
                    CommandSpec spec = table.named(command.argString(i));
                    infos.add(spec == null ? RespValue.Null.INSTANCE : table.info(spec));
                }
                reply(command, new RespValue.Array(infos));
            }
            case "command|list" -> list(command, table);
            case "command|docs" -> docs(command);
            case "command|getkeys", "command|getkeysandflags" -> {
                List<byte[]> args = new ArrayList<>(command.argCount() - 2);
                for (int i = 2; i < command.argCount(); i++) {
                    args.add(io.shardis.proxy.auth.ClientAccess.argBytes(command, i));
                }
                RespCommand inner = RespCommands.encode(alloc, args);
                Object keys;
                try {
                    keys = table.keys(inner, name.equals("command|getkeysandflags"));
                } finally {
                    inner.release();
                }
                if (keys instanceof String error) {
                    error(command, error);
                } else {
                    reply(command, (RespValue) keys);
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * COMMAND DOCS: the table holds no documentation, so a backend's (the client's own connection's
     * server, else the keyless one), filtered to what Shardis accepts ({@code merge.DocsFilter}).
     */
    private void docs(RespCommand command) {
        int server = client.isPinned() ? client.pinnedServer() : client.router().keylessServer();
        if (server < 0) {
            replies.refuse(
                    command, Refusals.noServerAvailable(client.pool().config().name()));
            return;
        }
        PendingCommand parent = new PendingCommand(client.owner());
        FragmentedCommand filtered =
                new FragmentedCommand(client.owner(), parent, ReplyMerge.DOCS, 1, null, replies.alloc());
        replies.expectReply(parent);
        sender.send(server, command.content(), filtered.fragment(0));
    }

    /** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern], read as Redis 7.0 reads it. */
    private void list(RespCommand command, CommandDescriptions table) {
        Predicate<CommandSpec> filter = spec -> true;
        for (int i = 2; i < command.argCount(); i++) {
            int more = command.argCount() - 1 - i;
            if (!command.argEqualsIgnoreCase(i, "filterby") || more != 2) {
                error(command, Refusals.SYNTAX);
                return;
            }
            String value = command.argString(i + 2);
            if (command.argEqualsIgnoreCase(i + 1, "module")) {
                filter = spec -> false;
            } else if (command.argEqualsIgnoreCase(i + 1, "aclcat")) {
                AclCategory category = value.startsWith("@") ? null : AclCategory.named(value);
                filter = spec -> category != null && spec.in(category);
            } else if (command.argEqualsIgnoreCase(i + 1, "pattern")) {
                byte[] pattern = value.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
                filter = spec ->
                        io.shardis.proxy.auth.Glob.matches(pattern, spec.name().getBytes(StandardCharsets.UTF_8));
            } else {
                error(command, Refusals.SYNTAX);
                return;
            }
            i += 2;
        }
        List<RespValue> names = new ArrayList<>();
        for (String name : table.names(filter)) {
            names.add(RespValue.BulkString.of(name));
        }
        reply(command, new RespValue.Array(names));
    }

    private static RespValue all(CommandDescriptions table) {
        List<RespValue> infos = new ArrayList<>();
        for (CommandSpec spec : table.commands()) {
            infos.add(table.info(spec));
        }
        return new RespValue.Array(infos);
    }

    private void reply(RespCommand command, RespValue value) {
        command.release();
        replies.reply(LocalReplies.encode(replies.alloc(), value, client.protocol()));
    }

    private void error(RespCommand command, String error) {
        command.release();
        replies.reply(RespReplies.error(replies.alloc(), error));
    }
}
