package io.shardis.proxy.command;

/**
 * Command flags as Redis 7 reports them in {@code COMMAND INFO} (lower-cased there, e.g.
 * {@code no_auth}), plus {@link #DANGEROUS} and {@link #REPLICA_READABLE}, which are Shardis' own.
 */
public enum CommandFlag {
    WRITE,
    READONLY,
    DENYOOM,
    MODULE,
    ADMIN,
    PUBSUB,
    NOSCRIPT,
    BLOCKING,
    LOADING,
    STALE,
    SKIP_MONITOR,
    SKIP_SLOWLOG,
    ASKING,
    FAST,
    NO_AUTH,
    /** Reported by Redis 6 only; Redis 7 reports none. */
    MAY_REPLICATE,
    /**
     * Redis 6's {@code sort_for_script}; Redis 7 replaced the flag by the
     * {@code nondeterministic_output_order} tip, which sets this flag.
     */
    SORT_FOR_SCRIPT,
    NO_MANDATORY_KEYS,
    PROTECTED,
    ALLOW_BUSY,
    MOVABLE_KEYS,
    NO_MULTI,
    NO_ASYNC_LOADING,
    /**
     * Shardis' own: an administrative or dataset-wide command that is forwarded only when the pool
     * allows admin commands. Every command Redis flags {@code admin} carries it, and so do the
     * commands {@code routing.tsv} marks (FLUSHALL, SCRIPT KILL, MEMORY DOCTOR...).
     */
    DANGEROUS,
    /**
     * Shardis' own: a command a cluster pool may send to a replica when its {@code read_from} says
     * so. Every command Redis flags {@code readonly} carries it (EVAL and FCALL do not: scripts may
     * write; their {@code _ro} forms do), except those {@code routing.tsv} marks {@code MASTER_ONLY}
     * because what they read or touch is the node's own bookkeeping of a key (TOUCH, OBJECT FREQ).
     */
    REPLICA_READABLE;

    /** The flag named as {@code COMMAND INFO} names it ({@code no_auth}, {@code movablekeys}). */
    static CommandFlag fromRedisName(String name) {
        return switch (name) {
            case "movablekeys" -> MOVABLE_KEYS;
            case "skip_monitor" -> SKIP_MONITOR;
            default -> valueOf(name.toUpperCase(java.util.Locale.ROOT));
        };
    }
}
