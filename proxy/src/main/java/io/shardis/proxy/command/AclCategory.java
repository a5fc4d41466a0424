package io.shardis.proxy.command;

import java.util.Locale;

/**
 * Redis 7's ACL command categories, as {@code ACL CAT} lists them and {@code COMMAND INFO} reports
 * them for each command ({@code commands.tsv}'s {@code acl_categories} column). A category the
 * table names that is not here stops the table from loading.
 */
public enum AclCategory {
    KEYSPACE,
    READ,
    WRITE,
    SET,
    SORTEDSET,
    LIST,
    HASH,
    STRING,
    BITMAP,
    HYPERLOGLOG,
    GEO,
    STREAM,
    PUBSUB,
    ADMIN,
    FAST,
    SLOW,
    BLOCKING,
    DANGEROUS,
    CONNECTION,
    TRANSACTION,
    SCRIPTING;

    /** The category named as Redis names it, with or without its '@' ({@code @read}, {@code read}); null if none. */
    public static AclCategory named(String name) {
        String bare = name.startsWith("@") ? name.substring(1) : name;
        for (AclCategory category : values()) {
            if (category.name().toLowerCase(Locale.ROOT).equals(bare)) {
                return category;
            }
        }
        return null;
    }

    /** {@code @read}. */
    public String redisName() {
        return "@" + name().toLowerCase(Locale.ROOT);
    }

    long bit() {
        return 1L << ordinal();
    }
}
