package io.shardis.proxy.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.shardis.proxy.command.CommandGroup;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters of one backend server of a pool, named for nutcracker's ({@link ServerStat}) and
 * registered as {@code shardis.pool.<pool>.server.<server>.<stat>}.
 *
 * <p>Each method says what happened; call it from the event loop where it happened. Several loops
 * call the same instance: what moves per request is kept per event loop ({@link LoopCounters},
 * registered as Dropwizard counters that sum the loops when read), the rest in Dropwizard
 * {@link Counter}s ({@code LongAdder}s), so no call takes a lock or contends on one memory word.
 *
 * <p>The queue figures are gauges moved up and down by pairs of calls: every
 * {@link #inQueueAdded(int)} must be matched by an {@link #inQueueRemoved(int)} with the same
 * bytes, whatever becomes of the request (written, failed, discarded), and likewise for the out
 * queue; {@link #connected()} by one of the {@code disconnected...} methods.
 */
public final class ServerMetrics {

    private final String name;
    private final PoolMetrics pool;
    private final ShardisMetrics process;
    private final Counter eof;
    private final Counter err;
    private final Counter timedOut;
    private final Counter connections;
    private final AtomicLong ejectedAtMicros = new AtomicLong();
    private final Counter failovers;
    /**
     * What moves per request, per event loop: the counters at the indexes below, then
     * {@code requests} by the group of the client command they carry ({@link CommandGroup} ordinal).
     */
    private final LoopCounters perRequest = new LoopCounters(BY_GROUP + CommandGroup.all().length);

    private static final int REQUESTS = 0;
    private static final int REQUEST_BYTES = 1;
    private static final int RESPONSES = 2;
    private static final int RESPONSE_BYTES = 3;
    private static final int IN_QUEUE = 4;
    private static final int IN_QUEUE_BYTES = 5;
    private static final int OUT_QUEUE = 6;
    private static final int OUT_QUEUE_BYTES = 7;
    private static final int BY_GROUP = 8;

    ServerMetrics(String name, PoolMetrics pool, ShardisMetrics process, MetricRegistry registry) {
        this.name = name;
        this.pool = pool;
        this.process = process;
        String prefix = MetricRegistry.name("shardis", "pool", pool.name(), "server", name);
        this.eof = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_EOF.key()));
        this.err = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_ERR.key()));
        this.timedOut = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_TIMEDOUT.key()));
        this.connections = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_CONNECTIONS.key()));
        registry.register(
                MetricRegistry.name(prefix, ServerStat.SERVER_EJECTED_AT.key()), (Gauge<Long>) ejectedAtMicros::get);
        ServerStat[] perRequestStats = {
            ServerStat.REQUESTS,
            ServerStat.REQUEST_BYTES,
            ServerStat.RESPONSES,
            ServerStat.RESPONSE_BYTES,
            ServerStat.IN_QUEUE,
            ServerStat.IN_QUEUE_BYTES,
            ServerStat.OUT_QUEUE,
            ServerStat.OUT_QUEUE_BYTES
        };
        for (int i = 0; i < perRequestStats.length; i++) {
            registry.register(MetricRegistry.name(prefix, perRequestStats[i].key()), perRequest.counter(i));
        }
        this.failovers = registry.counter(MetricRegistry.name(prefix, "failovers"));
    }

    /**
     * The server's name in the stats document: the name written after its address in
     * {@code servers:}, else {@code host:port} (only {@code host} on port 11211, as nutcracker does
     * for libmemcached's sake).
     */
    public String name() {
        return name;
    }

    /**
     * A backend connection is established: feeds {@code server_connections},
     * {@code curr_connections}, {@code total_connections}.
     */
    public void connected() {
        connections.inc();
        process.connectionOpened();
    }

    /**
     * A connection could not be established (refused, unreachable): feeds {@code server_err} and
     * {@code total_connections}.
     */
    public void connectFailed() {
        err.inc();
        process.connectionAttempted();
    }

    /**
     * The server closed an established connection (FIN): feeds {@code server_eof}, lowers
     * {@code server_connections}.
     */
    public void disconnectedByEof() {
        eof.inc();
        disconnected();
    }

    /**
     * An established connection failed (reset, write error, unreadable reply): feeds
     * {@code server_err}, lowers {@code server_connections}.
     */
    public void disconnectedByError() {
        err.inc();
        disconnected();
    }

    /**
     * Shardis closed an established connection itself (after a timeout, on failover, on
     * shutdown): lowers {@code server_connections} and {@code curr_connections}, nothing else.
     */
    public void disconnected() {
        connections.dec();
        process.connectionClosed();
    }

    /**
     * Sentinel named another master for this server and traffic moved there; not in nutcracker's
     * document (it has no Sentinel), registered as {@code ...server.<name>.failovers}.
     */
    public void failedOver() {
        failovers.inc();
    }

    /** Failovers seen so far. */
    public long failovers() {
        return failovers.getCount();
    }

    /** Requests forwarded so far that carried a command of {@code group}. */
    public long requests(CommandGroup group) {
        return perRequest.sum(BY_GROUP + group.ordinal());
    }

    /** The pool this server belongs to. */
    public PoolMetrics pool() {
        return pool;
    }

    /** A request to this server passed the pool's {@code timeout}: feeds {@code server_timedout}. */
    public void timedOut() {
        timedOut.inc();
    }

    /**
     * The server was ejected from the pool's distribution: sets {@code server_ejected_at} and
     * feeds the pool's {@code server_ejects}.
     *
     * @param epochMicros when, in microseconds since the epoch (nutcracker's unit)
     */
    public void ejected(long epochMicros) {
        ejectedAtMicros.set(epochMicros);
        pool.serverEjected();
    }

    /** A request was queued for this server: feeds {@code requests} and {@code request_bytes}. */
    public void requestForwarded(int bytes) {
        requestForwarded(bytes, CommandGroup.OTHER);
    }

    /**
     * A request carrying a command of {@code group} was queued for this server: feeds
     * {@code requests}, {@code request_bytes} and {@code shardis_requests_total}.
     */
    public void requestForwarded(int bytes, CommandGroup group) {
        long[] mine = perRequest.mine();
        LoopCounters.add(mine, REQUESTS, 1);
        LoopCounters.add(mine, REQUEST_BYTES, bytes);
        LoopCounters.add(mine, BY_GROUP + group.ordinal(), 1);
    }

    /** A reply came back from this server: feeds {@code responses} and {@code response_bytes}. */
    public void replyReceived(int bytes) {
        long[] mine = perRequest.mine();
        LoopCounters.add(mine, RESPONSES, 1);
        LoopCounters.add(mine, RESPONSE_BYTES, bytes);
    }

    /** A request waits to be written to this server: raises {@code in_queue} and {@code in_queue_bytes}. */
    public void inQueueAdded(int bytes) {
        long[] mine = perRequest.mine();
        LoopCounters.add(mine, IN_QUEUE, 1);
        LoopCounters.add(mine, IN_QUEUE_BYTES, bytes);
    }

    /** A request no longer waits to be written (it was written, failed or discarded). */
    public void inQueueRemoved(int bytes) {
        long[] mine = perRequest.mine();
        LoopCounters.add(mine, IN_QUEUE, -1);
        LoopCounters.add(mine, IN_QUEUE_BYTES, -bytes);
    }

    /**
     * A request was written to this server and waits for its reply: raises {@code out_queue} and
     * {@code out_queue_bytes}.
     */
    public void outQueueAdded(int bytes) {
        long[] mine = perRequest.mine();
        LoopCounters.add(mine, OUT_QUEUE, 1);
        LoopCounters.add(mine, OUT_QUEUE_BYTES, bytes);
    }

    /** A request no longer waits for a reply (answered, failed or discarded). */
    public void outQueueRemoved(int bytes) {
        long[] mine = perRequest.mine();
        LoopCounters.add(mine, OUT_QUEUE, -1);
        LoopCounters.add(mine, OUT_QUEUE_BYTES, -bytes);
    }

    StatsSnapshot.Server snapshot() {
        Map<ServerStat, Long> values = new EnumMap<>(ServerStat.class);
        values.put(ServerStat.SERVER_EOF, eof.getCount());
        values.put(ServerStat.SERVER_ERR, err.getCount());
        values.put(ServerStat.SERVER_TIMEDOUT, timedOut.getCount());
        values.put(ServerStat.SERVER_CONNECTIONS, connections.getCount());
        values.put(ServerStat.SERVER_EJECTED_AT, ejectedAtMicros.get());
        // Replies are read before requests, so that a snapshot taken under traffic never shows
        // more responses than requests (every reply follows its request's count).
        values.put(ServerStat.RESPONSE_BYTES, perRequest.sum(RESPONSE_BYTES));
        values.put(ServerStat.RESPONSES, perRequest.sum(RESPONSES));
        values.put(ServerStat.OUT_QUEUE_BYTES, perRequest.sum(OUT_QUEUE_BYTES));
        values.put(ServerStat.OUT_QUEUE, perRequest.sum(OUT_QUEUE));
        values.put(ServerStat.IN_QUEUE_BYTES, perRequest.sum(IN_QUEUE_BYTES));
        values.put(ServerStat.IN_QUEUE, perRequest.sum(IN_QUEUE));
        values.put(ServerStat.REQUEST_BYTES, perRequest.sum(REQUEST_BYTES));
        values.put(ServerStat.REQUESTS, perRequest.sum(REQUESTS));
        return new StatsSnapshot.Server(name, values);
    }
}
