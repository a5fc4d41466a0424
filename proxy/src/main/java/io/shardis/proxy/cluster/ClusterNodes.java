package io.shardis.proxy.cluster;

import io.shardis.proxy.backend.BackendAddress;
import io.shardis.proxy.backend.BackendEvents;
import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.channel.Transport;
import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.PoolDefaults;
import io.shardis.proxy.config.ReadFrom;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.route.ClusterRouter;
import io.shardis.resp.RespLimits;
import io.shardis.topology.cluster.ClusterSourceSettings;
import io.shardis.topology.cluster.ClusterTopologyException;
import io.shardis.topology.cluster.ClusterTopologyRefresher;
import io.shardis.topology.cluster.LettuceTopologySource;
import io.shardis.topology.cluster.NodeAddress;
import io.shardis.topology.cluster.SlotMap;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis Cluster behind a pool: its nodes as the pool's servers (an append-only registry keyed by
 * host:port), the router built from its slot map, and the refresher that keeps that map fresh
 * (periodically, and on demand after a MOVED or a node failure). Shared by every event loop; the
 * data path only reads immutable snapshots.
 */
public final class ClusterNodes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNodes.class);
    /** Pause between a pool's start's requests for the slot map. */
    private static final long STARTUP_RETRY_PAUSE_MILLIS = 200;

    /** At most one on-demand refresh per this interval, however many MOVED replies ask for one. */
    private static final Duration MIN_REFRESH_INTERVAL = Duration.ofMillis(200);

    private final PoolConfig config;
    private final Transport transport;
    private final PoolMetrics metrics;
    private final BackendServers servers = BackendServers.growable();
    private final ClusterRouter router;
    private final LettuceTopologySource source;
    private final ClusterTopologyRefresher refresher;
    /** Which nodes may take reads; null when reads go to masters only. */
    private final NodeReachability reachability;
    /** Where each registered node is, by server index. */
    private final Map<Integer, NodeAddress> addresses = new ConcurrentHashMap<>();
    /** Nodes the last map no longer listed; touched only by whoever adopts maps (one thread at a time). */
    private final BitSet gone = new BitSet();
    /** Told the index of a node the cluster forgot, to drop its connections. */
    private volatile IntConsumer nodeLeft = index -> {};

    /** TLS towards the nodes ({@code backend_tls}); null for plain TCP. */
    private final io.shardis.proxy.tls.BackendTls tls;

    public ClusterNodes(
            PoolConfig config, Transport transport, PoolMetrics metrics, io.shardis.proxy.tls.BackendTls tls) {
        this.config = config;
        this.tls = tls;
        this.transport = transport;
        this.metrics = metrics;
        List<NodeAddress> seeds = config.cluster().seeds().stream()
                .map(seed -> new NodeAddress(seed.host(), seed.port()))
                .toList();
        Duration timeout = Duration.ofMillis(config.timeouts().connectMillis());
        ClusterSourceSettings sourceSettings = ClusterSourceSettings.of(seeds)
                .withCredentials(config.auth().redisUser(), config.auth().redisAuth())
                .withTimeouts(timeout, timeout);
        if (tls != null) {
            try {
                sourceSettings = sourceSettings.withTls(
                        io.shardis.proxy.tls.LettuceTls.options(tls.config()),
                        io.shardis.proxy.tls.LettuceTls.verifyMode(tls.config()));
            } catch (io.shardis.proxy.tls.TlsSetupException e) {
                throw new IllegalStateException(
                        "pool '" + config.name() + "': key 'backend_tls." + e.key() + "': " + e.getMessage(), e);
            }
        }
        this.source = new LettuceTopologySource(sourceSettings);
        this.refresher = new ClusterTopologyRefresher(
                config.name(),
                source,
                Duration.ofMillis(config.cluster().refreshIntervalMillis()),
                MIN_REFRESH_INTERVAL,
                this::adopt);
        metrics.slotMapFetches(refresher::fetchCount);
        ReadFrom readFrom = config.cluster().readFrom();
        this.reachability = readFrom.readsReplicas()
                ? new NodeReachability(
                        config.name(),
                        source::role,
                        this::listed,
                        () -> requestRefresh("a node takes reads again"),
                        NodeReachability.PROBE_INTERVAL)
                : null;
        this.router = new ClusterRouter(servers::size, readFrom, reachability != null ? reachability : server -> true);
    }

    /**
     * Learns the slot map from the seeds (each asked in turn, each bounded by the connect timeout;
     * asked again until {@link PoolDefaults#STARTUP_PATIENCE_MILLIS} have passed), then keeps it fresh. Blocks; call before the pool takes clients.
     *
     * @throws IllegalStateException naming the seeds when none gave a slot map
     */
    public void start() {
        long patience =
                Math.max(PoolDefaults.STARTUP_PATIENCE_MILLIS, config.timeouts().connectMillis());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(patience);
        SlotMap first = null;
        for (int attempt = 1; first == null; attempt++) {
            try {
                first = source.fetch();
            } catch (ClusterTopologyException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException(
                            "pool '" + config.name() + "': no cluster seed of "
                                    + config.cluster().seeds() + " gave a slot map in " + attempt + " attempt(s) over "
                                    + patience + " ms: " + e.getMessage(),
                            e);
                }
                log.warn(
                        "pool '{}': no cluster seed gave a slot map yet ({}); asking again",
                        config.name(),
                        e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(STARTUP_RETRY_PAUSE_MILLIS));
            }
        }
        adopt(first);
        refresher.start();
    }

    private void adopt(SlotMap map) {
        metrics.slotMapChanged();
        router.update(map, node -> indexOf(node.host(), node.port()));
        if (reachability != null) {
            reachability.mapChanged();
        }
        noticeNodesGoneOrBack(map);
    }

    /**
     * A node the map no longer lists at all (the cluster forgot it) leaves the stats document and
     * its connections are dropped; its index stays reserved, and it comes back if a map lists it
     * again. A failed node the cluster still lists stays.
     */
    private void noticeNodesGoneOrBack(SlotMap map) {
        for (int index = 0; index < servers.size(); index++) {
            NodeAddress address = addresses.get(index);
            if (address == null) {
                continue;
            }
            boolean listed = map.nodeAt(address.host(), address.port()) != null;
            if (listed == !gone.get(index)) {
                continue;
            }
            gone.set(index, !listed);
            metrics.listed(servers.get(index).label(), listed);
            if (listed) {
                log.info("pool '{}': node {} is in the cluster again", config.name(), address);
            } else {
                log.info("pool '{}': node {} left the cluster; its connections are closed", config.name(), address);
                nodeLeft.accept(index);
            }
        }
    }

    /** {@code listener} is told the server index of each node the cluster forgets; any thread. */
    public void onNodeLeft(IntConsumer listener) {
        this.nodeLeft = listener;
    }

    /** Whether the map in use lists the node at {@code address}, as a master or a replica. */
    private boolean listed(NodeAddress address) {
        return router.map().nodeAt(address.host(), address.port()) != null;
    }

    /** The server index of the node at {@code host:port}, adding the node when it is new. Any thread. */
    public int indexOf(String host, int port) {
        NodeAddress node = new NodeAddress(host, port);
        String label = node.toString();
        return servers.indexOf(label, index -> settingsFor(index, node, label));
    }

    private BackendSettings settingsFor(int index, NodeAddress node, String label) {
        addresses.put(index, node);
        BackendAddress address = new BackendAddress(transport.address(new HostPort(node.host(), node.port())));
        NodeReachability.Node readState = reachability == null ? null : reachability.add(index, node);
        // With replica reads every connection says READONLY: a replica then serves its master's
        // slots, and a master (or a replica promoted later) ignores it.
        return new BackendSettings(
                config.name(),
                label,
                address,
                config.timeouts().requestMillis(),
                config.timeouts().connectMillis(),
                config.auth().redisAuth(),
                0,
                RespLimits.DEFAULT
                        .withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH)
                        .withMaxNesting(128)
                        .withMaxInlineLength(64 * 1024 * 1024),
                new NodeEvents(label, readState),
                metrics.addServer(label),
                metrics,
                false,
                config.auth().redisUser(),
                reachability != null,
                tls);
    }

    /** Asks for a slot map refresh soon (rate limited); safe on event loops. */
    public void requestRefresh(String reason) {
        refresher.requestRefresh(reason);
    }

    public ClusterRouter router() {
        return router;
    }

    public BackendServers servers() {
        return servers;
    }

    public PoolConfig config() {
        return config;
    }

    @Override
    public void close() {
        refresher.close();
        if (reachability != null) {
            reachability.close();
        }
        source.close();
    }

    /**
     * A node that cannot be reached may have failed over: the map is asked again; with replica
     * reads, the node takes no reads until it answers again.
     */
    private final class NodeEvents implements BackendEvents {
        private final String label;
        /** Null when reads go to masters only. */
        private final NodeReachability.Node readState;

        NodeEvents(String label, NodeReachability.Node readState) {
            this.label = label;
            this.readState = readState;
        }

        @Override
        public void connected() {}

        @Override
        public void failed(String reason) {
            if (readState != null) {
                reachability.failed(readState, reason);
            }
            requestRefresh("node " + label + " " + reason);
        }

        @Override
        public void notMaster(String reason) {}
    }
}
