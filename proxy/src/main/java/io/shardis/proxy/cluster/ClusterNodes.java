package io.shardis.proxy.cluster;

import io.shardis.proxy.backend.BackendAddress;
import io.shardis.proxy.backend.BackendEvents;
import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.route.ClusterRouter;
import io.shardis.proxy.server.Transport;
import io.shardis.resp.RespLimits;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.ClusterSourceSettings;
import io.shardis.topology.cluster.ClusterTopologyException;
import io.shardis.topology.cluster.ClusterTopologyRefresher;
import io.shardis.topology.cluster.LettuceTopologySource;
import io.shardis.topology.cluster.NodeAddress;
import io.shardis.topology.cluster.SlotMap;

import java.time.Duration;
import java.util.List;

/**
 * The Redis Cluster behind a pool: its nodes as the pool's servers (an append-only registry keyed by
 * host:port), the router built from its slot map, and the refresher that keeps that map fresh
 * (periodically, and on demand after a MOVED or a node failure). Shared by every event loop; the
 * data path only reads immutable snapshots.
 */
public final class ClusterNodes implements AutoCloseable {

    /** At most one on-demand refresh per this interval, however many MOVED replies ask for one. */
    private static final Duration MIN_REFRESH_INTERVAL = Duration.ofMillis(200);

    private final PoolConfig config;
    private final Transport transport;
    private final PoolMetrics metrics;
    private final BackendServers servers = BackendServers.growable();
    private final ClusterRouter router = new ClusterRouter(servers::size);
    private final LettuceTopologySource source;
    private final ClusterTopologyRefresher refresher;

    public ClusterNodes(PoolConfig config, Transport transport, PoolMetrics metrics) {
        this.config = config;
        this.transport = transport;
        this.metrics = metrics;
        List<NodeAddress> seeds = config.cluster().seeds().stream()
                .map(seed -> new NodeAddress(seed.host(), seed.port())).toList();
        Duration timeout = Duration.ofMillis(config.connectTimeoutMillis());
        this.source = new LettuceTopologySource(ClusterSourceSettings.of(seeds)
                .withCredentials(config.redisUser(), config.redisAuth())
                .withTimeouts(timeout, timeout));
        this.refresher = new ClusterTopologyRefresher(config.name(), source,
                Duration.ofMillis(config.cluster().refreshIntervalMillis()), MIN_REFRESH_INTERVAL, this::adopt);
    }

    /**
     * Learns the slot map from the seeds (each asked in turn, each bounded by the connect timeout),
     * then keeps it fresh. Blocks; call before the pool takes clients.
     *
     * @throws IllegalStateException naming the seeds when none gave a slot map
     */
    public void start() {
        SlotMap first;
        try {
            first = source.fetch();
        } catch (ClusterTopologyException e) {
            throw new IllegalStateException("pool '" + config.name() + "': no cluster seed of "
                    + config.cluster().seeds() + " gave a slot map: " + e.getMessage(), e);
        }
        adopt(first);
        refresher.start();
    }

    private void adopt(SlotMap map) {
        router.update(map, node -> indexOf(node.host(), node.port()));
    }

    /** The server index of the node at {@code host:port}, adding the node when it is new. Any thread. */
    public int indexOf(String host, int port) {
        String label = new NodeAddress(host, port).toString();
        return servers.indexOf(label, index -> settingsFor(label, host, port));
    }

    private BackendSettings settingsFor(String label, String host, int port) {
        BackendAddress address = new BackendAddress(transport.address(new HostPort(host, port)));
        return new BackendSettings(config.name(), label, address, config.timeoutMillis(),
                config.connectTimeoutMillis(), config.redisAuth(), 0,
                RespLimits.DEFAULT.withMaxArrayLength(RespLimits.MAX_ARRAY_LENGTH).withMaxNesting(128)
                        .withMaxInlineLength(64 * 1024 * 1024),
                new NodeEvents(label), metrics.addServer(label), metrics, false, config.redisUser());
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
        source.close();
    }

    /** A node that cannot be reached may have failed over: the map is asked again. */
    private final class NodeEvents implements BackendEvents {
        private final String label;

        NodeEvents(String label) {
            this.label = label;
        }

        @Override
        public void connected() {
        }

        @Override
        public void failed(String reason) {
            requestRefresh("node " + label + " " + reason);
        }

        @Override
        public void notMaster(String reason) {
        }
    }
}
