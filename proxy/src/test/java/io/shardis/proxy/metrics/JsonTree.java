package io.shardis.proxy.metrics;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses a stats document with Gson in strict mode into nested maps that keep the members' order:
 * objects become {@code LinkedHashMap<String, Object>}, strings {@code String}, numbers {@code Long}
 * (anything else, a duplicate key or trailing bytes fail the parse).
 */
final class JsonTree {

    private JsonTree() {}

    static Map<String, Object> parse(String json) {
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            Map<String, Object> root = object(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("trailing data after the document at " + reader.getPath());
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("not strict JSON: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("'" + key + "' is not an object: " + value);
        }
        return (Map<String, Object>) value;
    }

    private static Map<String, Object> object(JsonReader reader) throws IOException {
        Map<String, Object> members = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            Object value = switch (reader.peek()) {
                case BEGIN_OBJECT -> object(reader);
                case STRING -> reader.nextString();
                case NUMBER -> reader.nextLong();
                default ->
                    throw new IllegalArgumentException("unexpected " + reader.peek() + " at " + reader.getPath());
            };
            if (members.put(key, value) != null) {
                throw new IllegalArgumentException("duplicate key '" + key + "' at " + reader.getPath());
            }
        }
        reader.endObject();
        return members;
    }
}
