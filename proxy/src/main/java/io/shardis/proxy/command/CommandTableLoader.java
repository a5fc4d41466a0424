package io.shardis.proxy.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds a {@link CommandTable} from Redis' command metadata ({@code commands.tsv},
 * {@code commands-extra.tsv}) and Shardis' decisions ({@code routing.tsv}). Refuses to build a
 * table with a gap: a keyless command without a routing line, a routing line for a command that
 * does not exist, a flag it does not know, a key spec Redis calls unknown or incomplete for a
 * written key without a Shardis reading, a routing kind its keys cannot support.
 *
 * <p>Past our usual 350 lines because each refusal sits beside the parsing of the column it
 * checks: split apart, a reader of one file could no longer see which of its lines are refused.
 */
final class CommandTableLoader {

    static final String COMMANDS = "commands.tsv";
    static final String EXTRA_COMMANDS = "commands-extra.tsv";
    static final String ROUTING = "routing.tsv";

    private record Metadata(
            String name,
            int arity,
            Set<String> flags,
            List<KeySpec> keySpecs,
            Set<String> tips,
            long categories,
            String[] columns) {}

    /** @param ownFlags the bits of the Shardis flags {@code routing.tsv} names as options ({@link #OWN_FLAGS}) */
    private record Decision(
            Routing routing,
            boolean dangerous,
            boolean masterOnly,
            long ownFlags,
            String keys,
            BlockingRule blocking,
            ReplyMerge merge,
            ChannelRule channels,
            boolean unlisted) {}

    /** Shardis' flags that {@code routing.tsv} writes as options, as their names. */
    private static final Set<String> OWN_FLAGS = Set.of(
            CommandFlag.COUNTS_REPLICAS.name(), CommandFlag.CLOSES_CLIENT.name(), CommandFlag.SHARD_CHANNELS.name());

    private CommandTableLoader() {}

    static CommandTable loadStandard() {
        List<String> commands = new ArrayList<>(readResource(COMMANDS));
        commands.addAll(readResource(EXTRA_COMMANDS));
        return build(commands, readResource(ROUTING));
    }

    static CommandTable build(List<String> commandLines, List<String> routingLines) {
        Map<String, Metadata> metadata = new TreeMap<>();
        for (String line : commandLines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Metadata command = parseCommand(line);
            if (metadata.put(command.name(), command) != null) {
                throw new IllegalStateException("command '" + command.name() + "' is listed twice");
            }
        }
        Map<String, Decision> decisions = parseRouting(routingLines, metadata.keySet());

        // Subcommands first, so that each container is built with its finished subcommands.
        Map<String, Map<String, CommandSpec>> subcommandsByContainer = new TreeMap<>();
        List<CommandSpec> all = new ArrayList<>();
        for (Metadata command : metadata.values()) {
            int bar = command.name().indexOf('|');
            if (bar < 0) {
                continue;
            }
            String container = command.name().substring(0, bar);
            if (!metadata.containsKey(container)) {
                throw new IllegalStateException("subcommand '" + command.name() + "' has no container");
            }
            CommandSpec spec = toSpec(command, decide(command, decisions), null);
            subcommandsByContainer
                    .computeIfAbsent(container, c -> new TreeMap<>())
                    .put(command.name().substring(bar + 1), spec);
            all.add(spec);
        }
        Map<String, CommandSpec> topLevel = new LinkedHashMap<>();
        for (Metadata command : metadata.values()) {
            if (command.name().indexOf('|') >= 0) {
                continue;
            }
            Map<String, CommandSpec> subcommands = subcommandsByContainer.get(command.name());
            CommandSpec spec = toSpec(
                    command, decide(command, decisions), subcommands == null ? null : new NameIndex(subcommands));
            topLevel.put(command.name(), spec);
            all.add(spec);
        }
        all.sort(java.util.Comparator.comparing(CommandSpec::name));
        return new CommandTable(new NameIndex(topLevel), List.copyOf(all));
    }

    private static Metadata parseCommand(String line) {
        String[] columns = line.split("\t", -1);
        if (columns.length < 9) {
            throw new IllegalArgumentException("expected at least 9 tab-separated columns: " + line);
        }
        try {
            return new Metadata(
                    columns[0],
                    Integer.parseInt(columns[1]),
                    words(columns[2]),
                    KeySpec.parseAll(columns[6]),
                    words(columns[8]),
                    categories(columns[0], columns[7]),
                    columns);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad command line '" + line + "': " + e, e);
        }
    }

