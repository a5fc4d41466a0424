package io.shardis.proxy.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.shardis.proxy.command.CommandGroup;
import io.shardis.topology.shard.NutcrackerOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The counters of one pool, named for nutcracker's ({@link PoolStat}) and registered as
 * {@code shardis.pool.<pool>.<stat>}, and its servers' {@link ServerMetrics}.
 *
 * <p>Each method says what happened; call it from the event loop where it happened. Every counter
 * is a Dropwizard {@link Counter} (a {@code LongAdder}): no call takes a lock.
 *
 * <p>Past our usual 350 lines because it is the one list of what a pool counts: one short,
 * documented method per event (nutcracker's stats and Shardis' own), each the only writer of its
 * counter. Splitting it by theme would scatter that list without making any method simpler.
 */
public final class PoolMetrics {

    private final String name;
    private final ShardisMetrics process;
    private final Counter clientEof;
    private final Counter clientErr;
    private final Counter clientConnections;
    private final Counter serverEjects;
    private final Counter forwardError;
    private final Counter fragments;
    /** Shardis' own, not in nutcracker's document: clients disconnected by max_client_reply_bytes. */
    private final Counter clientReplyLimitDisconnects;
    /** Shardis' own, not in nutcracker's document: AUTH and HELLO AUTH that named no user with that password. */
    private final Counter authFailures;
    /** Shardis' own: commands refused because the client had not authenticated or its user may not run them. */
    private final Counter accessDenied;
    /** In configuration order: index i is the pool's i-th {@code servers:} line. */
    private volatile List<ServerMetrics> servers;
    /** In the order of the stats document (see {@link NutcrackerOrder}). */
    private volatile List<ServerMetrics> serversInDocumentOrder;

    private final MetricRegistry registry;
    /**
     * Per event loop, updated per command: client commands by {@link CommandGroup} ordinal, then
     * client bytes in and out.
     */
    private final LoopCounters perCommand = new LoopCounters(CommandGroup.all().length + 2);

    private static final int BYTES_IN = CommandGroup.all().length;
    private static final int BYTES_OUT = BYTES_IN + 1;
    /** Redirections followed, by {@link #REDIRECTION_KINDS} index. */
    private final LongAdder[] redirections = adders(REDIRECTION_KINDS.length);

    private final LongAdder slotMapChanges = new LongAdder();
    private volatile LongSupplier slotMapFetches = () -> 0;
    private final LongAdder held = new LongAdder();
    /** Commands held for a failover right now, over every event loop. */
    private final LongAdder heldNow = new LongAdder();
    /** What the pool's runtime says of its servers and Sentinels now; set when it starts (and on each reload). */
    private volatile PoolState state = PoolState.NONE;

    private final LongAdder heldFailed = new LongAdder();
    private final LatencyHistograms.Pool latency;
    /**
     * Client-side caching, over every event loop: clients tracking, keys remembered for them,
     * tracking connections open (gauges), invalidation messages sent and flushes. Changed only by
     * tracking clients and their connections, never per command of the others.
     */
    private final LongAdder trackingClients = new LongAdder();

    private final LongAdder trackingKeys = new LongAdder();
    private final LongAdder trackingConnections = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder trackingFlushes = new LongAdder();

    /** The {@code kind} label of {@code shardis_redirections_total}. */
    static final String[] REDIRECTION_KINDS = {"moved", "ask", "tryagain", "clusterdown", "loading", "masterdown"};

