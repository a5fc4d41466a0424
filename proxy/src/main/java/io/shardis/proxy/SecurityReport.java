package io.shardis.proxy;

import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.server.BackendScriptProbe;
import io.shardis.proxy.server.SecurityChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security warnings of {@code -t} and of the start-up log: the configuration's own
 * ({@link SecurityChecks}) and what the backends' ACLs let scripts do ({@link BackendScriptProbe}).
 */
final class SecurityReport {

    private static final Logger log = LoggerFactory.getLogger(SecurityReport.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private SecurityReport() {}

    /** Every warning for {@code config}, asking the backends (blocks up to a few seconds per unreachable one). */
    static List<String> warnings(ShardisConfig config) {
        CommandTable table = CommandTable.standard();
        List<String> warnings = new ArrayList<>();
        for (PoolConfig pool : config.pools()) {
            warnings.addAll(SecurityChecks.warnings(pool, table));
            for (BackendScriptProbe.Finding finding : BackendScriptProbe.probe(pool, table, PROBE_TIMEOUT)) {
                String warning = BackendScriptProbe.warning(pool, finding);
                if (warning != null) {
                    warnings.add(warning);
                }
            }
        }
        return warnings;
    }

    /** Logs the configuration's warnings now, and the backends' once asked, on a thread of its own. */
    static void logAtStart(PoolConfig pool, CommandTable table) {
        for (String warning : SecurityChecks.warnings(pool, table)) {
            log.warn(warning);
        }
        if (pool.allowAdmin()) {
            return;
        }
        Thread probe = new Thread(
                () -> {
                    for (BackendScriptProbe.Finding finding : BackendScriptProbe.probe(pool, table, PROBE_TIMEOUT)) {
                        String warning = BackendScriptProbe.warning(pool, finding);
                        if (finding.outcome() == BackendScriptProbe.Outcome.OPEN) {
                            log.warn(warning);
                        } else if (warning != null) {
                            log.info(warning);
                        } else {
                            log.info(
                                    "pool '{}': scripts on {} cannot run the admin commands the pool refuses (backend ACL)",
                                    pool.name(),
                                    finding.server());
                        }
                    }
                },
                "shardis-acl-probe-" + pool.name());
        probe.setDaemon(true);
        probe.start();
    }
}
