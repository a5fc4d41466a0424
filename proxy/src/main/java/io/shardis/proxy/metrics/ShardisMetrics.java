package io.shardis.proxy.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ServerConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.topology.shard.NutcrackerOrder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of a running Shardis: nutcracker's stats, per process, per pool ({@link PoolMetrics})
 * and per backend server ({@link ServerMetrics}), kept in one Dropwizard {@link MetricRegistry} under
 * {@code shardis.*} names, so that other reporters (JMX, Prometheus) can publish the same figures.
 *
 * <p>Counters are updated by the event loops as things happen and summed when read:
 * {@link #snapshot()} reads them all at once for the stats document.
 *
 * <p>The process figures are nutcracker's: {@code total_connections} counts every connection
 * opened since start and {@code curr_connections} those open now, of every kind: each pool's
 * listening socket, client connections and backend connections (the stats port's own connections
 * are not counted, as in nutcracker).
 */
public final class ShardisMetrics {

    /** The {@code service} of the stats document. nutcracker says "nutcracker"; no known reader checks it. */
    public static final String SERVICE = "shardis";

    private final MetricRegistry registry = new MetricRegistry();
    /** What {@code /metrics} serves: the registry above, the latency histograms and the JVM's metrics. */
    private final PrometheusRegistry prometheus = new PrometheusRegistry();

    private final LatencyHistograms latency = new LatencyHistograms(prometheus);
    private final Clock clock;
    private final long startedAtSeconds;
    private final String source;
    private final String version;
    private final Counter totalConnections;
    private final Counter currConnections;
    private final Map<String, PoolMetrics> pools = new LinkedHashMap<>();
    /** Configuration reloads by outcome: applied, unchanged, refused, failed. */
    private final Map<String, java.util.concurrent.atomic.LongAdder> reloads =
            new java.util.concurrent.ConcurrentHashMap<>();

    private volatile List<PoolMetrics> poolsInDocumentOrder;

    private ShardisMetrics(ShardisConfig config, String version, String source, Clock clock) {
        this.clock = clock;
        this.startedAtSeconds = clock.millis() / 1000;
        this.source = source;
        this.version = version;
        this.totalConnections = registry.counter(MetricRegistry.name("shardis", "total_connections"));
        this.currConnections = registry.counter(MetricRegistry.name("shardis", "curr_connections"));
        for (PoolConfig pool : config.pools()) {
            pools.put(pool.name(), newPool(pool));
        }
        order();
        prometheus.register(new PrometheusExport(this));
        JvmMetrics.builder().register(prometheus);
    }

    private PoolMetrics newPool(PoolConfig pool) {
        List<String> serverNames = new ArrayList<>();
        for (ServerConfig server : pool.sharding().servers()) {
            serverNames.add(serverName(server));
        }
        return new PoolMetrics(pool.name(), serverNames, this, registry, latency.forPool(pool.name()));
    }

    private void order() {
        List<PoolMetrics> ordered = new ArrayList<>(pools.values());
        ordered.sort((a, b) -> NutcrackerOrder.compare(a.name(), b.name()));
        this.poolsInDocumentOrder = List.copyOf(ordered);
    }

    /**
     * Adds the metrics of a pool that a configuration reload added, all zero; replaces those of a
     * pool of that name (a pool whose servers changed starts its counters anew).
     */
    public synchronized PoolMetrics addPool(PoolConfig pool) {
        if (pools.containsKey(pool.name())) {
            removePool(pool.name());
        }
        PoolMetrics added = newPool(pool);
        Map<String, PoolMetrics> grown = new LinkedHashMap<>(pools);
        grown.put(pool.name(), added);
        pools.clear();
        pools.putAll(grown);
        order();
        return added;
    }

    /**
     * A reload changed pool {@code pool}'s settings in place: its counters go on, its servers become
     * the new configuration's (see {@link PoolMetrics#reconfigure}). Returns the pool's metrics.
     */
    public synchronized PoolMetrics reconfigurePool(PoolConfig pool) {
        List<String> serverNames = new ArrayList<>();
        for (ServerConfig server : pool.sharding().servers()) {
            serverNames.add(serverName(server));
        }
        PoolMetrics metrics = pool(pool.name());
        metrics.reconfigure(serverNames);
        return metrics;
    }

    /** A pool removed by a reload leaves the stats document, the registry and {@code /metrics}. */
    public synchronized void removePool(String name) {
        if (pools.remove(name) == null) {
            return;
        }
        String prefix = MetricRegistry.name("shardis", "pool", name) + ".";
        registry.removeMatching((metricName, metric) -> metricName.startsWith(prefix));
        latency.remove(name);
        order();
    }

    /** A configuration reload ended with {@code outcome}. */
    public void reloaded(String outcome) {
        reloads.computeIfAbsent(outcome, o -> new java.util.concurrent.atomic.LongAdder())
                .increment();
    }

    /** Reloads by outcome, for {@code shardis_config_reloads_total}. */
    Map<String, Long> reloads() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String outcome : new String[] {"applied", "unchanged", "refused", "failed"}) {
            java.util.concurrent.atomic.LongAdder adder = reloads.get(outcome);
            counts.put(outcome, adder == null ? 0 : adder.sum());
        }
        return counts;
    }

    /** The Prometheus registry {@code /metrics} serves. */
    public PrometheusRegistry prometheus() {
        return prometheus;
    }

    /**
     * The metrics of every pool and server of {@code config}, all zero; {@code source} is this
     * machine's host name, as in nutcracker.
     *
     * @throws IllegalArgumentException if two servers of a pool have the same name
     */
    public static ShardisMetrics create(ShardisConfig config, String version) {
        return create(config, version, hostName(), Clock.systemUTC());
    }

    /** Like {@link #create(ShardisConfig, String)} with the given {@code source} and clock. */
    public static ShardisMetrics create(ShardisConfig config, String version, String source, Clock clock) {
        return new ShardisMetrics(config, version, source, clock);
    }

    /** The metrics of pool {@code name}. */
    public synchronized PoolMetrics pool(String name) {
        PoolMetrics pool = pools.get(name);
        if (pool == null) {
            throw new IllegalArgumentException("no pool named '" + name + "'");
        }
        return pool;
    }

    /** Every pool's metrics, in the stats document's order; a copy, safe to read while a reload changes them. */
    public Collection<PoolMetrics> pools() {
        return poolsInDocumentOrder;
    }

    public MetricRegistry registry() {
        return registry;
    }

    /**
     * Reads every counter now. Pools, and the servers of each pool, come in nutcracker's order
     * ({@link NutcrackerOrder}); {@code uptime} and {@code timestamp} are whole seconds.
     */
    public StatsSnapshot snapshot() {
        long now = clock.millis() / 1000;
        List<StatsSnapshot.Pool> snapshots = new ArrayList<>(poolsInDocumentOrder.size());
        for (PoolMetrics pool : poolsInDocumentOrder) {
            snapshots.add(pool.snapshot());
        }
        // Current before total: a connection opened in between then never shows as more open than opened.
        long current = currConnections.getCount();
        long total = totalConnections.getCount();
        return new StatsSnapshot(SERVICE, source, version, now - startedAtSeconds, now, total, current, snapshots);
    }

    /**
     * A server's name in the stats document and in registry names: the name written after its
     * address, else {@code host:port}; on port 11211 only {@code host}, which nutcracker keeps from
     * libmemcached's ketama naming.
     */
    static String serverName(ServerConfig server) {
        if (server.name() != null) {
            return server.name();
        }
        return server.address().port() == 11211
                ? server.address().host()
                : server.address().toString();
    }

    void connectionOpened() {
        totalConnections.inc();
        currConnections.inc();
    }

    void connectionClosed() {
        currConnections.dec();
    }

    /** A connection attempt that never opened still counts in {@code total_connections}, as in nutcracker. */
    void connectionAttempted() {
        totalConnections.inc();
    }

    /**
     * This machine's name as {@code gethostname()} gives it to nutcracker; read from the kernel on
     * Linux rather than through {@link InetAddress#getLocalHost()}, which may wait for DNS.
     */
    static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8)
                    .strip();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux: ask Java instead.
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