    /**
     * The ACL categories of one command. Redis 7 puts every command in {@code @fast} or
     * {@code @slow} at least: a command without categories, or with one this Shardis does not know,
     * is a gap (users' {@code +@category} rules would silently miss it).
     */
    private static long categories(String command, String column) {
        if (column.equals("-")) {
            throw new IllegalStateException("command '" + command + "' has no ACL category");
        }
        long bits = 0;
        for (String name : column.split(",")) {
            AclCategory category = AclCategory.named(name);
            if (category == null || !name.startsWith("@")) {
                throw new IllegalStateException("command '" + command + "' has unknown ACL category '" + name + "'");
            }
            bits |= category.bit();
        }
        return bits;
    }

    /** The key_spec_notes column (optional): one note per key spec, empty where a spec has none. */
    private static List<String> notes(String[] columns) {
        if (columns.length < 12 || columns[11].equals("-")) {
            return List.of();
        }
        return List.of(columns[11].split(" \\| ", -1));
    }

    /** A comma-separated column in its order (COMMAND INFO shows Redis' order). */
    private static List<String> list(String column) {
        return column.equals("-") ? List.of() : List.of(column.split(","));
    }

    private static Set<String> words(String column) {
        return column.equals("-") ? Set.of() : Set.of(column.split(","));
    }

