package io.shardis.proxy.command;

import java.util.Locale;

/**
 * What kind of command a client sent, as the {@code command_group} label of
 * {@code shardis_commands_total} and {@code shardis_requests_total}. Each command of the table has
 * one group, decided from its Redis flags and Shardis' routing (see {@code CommandSpec#group}).
 */
public enum CommandGroup {
    /** Reads data (Redis flags it {@code readonly}). */
    READ,
    /** Writes data (Redis flags it {@code write}). */
    WRITE,
    /** May wait for data: BLPOP, XREAD BLOCK, WAIT... */
    BLOCKING,
    /** Pub/Sub: SUBSCRIBE, PUBLISH, PUBSUB... and what a subscribed connection sends. */
    PUBSUB,
    /** MULTI, EXEC, DISCARD, WATCH, UNWATCH. */
    TRANSACTION,
    /** Administrative and dataset-wide: forwarded only with {@code allow_admin}. */
    ADMIN,
    /** Answered by Shardis itself: PING, ECHO, SELECT, HELLO, CLIENT SETNAME... */
    CONNECTION,
    /** Scripts and functions that may read or write (EVAL, FCALL), unknown commands, the rest. */
    OTHER,
    /** Shardis' own requests to a backend: AUTH, SELECT, ROLE, READONLY, ASKING, health checks. */
    PROXY;

    private static final CommandGroup[] ALL = values();

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The label value: the name in lower case. */
    public String label() {
        return label;
    }

    public static CommandGroup[] all() {
        return ALL;
    }
}
