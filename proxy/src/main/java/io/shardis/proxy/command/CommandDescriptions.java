package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;
import io.shardis.resp.RespValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The replies of {@code COMMAND}, {@code COMMAND INFO}, {@code COMMAND COUNT}, {@code COMMAND LIST}
 * and {@code COMMAND GETKEYS[ANDFLAGS]} from Shardis' table, in Redis 7's shapes (RESP3 types where
 * Redis uses them; the session writes them in the client's protocol). They list what Shardis
 * accepts: the commands it refuses are left out, as if unknown, and so are the subcommands it
 * refuses of a container it lists (CLIENT without TRACKING, REPLY...).
 */
public final class CommandDescriptions {

    private final CommandTable table;

    public CommandDescriptions(CommandTable table) {
        this.table = table;
    }

    /** Whether Shardis accepts {@code spec}: routed somewhere, or a container with a subcommand that is. */
    public boolean listed(CommandSpec spec) {
        if (spec.description().listed()) {
            return true;
        }
        return spec.isContainer() && !subcommands(spec).isEmpty();
    }

    /** The top-level commands Shardis accepts, by name. */
    public List<CommandSpec> commands() {
        List<CommandSpec> commands = new ArrayList<>();
        for (CommandSpec spec : table.all()) {
            if (spec.name().indexOf('|') < 0 && listed(spec)) {
                commands.add(spec);
            }
        }
        return commands;
    }

    /** The subcommands of {@code container} that Shardis accepts, by name. */
    public List<CommandSpec> subcommands(CommandSpec container) {
        List<CommandSpec> subcommands = new ArrayList<>();
        if (!container.isContainer()) {
            return subcommands;
        }
        String prefix = container.name() + "|";
        for (CommandSpec spec : table.all()) {
            if (spec.name().startsWith(prefix) && spec.description().listed()) {
                subcommands.add(spec);
            }
        }
        return subcommands;
    }

    /** The command {@code name} names ({@code get}, {@code client|list}) when Shardis accepts it, else null. */
    public CommandSpec named(String name) {
        CommandSpec spec = table.lookup(name);
        if (spec == null || !listed(spec)) {
            return null;
        }
        return spec.name().indexOf('|') < 0 || spec.description().listed() ? spec : null;
    }

    /** COMMAND INFO's entry for one command: name, arity, flags, first/last/step, categories, tips, key specs, subcommands. */
    public RespValue info(CommandSpec spec) {
        CommandDescription d = spec.description();
        List<RespValue> flags = new ArrayList<>();
        for (String flag : d.flags()) {
            flags.add(new RespValue.SimpleString(flag));
        }
        List<RespValue> categories = new ArrayList<>();
        for (String category : d.aclCategories()) {
            categories.add(new RespValue.SimpleString(category));
        }
        List<RespValue> tips = new ArrayList<>();
        for (String tip : d.tips()) {
            tips.add(RespValue.BulkString.of(tip));
        }
        List<RespValue> keySpecs = new ArrayList<>();
        for (int i = 0; i < d.keySpecs().size(); i++) {
            keySpecs.add(d.keySpecs()
                    .get(i)
                    .describe(i < d.keySpecNotes().size() ? d.keySpecNotes().get(i) : null));
        }
        List<RespValue> subcommands = new ArrayList<>();
        for (CommandSpec subcommand : subcommands(spec)) {
            subcommands.add(info(subcommand));
        }
        return RespValue.Array.of(
                RespValue.BulkString.of(spec.name()),
                new RespValue.Integer(spec.arity()),
                new RespValue.Set(flags),
                new RespValue.Integer(d.firstKey()),
                new RespValue.Integer(d.lastKey()),
                new RespValue.Integer(d.step()),
                new RespValue.Set(categories),
                new RespValue.Set(tips),
                // Redis 7.0 writes key specs and subcommands as sets too (a RESP3 client sees '~').
                new RespValue.Set(keySpecs),
                new RespValue.Set(subcommands));
    }

    /**
     * COMMAND LIST: every accepted command and subcommand name, or those {@code filter} keeps
     * ({@code module}: none, Shardis has no modules; {@code aclcat}: in that ACL category;
     * {@code pattern}: glob-matched by the caller's {@code matcher}).
     */
    public List<String> names(java.util.function.Predicate<CommandSpec> filter) {
        List<String> names = new ArrayList<>();
        for (CommandSpec command : commands()) {
            if (filter.test(command)) {
                names.add(command.name());
            }
            for (CommandSpec subcommand : subcommands(command)) {
                if (filter.test(subcommand)) {
                    names.add(subcommand.name());
                }
            }
        }
        return names;
    }

    /**
     * COMMAND GETKEYS / GETKEYSANDFLAGS of {@code inner} (the command whose keys are asked for),
     * as Redis 7.0 answers: the keys (with their key spec's flags), or an error text.
     */
    public Object keys(RespCommand inner, boolean withFlags) {
        CommandSpec spec = table.lookup(inner);
        if (spec == null
                || (spec.isContainer() && spec.routing() == Routing.REFUSED && inner.argCount() > 1)
                || !listed(spec)) {
            return "ERR Invalid command specified";
        }
        if (!hasKeys(spec)) {
            return "ERR The command has no key arguments";
        }
        if (!spec.arityAccepts(inner.argCount())) {
            return "ERR Invalid number of arguments specified for command";
        }
        int count = spec.keyCount(inner);
        if (count < 0) {
            // EVAL with a key count past its arguments: Redis finds no key, and these need none.
            return spec.description().flags().contains("no_mandatory_keys")
                    ? new RespValue.Array(List.of())
                    : "ERR Invalid arguments specified for command";
        }
        List<RespValue> keys = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            if ((spec.keyAccess(inner, k) & CommandSpec.NOT_A_KEY) != 0) {
                continue;
            }
            byte[] key = new byte[inner.argLength(spec.keyIndex(inner, k))];
            inner.content().getBytes(inner.argOffset(spec.keyIndex(inner, k)), key);
            RespValue bulk = new RespValue.BulkString(key);
            keys.add(withFlags ? RespValue.Array.of(bulk, new RespValue.Set(keyFlags(spec, inner, k))) : bulk);
        }
        return new RespValue.Array(keys);
    }

    /**
     * The flags of a key whose spec says they vary with the arguments (variable_flags): what
     * Redis 7.0's own key extraction gives for the two commands that have one, SET
     * ({@code setGetKeys}: GET reads the old value) and BITFIELD ({@code bitfieldGetKeys}: only
     * GET and OVERFLOW read); the spec's flags for any other.
     */
    private static List<String> variableFlags(CommandSpec spec, RespCommand inner, List<String> specFlags) {
        switch (spec.name()) {
            case "set" -> {
                for (int i = 3; i < inner.argCount(); i++) {
                    if (inner.argEqualsIgnoreCase(i, "get")) {
                        return List.of("RW", "access", "update");
                    }
                }
                return List.of("OW", "update");
            }
            case "bitfield" -> {
                int argc = inner.argCount();
                for (int i = 2; i < argc; i++) {
                    int remaining = argc - i - 1;
                    if (inner.argEqualsIgnoreCase(i, "get") && remaining >= 2) {
                        i += 2;
                    } else if (inner.argEqualsIgnoreCase(i, "overflow") && remaining >= 1) {
                        i += 1;
                    } else {
                        return List.of("RW", "access", "update");
                    }
                }
                return List.of("RO", "access");
            }
            default -> {
                return specFlags;
            }
        }
    }

    /** Whether Redis would say the command has keys: some key spec that does not name a non-key. */
    private static boolean hasKeys(CommandSpec spec) {
        for (KeySpec keySpec : spec.description().keySpecs()) {
            if (!keySpec.hasFlag("not_key")) {
                return true;
            }
        }
        return false;
    }

    private static List<RespValue> keyFlags(CommandSpec spec, RespCommand inner, int k) {
        List<String> names;
        if (spec.keyLocator() instanceof KeySpecLocator locator) {
            names = locator.specOf(inner, k).flagNames();
            if (names.contains("variable_flags")) {
                names = variableFlags(spec, inner, names);
            }
        } else {
            // SORT and MIGRATE: Shardis' own reading; the flags Redis' key extraction gives them.
            names = (spec.keyAccess(inner, k) & CommandSpec.KEY_WRITE) != 0
                    ? List.of("OW", "update")
                    : List.of("RO", "access");
        }
        List<RespValue> flags = new ArrayList<>(names.size());
        for (String name : names) {
            flags.add(new RespValue.SimpleString(name));
        }
        return flags;
    }
}
