package io.shardis.proxy.http;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTP listener: {@code /metrics} (Prometheus text format, OpenMetrics or protobuf
 * when the scraper asks, by the Prometheus client's own handler), {@code /health}, {@code /ready},
 * {@code /pools} and, when the configuration allows changes, {@code POST /reload} and the
 * maintenance actions on servers.
 *
 * <p>It is the JDK's {@link HttpServer} on one thread of its own: nothing here runs on, or waits
 * for, an event loop, so a slow scrape or a stuck scraper never delays a Redis command, and the
 * listener needs no library beyond the Prometheus client's exporter, which is built for it.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);
    static final Gson JSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeNulls()
            .create();

    private final HttpServer server;
    private final ExecutorService executor;

    private OpsHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Binds {@code address} (port 0: any free port, see {@link #address()}) and serves.
     *
     * @throws IOException when the address cannot be bound
     */
    public static OpsHttpServer start(InetSocketAddress address, PrometheusRegistry registry, Operations operations)
            throws IOException {
        HttpServer server = HttpServer.create(address, 64);
        ExecutorService executor = Executors.newSingleThreadExecutor(new DefaultThreadFactory("shardis-http", true));
        server.setExecutor(executor);
        MetricsHandler metrics = new MetricsHandler(PrometheusProperties.get(), registry);
        server.createContext("/", exchange -> {
            try (exchange) {
                route(exchange, metrics, operations);
            } catch (RuntimeException e) {
                log.warn("HTTP {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            }
        });
        server.start();
        return new OpsHttpServer(server, executor);
    }

    private static void route(HttpExchange exchange, MetricsHandler metrics, Operations operations) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        boolean get = method.equals("GET") || method.equals("HEAD");
        if (path.equals("/metrics")) {
            if (!get) {
                refuseMethod(exchange, "GET");
                return;
            }
            metrics.handle(exchange);
            return;
        }
        if (path.equals("/health")) {
            if (!get) {
                refuseMethod(exchange, "GET");
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "up");
            json(exchange, 200, body);
            return;
        }
        if (path.equals("/ready")) {
            if (!get) {
                refuseMethod(exchange, "GET");
                return;
            }
            Readiness readiness = operations.readiness();
            json(exchange, readiness.ready() ? 200 : 503, readiness.body());
            return;
        }
        operations.handle(exchange, method, path);
    }

    /** 405 with the method allowed. */
    public static void refuseMethod(HttpExchange exchange, String allowed) throws IOException {
        exchange.getResponseHeaders().set("Allow", allowed);
        json(exchange, 405, Map.of("error", "method " + exchange.getRequestMethod() + " not allowed; use " + allowed));
    }

    /** Writes {@code body} as a JSON document with {@code status}. */
    public static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = (JSON.toJson(body) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Where the listener is bound (the real port when asked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
