package io.shardis.proxy;

import com.sun.net.httpserver.HttpExchange;
import io.shardis.proxy.http.Operations;
import io.shardis.proxy.http.Readiness;

import io.shardis.proxy.http.ReadinessCheck;
import io.shardis.proxy.server.PoolStatus;

import java.io.IOException;
import java.util.LinkedHashMap;
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
        Operations.notFound(exchange, path);
    }
}
