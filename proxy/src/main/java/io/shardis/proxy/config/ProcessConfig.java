package io.shardis.proxy.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.configuration2.tree.ImmutableNode;

/**
 * The process' own settings: the {@code shardis:} block at the top of the configuration file,
 * which is not a pool. Absent, every setting has its default.
 *
 * @param http  where the HTTP listener ({@code /metrics}, {@code /health}, {@code /ready},
 *              {@code /pools}) listens; null when it is off ({@code http: off} or {@code 0})
 * @param admin whether the HTTP listener takes changes: {@code POST /reload}, ejecting and restoring servers
 * @param jmx   whether the metrics are published as JMX MBeans ({@code metrics:name=shardis.*})
 * @param drainGraceMillis on SIGTERM, how long {@code /ready} answers 503 while the pools still take
 *              clients, before the listeners close: load balancers stop sending first
 * @param transport the sockets' I/O: {@code auto} (io_uring where the kernel allows it, else epoll,
 *              else Java NIO), {@code io_uring}, {@code epoll} or {@code nio}; read at start only
 * @param watchMillis how often the configuration file is checked for a change that reloads it
 *              ({@code watch}), as a Kubernetes ConfigMap or a deployment tool rewrites it; 0 (the
 *              default) for never: reloads come from SIGHUP and {@code POST /reload} only; read at start only
 */
public record ProcessConfig(
        HostPort http, boolean admin, boolean jmx, int drainGraceMillis, String transport, int watchMillis) {

    /** With the file not watched. */
    public ProcessConfig(HostPort http, boolean admin, boolean jmx, int drainGraceMillis, String transport) {
        this(http, admin, jmx, drainGraceMillis, transport, 0);
    }

    /** What {@code transport} may say; the first is the default. */
    public static final java.util.List<String> TRANSPORTS = java.util.List.of("auto", "io_uring", "epoll", "nio");

    /** With the default transport. */
    public ProcessConfig(HostPort http, boolean admin, boolean jmx, int drainGraceMillis) {
        this(http, admin, jmx, drainGraceMillis, TRANSPORTS.get(0));
    }

    /** Covers a few health checks of a load balancer or a Kubernetes readiness probe. */
    public static final int DEFAULT_DRAIN_GRACE_MILLIS = 5_000;

    /** With the default drain grace. */
    public ProcessConfig(HostPort http, boolean admin, boolean jmx) {
        this(http, admin, jmx, DEFAULT_DRAIN_GRACE_MILLIS);
    }

    /** The name of the block; no pool may take it. */
    public static final String BLOCK = "shardis";

    /** The HTTP listener's address when nothing says otherwise. */
    public static final HostPort DEFAULT_HTTP = new HostPort("127.0.0.1", 22223);

    public static final ProcessConfig DEFAULTS = new ProcessConfig(DEFAULT_HTTP, false, false);

    private static final Set<String> KEYS = Set.of("http", "admin", "jmx", "drain_grace", "transport", "watch");

    /** The same settings with the HTTP listener at {@code http} (null: off), as {@code --http} says. */
    public ProcessConfig withHttp(HostPort http) {
        return new ProcessConfig(http, admin, jmx, drainGraceMillis, transport, watchMillis);
    }

    /** The same settings with the transport {@code transport}, as {@code --transport} says. */
    public ProcessConfig withTransport(String transport) {
        return new ProcessConfig(http, admin, jmx, drainGraceMillis, transport, watchMillis);
    }

    /** {@code text} as one of {@link #TRANSPORTS} (case and {@code io-uring} allowed), or null when it is none. */
    public static String parseTransport(String text) {
        String value = text.strip().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        return TRANSPORTS.contains(value) ? value : null;
    }

    /**
     * {@code host:port}, or {@code 0}/{@code off}/{@code false} for no listener; null when malformed.
     * Returns {@link Optional}-like: the wrapped address, or a holder of null for "off".
     */
    public static HttpSetting parseHttp(String text) {
        String value = text.strip();
        if (value.equals("0") || value.equalsIgnoreCase("off") || value.equalsIgnoreCase("false")) {
            return new HttpSetting(null);
        }
        HostPort address = HostPort.parse(value);
        return address == null ? null : new HttpSetting(address);
    }

    /** A parsed {@code http} value: an address, or null for off. */
    public record HttpSetting(HostPort address) {}

    static ProcessConfig read(ImmutableNode node, String source) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        for (ImmutableNode child : node.getChildren()) {
            String key = child.getNodeName();
            if (!KEYS.contains(key)) {
                throw new ConfigException(
                        source + ": '" + BLOCK + "': key '" + key + "': unknown key; the keys of the '"
                                + BLOCK + "' block are " + new java.util.TreeSet<>(KEYS)
                                + " (a pool cannot be named '" + BLOCK + "')");
            }
            if (!child.getChildren().isEmpty() || child.getValue() instanceof List) {
                throw new ConfigException(source + ": '" + BLOCK + "': key '" + key + "': expected a single value");
            }
            values.put(key, child.getValue() == null ? "" : String.valueOf(child.getValue()));
        }
        HostPort http = DEFAULT_HTTP;
        if (values.containsKey("http")) {
            HttpSetting setting = parseHttp(values.get("http"));
            if (setting == null) {
                throw new ConfigException(source + ": '" + BLOCK + "': key 'http': expected host:port, or off, got '"
                        + values.get("http") + "'");
            }
            http = setting.address();
        }
        int drainGrace = DEFAULT_DRAIN_GRACE_MILLIS;
        if (values.containsKey("drain_grace")) {
            try {
                drainGrace = Integer.parseInt(values.get("drain_grace").strip());
            } catch (NumberFormatException e) {
                drainGrace = -1;
            }
            if (drainGrace < 0 || drainGrace > 3_600_000) {
                throw new ConfigException(source + ": '" + BLOCK + "': key 'drain_grace': expected milliseconds"
                        + " from 0 to 3600000, got '" + values.get("drain_grace") + "'");
            }
        }
        String transport = TRANSPORTS.get(0);
        if (values.containsKey("transport")) {
            transport = parseTransport(values.get("transport"));
            if (transport == null) {
                throw new ConfigException(source + ": '" + BLOCK + "': key 'transport': expected one of " + TRANSPORTS
                        + ", got '" + values.get("transport") + "'");
            }
        }
        int watch = 0;
        if (values.containsKey("watch")) {
            try {
                watch = Integer.parseInt(values.get("watch").strip());
            } catch (NumberFormatException e) {
                watch = -1;
            }
            if (watch != 0 && (watch < 100 || watch > 3_600_000)) {
                throw new ConfigException(source + ": '" + BLOCK + "': key 'watch': expected milliseconds"
                        + " from 100 to 3600000, or 0 for never, got '" + values.get("watch") + "'");
            }
        }
        return new ProcessConfig(
                http, bool(values, "admin", source), bool(values, "jmx", source), drainGrace, transport, watch);
    }

    private static boolean bool(Map<String, String> values, String key, String source) throws ConfigException {
        String value = values.get(key);
        if (value == null) {
            return false;
        }
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default ->
                throw new ConfigException(
                        source + ": '" + BLOCK + "': key '" + key + "': expected true or false, got '" + value + "'");
        };
    }
}
