package io.shardis.proxy.metrics;

/**
 * Writes a {@link StatsSnapshot} as the JSON document nutcracker 0.5.0 serves on its stats port,
 * byte for byte as nutcracker lays it out, so that scripts which read it as text keep working too:
 *
 * <pre>{@code
 * {"service":"shardis", "source":"host", "version":"0.1.0", "uptime":5, "timestamp":1796085403,
 *  "total_connections":19, "curr_connections":6, "beta": {"client_eof":6, ..., "fragments":0,
 *  "127.0.0.1:6379": {"server_eof":0, ..., "out_queue_bytes":0}},"alpha": {...}}\n
 * }</pre>
 *
 * (one line in reality). The process' figures come first, then one object per pool keyed by its
 * name, holding the pool's counters and then one object per server keyed by the server's name.
 * Values are JSON numbers, except {@code service}, {@code source} and {@code version}, which are
 * strings. nutcracker separates members with {@code ", "} after a value and with {@code ","} after
 * an object, puts {@code ": "} before an object and {@code ":"} before a value, and ends the
 * document with a newline; so does this.
 *
 * <p>nutcracker writes names as they are; here they are escaped as JSON requires, which changes
 * nothing for names without quotes, backslashes or control characters.
 */
public final class TwemproxyStatsDocument {

    private final StringBuilder out = new StringBuilder(4096);
    /** Whether the last thing written closed an object: nutcracker then separates with "," alone. */
    private boolean afterObject;

    private boolean first = true;

    private TwemproxyStatsDocument() {}

    public static String render(StatsSnapshot snapshot) {
        TwemproxyStatsDocument document = new TwemproxyStatsDocument();
        document.write(snapshot);
        return document.out.toString();
    }

    private void write(StatsSnapshot snapshot) {
        out.append('{');
        string("service", snapshot.service());
        string("source", snapshot.source());
        string("version", snapshot.version());
        number("uptime", snapshot.uptimeSeconds());
        number("timestamp", snapshot.timestampSeconds());
        number("total_connections", snapshot.totalConnections());
        number("curr_connections", snapshot.currConnections());
        for (StatsSnapshot.Pool pool : snapshot.pools()) {
            beginObject(pool.name());
            for (PoolStat stat : PoolStat.values()) {
                number(stat.key(), pool.value(stat));
            }
            for (StatsSnapshot.Server server : pool.servers()) {
                beginObject(server.name());
                for (ServerStat stat : ServerStat.values()) {
                    number(stat.key(), server.value(stat));
                }
                endObject();
            }
            endObject();
        }
        out.append("}\n");
    }

    private void string(String key, String value) {
        key(key);
        out.append(':');
        quoted(value);
        afterObject = false;
    }

    private void number(String key, long value) {
        key(key);
        out.append(':').append(value);
        afterObject = false;
    }

    private void beginObject(String key) {
        key(key);
        out.append(": {");
        first = true;
    }

    private void endObject() {
        out.append('}');
        afterObject = true;
        first = false;
    }

    private void key(String key) {
        if (!first) {
            out.append(afterObject ? "," : ", ");
        }
        first = false;
        quoted(key);
    }

    private void quoted(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
