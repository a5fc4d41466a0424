package io.shardis.proxy.server;

import io.shardis.proxy.config.HostPort;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.PoolDefaults;
import io.shardis.proxy.config.ServerConfig;
import io.shardis.sentinel.MasterChange;
import io.shardis.sentinel.MasterListener;
import io.shardis.sentinel.SentinelSettings;
import io.shardis.sentinel.SentinelWatcher;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Keeps a pool's servers where Sentinel says their masters are: each server's name is its master
 * name; the address Sentinel gives replaces the configured one at start and on every failover, and
 * a server that turns out not to be a master makes the Sentinels be asked again.
 */
public final class SentinelFollower implements AutoCloseable {

    /** Periodic re-asking, in case an event was missed or a Sentinel was down. */
    private static final Duration RECHECK_INTERVAL = Duration.ofSeconds(2);
    /** A flood of READONLY replies asks the Sentinels at most this often. */
    private static final long RECHECK_SPACING_NANOS = 100_000_000L;

    private final SentinelWatcher watcher;

    private SentinelFollower(SentinelWatcher watcher) {
        this.watcher = watcher;
    }

    /** Learns every master's address (blocking, bounded) and follows them; before the pool takes clients. */
    public static SentinelFollower start(PoolRuntime pool) {
        PoolConfig config = pool.config();
        Map<String, Integer> serverByName = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (int s = 0; s < config.sharding().servers().size(); s++) {
            ServerConfig server = config.sharding().servers().get(s);
            serverByName.put(server.name(), s);
            names.add(server.name());
        }
        List<InetSocketAddress> sentinels = new ArrayList<>();
        for (HostPort sentinel : config.sentinels().addresses()) {
            sentinels.add(new InetSocketAddress(sentinel.host(), sentinel.port()));
        }
        SentinelSettings settings = new SentinelSettings(
                sentinels,
                config.sentinels().user(),
                config.sentinels().auth(),
                Duration.ofMillis(Math.max(config.timeouts().connectMillis(), 1000)),
                RECHECK_INTERVAL);
        if (config.tls().sentinel() != null) {
            try {
                settings = settings.withTls(
                        io.shardis.proxy.tls.LettuceTls.options(config.tls().sentinel()),
                        io.shardis.proxy.tls.LettuceTls.verifyMode(config.tls().sentinel()));
            } catch (io.shardis.proxy.tls.TlsSetupException e) {
                throw new IllegalStateException(
                        "pool '" + config.name() + "': key 'sentinel_tls." + e.key() + "': " + e.getMessage(), e);
            }
        }
        MasterListener listener = (MasterChange change) -> {
            Integer server = serverByName.get(change.masterName());
            if (server != null) {
                pool.masterMoved(server, change.current(), change.how());
            }
        };
        long patience =
                Math.max(PoolDefaults.STARTUP_PATIENCE_MILLIS, config.timeouts().connectMillis());
        SentinelWatcher watcher =
                SentinelWatcher.start(settings, new LinkedHashSet<>(names), listener, Duration.ofMillis(patience));
        for (String name : names) {
            pool.masterMoved(serverByName.get(name), watcher.master(name), "Sentinel, at start");
        }
        AtomicLongArray lastRecheck = new AtomicLongArray(names.size());
        pool.onMasterSuspicion((server, reason) -> {
            long now = System.nanoTime();
            long last = lastRecheck.get(server);
            if ((last == 0 || now - last > RECHECK_SPACING_NANOS) && lastRecheck.compareAndSet(server, last, now)) {
                watcher.recheck(names.get(server), reason);
            }
        });
        SentinelFollower follower = new SentinelFollower(watcher);
        pool.followedBy(follower);
        return follower;
    }

    /** What each Sentinel last said of master {@code masterName} (see {@link SentinelWatcher#reports}). */
    public List<SentinelWatcher.SentinelReport> reports(String masterName) {
        return watcher.reports(masterName);
    }

    @Override
    public void close() {
        watcher.close();
    }
}