    /**
     * @param serverNames the servers' names in the stats document, in configuration order
     * @throws IllegalArgumentException if two servers have the same name
     */
    PoolMetrics(
            String name,
            List<String> serverNames,
            ShardisMetrics process,
            MetricRegistry registry,
            LatencyHistograms.Pool latency) {
        this.name = name;
        this.latency = latency;
        this.process = process;
        this.registry = registry;
        String prefix = MetricRegistry.name("shardis", "pool", name);
        this.clientEof = registry.counter(MetricRegistry.name(prefix, PoolStat.CLIENT_EOF.key()));
        this.clientErr = registry.counter(MetricRegistry.name(prefix, PoolStat.CLIENT_ERR.key()));
        this.clientConnections = registry.counter(MetricRegistry.name(prefix, PoolStat.CLIENT_CONNECTIONS.key()));
        this.serverEjects = registry.counter(MetricRegistry.name(prefix, PoolStat.SERVER_EJECTS.key()));
        this.forwardError = registry.counter(MetricRegistry.name(prefix, PoolStat.FORWARD_ERROR.key()));
        this.fragments = registry.counter(MetricRegistry.name(prefix, PoolStat.FRAGMENTS.key()));
        this.clientReplyLimitDisconnects =
                registry.counter(MetricRegistry.name(prefix, "client_reply_limit_disconnects"));
        this.authFailures = registry.counter(MetricRegistry.name(prefix, "auth_failures"));
        this.accessDenied = registry.counter(MetricRegistry.name(prefix, "access_denied"));
        if (new HashSet<>(serverNames).size() != serverNames.size()) {
            throw new IllegalArgumentException("pool '" + name + "' has two servers of the same name in "
                    + serverNames + " (a server is named by the name after its address, else by host:port);"
                    + " nutcracker refuses this too");
        }
        List<ServerMetrics> built = new ArrayList<>(serverNames.size());
        for (String serverName : serverNames) {
            built.add(new ServerMetrics(serverName, this, process, registry));
        }
        this.servers = List.copyOf(built);
        built.sort((a, b) -> NutcrackerOrder.compare(a.name(), b.name()));
        this.serversInDocumentOrder = List.copyOf(built);
    }

    public String name() {
        return name;
    }

    /** The metrics of the pool's {@code index}-th server, counting from 0 in configuration order. */
    public ServerMetrics server(int index) {
        return servers.get(index);
    }

    /** The metrics of the server named {@code serverName} in the stats document (see {@link ServerMetrics#name()}). */
    public ServerMetrics server(String serverName) {
        for (ServerMetrics server : servers) {
            if (server.name().equals(serverName)) {
                return server;
            }
        }
        throw new IllegalArgumentException("pool '" + name + "' has no server named '" + serverName + "'");
    }

    /**
     * Adds a server learned while running (a Redis Cluster node), after the configured ones; its
     * index is the previous {@code servers().size()}. Called off the event loops.
     */
    public synchronized ServerMetrics addServer(String serverName) {
        for (ServerMetrics server : servers) {
            if (server.name().equals(serverName)) {
                return server;
            }
        }
        ServerMetrics added = new ServerMetrics(serverName, this, process, registry);
        List<ServerMetrics> grown = new ArrayList<>(servers);
        grown.add(added);
        List<ServerMetrics> ordered = new ArrayList<>(serversInDocumentOrder);
        ordered.add(added);
        ordered.sort((a, b) -> NutcrackerOrder.compare(a.name(), b.name()));
        servers = List.copyOf(grown);
        serversInDocumentOrder = List.copyOf(ordered);
        return added;
    }

    /**
     * A reload changed the pool's servers: {@code servers()} becomes {@code serverNames}, in that
     * order, a server keeping its counters when its name stays; those gone leave the stats
     * document and the registry. Whoever holds a server's metrics keeps counting into them
     * (connections still draining). Off the event loops.
     *
     * @throws IllegalArgumentException if two servers have the same name
     */
    public synchronized void reconfigure(List<String> serverNames) {
        if (new HashSet<>(serverNames).size() != serverNames.size()) {
            throw new IllegalArgumentException("pool '" + name + "' has two servers of the same name in "
                    + serverNames + " (a server is named by the name after its address, else by host:port);"
                    + " nutcracker refuses this too");
        }
        List<ServerMetrics> kept = new ArrayList<>(serverNames.size());
        for (String serverName : serverNames) {
            ServerMetrics existing = null;
            for (ServerMetrics server : servers) {
                if (server.name().equals(serverName)) {
                    existing = server;
                }
            }
            kept.add(existing != null ? existing : new ServerMetrics(serverName, this, process, registry));
        }
        for (ServerMetrics server : servers) {
            if (!kept.contains(server)) {
                String prefix = MetricRegistry.name("shardis", "pool", name, "server", server.name()) + ".";
                registry.removeMatching((metricName, metric) -> metricName.startsWith(prefix));
            }
        }
        List<ServerMetrics> ordered = new ArrayList<>(kept);
        ordered.sort((a, b) -> NutcrackerOrder.compare(a.name(), b.name()));
        servers = List.copyOf(kept);
        serversInDocumentOrder = List.copyOf(ordered);
    }

    /** The servers the stats document lists, in its order. */
    List<ServerMetrics> listedServers() {
        return serversInDocumentOrder;
    }

    /** The pool's servers in configuration order. */
    public List<ServerMetrics> servers() {
        return servers;
    }

