package io.shardis.proxy.backend;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.shardis.proxy.channel.Transport;
import io.shardis.proxy.config.PoolDefaults;
import io.shardis.resp.RespProtocol;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The connections of one pool on one event loop: {@code server_connections} shared connections per
 * server, plus dedicated ones opened for sessions that need a connection to themselves. Only the
 * owning event loop touches it.
 *
 * <p>Connections speak RESP2, or RESP3 for the commands of RESP3 clients (Redis shapes a reply by
 * the protocol of the connection it runs on): a server's RESP3 shared connections are made when
 * its first RESP3 client sends it a command, so a pool whose clients all speak RESP2 has none.
 *
 * <p>Longer than our usual 350 lines because each protocol has its own shared and idle
 * connections, grown, dropped and closed together; what shrinks it next is one class holding a
 * protocol's connections, two of which the pool keeps.
 */
public final class BackendPool {

    /** Idle dedicated connections kept per server on each loop, ready for the next transaction. */
    static final int MAX_IDLE_DEDICATED = 8;

    private final EventLoop loop;
    /** Opens each server's channels: Netty's Bootstrap in production, EmbeddedChannels in unit tests. */
    private final Function<BackendSettings, BackendConnector> connectors;

    private final BackendServers servers;
    /** Follows MOVED/ASK/TRYAGAIN for commands sent here; null outside cluster pools. */
    private final Redirects redirects;
    /**
     * On a dedicated connection the session that owns it follows redirections: only it can move its
     * connection, and only it knows whether a transaction ties the command to the node it was sent to.
     * Nothing on it is held for a failover: the connection carries the client's state.
     */
    private static final Redirects BY_SESSION = (command, reply, from) -> {
        ReplySink sink = command.sink();
        if (sink instanceof SubCommandSink part) {
            sink = part.session;
        }
        return sink != null && sink.followRedirection(command, reply, from);
    };
    /**
     * [server][n] shared connections. The arrays indexed by server grow, on this loop, when a
     * server index beyond them is used (a cluster node that appeared after this pool was made).
     */
    private BackendConnection[][] shared;
    /** [server][n] shared RESP3 connections; a server's row is null until a RESP3 client uses it. */
    private BackendConnection[][] shared3;

    private final int connectionsPerServer;
    /** Dedicated connections waiting for the next session that needs one, per server. */
    private ArrayDeque<BackendConnection>[] idle;
    /** The same for RESP3 clients: connections that sent HELLO 3 in their set-up. */
    private ArrayDeque<BackendConnection>[] idle3;
    /** Dedicated connections sessions hold now, per server: dropped if their server moves. */
    private Set<BackendConnection>[] dedicatedInUse;

    private int nextConnection;
    private boolean closed;

    public BackendPool(EventLoop loop, Transport transport, List<BackendSettings> servers, int connectionsPerServer) {
        this(
                loop,
                transport,
                BackendServers.of(servers),
                connectionsPerServer,
                servers.isEmpty()
                        ? PoolDefaults.CONNECT_TIMEOUT_MILLIS
                        : servers.get(0).connectTimeoutMillis(),
                null);
    }

    /**
     * @param connectTimeout connect timeout for every server, in milliseconds
     * @param redirects      null unless the servers are Redis Cluster nodes
     */
    public BackendPool(
            EventLoop loop,
            Transport transport,
            BackendServers servers,
            int connectionsPerServer,
            int connectTimeout,
            Redirects redirects) {
        this(loop, servers, connectionsPerServer, redirects, bootstraps(loop, transport, connectTimeout));
    }

    /**
     * A pool whose connections open their channels through {@code connectors}: the seam through
     * which unit tests drive sessions and connections with EmbeddedChannels.
     *
     * @param redirects null unless the servers are Redis Cluster nodes
     */
    public BackendPool(
            EventLoop loop,
            BackendServers servers,
            int connectionsPerServer,
            Redirects redirects,
            Function<BackendSettings, BackendConnector> connectors) {
        this.loop = loop;
        this.servers = servers;
        this.redirects = redirects;
        this.connectors = connectors;
        this.connectionsPerServer = connectionsPerServer;
        this.idle = newIdleQueues(0);
        this.idle3 = newIdleQueues(0);
        this.dedicatedInUse = newSets(0);
        this.shared = new BackendConnection[0][];
        this.shared3 = new BackendConnection[0][];
        grow(servers.size());
    }

