package io.shardis.proxy;

import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ServerConfig;
import io.shardis.proxy.metrics.ServerMetrics;
import io.shardis.proxy.metrics.ServerStat;
import io.shardis.proxy.metrics.StatsSnapshot;
import io.shardis.proxy.server.PoolRuntime;
import io.shardis.topology.cluster.ClusterNode;
import io.shardis.topology.cluster.SlotMap;
import java.lang.reflect.RecordComponent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /pools} and {@code /pools/NAME}: each pool as JSON-ready maps, read off the event
 * loops: its mode, servers (where each is now, weight, ejected or in maintenance, connections,
 * requests, failovers) or slot map (masters, their slots and replicas), held commands, clients, and
 * a digest of its configuration that tells whether two hosts (or a reload) run the same pool.
 * Secrets (passwords) appear nowhere, not even in the digest.
 */
final class PoolsView {

    private PoolsView() {}

    static Map<String, Object> pool(PoolRuntime pool, StatsSnapshot.Pool stats) {
        PoolConfig config = pool.config();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", config.name());
        view.put("listen", config.listen().address().toString());
        view.put(
                "mode",
                pool.cluster() != null
                        ? "cluster"
                        : config.followsSentinel()
                                ? "sentinel"
                                : config.sharding().servers().size() == 1 ? "single" : "sharded");
        view.put("config_digest", digest(config));
        view.put("clients", pool.clientCount());
        view.put("held_commands", pool.metrics().held());
        view.put("held_now", pool.metrics().heldNow());
        if (pool.cluster() != null) {
            view.put("cluster", cluster(pool));
        } else {
            if (config.sharding().servers().size() > 1) {
                view.put("hash", config.sharding().hash());
                view.put("distribution", config.sharding().distribution());
                view.put("hash_tag", config.sharding().hashTag());
                view.put("auto_eject_hosts", config.sharding().autoEjectHosts());
            }
            if (config.followsSentinel()) {
                List<String> sentinels = new ArrayList<>();
                config.sentinels().addresses().forEach(s -> sentinels.add(s.toString()));
                view.put("sentinels", sentinels);
            }
            List<Map<String, Object>> servers = new ArrayList<>();
            for (int s = 0; s < config.sharding().servers().size(); s++) {
                servers.add(server(pool, s, stats));
            }
            view.put("servers", servers);
        }
        return view;
    }

    private static Map<String, Object> server(PoolRuntime pool, int index, StatsSnapshot.Pool stats) {
        ServerConfig configured = pool.config().sharding().servers().get(index);
        BackendSettings settings = pool.servers().get(index);
        ServerMetrics metrics = pool.metrics().server(index);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", metrics.name());
        view.put("configured", configured.address().toString());
        view.put("address", describe(settings.address()));
        view.put("weight", configured.weight());
        boolean maintenance = pool.health().isInMaintenance(index);
        view.put("state", maintenance ? "maintenance" : pool.health().isEjected(index) ? "ejected" : "in ring");
        StatsSnapshot.Server server = stats == null ? null : find(stats, metrics.name());
        if (server != null) {
            view.put("connections", server.value(ServerStat.SERVER_CONNECTIONS));
            view.put("requests", server.value(ServerStat.REQUESTS));
            view.put("errors", server.value(ServerStat.SERVER_ERR));
            view.put("timeouts", server.value(ServerStat.SERVER_TIMEDOUT));
            view.put("out_queue", server.value(ServerStat.OUT_QUEUE));
        }
        view.put("failovers", metrics.failovers());
        if (pool.config().followsSentinel()) {
            // Which Sentinels name the master in use: a disagreeing one is stale, partitioned or down.
            List<Map<String, Object>> sentinels = new ArrayList<>();
            int agreeing = 0;
            for (PoolRuntime.SentinelView sentinel : pool.sentinelViews(index)) {
                Map<String, Object> said = new LinkedHashMap<>();
                said.put("sentinel", sentinel.sentinel());
                said.put("master", sentinel.reports());
                if (sentinel.failure() != null) {
                    said.put("failure", sentinel.failure());
                }
                said.put("agrees", sentinel.agrees());
                agreeing += sentinel.agrees() ? 1 : 0;
                sentinels.add(said);
            }
            view.put("sentinels_agreeing", agreeing);
            view.put("sentinels", sentinels);
        }
        return view;
    }

    private static StatsSnapshot.Server find(StatsSnapshot.Pool stats, String name) {
        for (StatsSnapshot.Server server : stats.servers()) {
            if (server.name().equals(name)) {
                return server;
            }
        }
        return null;
    }

    private static Map<String, Object> cluster(PoolRuntime pool) {
        SlotMap map = pool.cluster().router().map();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put(
                "seeds",
                pool.config().cluster().seeds().stream().map(Object::toString).toList());
        view.put("read_from", pool.config().cluster().readFrom().toString().toLowerCase(Locale.ROOT));
        view.put("slots_covered", map.coveredSlotCount());
        List<Map<String, Object>> masters = new ArrayList<>();
        for (ClusterNode master : map.masters()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", master.id());
            node.put("address", master.host() + ":" + master.port());
            node.put("health", String.valueOf(master.health()).toLowerCase(Locale.ROOT));
            node.put("slots", map.slotsOf(master).stream().map(Object::toString).toList());
            List<String> replicas = new ArrayList<>();
            for (ClusterNode replica : map.replicas()) {
                if (master.id().equals(replica.masterId())) {
                    replicas.add(replica.host() + ":" + replica.port() + " ("
                            + String.valueOf(replica.health()).toLowerCase(Locale.ROOT) + ")");
                }
            }
            node.put("replicas", replicas);
            masters.add(node);
        }
        view.put("masters", masters);
        return view;
    }

    private static String describe(SocketAddress address) {
        return address instanceof InetSocketAddress inet
                ? inet.getHostString() + ":" + inet.getPort()
                : address.toString();
    }

    /**
     * SHA-256 (first 16 hex digits) over the pool's settings, secrets left out: equal on two hosts
     * that run the same pool, different after a reload that changed it.
     */
    static String digest(PoolConfig config) {
        StringBuilder text = new StringBuilder();
        for (RecordComponent component : PoolConfig.class.getRecordComponents()) {
            String name = component.getName().toLowerCase(Locale.ROOT);
            if (name.contains("auth") || name.contains("password") || name.contains("secret")) {
                continue;
            }
            try {
                text.append(component.getName())
                        .append('=')
                        .append(component.getAccessor().invoke(config))
                        .append('\n');
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        try {
            byte[] hash =
                    MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
