package io.shardis.proxy.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether Shardis should be sent clients ({@code /ready}), and if not, why: one reason per pool
 * or server at fault, e.g. {@code "pool 'alpha': server 127.0.0.1:6379 unreachable (connection refused)"}.
 *
 * @param draining Shardis is stopping (SIGTERM): load balancers should stop sending first
 */
public record Readiness(boolean draining, List<String> reasons, Map<String, Boolean> pools) {

    public Readiness {
        reasons = List.copyOf(reasons);
        pools = Map.copyOf(pools);
    }

    public boolean ready() {
        return !draining && reasons.isEmpty();
    }

    /** The JSON body: {@code {"status": "ready"|"not ready"|"draining", "reasons": [...], "pools": {...}}}. */
    Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", draining ? "draining" : reasons.isEmpty() ? "ready" : "not ready");
        body.put("reasons", reasons);
        body.put("pools", new TreeMap<>(pools));
        return body;
    }
}
