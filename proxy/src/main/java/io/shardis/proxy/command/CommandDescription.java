package io.shardis.proxy.command;

import java.util.List;

/**
 * Redis' own description of a command, as {@code COMMAND INFO} gives it (the columns of
 * {@code commands.tsv} in Redis' order), and whether Shardis lists the command in its
 * {@code COMMAND} replies ({@code keySpecNotes}: one per key spec, empty for none, or no notes at all): it does for every command it accepts, not for those it refuses nor for
 * the DEBUG subcommands it tells apart for routing alone ({@code UNLISTED} in routing.tsv).
 */
record CommandDescription(
        List<String> flags,
        int firstKey,
        int lastKey,
        int step,
        List<KeySpec> keySpecs,
        List<String> keySpecNotes,
        List<String> aclCategories,
        List<String> tips,
        boolean listed) {}
