package io.shardis.proxy.tls;

import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.config.TlsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the TLS blocks of a reloaded configuration to the pools that run: changed files and
 * settings are taken by new connections; what would need a listener bound or unbound, or a new
 * Sentinel client, is reported instead.
 */
public final class TlsReconfigure {

    private static final Logger log = LoggerFactory.getLogger(TlsReconfigure.class);

    private TlsReconfigure() {}

    /** A running pool's TLS: as configured at start, and its contexts (null where plain). */
    public record Running(TlsConfig configured, ServerTls listener, BackendTls backend) {}

    /** Returns one line per block not applied, naming the pool and key; empty when all were. */
    public static List<String> apply(ShardisConfig next, Map<String, Running> running) {
        List<String> problems = new ArrayList<>();
        for (PoolConfig pool : next.pools()) {
            Running runtime = running.get(pool.name());
            if (runtime == null) {
                continue;
            }
            TlsConfig now = runtime.configured();
            ServerTls listener = runtime.listener();
            TlsConfig.Listener wanted = pool.tls().listener();
            if ((listener == null) != (wanted == null)
                    || listener != null && !Objects.equals(listener.config().listen(), wanted.listen())) {
                problems.add("pool '" + pool.name() + "': key 'tls': turning TLS on or off, or moving tls.listen,"
                        + " takes a restart; the listener keeps what it has");
            } else if (listener != null) {
                apply(listener, () -> listener.reload(wanted), problems);
            }
            BackendTls backend = runtime.backend();
            TlsConfig.Peer wantedBackend = pool.tls().backend();
            if ((backend == null) != (wantedBackend == null)) {
                problems.add("pool '" + pool.name() + "': key 'backend_tls': turning TLS towards the servers on or off"
                        + " takes a restart; the connections keep what they have");
            } else if (backend != null) {
                apply(backend, () -> backend.reload(wantedBackend), problems);
            }
            if (!Objects.equals(
                    String.valueOf(now.sentinel()), String.valueOf(pool.tls().sentinel()))) {
                problems.add("pool '" + pool.name() + "': key 'sentinel_tls': a change takes a restart (its files"
                        + " are re-read at each connection)");
            }
        }
        problems.forEach(problem -> log.warn("{}", problem));
        return problems;
    }

    private interface Step {
        void run() throws TlsSetupException;
    }

    private static void apply(Reloadable context, Step step, List<String> problems) {
        try {
            step.run();
            log.info("{}: certificates and settings re-read; new connections use them", context.describe());
        } catch (TlsSetupException | RuntimeException e) {
            String key = e instanceof TlsSetupException setup ? "." + setup.key() : "";
            String problem =
                    context.describe() + key + ": " + e.getMessage() + "; the previous certificates stay in use";
            log.error("{}", problem);
            problems.add(problem);
        }
    }
}
