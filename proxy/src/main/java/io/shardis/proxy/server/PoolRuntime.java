package io.shardis.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.shardis.proxy.auth.PoolAccess;
import io.shardis.proxy.backend.BackendEvents;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendServers;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PoolHealth;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.channel.Transport;
import io.shardis.proxy.cluster.ClusterNodes;
import io.shardis.proxy.cluster.ClusterRedirects;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.PoolConfig;
import io.shardis.proxy.config.ServerConfig;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.proxy.route.RingRouter;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.proxy.route.SingleServerRouter;
import io.shardis.proxy.session.ClientRegistry;
import io.shardis.proxy.session.ClientSession;
import io.shardis.proxy.session.InvalidationHub;
import io.shardis.proxy.session.SessionPool;
import io.shardis.resp.RespLimits;
import io.shardis.topology.shard.Distribution;
import io.shardis.topology.shard.HashFunction;
import io.shardis.topology.shard.HashTag;
import io.shardis.topology.shard.ShardServer;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running pool: its configuration and its backend connections on each event loop.
 *
 * <p>Past 350 lines because it is where a pool's parts meet: its servers and ring or cluster, its
 * clients (admitted, drained, moved to the runtime a reload puts in its place, then retired), and
 * what {@code /metrics} and {@code /pools} read of it (server states, Sentinels' agreement). The
 * Sentinel views and the metrics' {@code State} are the next to move out, to a class of their own.
 */
public final class PoolRuntime implements SessionPool {

    private static final Logger log = LoggerFactory.getLogger(PoolRuntime.class);
    private static final AtomicLong CLIENT_IDS = new AtomicLong();

    private final PoolConfig config;
    private final CommandTable commands;
    private final RespLimits requestLimits;
    private final List<BackendSettings> servers;
    private final ShardRouter router;
    private final PoolHealth health;
    /** How an ejected server is checked: PING over a connection of Shardis' own; null in cluster pools. */
    private final Function<BackendSettings, CompletionStage<String>> ping;

    private final Transport transport;
    private final Map<EventLoop, BackendPool> backendsByLoop = new ConcurrentHashMap<>();
    private final Map<EventLoop, InvalidationHub> hubsByLoop = new ConcurrentHashMap<>();
    private final AtomicInteger clients = new AtomicInteger();
    /** The pool's clients, for CLIENT LIST and CLIENT KILL. */
    private final ClientRegistry clientRegistry = new ClientRegistry();

    private final ChannelGroup clientChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final PoolMetrics metrics;
    /** Who may use the pool: its users, or redis_auth as the clients' password. */
    private final PoolAccess access;
    /** The servers by index, as the backend connections see them (a cluster's grow). */
    private final BackendServers backendServers;
    /** The Redis Cluster behind the pool; null for a pool of {@code servers}. */
    private final ClusterNodes cluster;
    /** Replaced each time Sentinel moves a server: commands held for a failover are then sent at once. */
    private volatile Object serverMoves = new Object();
    /** TLS towards the servers or cluster nodes; null for plain TCP. */
    private final io.shardis.proxy.tls.BackendTls backendTls;
    /** The servers' metrics by index, as they were when this runtime was made. */
    private final List<io.shardis.proxy.metrics.ServerMetrics> serverMetrics;
    /** Follows the masters through Sentinel; null in other pools. */
    private volatile SentinelFollower follower;
    /** The runtime a reload put in this one's place, whose clients move there; null while current. */
    private volatile PoolRuntime successor;

    /**
     * @param workers the event loops; ejected servers are checked over connections opened on them
     * @param control the thread that rebuilds the ring and checks ejected servers; never an event loop
     * @param metrics where the pool's counters go (the stats port's document)
     */
    public PoolRuntime(
            PoolConfig config,
            CommandTable commands,
            Transport transport,
            EventLoopGroup workers,
            ScheduledExecutorService control,
            PoolMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.commands = commands;
        this.transport = transport;
        this.access = PoolAccess.of(
                config.name(),
                config.auth().redisAuth(),
                config.auth().users(),
                commands,
                metrics::authenticationFailed);
        this.requestLimits = RespLimits.DEFAULT
                .withMaxBulkLength(config.limits().maxBulkBytes())
                .withMaxRequestBytes(Math.max(config.limits().maxRequestBytes(), 1024));
        this.backendTls =
                io.shardis.proxy.tls.BackendTls.load(config.name(), config.tls().backend());
        if (config.isCluster()) {
            this.cluster = new ClusterNodes(config, transport, metrics, backendTls);
            cluster.onNodeLeft(index -> backendsByLoop.forEach(
                    (loop, pool) -> loop.execute(() -> pool.dropConnections(index, "left the cluster"))));
            this.router = cluster.router();
            this.servers = List.of();
            this.backendServers = cluster.servers();
            this.ping = null;
            this.health = new PoolHealth(config, List.of(), null, control, server -> {}, this::pingServer);
            this.serverMetrics = List.of();
            return;
        }
        this.cluster = null;
        this.ping = PoolHealth.pingOver(workers, transport, config.timeouts().connectMillis());
        List<BackendSettings> settings = new ArrayList<>();
        List<ShardServer> ring = new ArrayList<>();
        for (ServerConfig server : config.sharding().servers()) {
            settings.add(BackendSettings.of(config, server, transport.address(server.address()))
                    .withTls(backendTls));
            ring.add(new ShardServer(server.address().host(), server.address().port(), server.weight(), server.name()));
        }
        RingRouter ringRouter = settings.size() == 1
                ? null
                : new RingRouter(
                        HashFunction.fromConfigName(config.sharding().hash()),
                        HashTag.parse(config.sharding().hashTag()),
                        Distribution.fromConfigName(config.sharding().distribution()),
                        ring);
        this.router = ringRouter != null ? ringRouter : SingleServerRouter.INSTANCE;
        // Taken now: a reload may renumber the pool's servers while this runtime drains.
        List<io.shardis.proxy.metrics.ServerMetrics> serverMetrics = List.copyOf(metrics.servers());
        this.health = new PoolHealth(
                config,
                settings,
                ringRouter,
                control,
                server -> serverMetrics.get(server).ejected(System.currentTimeMillis() * 1000),
                this::pingServer);
        this.serverMetrics = serverMetrics;
        for (int s = 0; s < settings.size(); s++) {
            BackendSettings observed = settings.get(s).observedBy(new ServerEvents(s), serverMetrics.get(s), metrics);
            settings.set(s, config.followsSentinel() ? observed.requiringMaster() : observed);
        }
        this.servers = List.copyOf(settings);
        this.backendServers = BackendServers.of(this.servers);
        publishState();
    }

    /** Makes {@code /metrics} read this runtime's servers and Sentinels (again, when a reload could not replace it). */
    public void publishState() {
        if (cluster == null) {
            metrics.state(new State());
        }
    }

    /** The Sentinel follower of this pool, once started. */
    void followedBy(SentinelFollower follower) {
        this.follower = follower;
    }

    /**
     * What each Sentinel last said of server {@code index}'s master, and whether it names the
     * address in use; empty outside Sentinel pools. Off the event loops.
     */
    public List<SentinelView> sentinelViews(int index) {
        SentinelFollower following = follower;
        if (following == null || index >= servers.size()) {
            return List.of();
        }
        SocketAddress inUse = servers.get(index).address();
        List<SentinelView> views = new ArrayList<>();
        for (io.shardis.sentinel.SentinelWatcher.SentinelReport report :
                following.reports(config.sharding().servers().get(index).name())) {
            boolean agrees = report.master() != null
                    && inUse instanceof java.net.InetSocketAddress address
                    && report.master().getPort() == address.getPort()
                    && report.master().getHostString().equals(address.getHostString());
            views.add(new SentinelView(
                    report.sentinel().getHostString() + ":" + report.sentinel().getPort(),
                    report.master() == null
                            ? null
                            : report.master().getHostString() + ":"
                                    + report.master().getPort(),
                    report.failure(),
                    agrees));
        }
        return views;
    }

    /** One Sentinel's word on one master: the address it reports (or why none) and whether the pool uses it. */
    public record SentinelView(String sentinel, String reports, String failure, boolean agrees) {}

    /** The pool's servers and Sentinels as {@code /metrics} reads them. */
    private final class State implements io.shardis.proxy.metrics.PoolState {
        @Override
        public String serverState(String server) {
            int index = indexOf(server);
            if (index < 0) {
                return null;
            }
            return health.isInMaintenance(index) ? "maintenance" : health.isEjected(index) ? "ejected" : "in_ring";
        }

        @Override
        public int sentinels() {
            return follower == null ? 0 : config.sentinels().addresses().size();
        }

        @Override
        public int sentinelsAgreeing(String server) {
            int index = indexOf(server);
            int agreeing = 0;
            for (SentinelView view : index < 0 ? List.<SentinelView>of() : sentinelViews(index)) {
                agreeing += view.agrees() ? 1 : 0;
            }
            return agreeing;
        }

        private int indexOf(String server) {
            for (int s = 0; s < serverMetrics.size(); s++) {
                if (serverMetrics.get(s).name().equals(server)) {
                    return s;
                }
            }
            return -1;
        }
    }

    /** TLS towards the pool's servers or cluster nodes, to re-read on reload; null for plain TCP. */
    public io.shardis.proxy.tls.BackendTls backendTls() {
        return backendTls;
    }

    /** The Redis Cluster behind this pool, or null for a pool of {@code servers}. */
    public ClusterNodes cluster() {
        return cluster;
    }

    /** A server's health events, plus the news that it is not a master (for Sentinel-managed pools). */
    private final class ServerEvents implements BackendEvents {
        private final int server;

        ServerEvents(int server) {
            this.server = server;
        }

        @Override
        public void connected() {
            health.events(server).connected();
        }

        @Override
        public void failed(String reason) {
            health.events(server).failed(reason);
        }

        @Override
        public void notMaster(String reason) {
            MasterSuspicion listener = masterSuspicion;
            if (listener != null) {
                listener.suspect(server, reason);
            }
        }
    }

    /** Told when a server a Sentinel-managed pool writes to turns out not to be a master. */
    public interface MasterSuspicion {
        void suspect(int server, String reason);
    }

    private volatile MasterSuspicion masterSuspicion;

    public void onMasterSuspicion(MasterSuspicion listener) {
        this.masterSuspicion = listener;
    }

    /**
     * Sentinel promoted another master for server {@code index}: new connections go to
     * {@code address} at once, and every connection to the old one is dropped on every event loop,
     * its in-flight commands answered with an error (a demoted master must not take writes).
     */
    public void masterMoved(int index, SocketAddress address, String how) {
        BackendSettings server = servers.get(index);
        SocketAddress previous = server.address();
        if (address.equals(previous)) {
            return;
        }
        server.endpoint().moveTo(address);
        serverMoves = new Object();
        log.info("pool '{}' master '{}': {} -> {} ({})", config.name(), server.label(), previous, address, how);
        serverMetrics.get(index).failedOver();
        String reason = "was demoted: Sentinel named " + address + " master of '" + server.label() + "'";
        backendsByLoop.forEach((loop, pool) -> loop.execute(() -> pool.dropConnections(index, reason)));
    }

    /** Which server holds a key. */
    public ShardRouter router() {
        return router;
    }

    /** The indexes of the servers not ejected, in configuration order. */
    public int[] liveServers() {
        if (cluster != null) {
            return cluster.router().masters();
        }
        int[] live = new int[servers.size()];
        int count = 0;
        for (int s = 0; s < live.length; s++) {
            if (!health.isEjected(s)) {
                live[count++] = s;
            }
        }
        return count == live.length ? live : java.util.Arrays.copyOf(live, count);
    }

    /** PING to server {@code index}, whose answer (or silence) does not count as its traffic's failures. */
    private CompletionStage<String> pingServer(int index) {
        BackendSettings server = servers.get(index);
        return ping.apply(server.observedBy(BackendEvents.NONE, server.metrics(), metrics));
    }

    public PoolHealth health() {
        return health;
    }

    public List<BackendSettings> servers() {
        return servers;
    }

    /** Server {@code index} as the router numbers it, in every pool type (cluster nodes included). */
    public BackendSettings server(int index) {
        return backendServers.get(index);
    }

    public PoolConfig config() {
        return config;
    }

    public PoolAccess access() {
        return access;
    }

    public CommandTable commands() {
        return commands;
    }

    @Override
    public RespLimits requestLimits() {
        return requestLimits;
    }

    /** The pool's stats; {@code metrics().server(i)} is the i-th server of {@code config().servers()}. */
    public PoolMetrics metrics() {
        return metrics;
    }

    /** The backend connections of this pool on {@code loop}; call it on that loop. */
    public BackendPool backendsFor(EventLoop loop) {
        return backendsByLoop.computeIfAbsent(loop, l -> {
            if (cluster == null && config.holdsForFailover()) {
                // No redirections to follow: a dead master's commands wait for Sentinel's successor.
                UnreachableHold hold = new UnreachableHold(
                        new SameServerRoute(backendServers, () -> serverMoves),
                        commands,
                        l,
                        config.timeouts().failoverMillis());
                BackendPool pool = new BackendPool(
                        l,
                        transport,
                        backendServers,
                        config.backend().serverConnections(),
                        config.timeouts().connectMillis(),
                        hold);
                hold.attach(pool);
                return pool;
            }
            if (cluster == null) {
                return new BackendPool(l, transport, servers, config.backend().serverConnections());
            }
            ClusterRedirects redirects = new ClusterRedirects(cluster, commands, l);
            BackendPool pool = new BackendPool(
                    l,
                    transport,
                    backendServers,
                    config.backend().serverConnections(),
                    config.timeouts().connectMillis(),
                    redirects);
            redirects.attach(pool);
            return pool;
        });
    }

    @Override
    public InvalidationHub invalidationHub(EventLoop loop) {
        return hubsByLoop.computeIfAbsent(
                loop,
                l -> new InvalidationHub(this, backendsFor(l), config.limits().trackingMaxKeys()));
    }

    @Override
    public ClientRegistry clients() {
        return clientRegistry;
    }

    @Override
    public long nextClientId() {
        return CLIENT_IDS.incrementAndGet();
    }

    /** Counts a new client in; false when {@code client_connections} is reached. */
    public boolean admitClient() {
        int limit = config.limits().clientConnections();
        while (true) {
            int current = clients.get();
            if (limit > 0 && current >= limit) {
                return false;
            }
            if (clients.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Remembers an admitted client's channel, so that a shutdown can let it finish. */
    void track(Channel client) {
        clientChannels.add(client);
        PoolRuntime next = successor;
        if (next != null) {
            // Admitted while a reload replaced this runtime: it moves too.
            client.pipeline().fireUserEventTriggered(new ClientSession.Rebind(next));
        }
    }

    @Override
    public SessionPool successor() {
        return successor;
    }

    /**
     * A reload replaced this runtime by {@code next}: every client is asked to move there, which
     * each does once nothing of its own is in flight here (see {@link ClientSession.Rebind}).
     */
    void replacedBy(PoolRuntime next) {
        successor = next;
        for (Channel client : clientChannels) {
            client.pipeline().fireUserEventTriggered(new ClientSession.Rebind(next));
        }
    }

    @Override
    public void adopt(Channel client) {
        clients.incrementAndGet();
        clientChannels.add(client);
        PoolRuntime next = successor;
        if (next != null) {
            client.pipeline().fireUserEventTriggered(new ClientSession.Rebind(next));
        }
    }

    @Override
    public void disown(Channel client) {
        clientChannels.remove(client);
        clients.decrementAndGet();
    }

    /**
     * Once no client is left here (they moved to the successor or left), closes each backend
     * connection as soon as nothing is in flight on it, or at {@code deadlineNanos}; then the
     * pool's health checks. Call off the event loops; returns whether it is done.
     */
    public boolean retireWhenIdle(long deadlineNanos) {
        if (clients.get() > 0 && System.nanoTime() - deadlineNanos < 0) {
            return false;
        }
        java.util.concurrent.atomic.AtomicInteger busy = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(backendsByLoop.size());
        boolean late = System.nanoTime() - deadlineNanos >= 0;
        backendsByLoop.forEach((loop, pool) -> loop.execute(() -> {
            try {
                if (late || pool.inFlight() == 0) {
                    pool.close();
                } else {
                    busy.incrementAndGet();
                }
            } finally {
                checked.countDown();
            }
        }));
        try {
            if (!checked.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (busy.get() > 0) {
            return false;
        }
        health.close();
        return true;
    }

    /**
     * Asks every client to finish: nothing more is read from it, the replies it is owed are
     * written, then it is closed. Returns when they are all closed or {@code timeoutMillis} passed.
     */
    public void drainClients(long timeoutMillis) {
        for (Channel client : clientChannels) {
            client.pipeline().fireUserEventTriggered(ClientSession.DRAIN);
        }
        clientChannels.newCloseFuture().awaitUninterruptibly(timeoutMillis);
    }

    public void clientGone() {
        clients.decrementAndGet();
    }

    public int clientCount() {
        return clients.get();
    }

    /**
     * Closes every backend connection of the pool, on each event loop; commands still held for a
     * failover get their error. On shutdown, once clients have drained.
     */
    public void closeBackends() {
        backendsByLoop.forEach((loop, pool) -> loop.execute(pool::close));
    }
}
