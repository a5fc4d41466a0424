package io.shardis.proxy.metrics;

import io.shardis.proxy.command.CommandGroup;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one backend server of a pool, named for nutcracker's ({@link ServerStat}) and
 * registered as {@code shardis.pool.<pool>.server.<server>.<stat>}.
 *
 * <p>Each method says what happened; call it from the event loop where it happened. Several loops
 * call the same instance: every counter is a Dropwizard {@link Counter} (a {@code LongAdder}), so
 * no call takes a lock or contends on one memory word.
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
    private final Counter requests;
    private final Counter requestBytes;
    private final Counter responses;
    private final Counter responseBytes;
    private final Counter inQueue;
    private final Counter inQueueBytes;
    private final Counter outQueue;
    private final Counter outQueueBytes;
    private final Counter failovers;
    /** {@code requests} by the group of the client command they carry ({@link CommandGroup} ordinal). */
    private final LongAdder[] requestsByGroup = new LongAdder[CommandGroup.all().length];

    ServerMetrics(String name, PoolMetrics pool, ShardisMetrics process, MetricRegistry registry) {
        this.name = name;
        this.pool = pool;
        this.process = process;
        String prefix = MetricRegistry.name("shardis", "pool", pool.name(), "server", name);
        this.eof = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_EOF.key()));
        this.err = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_ERR.key()));
        this.timedOut = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_TIMEDOUT.key()));
        this.connections = registry.counter(MetricRegistry.name(prefix, ServerStat.SERVER_CONNECTIONS.key()));
        registry.register(MetricRegistry.name(prefix, ServerStat.SERVER_EJECTED_AT.key()),
                (Gauge<Long>) ejectedAtMicros::get);
        this.requests = registry.counter(MetricRegistry.name(prefix, ServerStat.REQUESTS.key()));
        this.requestBytes = registry.counter(MetricRegistry.name(prefix, ServerStat.REQUEST_BYTES.key()));
        this.responses = registry.counter(MetricRegistry.name(prefix, ServerStat.RESPONSES.key()));
        this.responseBytes = registry.counter(MetricRegistry.name(prefix, ServerStat.RESPONSE_BYTES.key()));
        this.inQueue = registry.counter(MetricRegistry.name(prefix, ServerStat.IN_QUEUE.key()));
        this.inQueueBytes = registry.counter(MetricRegistry.name(prefix, ServerStat.IN_QUEUE_BYTES.key()));
        this.outQueue = registry.counter(MetricRegistry.name(prefix, ServerStat.OUT_QUEUE.key()));
        this.outQueueBytes = registry.counter(MetricRegistry.name(prefix, ServerStat.OUT_QUEUE_BYTES.key()));
        this.failovers = registry.counter(MetricRegistry.name(prefix, "failovers"));
        for (int g = 0; g < requestsByGroup.length; g++) {
            requestsByGroup[g] = new LongAdder();
        }
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
        return requestsByGroup[group.ordinal()].sum();
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
        requests.inc();
        requestBytes.inc(bytes);
        requestsByGroup[group.ordinal()].increment();
    }

    /** A reply came back from this server: feeds {@code responses} and {@code response_bytes}. */
    public void replyReceived(int bytes) {
        responses.inc();
        responseBytes.inc(bytes);
    }

    /** A request waits to be written to this server: raises {@code in_queue} and {@code in_queue_bytes}. */
    public void inQueueAdded(int bytes) {
        inQueue.inc();
        inQueueBytes.inc(bytes);
    }

    /** A request no longer waits to be written (it was written, failed or discarded). */
    public void inQueueRemoved(int bytes) {
        inQueue.dec();
        inQueueBytes.dec(bytes);
    }

    /**
     * A request was written to this server and waits for its reply: raises {@code out_queue} and
     * {@code out_queue_bytes}.
     */
    public void outQueueAdded(int bytes) {
        outQueue.inc();
        outQueueBytes.inc(bytes);
    }

    /** A request no longer waits for a reply (answered, failed or discarded). */
    public void outQueueRemoved(int bytes) {
        outQueue.dec();
        outQueueBytes.dec(bytes);
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
        values.put(ServerStat.RESPONSE_BYTES, responseBytes.getCount());
        values.put(ServerStat.RESPONSES, responses.getCount());
        values.put(ServerStat.OUT_QUEUE_BYTES, outQueueBytes.getCount());
        values.put(ServerStat.OUT_QUEUE, outQueue.getCount());
        values.put(ServerStat.IN_QUEUE_BYTES, inQueueBytes.getCount());
        values.put(ServerStat.IN_QUEUE, inQueue.getCount());
        values.put(ServerStat.REQUEST_BYTES, requestBytes.getCount());
        values.put(ServerStat.REQUESTS, requests.getCount());
        return new StatsSnapshot.Server(name, values);
    }
}