    private static Map<String, Decision> parseRouting(List<String> lines, Set<String> known) {
        Map<String, Decision> decisions = new TreeMap<>();
        for (String raw : lines) {
            int hash = raw.indexOf('#');
            String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] words = line.split("\\s+");
            String name = words[0];
            String target = name.endsWith("|*") ? name.substring(0, name.length() - 2) : name;
            if (!known.contains(target)) {
                throw new IllegalStateException("routing.tsv names unknown command '" + name + "'");
            }
            if (words.length < 2) {
                throw new IllegalStateException("routing.tsv: no routing for '" + name + "'");
            }
            Routing routing = Routing.valueOf(words[1]);
            boolean dangerous = false;
            boolean masterOnly = false;
            long ownFlags = 0;
            String keys = null;
            BlockingRule blocking = null;
            ReplyMerge merge = null;
            ChannelRule channels = ChannelRule.NONE;
            boolean unlisted = false;
            for (int i = 2; i < words.length; i++) {
                String option = words[i];
                if (option.equals("DANGEROUS")) {
                    dangerous = true;
                } else if (option.equals("UNLISTED")) {
                    unlisted = true;
                } else if (option.equals("MASTER_ONLY")) {
                    masterOnly = true;
                } else if (OWN_FLAGS.contains(option)) {
                    ownFlags |= bit(CommandFlag.valueOf(option));
                } else if (option.startsWith("keys=")) {
                    keys = option.substring("keys=".length());
                } else if (option.startsWith("blocks=")) {
                    blocking = BlockingRule.named(option.substring("blocks=".length()));
                } else if (option.startsWith("merge=")) {
                    merge = ReplyMerge.named(option.substring("merge=".length()));
                } else if (option.startsWith("channels=")) {
                    channels = ChannelRule.named(option.substring("channels=".length()));
                } else {
                    throw new IllegalStateException("routing.tsv: unknown option '" + option + "' for '" + name + "'");
                }
            }
            if ((routing == Routing.ALL_SHARDS || routing == Routing.MULTI_KEY) != (merge != null)) {
                throw new IllegalStateException("routing.tsv: '" + name + "': ALL_SHARDS and MULTI_KEY commands,"
                        + " and only they, say how their replies merge (merge=...)");
            }
            if (decisions.put(
                            name,
                            new Decision(
                                    routing,
                                    dangerous,
                                    masterOnly,
                                    ownFlags,
                                    keys,
                                    blocking,
                                    merge,
                                    channels,
                                    unlisted))
                    != null) {
                throw new IllegalStateException("routing.tsv names '" + name + "' twice");
            }
        }
        return decisions;
    }

    private static Decision decide(Metadata command, Map<String, Decision> decisions) {
        Decision decision = decisions.get(command.name());
        int bar = command.name().indexOf('|');
        if (decision == null && bar > 0) {
            decision = decisions.get(command.name().substring(0, bar) + "|*");
        }
        if (decision != null) {
            return decision;
        }
        List<KeySpec> specs = knownSpecs(command);
        if (specs.isEmpty()) {
            throw new IllegalStateException("keyless command '" + command.name() + "' has no line in routing.tsv");
        }
        Routing routing = specs.size() == 1 && specs.get(0).singleFixedKey() ? Routing.SINGLE_KEY : Routing.SAME_SHARD;
        return new Decision(routing, false, false, 0, null, null, null, ChannelRule.NONE, false);
    }

    private static CommandSpec toSpec(Metadata command, Decision decision, NameIndex subcommands) {
        long flags = 0;
        for (String redisFlag : command.flags()) {
            flags |= bit(flagNamed(command, redisFlag));
        }
        if (command.tips().contains("nondeterministic_output_order")) {
            flags |= bit(CommandFlag.SORT_FOR_SCRIPT);
        }
        flags |= decision.ownFlags();
        if (decision.dangerous() || command.flags().contains("admin")) {
            flags |= bit(CommandFlag.DANGEROUS);
        }
        if (command.flags().contains("readonly") && !decision.masterOnly()) {
            flags |= bit(CommandFlag.REPLICA_READABLE);
        }
        KeyLocator keys = locator(command, decision);
        checkRoutingFits(command, decision.routing(), keys);
        BlockingRule blocking = decision.blocking() != null
                ? decision.blocking()
                : command.flags().contains("blocking") ? BlockingRule.ALWAYS : BlockingRule.NEVER;
        String[] columns = command.columns();
        CommandDescription description = new CommandDescription(
                list(columns[2]),
                Integer.parseInt(columns[3]),
                Integer.parseInt(columns[4]),
                Integer.parseInt(columns[5]),
                command.keySpecs(),
                notes(columns),
                list(columns[7]),
                list(columns[8]),
                decision.routing() != Routing.REFUSED && !decision.unlisted());
        return new CommandSpec(
                command.name(),
                command.arity(),
                flags,
                decision.routing(),
                keys,
                blocking,
                decision.merge(),
                subcommands,
                command.categories(),
                decision.channels(),
                description);
    }

    private static CommandFlag flagNamed(Metadata command, String redisFlag) {
        try {
            return CommandFlag.fromRedisName(redisFlag);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("command '" + command.name() + "' has unknown flag '" + redisFlag + "'", e);
        }
    }

    private static KeyLocator locator(Metadata command, Decision decision) {
        if (decision.keys() != null) {
            return switch (decision.keys()) {
                case "sort" -> new SortKeyLocator();
                case "migrate" -> new MigrateKeyLocator();
                default ->
                    throw new IllegalStateException(
                            "routing.tsv: unknown keys=" + decision.keys() + " for '" + command.name() + "'");
            };
        }
        for (KeySpec spec : command.keySpecs()) {
            // A written key Redis cannot locate would be routed by the other keys alone.
            boolean written = !spec.hasFlag("ro") && !spec.hasFlag("not_key");
            if (spec.hasFlag("incomplete") || (spec.unknown() && written)) {
                throw new IllegalStateException("command '" + command.name() + "' has key spec " + spec
                        + " that Redis cannot resolve: give it keys= in routing.tsv");
            }
        }
        List<KeySpec> specs = knownSpecs(command);
        return specs.isEmpty() ? KeyLocator.NONE : new KeySpecLocator(specs);
    }

    private static List<KeySpec> knownSpecs(Metadata command) {
        return command.keySpecs().stream().filter(spec -> !spec.unknown()).toList();
    }

    private static void checkRoutingFits(Metadata command, Routing routing, KeyLocator keys) {
        List<KeySpec> specs = knownSpecs(command);
        boolean fits = switch (routing) {
            case SINGLE_KEY ->
                keys instanceof KeySpecLocator
                        && specs.size() == 1
                        && specs.get(0).singleFixedKey();
            case MULTI_KEY ->
                keys instanceof KeySpecLocator
                        && specs.size() == 1
                        && !specs.get(0).singleFixedKey();
            case SAME_SHARD -> keys != KeyLocator.NONE;
            default -> true;
        };
        if (!fits) {
            throw new IllegalStateException(
                    "command '" + command.name() + "' cannot be " + routing + " with key specs " + command.keySpecs());
        }
    }

    private static long bit(CommandFlag flag) {
        return 1L << flag.ordinal();
    }

    private static List<String> readResource(String name) {
        try (InputStream in = CommandTableLoader.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing next to " + CommandTableLoader.class);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}