    /**
     * Whether the server named {@code serverName} is in the stats document: a Redis Cluster node
     * the cluster forgot is left out (its counters are kept, in case it comes back). Off the event loops.
     */
    public synchronized void listed(String serverName, boolean listed) {
        List<ServerMetrics> ordered = new ArrayList<>();
        for (ServerMetrics server : servers) {
            boolean keep = server.name().equals(serverName) ? listed : serversInDocumentOrder.contains(server);
            if (keep) {
                ordered.add(server);
            }
        }
        ordered.sort((a, b) -> NutcrackerOrder.compare(a.name(), b.name()));
        serversInDocumentOrder = List.copyOf(ordered);
    }

    /**
     * The pool's listening socket is bound: feeds {@code curr_connections} and
     * {@code total_connections}, which count listeners as nutcracker does.
     */
    public void listening() {
        process.connectionOpened();
    }

    /** The pool's listening socket is closed. */
    public void stoppedListening() {
        process.connectionClosed();
    }

    /**
     * A client connection was accepted: raises {@code client_connections}, feeds
     * {@code curr_connections} and {@code total_connections}.
     */
    public void clientConnected() {
        clientConnections.inc();
        process.connectionOpened();
    }

    /** A client closed its connection (FIN), or Shardis closed it after QUIT: feeds {@code client_eof}. */
    public void clientClosedByEof() {
        clientEof.inc();
        clientGone();
    }

    /** A client connection ended otherwise (reset, protocol error, closed by Shardis): feeds {@code client_err}. */
    public void clientClosedByError() {
        clientErr.inc();
        clientGone();
    }

    /**
     * A request got an error reply because it could not be forwarded or its server failed: feeds
     * {@code forward_error}.
     */
    public void forwardFailed() {
        forwardError.inc();
    }

    /** A multi-key command was split into {@code count} sub-requests: feeds {@code fragments}. */
    public void fragmentsCreated(int count) {
        fragments.inc(count);
    }

    /**
     * A client was disconnected because of the replies Shardis held for it (max_client_reply_bytes):
     * {@code shardis.pool.<pool>.client_reply_limit_disconnects}.
     */
    public void clientReplyLimitReached() {
        clientReplyLimitDisconnects.inc();
    }

    /** Clients disconnected so far by {@code max_client_reply_bytes}. */
    public long clientReplyLimitDisconnects() {
        return clientReplyLimitDisconnects.getCount();
    }

    /** A client's AUTH (or HELLO AUTH) failed: {@code shardis.pool.<pool>.auth_failures}. */
    public void authenticationFailed() {
        authFailures.inc();
    }

    /** A command was refused with NOAUTH or NOPERM: {@code shardis.pool.<pool>.access_denied}. */
    public void accessDenied() {
        accessDenied.inc();
    }

    /** Feeds {@code server_ejects}; reached through {@link ServerMetrics#ejected(long)}. */
    void serverEjected() {
        serverEjects.inc();
    }

    /** A client command of {@code group} was read (whatever becomes of it). */
    public void commandReceived(CommandGroup group) {
        perCommand.add(group.ordinal(), 1);
    }

    /** Client commands of {@code group} read so far. */
    public long commands(CommandGroup group) {
        return perCommand.sum(group.ordinal());
    }

    /**
     * A forwarded command's reply reached its client's session, {@code totalNanos} after the
     * command was read, {@code backendNanos} of which its backend took.
     */
    public void commandAnswered(long totalNanos, long backendNanos) {
        latency.commandAnswered(totalNanos, backendNanos);
    }

    /** A backend answered a request of this pool {@code roundTripNanos} after it was written. */
    public void backendReplied(long roundTripNanos) {
        latency.backendReplied(roundTripNanos);
    }

    /**
     * A backend answered {@code kind} (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, LOADING, MASTERDOWN) and
     * Shardis sent the command again, elsewhere or later. Case as Redis writes it.
     */
    public void redirected(String kind) {
        for (int k = 0; k < REDIRECTION_KINDS.length; k++) {
            if (REDIRECTION_KINDS[k].equalsIgnoreCase(kind)) {
                redirections[k].increment();
                return;
            }
        }
    }

    /** A cluster pool adopted a new slot map. */
    public void slotMapChanged() {
        slotMapChanges.increment();
    }

    /** Where the number of slot map fetches (periodic and on demand) is read from. */
    public void slotMapFetches(LongSupplier fetches) {
        this.slotMapFetches = fetches;
    }

