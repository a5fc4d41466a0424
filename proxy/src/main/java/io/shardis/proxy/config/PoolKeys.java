package io.shardis.proxy.config;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * The values of one pool's keys as the file writes them: strings, choices, booleans, integers and
 * sizes in their ranges, a reply limit ({@link PoolDefaults}), each error naming the file, the pool and the key.
 * {@link PoolReader} and {@link TlsConfigReader} read through it.
 */
class PoolKeys {
    protected final String source;
    protected final String pool;
    protected final ImmutableNode node;
    protected final HierarchicalConfiguration<ImmutableNode> config;

    PoolKeys(String source, String pool, ImmutableNode node, HierarchicalConfiguration<ImmutableNode> config) {
        this.source = source;
        this.pool = pool;
        this.node = node;
        this.config = config;
    }

    /** YAML's and nutcracker's spellings of a boolean (true/yes/on, false/no/off), or null for none. */
    static Boolean booleanValue(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> Boolean.TRUE;
            case "false", "no", "off" -> Boolean.FALSE;
            default -> null;
        };
    }

    boolean has(String key) {
        return node.getChildren().stream().anyMatch(child -> child.getNodeName().equals(key));
    }

    String string(String key, String fallback) throws ConfigException {
        Object value = config.getProperty(key);
        return value == null ? fallback : resolved(key, value.toString());
    }

    /** {@code value} with {@code ${env:NAME}} and {@code ${file:PATH}} taken from outside the file. */
    String resolved(String key, String value) throws ConfigException {
        try {
            return Interpolation.resolve(value);
        } catch (Interpolation.Failure e) {
            throw error(key, e.getMessage());
        }
    }

    String choice(String key, Set<String> allowed, String fallback) throws ConfigException {
        String value = string(key, fallback).toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw error(key, "expected one of " + new TreeSet<>(allowed) + ", got '" + value + "'");
        }
        return value;
    }

    boolean bool(String key, boolean fallback) throws ConfigException {
        String value = string(key, null);
        if (value == null) {
            return fallback;
        }
        Boolean parsed = booleanValue(value);
        if (parsed == null) {
            throw error(key, "expected true or false, got '" + value + "'");
        }
        return parsed;
    }

    int integer(PoolDefaults.IntKey entry) throws ConfigException {
        String key = entry.key();
        String value = string(key, null);
        if (value == null) {
            return entry.fallback();
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < entry.min() || parsed > entry.max()) {
                throw error(key, "expected an integer in " + entry.min() + ".." + entry.max() + ", got " + parsed);
            }
            return (int) parsed;
        } catch (NumberFormatException e) {
            throw error(key, "expected an integer, got '" + value + "'");
        }
    }

    /**
     * {@code max_client_reply_bytes}: "HARD [SOFT [SECONDS]]" as Redis' client-output-buffer-limit
     * writes it; SOFT defaults to a quarter of HARD, SECONDS to 60; "0" turns the limit off.
     */
    ClientReplyLimit clientReplyLimit() throws ConfigException {
        String key = "max_client_reply_bytes";
        String value = string(key, null);
        if (value == null) {
            return ClientReplyLimit.DEFAULT;
        }
        String[] words = value.trim().split("\\s+");
        if (words.length > 3 || words[0].isEmpty()) {
            throw error(key, "expected 'HARD [SOFT [SECONDS]]' such as '32m 8m 60', got '" + value + "'");
        }
        if (words.length == 1 && words[0].equals("0")) {
            return ClientReplyLimit.NONE;
        }
        long hard = sizeValue(key, words[0]);
        long soft = words.length > 1 ? sizeValue(key, words[1]) : hard / 4;
        int seconds = 60;
        if (words.length > 2) {
            try {
                seconds = Integer.parseInt(words[2]);
            } catch (NumberFormatException e) {
                seconds = -1;
            }
            if (seconds < 0) {
                throw error(key, "expected the soft limit's seconds as a whole number >= 0, got '" + words[2] + "'");
            }
        }
        if (soft > hard) {
            throw error(key, "the soft limit (" + words[1] + ") is above the hard limit (" + words[0] + ")");
        }
        return new ClientReplyLimit(hard, soft, seconds);
    }

    /** A byte count: a plain integer or one with a k/m/g suffix (powers of 1024). */
    long size(PoolDefaults.SizeKey entry) throws ConfigException {
        String value = string(entry.key(), null);
        if (value == null) {
            return entry.fallback();
        }
        return sizeValue(entry.key(), value);
    }

    long sizeValue(String key, String value) throws ConfigException {
        String text = value.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (text.endsWith("k")) {
            unit = 1L << 10;
        } else if (text.endsWith("m")) {
            unit = 1L << 20;
        } else if (text.endsWith("g")) {
            unit = 1L << 30;
        }
        if (unit > 1) {
            text = text.substring(0, text.length() - 1).trim();
        }
        try {
            long bytes = Long.parseLong(text) * unit;
            if (bytes < 1024 || bytes > Integer.MAX_VALUE - 1024) {
                throw error(key, "expected a size between 1k and 2g, got '" + value + "'");
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw error(key, "expected a size such as 512m, got '" + value + "'");
        }
    }

    ConfigException error(String key, String problem) {
        return new ConfigException(source + ": pool '" + pool + "': key '" + key + "': " + problem);
    }
}
