package io.shardis.proxy;

import com.sun.net.httpserver.HttpExchange;
import io.shardis.proxy.http.Operations;
import io.shardis.proxy.http.Readiness;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** The HTTP listener's view of a running {@link ShardisServer}. */
final class ServerOperations implements Operations {

    private final ShardisServer server;

    ServerOperations(ShardisServer server) {
        this.server = server;
    }

    @Override
    public Readiness readiness() {
        return new Readiness(false, List.of(), Map.of());
    }

    @Override
    public void handle(HttpExchange exchange, String method, String path) throws IOException {
        Operations.notFound(exchange, path);
    }
}
