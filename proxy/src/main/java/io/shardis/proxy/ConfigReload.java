package io.shardis.proxy;

import io.shardis.proxy.config.ConfigException;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ProcessConfig;
import io.shardis.proxy.config.ShardisConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A configuration reload (SIGHUP, {@code POST /reload}): the file is read and checked as at start;
 * a file that fails is refused with its reason and the running configuration stays whole. Else
 * the difference is logged and applied: removed pools stop (their clients receive what they are
 * owed, then are closed), added pools start, {@code shardis: admin} takes effect. A pool whose
 * settings changed keeps running as it was, and the log says so: applying it needs a restart.
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

    private ConfigReload() {
    }

    static synchronized Result run(ShardisServer server, Path file) {
        ShardisConfig next;
        try {
            next = ShardisConfig.load(file);
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
        List<String> removed = new ArrayList<>();
        List<PoolConfig> added = new ArrayList<>();
        List<PoolConfig> effective = new ArrayList<>();
        for (PoolConfig pool : running.pools()) {
            if (!after.containsKey(pool.name())) {
                removed.add(pool.name());
            }
        }
        for (PoolConfig pool : next.pools()) {
            PoolConfig old = before.get(pool.name());
            if (old == null) {
                added.add(pool);
                effective.add(pool);
            } else if (!old.equals(pool)) {
                List<String> differences = differences(old, pool);
                // TLS blocks are applied below, to new connections, without a restart.
                boolean tlsChanged = differences.remove("tls");
                if (differences.isEmpty()) {
                    changes.add("pool '" + pool.name() + "': TLS settings");
                    effective.add(pool);
                } else {
                    notApplied.add("pool '" + pool.name() + "' changed (" + String.join(", ", differences)
                            + "): restart Shardis to apply" + (tlsChanged ? " (its TLS settings were applied)" : ""));
                    effective.add(old);
                }
            } else {
                effective.add(old);
            }
        }
        ProcessConfig process = next.process();
        ProcessConfig was = running.process();
        if (!Objects.equals(process.http(), was.http()) || process.jmx() != was.jmx()) {
            notApplied.add("'shardis:' http or jmx changed: restart Shardis to apply");
        }
        if (!process.transport().equals(was.transport())) {
            notApplied.add("'shardis:' transport changed: restart Shardis to apply");
        }
        if (process.admin() != was.admin()) {
            changes.add("admin over HTTP " + (process.admin() ? "allowed" : "refused"));
        }
        ProcessConfig applied = new ProcessConfig(was.http(), process.admin(), was.jmx(), was.transport());
        String error = null;
        for (String name : removed) {
            changes.add("removed pool '" + name + "'");
            server.stopPool(name);
        }
        for (PoolConfig pool : added) {
            try {
                server.startPool(pool, server.addPoolMetrics(pool));
                changes.add("added pool '" + pool.name() + "' on " + pool.listen());
            } catch (RuntimeException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                error = "pool '" + pool.name() + "' could not start: " + e.getMessage();
                log.error("configuration reload: {}", error);
                server.metrics().removePool(pool.name());
                effective.remove(pool);
            }
        }
        // Every pool's certificates and keys are read again (rotated files), and changed TLS blocks
        // applied; what cannot change without a restart is reported.
        notApplied.addAll(server.reloadTls(next));
        server.configuration(new ShardisConfig(next.source(), effective, applied));
        String outcome = error != null ? "failed" : changes.isEmpty() && notApplied.isEmpty() ? "unchanged" : "applied";
        server.metrics().reloaded(outcome);
        log.info("configuration reloaded from {}: {}{}{}", file, changes.isEmpty() ? "no change applied" : String.join("; ", changes),
                notApplied.isEmpty() ? "" : "; not applied: " + String.join("; ", notApplied),
                error == null ? "" : "; failed: " + error);
        return new Result(outcome, changes, notApplied, error);
    }

    private static Map<String, PoolConfig> byName(ShardisConfig config) {
        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        config.pools().forEach(pool -> pools.put(pool.name(), pool));
        return pools;
    }

    /** The settings that differ, by name only (never a secret's value). */
    static List<String> differences(PoolConfig a, PoolConfig b) {
        List<String> names = new ArrayList<>();
        for (RecordComponent component : PoolConfig.class.getRecordComponents()) {
            try {
                if (!Objects.equals(component.getAccessor().invoke(a), component.getAccessor().invoke(b))) {
                    names.add(component.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return names;
    }
}
