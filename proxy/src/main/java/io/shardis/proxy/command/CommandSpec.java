package io.shardis.proxy.command;

import io.shardis.resp.RespCommand;

/**
 * What Shardis knows about one Redis command or subcommand ({@code "client|setname"}): arity,
 * flags, where its keys are, how it is routed. Immutable; every method that takes a
 * {@link RespCommand} only reads it (no retain, no release) and allocates nothing.
 */
public final class CommandSpec {

    /** {@link #keyAccess}: the command reads the key's value ({@code access}). */
    public static final int KEY_READ = 1;
    /** {@link #keyAccess}: the command inserts, updates or deletes the key. */
    public static final int KEY_WRITE = 2;
    /** {@link #keyAccess}: routed like a key but not one (SPUBLISH's channel); ACLs skip it. */
    public static final int NOT_A_KEY = 4;

    private final String name;
    private final int arity;
    private final long flags;
    private final Routing routing;
    private final KeyLocator keys;
    private final BlockingRule blocking;
    private final ReplyMerge merge;
    private final NameIndex subcommands;
    private final long categories;
    private final ChannelRule channels;
    private final CommandGroup group;
    private final CommandDescription description;

    CommandSpec(
            String name,
            int arity,
            long flags,
            Routing routing,
            KeyLocator keys,
            BlockingRule blocking,
            ReplyMerge merge,
            NameIndex subcommands,
            long categories,
            ChannelRule channels,
            CommandDescription description) {
        this.description = description;
        this.categories = categories;
        this.channels = channels;
        this.merge = merge;
        this.name = name;
        this.arity = arity;
        this.flags = flags;
        this.routing = routing;
        this.keys = keys;
        this.blocking = blocking;
        this.subcommands = subcommands;
        this.group = groupOf(routing);
    }

    /** The command's group in the metrics ({@code command_group}). */
    public CommandGroup group() {
        return group;
    }

    private CommandGroup groupOf(Routing routing) {
        if (routing == Routing.SUBSCRIBE || has(CommandFlag.PUBSUB)) {
            return CommandGroup.PUBSUB;
        }
        if (routing == Routing.TRANSACTION) {
            return CommandGroup.TRANSACTION;
        }
        if (routing == Routing.LOCAL) {
            return CommandGroup.CONNECTION;
        }
        if (has(CommandFlag.DANGEROUS)) {
            return CommandGroup.ADMIN;
        }
        if (has(CommandFlag.BLOCKING)) {
            return CommandGroup.BLOCKING;
        }
        if (has(CommandFlag.WRITE)) {
            return CommandGroup.WRITE;
        }
        return has(CommandFlag.READONLY) ? CommandGroup.READ : CommandGroup.OTHER;
    }

    /** Lower case: {@code "get"}, {@code "client|setname"}. */
    public String name() {
        return name;
    }

    /** Redis' convention: N means exactly N arguments, -N at least N; the command name counts. */
    public int arity() {
        return arity;
    }

    /** True when {@code argCount} arguments (the name included) satisfy the arity. */
    public boolean arityAccepts(int argCount) {
        return arity >= 0 ? argCount == arity : argCount >= -arity;
    }

    public boolean has(CommandFlag flag) {
        return (flags & (1L << flag.ordinal())) != 0;
    }

    /** Whether Redis puts this command in ACL category {@code category} ({@code COMMAND INFO}'s acl_categories). */
    public boolean in(AclCategory category) {
        return (categories & category.bit()) != 0;
    }

    /** The arguments that are Pub/Sub channels for ACL checks. */
    public ChannelRule channels() {
        return channels;
    }

    /**
     * What this invocation does with its k-th key ({@code 0 <= k < keyCount(command)}):
     * {@link #KEY_READ}, {@link #KEY_WRITE}, both, or {@link #NOT_A_KEY}.
     */
    public int keyAccess(RespCommand command, int k) {
        return keys.keyAccess(command, k);
    }

    /** The container's name for a subcommand ({@code "client"} for {@code "client|setname"}), else the name. */
    public String containerName() {
        int bar = name.indexOf('|');
        return bar < 0 ? name : name.substring(0, bar);
    }

    public Routing routing() {
        return routing;
    }

    /** How the replies merge when the command goes to several servers; null unless MULTI_KEY or ALL_SHARDS. */
    public ReplyMerge merge() {
        return merge;
    }

    /**
     * Number of keys in this invocation: 0 for a keyless command, -1 when the key positions
     * cannot be determined (a key count that is not a number, negative or larger than the
     * arguments; an unbalanced list such as {@code MSET k v k2}; arguments missing). Never throws.
     */
    public int keyCount(RespCommand command) {
        return keys.keyCount(command);
    }

    /**
     * Argument index of the k-th key, {@code 0 <= k < keyCount(command)}. Keys come in the order of
     * Redis' key specs (ZUNIONSTORE: the destination first, then the sources).
     */
    public int keyIndex(RespCommand command, int k) {
        return keys.keyIndex(command, k);
    }

    /**
     * Arguments that travel with each key when a MULTI_KEY command is split: 1 for MGET, DEL,
     * EXISTS, UNLINK, TOUCH; 2 for MSET (key value pairs).
     */
    public int keyStep() {
        return keys.keyStep();
    }

    /**
     * True when this invocation may hold its connection waiting: BLPOP and its kind always, WAIT,
     * XREAD and XREADGROUP only with a BLOCK option.
     */
    public boolean blocks(RespCommand command) {
        return blocking.blocks(command);
    }

    /** True for a container (CLIENT, CONFIG, FUNCTION...): argument 1 names its subcommand. */
    public boolean isContainer() {
        return subcommands != null;
    }

    /** What COMMAND INFO says of this command (Redis' metadata), and whether COMMAND lists it. */
    CommandDescription description() {
        return description;
    }

    /** KEY locator, for COMMAND GETKEYSANDFLAGS. */
    KeyLocator keyLocator() {
        return keys;
    }

    /** Subcommands by their name after the '|', or null for a command that is not a container. */
    NameIndex subcommands() {
        return subcommands;
    }

    @Override
    public String toString() {
        return name + " arity=" + arity + " routing=" + routing + " keys=" + keys;
    }
}