    /** A command began to wait for an unreachable master's successor (see {@code failover_timeout}). */
    public void commandHeld() {
        held.increment();
    }

    /** Commands held for a failover changed by {@code delta} (a queue of one event loop grew or shrank). */
    public void heldNow(int delta) {
        heldNow.add(delta);
    }

    /** Commands held for a failover right now. */
    public long heldNow() {
        return heldNow.sum();
    }

    /** Where the servers' states and the Sentinels' agreement are read from, when scraped. */
    public void state(PoolState state) {
        this.state = state;
    }

    PoolState state() {
        return state;
    }

    /** A held command's {@code failover_timeout} passed: its client got an error. */
    public void heldCommandFailed() {
        heldFailed.increment();
    }

    /** Clients tracking (CLIENT TRACKING ON) changed by {@code delta}. */
    public void trackingClients(int delta) {
        trackingClients.add(delta);
    }

    /** Keys remembered for tracking clients (default mode) changed by {@code delta}. */
    public void trackingKeys(int delta) {
        trackingKeys.add(delta);
    }

    /** Tracking connections to the servers (CLIENT TRACKING ON BCAST) changed by {@code delta}. */
    public void trackingConnections(int delta) {
        trackingConnections.add(delta);
    }

    /** A tracking client (or the client it redirects to) was sent an invalidation of keys. */
    public void invalidationSent() {
        invalidations.increment();
    }

    /**
     * The tracking clients of an event loop were told to forget everything (Redis' null
     * invalidation): a tracking connection lost, back, or refused.
     */
    public void trackingFlushed() {
        trackingFlushes.increment();
    }

    long trackingClients() {
        return trackingClients.sum();
    }

    long trackingKeys() {
        return trackingKeys.sum();
    }

    long trackingConnections() {
        return trackingConnections.sum();
    }

    long invalidations() {
        return invalidations.sum();
    }

    long trackingFlushes() {
        return trackingFlushes.sum();
    }

    /** A client sent a command of {@code bytes}. */
    public void clientBytesReceived(int bytes) {
        perCommand.add(BYTES_IN, bytes);
    }

    /** Shardis wrote {@code bytes} to a client. */
    public void clientBytesSent(int bytes) {
        perCommand.add(BYTES_OUT, bytes);
    }

    long redirections(int kind) {
        return redirections[kind].sum();
    }

    long slotMapChanges() {
        return slotMapChanges.sum();
    }

    long slotMapFetches() {
        return slotMapFetches.getAsLong();
    }

    public long held() {
        return held.sum();
    }

    long heldFailed() {
        return heldFailed.sum();
    }

    long clientBytesIn() {
        return perCommand.sum(BYTES_IN);
    }

    long clientBytesOut() {
        return perCommand.sum(BYTES_OUT);
    }

    /** The current value of one of nutcracker's pool counters. */
    long stat(PoolStat stat) {
        return switch (stat) {
            case CLIENT_EOF -> clientEof.getCount();
            case CLIENT_ERR -> clientErr.getCount();
            case CLIENT_CONNECTIONS -> clientConnections.getCount();
            case SERVER_EJECTS -> serverEjects.getCount();
            case FORWARD_ERROR -> forwardError.getCount();
            case FRAGMENTS -> fragments.getCount();
        };
    }

    private static LongAdder[] adders(int count) {
        LongAdder[] adders = new LongAdder[count];
        for (int i = 0; i < count; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    private void clientGone() {
        clientConnections.dec();
        process.connectionClosed();
    }

    StatsSnapshot.Pool snapshot() {
        Map<PoolStat, Long> values = new EnumMap<>(PoolStat.class);
        values.put(PoolStat.CLIENT_EOF, clientEof.getCount());
        values.put(PoolStat.CLIENT_ERR, clientErr.getCount());
        values.put(PoolStat.CLIENT_CONNECTIONS, clientConnections.getCount());
        values.put(PoolStat.SERVER_EJECTS, serverEjects.getCount());
        values.put(PoolStat.FORWARD_ERROR, forwardError.getCount());
        values.put(PoolStat.FRAGMENTS, fragments.getCount());
        List<StatsSnapshot.Server> servers = new ArrayList<>(serversInDocumentOrder.size());
        for (ServerMetrics server : serversInDocumentOrder) {
            servers.add(server.snapshot());
        }
        return new StatsSnapshot.Pool(name, values, servers);
    }
}
