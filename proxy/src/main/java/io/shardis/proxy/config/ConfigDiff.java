package io.shardis.proxy.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What differs between two versions of a pool, key by key, for the log of a reload: walks the
 * configuration records through their components (nested records by path, {@code tls.backend.caFile}),
 * lists added and removed elements of lists ({@code servers: +10.0.0.3:6379:1}) and never shows
 * the value of a secret (passwords, users' rules): only that it changed.
 */
public final class ConfigDiff {

    private ConfigDiff() {}

    /** One line per setting that differs, as {@code key: before -> after}; empty when equal. */
    public static List<String> of(Record before, Record after) {
        List<String> lines = new ArrayList<>();
        walk("", before, after, lines);
        return lines;
    }

    /** The names of the top-level settings that differ. */
    public static List<String> keys(Record before, Record after) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent component : before.getClass().getRecordComponents()) {
            if (!Objects.equals(value(component, before), value(component, after))) {
                keys.add(component.getName());
            }
        }
        return keys;
    }

    private static void walk(String prefix, Record before, Record after, List<String> lines) {
        for (RecordComponent component : before.getClass().getRecordComponents()) {
            Object a = value(component, before);
            Object b = value(component, after);
            if (Objects.equals(a, b)) {
                continue;
            }
            String key = prefix + component.getName();
            if (a instanceof Record ra && b instanceof Record rb && ra.getClass() == rb.getClass()) {
                walk(key + ".", ra, rb, lines);
            } else if (isSecret(component.getName())) {
                lines.add(key + ": " + (a == null ? "set" : b == null ? "removed" : "changed") + " (value hidden)");
            } else if (a instanceof Collection<?> ca && b instanceof Collection<?> cb) {
                lines.add(key + ": " + elements(ca, cb));
            } else {
                lines.add(key + ": " + show(a) + " -> " + show(b));
            }
        }
    }

    /** {@code +added, -removed} by equality; the order alone changing is said so. */
    private static String elements(Collection<?> before, Collection<?> after) {
        List<String> parts = new ArrayList<>();
        for (Object element : after) {
            if (!before.contains(element)) {
                parts.add("+" + show(element));
            }
        }
        for (Object element : before) {
            if (!after.contains(element)) {
                parts.add("-" + show(element));
            }
        }
        return parts.isEmpty() ? "reordered" : String.join(", ", parts);
    }

    private static String show(Object value) {
        if (value == null) {
            return "none";
        }
        if (value instanceof ServerConfig server) {
            return server.address() + ":" + server.weight() + (server.name() == null ? "" : " " + server.name());
        }
        if (value instanceof Map<?, ?> map) {
            return map.keySet().toString();
        }
        return value.toString();
    }

    /** Settings whose value may carry a secret: passwords, and users (their rules hold passwords). */
    static boolean isSecret(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.contains("auth") && !lower.contains("client")
                || lower.contains("password")
                || lower.contains("secret")
                || lower.equals("users");
    }

    private static Object value(RecordComponent component, Record record) {
        try {
            component.getAccessor().setAccessible(true);
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + component.getName() + " of " + record.getClass(), e);
        }
    }
}
