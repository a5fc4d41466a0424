package io.shardis.proxy.command;

import java.util.Locale;

/**
 * How the replies of a command sent to several servers become the one reply its client expects.
 * Named in {@code routing.tsv} ({@code merge=sum}); Redis' response-policy tips say the same for
 * most commands (AGG_SUM, ALL_SUCCEEDED, AGG_LOGICAL_AND…).
 */
public enum ReplyMerge {
    /** MGET: one array, elements in the order of the client's keys. */
    KEY_ORDER,
    /** Integers added up: DEL, EXISTS, UNLINK, TOUCH, DBSIZE. */
    SUM,
    /** Every server must answer the same (+OK, a SHA, a library name); that answer, else an error. */
    SAME,
    /** Arrays concatenated: KEYS. */
    CONCAT,
    /** Arrays of 0/1 combined element by element with AND: SCRIPT EXISTS. */
    AND,
    /** The first reply that is not nil, nil when all are: RANDOMKEY. */
    ANY_NON_NIL,
    /** +OK when any server answered +OK (the one running a script), else the first error: SCRIPT KILL. */
    ANY_OK,
    /** The first server's reply: FUNCTION LIST, SLOWLOG GET, reports. */
    FIRST,
    /** INFO: the first server's text as a standalone Redis' (cluster_enabled:0), keyspace summed ({@code merge.InfoMerge}). */
    INFO,
    /** Not a broadcast: one server at a time behind a cursor that names the server (SCAN). */
    SCAN,
    /** COMMAND DOCS: one server's documentation, without the commands and subcommands Shardis does not accept. */
    DOCS;

    /** The value of a {@code merge=} option: {@code sum}, {@code key-order}, {@code any-non-nil}… */
    public static ReplyMerge named(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
