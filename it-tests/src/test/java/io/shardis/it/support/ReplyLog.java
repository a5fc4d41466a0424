package io.shardis.it.support;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What a sequence of client calls returned, in a comparable form: the same scenario run straight
 * against Redis and through Shardis must leave equal logs. Byte arrays become text, sets and maps
 * are sorted (clients put them in hash containers), other client types are compared by their text.
 */
public final class ReplyLog {

    private final List<String> entries = new ArrayList<>();

    /** Records what {@code call} returned, or the error message it raised (e.g. WRONGTYPE). */
    public ReplyLog call(String label, Supplier<?> call) {
        Object reply;
        try {
            reply = call.get();
        } catch (RuntimeException e) {
            entries.add(label + " -> error " + e.getMessage());
            return this;
        }
        entries.add(label + " -> " + normalize(reply));
        return this;
    }

    /** Records a value already obtained. */
    public ReplyLog add(String label, Object reply) {
        entries.add(label + " -> " + normalize(reply));
        return this;
    }

    public List<String> entries() {
        return List.copyOf(entries);
    }

    @Override
    public String toString() {
        return String.join("\n", entries);
    }

    static String normalize(Object reply) {
        if (reply == null) {
            return "(nil)";
        }
        if (reply instanceof byte[] bytes) {
            return "\"" + new String(bytes, StandardCharsets.ISO_8859_1) + "\"";
        }
        if (reply instanceof String text) {
            return "\"" + text + "\"";
        }
        if (reply instanceof Map<?, ?> map) {
            Map<String, String> sorted = new TreeMap<>();
            map.forEach((key, value) -> sorted.put(normalize(key), normalize(value)));
            return sorted.toString();
        }
        if (reply instanceof Set<?> set) {
            return set.stream().map(ReplyLog::normalize).sorted().toList().toString();
        }
        if (reply instanceof Collection<?> list) {
            return list.stream().map(ReplyLog::normalize).toList().toString();
        }
        if (reply instanceof Map.Entry<?, ?> entry) {
            return normalize(entry.getKey()) + "=" + normalize(entry.getValue());
        }
        String text = reply.toString();
        if (text.equals(reply.getClass().getName() + "@" + Integer.toHexString(reply.hashCode()))) {
            throw new IllegalArgumentException(
                    reply.getClass().getName() + " has no toString to compare by;" + " record its fields instead");
        }
        return reply.getClass().getSimpleName() + ":" + text;
    }
}
