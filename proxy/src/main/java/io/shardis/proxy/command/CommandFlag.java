package io.shardis.proxy.command;

import java.util.Locale;

/**
 * Command flags as Redis 7 reports them in {@code COMMAND INFO} (lower-cased there, e.g.
 * {@code no_auth}), plus Shardis' own: {@link #DANGEROUS}, {@link #REPLICA_READABLE} and the flags {@code routing.tsv}
 * names as options ({@link #COUNTS_REPLICAS}, {@link #CLOSES_CLIENT}, {@link #SHARD_CHANNELS}).
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
    REPLICA_READABLE,
    /**
     * Shardis' own, from {@code routing.tsv}: the command counts the replicas that have the writes
     * of the connection it runs on (WAIT, WAITAOF). It needs a pool of one server, and runs on the
     * client's own connection after a write that covers the client's earlier ones.
     */
    COUNTS_REPLICAS,
    /**
     * Shardis' own, from {@code routing.tsv}: the command ends the client's connection (QUIT), so
     * Shardis answers it itself, subscriptions or not.
     */
    CLOSES_CLIENT,
    /**
     * Shardis' own, from {@code routing.tsv}: the command subscribes to sharded channels
     * (SSUBSCRIBE), which live on the server of their channel's slot, not on the connection's.
     */
    SHARD_CHANNELS;

    /** The flag named as {@code COMMAND INFO} names it ({@code no_auth}, {@code movablekeys}). */
    static CommandFlag fromRedisName(String name) {
        return switch (name) {
            case "movablekeys" -> MOVABLE_KEYS;
            case "skip_monitor" -> SKIP_MONITOR;
            default -> valueOf(name.toUpperCase(Locale.ROOT));
        };
    }
}
