package io.shardis.proxy.metrics;

import io.shardis.proxy.config.ShardisConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/**
 * The stats document of a real nutcracker 0.5.0 and the configuration it ran (test resources
 * {@code nutcracker-0.5.0-stats.json} and {@code .yml}; the .yml says how it was captured).
 */
final class NutcrackerCapture {

    private NutcrackerCapture() {}

    /** The document, exactly as nutcracker sent it. */
    static String document() {
        return resource("nutcracker-0.5.0-stats.json");
    }

    /** The pools and servers of the configuration nutcracker ran, in the file's order. */
    @SuppressWarnings("unchecked")
    static ShardisConfig config() {
        Map<String, Map<String, Object>> pools = new Yaml().load(resource("nutcracker-0.5.0-stats.yml"));
        Map<String, List<String>> serversByPool = new LinkedHashMap<>();
        pools.forEach((name, keys) -> serversByPool.put(name, (List<String>) keys.get("servers")));
        return TestConfigs.pools(serversByPool);
    }

    /** The document read back into a snapshot: every value as nutcracker wrote it. */
    static StatsSnapshot snapshot() {
        Map<String, Object> root = JsonTree.parse(document());
        List<StatsSnapshot.Pool> pools = new ArrayList<>();
        for (Map.Entry<String, Object> member : root.entrySet()) {
            if (member.getValue() instanceof Map) {
                pools.add(pool(member.getKey(), JsonTree.object(root, member.getKey())));
            }
        }
        return new StatsSnapshot(
                (String) root.get("service"),
                (String) root.get("source"),
                (String) root.get("version"),
                (Long) root.get("uptime"),
                (Long) root.get("timestamp"),
                (Long) root.get("total_connections"),
                (Long) root.get("curr_connections"),
                pools);
    }

    private static StatsSnapshot.Pool pool(String name, Map<String, Object> members) {
        Map<PoolStat, Long> values = new EnumMap<>(PoolStat.class);
        List<StatsSnapshot.Server> servers = new ArrayList<>();
        for (Map.Entry<String, Object> member : members.entrySet()) {
            if (member.getValue() instanceof Map) {
                servers.add(server(member.getKey(), JsonTree.object(members, member.getKey())));
            } else {
                values.put(PoolStat.valueOf(member.getKey().toUpperCase()), (Long) member.getValue());
            }
        }
        return new StatsSnapshot.Pool(name, values, servers);
    }

    private static StatsSnapshot.Server server(String name, Map<String, Object> members) {
        Map<ServerStat, Long> values = new EnumMap<>(ServerStat.class);
        members.forEach((key, value) -> values.put(ServerStat.valueOf(key.toUpperCase()), (Long) value));
        return new StatsSnapshot.Server(name, values);
    }

    private static String resource(String name) {
        try (InputStream in = NutcrackerCapture.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
