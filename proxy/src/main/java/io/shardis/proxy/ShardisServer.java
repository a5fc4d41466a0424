package io.shardis.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.shardis.proxy.channel.Transport;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ShardisConfig;
import io.shardis.proxy.config.Version;
import io.shardis.proxy.http.OpsHttpServer;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.metrics.ShardisMetrics;
import io.shardis.proxy.metrics.StatsServer;
import io.shardis.proxy.metrics.TwemproxyStatsDocument;
import io.shardis.proxy.server.ListenSockets;
import io.shardis.proxy.server.PoolListener;
import io.shardis.proxy.server.PoolRuntime;
import io.shardis.proxy.server.SentinelFollower;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Shardis: one listening socket per pool, a few event loops that serve clients and their
 * backend connections together, its {@link ShardisMetrics} and, when asked for, the Twemproxy stats
 * port, HTTP listener and JMX reporter. Start with {@link #start}, stop with {@link #close}.
 *
 * <p>Somewhat past 350 lines because it owns the lifecycle of every part of a running process:
 * starting and stopping one pool (also on a reload), and the order in which a shutdown drains
 * clients, stops followers and refreshers and closes the event loops. What a reload decides is in
 * {@link ConfigReload}, the HTTP answers in {@link ServerOperations}.
 */
public final class ShardisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ShardisServer.class);

    static {
        // Lettuce (Sentinel, ACL probes) would warn at every start that it picked epoll over
        // io_uring when both load; its few connections gain nothing from io_uring.
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
    }

    /** How long a shutdown waits for clients to receive the replies to what they already sent. */
    static final long DRAIN_MILLIS = 2000;

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    /** The running pools, in configuration order; replaced whole when a reload adds or removes one. */
    private volatile Map<String, PoolListener> listeners;

    private Transport transport;
    private CommandTable commands;
    private int workerThreads;
    /** Off the event loops: ring rebuilds after ejections, health checks of ejected servers. */
    private final ScheduledExecutorService control;

    private final ShardisMetrics metrics;
    /** One per pool whose servers Sentinel places, by pool name. */
    private final Map<String, SentinelFollower> sentinelFollowers = new java.util.concurrent.ConcurrentHashMap<>();
    /** The Redis Clusters behind cluster pools, by pool name; their topology refreshers stop with the pool. */
    private final Map<String, io.shardis.proxy.cluster.ClusterNodes> clusters =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Null when no stats port was asked for. */
    private StatsServer stats;
    /** The TLS listeners beside plain ones ({@code tls.listen}), by pool. */
    private final Map<String, PoolListener> tlsListeners = new java.util.concurrent.ConcurrentHashMap<>();
    /** Every TLS context of every pool, re-read by {@link #reloadTls}. */
    private final io.shardis.proxy.tls.TlsReloader tls = new io.shardis.proxy.tls.TlsReloader();
    /** The listeners' TLS by pool, for {@link #reloadTls(ShardisConfig)}. */
    private final Map<String, io.shardis.proxy.tls.ServerTls> serverTls =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** The HTTP listener (/metrics, /health, /ready, /pools); null when off. */
    private OpsHttpServer http;

    private ServerOperations operations;
    /** The registry as JMX MBeans ({@code shardis: jmx: true}); null when off. */
    private com.codahale.metrics.jmx.JmxReporter jmx;
    /** The configuration running now (replaced by a reload). */
    private volatile ShardisConfig config;
    /** Set when {@link #close} begins: {@code /ready} answers 503 from then on. */
    private volatile boolean draining;

    private ShardisServer(
            EventLoopGroup acceptors,
            EventLoopGroup workers,
            Map<String, PoolListener> listeners,
            ScheduledExecutorService control,
            ShardisMetrics metrics) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.listeners = listeners;
        this.control = control;
        this.metrics = metrics;
    }

    /** Starts with one event loop per core, without a stats port. */
    public static ShardisServer start(ShardisConfig config) throws InterruptedException {
        return start(config, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Binds every pool of {@code config}, without a stats port; fails (closing what was opened) if
     * any address cannot be bound.
     */
    public static ShardisServer start(ShardisConfig config, int workerThreads) throws InterruptedException {
        return start(config, workerThreads, null);
    }

    /**
     * Binds every pool of {@code config} and serves the Twemproxy stats document on
     * {@code statsAddress} (port 0: a free port, see {@link #statsAddress()}); fails (closing what
     * was opened) if any address cannot be bound.
     *
     * @param statsAddress where to serve stats; null for no stats port
     */
    public static ShardisServer start(ShardisConfig config, int workerThreads, InetSocketAddress statsAddress)
            throws InterruptedException {
        return start(config, workerThreads, statsAddress, null);
    }

    /**
     * Like {@link #start(ShardisConfig, int, InetSocketAddress)}, with the HTTP listener on
     * {@code httpAddress} (port 0: a free port, see {@link #httpAddress()}; null: none).
     */
    public static ShardisServer start(
            ShardisConfig config, int workerThreads, InetSocketAddress statsAddress, InetSocketAddress httpAddress)
            throws InterruptedException {
        ShardisMetrics metrics = ShardisMetrics.create(config, Version.current());
        Transport transport = Boolean.getBoolean("shardis.nio")
                ? Transport.choose(Transport.NIO)
                : Transport.choose(config.process().transport());
        if (transport.fallback() != null) {
            log.info("transport {} (passed over: {})", transport.name(), transport.fallback());
        } else {
            log.info("transport {}", transport.name());
        }
        EventLoopGroup acceptors = transport.newGroup(1, "shardis-accept");
        EventLoopGroup workers = transport.newGroup(workerThreads, "shardis-worker");
        Map<String, PoolListener> listeners = new LinkedHashMap<>();
        ScheduledExecutorService control =
                Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("shardis-control", true));
        ShardisServer server = new ShardisServer(acceptors, workers, listeners, control, metrics);
        server.config = config;
        try {
            if (statsAddress != null) {
                // Before the pools, as nutcracker does: a stats port in use stops the start
                // before any client has connected.
                server.stats = StatsServer.start(statsAddress, () -> TwemproxyStatsDocument.render(metrics.snapshot()));
                log.info("stats on {}", server.stats.address());
            }
            server.transport = transport;
            server.commands = CommandTable.standard();
            server.workerThreads = workerThreads;
            for (PoolConfig pool : config.pools()) {
                server.startPool(pool, metrics.pool(pool.name()));
            }
            if (config.process().jmx()) {
                server.jmx = com.codahale.metrics.jmx.JmxReporter.forRegistry(metrics.registry())
                        .inDomain("shardis")
                        .build();
                server.jmx.start();
                log.info("metrics published as JMX MBeans in domain 'shardis'");
            }
            if (httpAddress != null) {
                // After the pools: /ready must not answer before they exist.
                try {
                    server.operations = new ServerOperations(server);
                    server.http = OpsHttpServer.start(httpAddress, metrics.prometheus(), server.operations);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(
                            "cannot listen for HTTP on " + httpAddress + ": " + e.getMessage(), e);
                }
                log.info("HTTP on {}: /metrics /health /ready /pools", server.http.address());
            }
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Starts one pool: its runtime, its cluster's slot map or Sentinel follower, its listening
     * socket; fails (with the pool not listed) if any of them cannot start.
     */
    synchronized PoolListener startPool(PoolConfig pool, PoolMetrics poolMetrics) throws InterruptedException {
        Parts parts = startRuntime(pool, poolMetrics);
        PoolRuntime runtime = parts.runtime();
        AtomicReference<PoolRuntime> current = new AtomicReference<>(runtime);
        Channel channel;
        io.shardis.proxy.tls.ServerTls listenerTls;
        boolean tlsBeside;
        try {
            listenerTls = pool.tls().listener() == null
                    ? null
                    : io.shardis.proxy.tls.ServerTls.load(
                            pool.name(), pool.tls().listener());
            tlsBeside = listenerTls != null && listenerTls.config().listen() != null;
            channel = ListenSockets.bind(
                    pool,
                    transport,
                    acceptors,
                    workers,
                    PoolListener.initializer(current, tlsBeside ? null : listenerTls));
            if (tlsBeside) {
                try {
                    Channel tlsChannel = ListenSockets.bind(
                            pool,
                            listenerTls.config().listen(),
                            transport,
                            acceptors,
                            workers,
                            PoolListener.initializer(current, listenerTls));
                    tlsListeners.put(pool.name(), new PoolListener(current, tlsChannel));
                } catch (RuntimeException e) {
                    channel.close().syncUninterruptibly();
                    throw e;
                }
            }
        } catch (RuntimeException e) {
            parts.close();
            throw e;
        }
        parts.register();
        tls.add(listenerTls);
        if (listenerTls != null) {
            serverTls.put(pool.name(), listenerTls);
        }
        poolMetrics.listening();
        preconnect(runtime);
        PoolListener listener = new PoolListener(current, channel);
        Map<String, PoolListener> grown = new LinkedHashMap<>(listeners);
        grown.put(pool.name(), listener);
        listeners = grown;
        log.info(
                "pool '{}' listening on {} -> {} ({} transport, {} workers)",
                pool.name(),
                channel.localAddress(),
                describeServers(pool),
                transport.name(),
                workerThreads);
        SecurityReport.logAtStart(pool, commands);
        PoolListener besideListener = tlsListeners.get(pool.name());
        io.shardis.proxy.tls.TlsStartLog.log(
                pool,
                listenerTls,
                channel,
                besideListener == null ? null : besideListener.localAddress(),
                runtime.backendTls());
        return listener;
    }

    /** A pool's runtime and what follows its backends for it, started but not yet listed as the pool's. */
    private final class Parts {
        private final PoolRuntime runtime;
        private final SentinelFollower follower;

        Parts(PoolRuntime runtime, SentinelFollower follower) {
            this.runtime = runtime;
            this.follower = follower;
        }

        PoolRuntime runtime() {
            return runtime;
        }

        /** Lists them as the pool's (a reload's replaced ones are retired apart). */
        void register() {
            String name = runtime.config().name();
            if (runtime.cluster() != null) {
                clusters.put(name, runtime.cluster());
            }
            if (follower != null) {
                sentinelFollowers.put(name, follower);
            }
            tls.add(runtime.backendTls());
        }

        /** Stops them: the pool could not start. */
        void close() {
            if (follower != null) {
                follower.close();
            }
            if (runtime.cluster() != null) {
                runtime.cluster().close();
            }
            runtime.health().close();
        }
    }

    /** Makes a pool's runtime and starts its slot map or Sentinel follower; nothing listed yet. */
    private Parts startRuntime(PoolConfig pool, PoolMetrics poolMetrics) {
        PoolRuntime runtime = new PoolRuntime(pool, commands, transport, workers, control, poolMetrics);
        SentinelFollower follower = null;
        try {
            if (runtime.cluster() != null) {
                // The slot map first: a pool that cannot reach its cluster does not start.
                runtime.cluster().start();
            }
            if (pool.followsSentinel()) {
                // Before the pool takes clients: none may reach a master Sentinel has replaced.
                follower = SentinelFollower.start(runtime);
            }
        } catch (RuntimeException e) {
            new Parts(runtime, follower).close();
            throw e;
        }
        return new Parts(runtime, follower);
    }

    private void preconnect(PoolRuntime runtime) {
        if (runtime.config().backend().preconnect()) {
            for (EventExecutor executor : workers) {
                EventLoop loop = (EventLoop) executor;
                loop.execute(() -> runtime.backendsFor(loop).preconnect());
            }
        }
    }

    /**
     * A reload changed pool {@code next.name()}'s settings but not where or how it listens: a new
     * runtime takes its place on the same socket. New clients join it; connected ones move to it
     * once nothing of theirs is in flight on the old one (a transaction, blocking call or
     * subscription once it is over), so none is dropped and none sees a command overtake an
     * earlier one. The old runtime's backend connections close once no client is left on it and
     * nothing is in flight on them (at most {@link #RETIRE_MILLIS}). Fails, with the old runtime
     * still in place, if the new one cannot start (a cluster that cannot be reached).
     */
    synchronized void replacePool(PoolConfig next) throws InterruptedException {
        PoolListener listener = listeners.get(next.name());
        PoolRuntime old = listener.pool();
        PoolMetrics poolMetrics = metrics.reconfigurePool(next);
        Parts parts;
        try {
            parts = startRuntime(next, poolMetrics);
        } catch (RuntimeException e) {
            metrics.reconfigurePool(old.config());
            old.publishState();
            throw e;
        }
        SentinelFollower oldFollower = sentinelFollowers.remove(next.name());
        io.shardis.proxy.cluster.ClusterNodes oldCluster = clusters.remove(next.name());
        parts.register();
        PoolRuntime runtime = parts.runtime();
        keepMaintenance(old, runtime);
        preconnect(runtime);
        retiring.add(old);
        // One reference for the plain and the TLS listener: both now admit to the new runtime.
        listener.replace(runtime);
        log.info(
                "pool '{}' now -> {}; its clients move to the new settings as their commands in flight are answered",
                next.name(),
                describeServers(next));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETIRE_MILLIS);
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            if (!old.retireWhenIdle(deadline)) {
                control.schedule(check[0], 100, TimeUnit.MILLISECONDS);
                return;
            }
            if (oldFollower != null) {
                oldFollower.close();
            }
            if (oldCluster != null) {
                oldCluster.close();
            }
            tls.remove(old.backendTls());
            retiring.remove(old);
            log.info("pool '{}': the connections of its previous settings are closed", next.name());
        };
        control.schedule(check[0], 100, TimeUnit.MILLISECONDS);
    }

    /**
     * A server an operator took out for maintenance ({@code POST .../eject}) stays out in the
     * replacing runtime, when it is still one of the pool's (same address and name).
     */
    private static void keepMaintenance(PoolRuntime old, PoolRuntime next) {
        List<io.shardis.proxy.config.ServerConfig> before =
                old.config().sharding().servers();
        List<io.shardis.proxy.config.ServerConfig> after =
                next.config().sharding().servers();
        for (int s = 0; s < before.size() && old.cluster() == null; s++) {
            if (!old.health().isInMaintenance(s)) {
                continue;
            }
            for (int n = 0; n < after.size(); n++) {
                if (after.get(n).address().equals(before.get(s).address())
                        && java.util.Objects.equals(
                                after.get(n).name(), before.get(s).name())) {
                    String refused = next.health().eject(n);
                    if (refused != null) {
                        log.warn(
                                "pool '{}': server {} was in maintenance but cannot stay out: {}",
                                next.config().name(),
                                after.get(n).label(),
                                refused);
                    }
                }
            }
        }
    }

    /** The runtimes a reload replaced whose connections are not all closed yet. */
    private final java.util.Set<PoolRuntime> retiring = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** How long a replaced runtime's backend connections may wait for their commands in flight. */
    static final long RETIRE_MILLIS = 60_000;

    /**
     * Stops one pool: no new clients; its clients receive the replies they are owed (up to
     * {@link #DRAIN_MILLIS}), then they and its backend connections are closed, and its metrics go.
     */
    void stopPool(String name) {
        PoolListener listener;
        synchronized (this) {
            listener = listeners.get(name);
            if (listener == null) {
                return;
            }
            Map<String, PoolListener> shrunk = new LinkedHashMap<>(listeners);
            shrunk.remove(name);
            listeners = shrunk;
        }
        listener.close();
        PoolListener tlsListener = tlsListeners.remove(name);
        if (tlsListener != null) {
            tlsListener.close();
        }
        serverTls.remove(name);
        listener.pool().metrics().stoppedListening();
        listener.pool().drainClients(DRAIN_MILLIS);
        SentinelFollower follower = sentinelFollowers.remove(name);
        if (follower != null) {
            follower.close();
        }
        io.shardis.proxy.cluster.ClusterNodes cluster = clusters.remove(name);
        if (cluster != null) {
            cluster.close();
        }
        listener.pool().closeBackends();
        listener.pool().health().close();
        metrics.removePool(name);
        log.info("pool '{}' stopped", name);
    }

    /** The metrics registry's pool for a pool a reload adds. */
    PoolMetrics addPoolMetrics(PoolConfig pool) {
        return metrics.addPool(pool);
    }

    /** The file a reload reads; null until set by {@link #reloadsFrom}. */
    private volatile java.nio.file.Path configFile;

    /** The file {@link #reloadConfiguration()} reads again. */
    public void reloadsFrom(java.nio.file.Path file) {
        this.configFile = file;
    }

    /** {@code --transport} as given on the command line, null when not: it outranks the file's at every reload. */
    private volatile String transportFlag;

    /** The {@code --transport} of the command line (null: none), kept over the file's {@code transport} at reloads. */
    public void transportFlag(String flag) {
        this.transportFlag = flag;
    }

    /** {@code config} as read from the file, with what the command line overrides in it applied. */
    ShardisConfig withCommandLine(ShardisConfig config) {
        String flag = transportFlag;
        return flag == null
                ? config
                : new ShardisConfig(
                        config.source(), config.pools(), config.process().withTransport(flag));
    }

    /**
     * Reads the configuration file again and applies it (SIGHUP, {@code POST /reload}): the one
     * entry point of a reload. A file that fails its checks is refused and the running
     * configuration stays; see {@link ConfigReload}.
     */
    public ConfigReload.Result reloadConfiguration() {
        if (configFile == null) {
            return new ConfigReload.Result(
                    "refused", java.util.List.of(), java.util.List.of(), "this Shardis was not started from a file");
        }
        return ConfigReload.run(this, configFile);
    }

    /** Replaces the configuration the server reports as running (after a reload applied it). */
    void configuration(ShardisConfig config) {
        this.config = config;
    }

    private static String describeServers(PoolConfig pool) {
        if (pool.isCluster()) {
            return "Redis Cluster (seeds " + pool.cluster().seeds() + ")";
        }
        if (pool.sharding().servers().size() == 1) {
            return pool.sharding().servers().get(0).address().toString();
        }
        StringBuilder text = new StringBuilder()
                .append(pool.sharding().servers().size())
                .append(" servers (")
                .append(pool.sharding().hash())
                .append(", ")
                .append(pool.sharding().distribution())
                .append("): ");
        for (int s = 0; s < pool.sharding().servers().size(); s++) {
            text.append(s == 0 ? "" : ", ")
                    .append(pool.sharding().servers().get(s).label());
        }
        return text.toString();
    }

    /** Where pool {@code name} listens (the real port when the configuration said 0). */
    public InetSocketAddress address(String pool) {
        PoolListener listener = listeners.get(pool);
        if (listener == null) {
            throw new IllegalArgumentException("no pool named '" + pool + "'");
        }
        return listener.address();
    }

    /**
     * Where pool {@code name} accepts TLS clients: its {@code tls.listen} beside the plain
     * {@code listen}, or {@code listen} itself when that speaks TLS.
     */
    public InetSocketAddress tlsAddress(String pool) {
        PoolListener beside = tlsListeners.get(pool);
        return beside != null ? beside.address() : address(pool);
    }

    /**
     * Re-reads every pool's certificates, keys and CA files ({@code tls}, {@code backend_tls}):
     * new connections use them, open ones keep theirs, so no client is dropped. A context whose files
     * cannot be read keeps the old ones. Returns one line per failure, empty when all were renewed.
     * ({@code sentinel_tls} files are read by Lettuce at each connection to a Sentinel.)
     */
    public java.util.List<String> reloadTls() {
        return tls.reloadAll();
    }

    /**
     * For a configuration reload: applies each running pool's {@code tls} and {@code backend_tls}
     * blocks from {@code next} (new files, CA, checks, protocols, ciphers, engine) to new
     * connections, re-reading every file, as {@link #reloadTls()} does. What needs a restart (a
     * block added or removed, a changed {@code tls.listen}, any {@code sentinel_tls} change) is
     * left as it runs and reported. Returns one line per block not applied; empty when all were.
     */
    public java.util.List<String> reloadTls(ShardisConfig next) {
        Map<String, io.shardis.proxy.tls.TlsReconfigure.Running> running = new LinkedHashMap<>();
        listeners.forEach((name, listener) -> running.put(
                name,
                new io.shardis.proxy.tls.TlsReconfigure.Running(
                        listener.pool().config().tls(),
                        serverTls.get(name),
                        listener.pool().backendTls())));
        return io.shardis.proxy.tls.TlsReconfigure.apply(next, running);
    }

    /** Where the stats port listens (the real port when asked for port 0). */
    public InetSocketAddress statsAddress() {
        if (stats == null) {
            throw new IllegalStateException("this Shardis was started without a stats port");
        }
        return stats.address();
    }

    /** Where the HTTP listener listens (the real port when asked for port 0). */
    public InetSocketAddress httpAddress() {
        if (http == null) {
            throw new IllegalStateException("this Shardis was started without an HTTP listener");
        }
        return http.address();
    }

    /** The configuration running now. */
    public ShardisConfig config() {
        return config;
    }

    /** Whether Shardis is stopping (SIGTERM): it takes no new clients and lets the others finish. */
    public boolean isDraining() {
        return draining;
    }

    /** The running pools by name, in configuration order. */
    Map<String, PoolListener> listeners() {
        return listeners;
    }

    /** The process' metrics: what the stats port serves, and a Dropwizard registry. */
    public ShardisMetrics metrics() {
        return metrics;
    }

    /** Whether a drain grace applies (set from the command line); off for a server started in-process. */
    private volatile boolean graceful;
    /** {@code --drain-grace}, which wins over the configuration's {@code drain_grace}; null when not given. */
    private volatile Integer drainGraceFlag;

    /**
     * Makes {@link #close} wait, once {@code /ready} answers 503, for {@code flag} ms (null: the
     * configuration's {@code drain_grace}, as a reload last set it) before closing the listeners,
     * when there is an HTTP listener for load balancers to watch.
     */
    public void drainGrace(Integer flag) {
        this.drainGraceFlag = flag;
        this.graceful = true;
    }

    /** The ms {@link #close} waits between {@code /ready} turning 503 and the listeners closing. */
    long drainGraceMillis() {
        if (!graceful || http == null) {
            return 0;
        }
        Integer flag = drainGraceFlag;
        return flag != null ? flag : config.process().drainGraceMillis();
    }

    /**
     * Answers 503 on {@code /ready} at once and, for the drain grace, keeps serving (load balancers
     * see the 503 and stop sending new clients); then stops listening, lets connected clients
     * receive the replies they are owed (up to {@link #DRAIN_MILLIS}), then closes every connection
     * and the event loops; waits for them.
     */
    @Override
    public void close() {
        draining = true;
        long grace = drainGraceMillis();
        if (grace > 0) {
            log.info("draining: /ready answers 503; the listeners close in {} ms (drain_grace)", grace);
            try {
                Thread.sleep(grace);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (PoolListener listener : tlsListeners.values()) {
            listener.close();
        }
        for (PoolListener listener : listeners.values()) {
            listener.close();
            listener.pool().metrics().stoppedListening();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        for (PoolListener listener : listeners.values()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            listener.pool().drainClients(Math.max(left, 0));
        }
        for (PoolRuntime replaced : retiring) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            replaced.drainClients(Math.max(left, 0));
        }
        if (stats != null) {
            stats.close();
        }
        if (http != null) {
            http.close();
        }
        if (operations != null) {
            operations.close();
        }
        if (jmx != null) {
            jmx.stop();
        }
        for (SentinelFollower follower : sentinelFollowers.values()) {
            follower.close();
        }
        for (io.shardis.proxy.cluster.ClusterNodes cluster : clusters.values()) {
            cluster.close();
        }
        for (PoolListener listener : listeners.values()) {
            listener.pool().closeBackends();
        }
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        for (PoolListener listener : listeners.values()) {
            listener.pool().health().close();
        }
        control.shutdownNow();
    }
}
