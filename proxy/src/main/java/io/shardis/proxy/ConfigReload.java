package io.shardis.proxy;

import io.shardis.proxy.config.ConfigDiff;
import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ProcessConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.config.TlsConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration reload (SIGHUP, {@code POST /reload}): the file is read and checked as at start;
 * a file that fails is refused with its reason and the running configuration stays whole. Else
 * the difference is logged, pool by pool and key by key (secrets hidden), and applied: removed
 * pools stop (their clients receive what they are owed, then are closed), added pools start,
 * changed pools take their new settings on the same socket with their clients kept (see
 * {@link ShardisServer#replacePool}), or start anew when where or how they listen changed;
 * {@code shardis: admin} takes effect.
 */
final class ConfigReload {

    private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);

    /** How a reload ended: {@code applied}, {@code unchanged}, {@code refused} (bad file) or {@code failed}. */
    record Result(String outcome, List<String> changes, List<String> notApplied, String error) {

        Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("outcome", outcome);
            body.put("changes", changes);
            body.put("not_applied", notApplied);
            if (error != null) {
                body.put("error", error);
            }
            return body;
        }
    }

    private ConfigReload() {}

    static synchronized Result run(ShardisServer server, Path file) {
        ShardisConfig next;
        try {
            next = server.withCommandLine(ShardisConfig.load(file));
        } catch (ConfigException e) {
            log.error("configuration reload refused, the running configuration stays: {}", e.getMessage());
            server.metrics().reloaded("refused");
            return new Result("refused", List.of(), List.of(), e.getMessage());
        }
        ShardisConfig running = server.config();
        Map<String, PoolConfig> before = byName(running);
        Map<String, PoolConfig> after = byName(next);
        List<String> changes = new ArrayList<>();
        List<String> notApplied = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        Map<String, PoolConfig> effective = new LinkedHashMap<>();
        for (PoolConfig pool : running.pools()) {
            if (!after.containsKey(pool.name())) {
                changes.add("removed pool '" + pool.name() + "'");
                server.stopPool(pool.name());
            }
        }
        for (PoolConfig pool : next.pools()) {
            PoolConfig old = before.get(pool.name());
            if (old == null) {
                if (start(server, pool, errors)) {
                    changes.add("added pool '" + pool.name() + "' on " + pool.listen());
                    effective.put(pool.name(), pool);
                }
                continue;
            }
            if (old.equals(pool)) {
                effective.put(pool.name(), old);
                continue;
            }
            List<String> diff = ConfigDiff.of(old, pool);
            log.info("configuration reload: pool '{}' changed: {}", pool.name(), String.join("; ", diff));
            if (ConfigDiff.keys(old, pool).equals(List.of("tls"))
                    && !restartsListener(old, pool)
                    && (old.tls().backend() == null) == (pool.tls().backend() == null)
                    && String.valueOf(old.tls().sentinel())
                            .equals(String.valueOf(pool.tls().sentinel()))) {
                // Certificates and TLS settings alone: applied below to new connections.
                changes.add("pool '" + pool.name() + "': TLS settings");
                effective.put(pool.name(), pool);
            } else if (restartsListener(old, pool)) {
                // Where or how it listens, or what it fronts (servers, Sentinel, cluster), changed:
                // its clients cannot stay; the pool starts again with the new settings.
                server.stopPool(pool.name());
                server.metrics().removePool(pool.name());
                if (start(server, pool, errors)) {
                    changes.add("pool '" + pool.name() + "' restarted, its clients disconnected ("
                            + String.join("; ", diff) + ")");
                    effective.put(pool.name(), pool);
                }
            } else {
                try {
                    server.replacePool(pool);
                    changes.add("pool '" + pool.name() + "' changed (" + String.join("; ", diff) + ")");
                    effective.put(pool.name(), pool);
                } catch (RuntimeException | InterruptedException e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    String error = "pool '" + pool.name()
                            + "' keeps its previous settings, the new ones could not start: " + e.getMessage();
                    log.error("configuration reload: {}", error);
                    errors.add(error);
                    effective.put(pool.name(), old);
                }
            }
        }
        ProcessConfig process = next.process();
        ProcessConfig was = running.process();
        if (!Objects.equals(process.http(), was.http()) || process.jmx() != was.jmx()) {
            notApplied.add("'shardis:' http or jmx changed: restart Shardis to apply");
        }
        if (process.admin() != was.admin()) {
            changes.add("admin over HTTP " + (process.admin() ? "allowed" : "refused"));
        }
        if (process.drainGraceMillis() != was.drainGraceMillis()) {
            changes.add("drain_grace " + was.drainGraceMillis() + " -> " + process.drainGraceMillis() + " ms");
        }
        if (!process.transport().equals(was.transport())) {
            notApplied.add("'shardis:' transport changed: restart Shardis to apply");
        }
        if (process.watchMillis() != was.watchMillis()) {
            notApplied.add("'shardis:' watch changed: restart Shardis to apply");
        }
        ProcessConfig applied = new ProcessConfig(
                was.http(), process.admin(), was.jmx(), process.drainGraceMillis(), was.transport(), was.watchMillis());
        // Every pool's certificates and keys are read again (rotated files), and changed TLS blocks
        // applied; what cannot change without a restart is reported.
        notApplied.addAll(server.reloadTls(next));
        server.configuration(new ShardisConfig(next.source(), List.copyOf(effective.values()), applied));
        String error = errors.isEmpty() ? null : String.join("; ", errors);
        String outcome = error != null ? "failed" : changes.isEmpty() && notApplied.isEmpty() ? "unchanged" : "applied";
        server.metrics().reloaded(outcome);
        log.info(
                "configuration reloaded from {}: {}{}{}",
                file,
                changes.isEmpty() ? "no change applied" : String.join("; ", changes),
                notApplied.isEmpty() ? "" : "; not applied: " + String.join("; ", notApplied),
                error == null ? "" : "; failed: " + error);
        return new Result(outcome, changes, notApplied, error);
    }

    /** Starts a pool the reload adds (or restarts); false, with the reason in {@code errors}, when it cannot. */
    private static boolean start(ShardisServer server, PoolConfig pool, List<String> errors) {
        try {
            server.startPool(pool, server.addPoolMetrics(pool));
            return true;
        } catch (RuntimeException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String error = "pool '" + pool.name() + "' could not start: " + e.getMessage();
            log.error("configuration reload: {}", error);
            errors.add(error);
            server.metrics().removePool(pool.name());
            return false;
        }
    }

    /**
     * Whether a change needs the pool's listening socket made anew, or what it fronts changed kind
     * (a cluster, Sentinel-followed servers, fixed servers): then its clients are disconnected.
     * Anything else (servers, weights, hashing, timeouts, limits, auth, TLS files) is applied
     * with the clients kept.
     */
    static boolean restartsListener(PoolConfig old, PoolConfig next) {
        TlsConfig.Listener was = old.tls().listener();
        TlsConfig.Listener now = next.tls().listener();
        return !Objects.equals(old.listen(), next.listen())
                || old.isCluster() != next.isCluster()
                || old.followsSentinel() != next.followsSentinel()
                || (was == null) != (now == null)
                || was != null && !Objects.equals(was.listen(), now.listen());
    }

    private static Map<String, PoolConfig> byName(ShardisConfig config) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        config.pools().forEach(pool -> pools.put(pool.name(), pool));
        return pools;
    }
}
