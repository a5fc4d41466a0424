package io.shardis.proxy;

import com.sun.net.httpserver.HttpExchange;
import io.shardis.proxy.http.Operations;
import io.shardis.proxy.http.OpsHttpServer;
import io.shardis.proxy.http.Readiness;
import io.shardis.proxy.http.ReadinessCheck;
import io.shardis.proxy.metrics.StatsSnapshot;
import io.shardis.proxy.server.PoolListener;
import io.shardis.proxy.server.PoolRuntime;
import io.shardis.proxy.server.PoolStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The HTTP listener's view of a running {@link ShardisServer}. */
final class ServerOperations implements Operations {

    private final ShardisServer server;
    private final ReadinessCheck readiness;

    ServerOperations(ShardisServer server) {
        this.server = server;
        this.readiness = new ReadinessCheck(this::needs, server::isDraining);
    }

    private Map<String, PoolStatus.Needs> needs() {
        Map<String, PoolStatus.Needs> needs = new LinkedHashMap<>();
        server.listeners().forEach((name, listener) -> needs.put(name, PoolStatus.of(listener.pool())));
        return needs;
    }

    @Override
    public Readiness readiness() {
        return readiness.check();
    }

    /** Stops the probes' threads. */
    void close() {
        readiness.close();
    }

    @Override
    public void handle(HttpExchange exchange, String method, String path) throws IOException {
        String[] parts = path.substring(1).split("/", -1);
        if (path.equals("/reload")) {
            if (!method.equals("POST")) {
                OpsHttpServer.refuseMethod(exchange, "POST");
                return;
            }
            if (!allowsChanges(exchange)) {
                return;
            }
            ConfigReload.Result result = server.reloadConfiguration();
            int status = switch (result.outcome()) {
                case "refused" -> 422;
                case "failed" -> 500;
                default -> 200;
            };
            OpsHttpServer.json(exchange, status, result.body());
            return;
        }
        if (parts[0].equals("pools")) {
            if (parts.length <= 2) {
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    OpsHttpServer.refuseMethod(exchange, "GET");
                    return;
                }
                if (parts.length == 1 || parts[1].isEmpty()) {
                    Map<String, Object> body = new LinkedHashMap<>();
                    List<Object> pools = new ArrayList<>();
                    StatsSnapshot stats = server.metrics().snapshot();
                    server.listeners().forEach((name, listener) -> pools.add(poolView(listener.pool(), stats)));
                    body.put("pools", pools);
                    OpsHttpServer.json(exchange, 200, body);
                    return;
                }
                PoolListener listener = server.listeners().get(parts[1]);
                if (listener == null) {
                    OpsHttpServer.json(exchange, 404, Map.of("error", "no pool named '" + parts[1] + "'"));
                    return;
                }
                OpsHttpServer.json(
                        exchange,
                        200,
                        poolView(listener.pool(), server.metrics().snapshot()));
                return;
            }
            if (parts.length == 5
                    && parts[2].equals("servers")
                    && (parts[4].equals("eject") || parts[4].equals("restore"))) {
                maintain(exchange, method, parts[1], parts[3], parts[4].equals("eject"));
                return;
            }
        }
        Operations.notFound(exchange, path);
    }

    private static Map<String, Object> poolView(PoolRuntime pool, StatsSnapshot stats) {
        StatsSnapshot.Pool poolStats = null;
        for (StatsSnapshot.Pool candidate : stats.pools()) {
            if (candidate.name().equals(pool.config().name())) {
                poolStats = candidate;
            }
        }
        return PoolsView.pool(pool, poolStats);
    }

    /** Whether changes over HTTP are allowed; answers 403 when not. */
    private boolean allowsChanges(HttpExchange exchange) throws IOException {
        if (server.config().process().admin()) {
            return true;
        }
        OpsHttpServer.json(
                exchange,
                403,
                Map.of(
                        "error",
                        "changes over HTTP are off; set 'admin: true' in the"
                                + " configuration's 'shardis:' block to allow them"));
        return false;
    }

    private void maintain(HttpExchange exchange, String method, String poolName, String serverName, boolean eject)
            throws IOException {
        if (!method.equals("POST")) {
            OpsHttpServer.refuseMethod(exchange, "POST");
            return;
        }
        if (!allowsChanges(exchange)) {
            return;
        }
        PoolListener listener = server.listeners().get(poolName);
        if (listener == null) {
            OpsHttpServer.json(exchange, 404, Map.of("error", "no pool named '" + poolName + "'"));
            return;
        }
        PoolRuntime pool = listener.pool();
        int index = -1;
        for (int s = 0; s < pool.servers().size(); s++) {
            if (pool.metrics().server(s).name().equals(serverName)
                    || pool.servers().get(s).label().equals(serverName)) {
                index = s;
            }
        }
        if (pool.cluster() != null || index < 0) {
            OpsHttpServer.json(
                    exchange,
                    404,
                    Map.of(
                            "error",
                            pool.cluster() != null
                                    ? "pool '" + poolName + "' is a cluster pool: its slot map says where keys go"
                                    : "pool '" + poolName + "' has no server named '" + serverName + "'"));
            return;
        }
        String problem = eject ? pool.health().eject(index) : pool.health().restore(index);
        if (problem != null) {
            OpsHttpServer.json(
                    exchange,
                    409,
                    Map.of(
                            "error",
                            "cannot " + (eject ? "eject" : "restore") + " server '" + serverName + "' of pool '"
                                    + poolName + "': " + problem));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pool", poolName);
        body.put("server", serverName);
        body.put(
                "state",
                pool.health().isInMaintenance(index)
                        ? "maintenance"
                        : pool.health().isEjected(index) ? "ejected" : "in ring");
        OpsHttpServer.json(exchange, 200, body);
    }
}
