package io.shardis.proxy.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Map;

/** What the HTTP listener asks of the running Shardis, off the event loops. */
public interface Operations {

    /** Whether every pool can serve now, and if not, why; cheap (read from the last probes). */
    Readiness readiness();

    /**
     * Answers any other path ({@code /pools...}, {@code /reload}); 404 for one it does not know.
     * Runs on the listener's thread.
     */
    void handle(HttpExchange exchange, String method, String path) throws IOException;

    /** 404 with a JSON body naming the path. */
    static void notFound(HttpExchange exchange, String path) throws IOException {
        OpsHttpServer.json(exchange, 404, Map.of("error", "no such path: " + path));
    }
}
