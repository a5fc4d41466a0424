package io.shardis.it.support;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ${port.NAME}} placeholders of a configuration template (and command-line arguments):
 * each distinct name gets a free port, and {@link Template} fills them in with the other values.
 */
public final class PortPlaceholders {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{port\\.([A-Za-z0-9_-]+)}");

    private PortPlaceholders() {}

    /** A free port for each distinct placeholder name in {@code texts}, in order of first appearance. */
    public static Map<String, Integer> allocate(String... texts) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String text : texts) {
            Matcher matcher = PLACEHOLDER.matcher(text);
            while (matcher.find()) {
                ports.computeIfAbsent(matcher.group(1), name -> FreePorts.next());
            }
        }
        return ports;
    }

    /** {@code values} plus {@code port.NAME} for each allocated port, for {@link Template#render}. */
    public static Map<String, Object> withPorts(Map<String, ?> values, Map<String, Integer> ports) {
        Map<String, Object> all = new HashMap<>(values);
        ports.forEach((name, port) -> all.put("port." + name, port));
        return all;
    }

    /** The port placeholder {@code name} got; the error lists the names there are. */
    public static int lookup(Map<String, Integer> ports, String name) {
        Integer port = ports.get(name);
        if (port == null) {
            throw new IllegalArgumentException("no ${port." + name + "} in the configuration; have " + ports.keySet());
        }
        return port;
    }
}
