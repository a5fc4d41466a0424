package io.shardis.proxy.metrics;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the Twemproxy stats document says, read at one moment: the process' figures, then every pool
 * with its servers, in the order the document lists them.
 *
 * @param uptimeSeconds    seconds since Shardis started
 * @param timestampSeconds when the snapshot was taken, in seconds since the epoch
 * @param totalConnections connections opened since start: pool listeners, clients, backends
 * @param currConnections  of those, the ones open now
 */
public record StatsSnapshot(
        String service,
        String source,
        String version,
        long uptimeSeconds,
        long timestampSeconds,
        long totalConnections,
        long currConnections,
        List<Pool> pools) {

    public StatsSnapshot {
        pools = List.copyOf(pools);
    }

    public Pool pool(String name) {
        for (Pool pool : pools) {
            if (pool.name().equals(name)) {
                return pool;
            }
        }
        throw new IllegalArgumentException("no pool named '" + name + "' in the snapshot");
    }

    /** A pool's counters, one value for every {@link PoolStat}, and its servers. */
    public record Pool(String name, Map<PoolStat, Long> values, List<Server> servers) {

        public Pool {
            values = complete(values, PoolStat.class, PoolStat.values().length, name);
            servers = List.copyOf(servers);
        }

        public long value(PoolStat stat) {
            return values.get(stat);
        }

        public Server server(String name) {
            for (Server server : servers) {
                if (server.name().equals(name)) {
                    return server;
                }
            }
            throw new IllegalArgumentException("no server named '" + name + "' in pool '" + this.name + "'");
        }
    }

    /** A backend server's counters, one value for every {@link ServerStat}. */
    public record Server(String name, Map<ServerStat, Long> values) {

        public Server {
            values = complete(values, ServerStat.class, ServerStat.values().length, name);
        }

        public long value(ServerStat stat) {
            return values.get(stat);
        }
    }

    private static <K extends Enum<K>> Map<K, Long> complete(
            Map<K, Long> values, Class<K> type, int size, String owner) {
        EnumMap<K, Long> copy = new EnumMap<>(type);
        copy.putAll(values);
        if (copy.size() != size || copy.containsValue(null)) {
            throw new IllegalArgumentException(
                    "'" + owner + "' needs a value for every " + type.getSimpleName() + ", got " + values.keySet());
        }
        return Collections.unmodifiableMap(copy);
    }
}