    /** Netty's Bootstraps, TCP or Unix socket by the server's address. */
    static Function<BackendSettings, BackendConnector> bootstraps(
            EventLoop loop, Transport transport, int connectTimeout) {
        Bootstrap unix = new Bootstrap()
                .group(loop)
                .channel(transport.domainChannelClass())
                .option(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout)
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(BackendConnection.LOW_WATER_MARK, BackendConnection.HIGH_WATER_MARK));
        Bootstrap tcp = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, ByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeout)
                // Past the high mark, clients writing to this backend are not read from (see
                // BackendConnection#isWritable): the bytes in flight to one backend stay bounded.
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(BackendConnection.LOW_WATER_MARK, BackendConnection.HIGH_WATER_MARK));
        BackendConnector overTcp =
                (handler, address) -> tcp.clone().handler(handler).connect(address);
        BackendConnector overUnix =
                (handler, address) -> unix.clone().handler(handler).connect(address);
        return server -> server.address() instanceof InetSocketAddress ? overTcp : overUnix;
    }

    /** Extends the per-server arrays to {@code count} servers; on this loop only. */
    private void grow(int count) {
        int from = shared.length;
        if (count <= from) {
            return;
        }
        shared = Arrays.copyOf(shared, count);
        shared3 = Arrays.copyOf(shared3, count);
        idle = Arrays.copyOf(idle, count);
        idle3 = Arrays.copyOf(idle3, count);
        dedicatedInUse = Arrays.copyOf(dedicatedInUse, count);
        for (int s = from; s < count; s++) {
            BackendSettings server = servers.get(s);
            shared[s] = new BackendConnection[connectionsPerServer];
            for (int c = 0; c < connectionsPerServer; c++) {
                shared[s][c] = new BackendConnection(server, loop, connectors.apply(server), null, redirects);
            }
            idle[s] = new ArrayDeque<>();
            idle3[s] = new ArrayDeque<>();
            dedicatedInUse[s] = new HashSet<>();
        }
    }

    /** Makes sure {@code server} has its connections here: it may be a node learned after this pool was made. */
    private void ensure(int server) {
        if (server >= shared.length) {
            grow(servers.size());
        }
    }

    /**
     * Which of the {@code server_connections} shared connections a new client uses: they are dealt
     * out in turn on this loop, so every connection carries its share.
     */
    public int nextConnectionIndex() {
        int index = nextConnection;
        nextConnection = (nextConnection + 1) % connectionsPerServer;
        return index;
    }

    /**
     * The shared connection {@code index} to {@code server}. A client always uses the same index,
     * so its commands to a server execute in the order it sent them.
     */
    public BackendConnection shared(int server, int index) {
        ensure(server);
        return shared[server][index];
    }

    /**
     * The shared RESP3 connection {@code index} to {@code server}, made on first use: the
     * counterpart of {@link #shared} for RESP3 clients.
     */
    public BackendConnection shared3(int server, int index) {
        ensure(server);
        BackendConnection[] row = shared3[server];
        if (row == null) {
            row = new BackendConnection[connectionsPerServer];
            BackendSettings settings = servers.get(server);
            for (int c = 0; c < connectionsPerServer; c++) {
                row[c] = new BackendConnection(
                        settings, loop, connectors.apply(settings), null, redirects, RespProtocol.RESP3);
            }
            shared3[server] = row;
        }
        return row[index];
    }

    /** The shared connection of a client speaking {@code protocol}. */
    public BackendConnection shared(int server, int index, RespProtocol protocol) {
        return protocol == RespProtocol.RESP3 ? shared3(server, index) : shared(server, index);
    }

    /** A RESP2 connection to {@code server} for {@code owner} alone (see {@link #dedicated(int, ReplySink, RespProtocol)}). */
    public BackendConnection dedicated(int server, ReplySink owner) {
        return dedicated(server, owner, RespProtocol.RESP2);
    }

    /**
     * A connection to {@code server} speaking {@code protocol} for {@code owner} alone: an idle one
     * when there is one, else a new one. The owner gives it back with {@link #release} or closes it.
     */
    public BackendConnection dedicated(int server, ReplySink owner, RespProtocol protocol) {
        ensure(server);
        ArrayDeque<BackendConnection> waiting = protocol == RespProtocol.RESP3 ? idle3[server] : idle[server];
        BackendConnection connection;
        while ((connection = waiting.poll()) != null) {
            if (connection.isReusable()) {
                connection.assignTo(owner);
                dedicatedInUse[server].add(connection);
                return connection;
            }
            connection.close();
        }
        connection = new BackendConnection(
                servers.get(server),
                loop,
                connectors.apply(servers.get(server)),
                owner,
                redirects == null ? null : BY_SESSION,
                protocol);
        dedicatedInUse[server].add(connection);
        return connection;
    }

    /** Closes a dedicated connection its session cannot give back (transaction or subscription state). */
    public void discard(int server, BackendConnection connection) {
        dedicatedInUse[server].remove(connection);
        connection.close();
    }

    /**
     * Takes back a dedicated connection whose session no longer needs it. Only a connection in a
     * clean state comes here (no transaction, no WATCH, no subscription, nothing in flight); a few
     * are kept for the next transaction, the rest are closed.
     */
    public void release(int server, BackendConnection connection) {
        dedicatedInUse[server].remove(connection);
        ArrayDeque<BackendConnection> waiting =
                connection.protocol() == RespProtocol.RESP3 ? idle3[server] : idle[server];
        if (connection.isReusable() && waiting.size() < MAX_IDLE_DEDICATED) {
            connection.assignTo(null);
            waiting.add(connection);
        } else {
            connection.close();
        }
    }

    public int serverCount() {
        return servers.size();
    }

    /** The pool's servers, shared by every loop. */
    public BackendServers servers() {
        return servers;
    }

    public EventLoop loop() {
        return loop;
    }

    @SuppressWarnings("unchecked")
    private static Set<BackendConnection>[] newSets(int servers) {
        Set<BackendConnection>[] sets = (Set<BackendConnection>[]) new Set<?>[servers];
        for (int s = 0; s < servers; s++) {
            sets[s] = new HashSet<>();
        }
        return sets;
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<BackendConnection>[] newIdleQueues(int servers) {
        ArrayDeque<BackendConnection>[] queues = (ArrayDeque<BackendConnection>[]) new ArrayDeque<?>[servers];
        for (int s = 0; s < servers; s++) {
            queues[s] = new ArrayDeque<>();
        }
        return queues;
    }

    /**
     * Server {@code index} moved (Sentinel promoted another master) or left (a node the cluster
     * forgot): every connection to it is dropped, its in-flight commands failed (or, in cluster
     * and Sentinel pools, held for where they belong now); clients on dedicated ones are closed.
     * A later command connects again, to the server's address as it is then. Call on the pool's loop.
     */
    public void dropConnections(int index, String reason) {
        ensure(index);
        for (BackendConnection connection : shared[index]) {
            connection.reset(reason);
        }
        if (shared3[index] != null) {
            for (BackendConnection connection : shared3[index]) {
                connection.reset(reason);
            }
        }
        BackendConnection connection;
        while ((connection = idle[index].poll()) != null) {
            connection.close();
        }
        while ((connection = idle3[index].poll()) != null) {
            connection.close();
        }
        for (BackendConnection owned : new ArrayList<>(dedicatedInUse[index])) {
            owned.reset(reason);
        }
    }

    /** Opens every shared connection now; for {@code preconnect: true}. Call on the pool's loop. */
    public void preconnect() {
        for (BackendConnection[] connections : shared) {
            for (BackendConnection connection : connections) {
                connection.open();
            }
        }
    }

    /** Commands sent on the shared connections and not yet answered, on this loop; call it there. */
    public int inFlight() {
        int count = 0;
        for (BackendConnection[] connections : shared) {
            for (BackendConnection connection : connections) {
                count += connection.inFlight();
            }
        }
        for (BackendConnection[] connections : shared3) {
            if (connections != null) {
                for (BackendConnection connection : connections) {
                    count += connection.inFlight();
                }
            }
        }
        return count;
    }

    /** Closes every shared connection; on shutdown, or when a reload retires the pool. Once. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (redirects != null) {
            redirects.close();
        }
        for (BackendConnection[] connections : shared) {
            for (BackendConnection connection : connections) {
                connection.close();
            }
        }
        for (BackendConnection[] connections : shared3) {
            if (connections != null) {
                for (BackendConnection connection : connections) {
                    connection.close();
                }
            }
        }
        for (ArrayDeque<BackendConnection>[] queues : List.of(idle, idle3)) {
            for (ArrayDeque<BackendConnection> waiting : queues) {
                BackendConnection connection;
                while ((connection = waiting.poll()) != null) {
                    connection.close();
                }
            }
        }
    }
}
