package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.metrics.PoolMetrics;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespReplies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Client-side caching of one pool on one event loop: the clients of the loop that track
 * ({@code CLIENT TRACKING ON}), what each read, and one RESP3 connection per live server saying
 * {@code CLIENT TRACKING ON BCAST}, so that every key written on that server, by any client, comes
 * back as an invalidation. The connections are opened when the loop's first client starts tracking
 * and closed with its last one. A key read by clients in the default mode is remembered here
 * ({@code key → clients}) until it is invalidated, as Redis' tracking table; a BCAST client is told
 * of the keys under its prefixes. When a connection is lost (a server down, a Sentinel failover)
 * every tracking client is sent Redis' null invalidation, and again once it is back, since what they
 * read in between may not have been seen. At most {@code maxKeys} keys are remembered: past that, the
 * oldest is forgotten and its readers told it is invalid, as Redis' {@code tracking-table-max-keys}.
 * For NOLOOP clients it sends barriers, PINGs on the connections whose replies tell that a write's
 * invalidations have all come (see {@link OwnWrites}). Lives on its loop only.
 *
 * <p>Past our usual 350 lines because the key table, the per-server connections, the barriers sent
 * on them and the flushes on their loss and return are one state, kept together with the metrics
 * that count it. What shrinks it next: the reading of the servers' invalidation frames
 * ({@link #keysOf}) as a class of its own.
 */
public final class InvalidationHub {

    /** Redis' tracking-table-max-keys default. */
    public static final int DEFAULT_MAX_KEYS = 1_000_000;

    private static final byte[] TRACKING_ON_BCAST =
            "*4\r\n$6\r\nCLIENT\r\n$8\r\nTRACKING\r\n$2\r\nON\r\n$5\r\nBCAST\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INVALIDATE_HEAD = ">2\r\n$10\r\ninvalidate\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);

    private final SessionPool pool;
    private final PoolMetrics metrics;
    private final BackendPool backends;
    private final int maxKeys;
    /** The tracking connection of each live server, by server index. */
    private final Map<Integer, Link> links = new HashMap<>();

    private final Set<ClientTracking> trackers = new LinkedHashSet<>();
    /** Default mode: which clients read each key since its last invalidation (insertion order: oldest first). */
    private final LinkedHashMap<String, Set<ClientTracking>> readers = new LinkedHashMap<>();
    /** Servers whose tracking connection was lost: their next one flushes the clients once ready. */
    private final Set<Integer> lost = new HashSet<>();
    /** Clients waiting for every tracking connection to be ready before they hear OK. */
    private final List<Runnable> waiting = new ArrayList<>();
    /** NOLOOP: clients with own writes answered since the barrier in flight was sent, for the next one. */
    private final Set<ClientTracking> barrierWanted = new LinkedHashSet<>();
    /** NOLOOP: the barrier in flight (a PING on every tracking connection); null when none is. */
    private Barrier barrier;

    public InvalidationHub(SessionPool pool, BackendPool backends, int maxKeys) {
        this.pool = pool;
        this.metrics = pool.metrics();
        this.backends = backends;
        this.maxKeys = maxKeys;
    }

    /** {@code client} starts tracking; {@code whenReady} runs once every live server's connection tracks (or failed to). */
    void start(ClientTracking client, Runnable whenReady) {
        if (trackers.add(client)) {
            metrics.trackingClients(1);
        }
        ensureLinks();
        if (allSettled()) {
            whenReady.run();
        } else {
            waiting.add(whenReady);
        }
    }

    /** {@code client} stops tracking (OFF, RESET, closed): its keys are forgotten; the last one closes the connections. */
    void stop(ClientTracking client) {
        if (!trackers.remove(client)) {
            return;
        }
        metrics.trackingClients(-1);
        barrierWanted.remove(client);
        for (String key : client.keys()) {
            Set<ClientTracking> set = readers.get(key);
            if (set != null && set.remove(client) && set.isEmpty()) {
                readers.remove(key);
                metrics.trackingKeys(-1);
            }
        }
        client.keys().clear();
        if (trackers.isEmpty()) {
            forgetKeys();
            lost.clear();
            barrier = null;
            for (Map.Entry<Integer, Link> entry : new ArrayList<>(links.entrySet())) {
                links.remove(entry.getKey());
                metrics.trackingConnections(-1);
                backends.discard(entry.getKey(), entry.getValue().connection);
            }
            List<Runnable> pending = new ArrayList<>(waiting);
            waiting.clear();
            pending.forEach(Runnable::run);
        }
    }

    /** {@code client} (default mode) read {@code key}: it hears of the key's next change. */
    void read(ClientTracking client, String key) {
        ensureLinks();
        Set<ClientTracking> set = readers.get(key);
        if (set == null) {
            if (readers.size() >= maxKeys) {
                evictOldest();
            }
            set = new LinkedHashSet<>(2);
            readers.put(key, set);
            metrics.trackingKeys(1);
        }
        if (set.add(client)) {
            client.keys().add(key);
        }
    }

    /** How many keys are remembered; for tests. */
    int keyCount() {
        return readers.size();
    }

    /** How many tracking connections are open; for tests. */
    int linkCount() {
        return links.size();
    }

    private void evictOldest() {
        Iterator<Map.Entry<String, Set<ClientTracking>>> it = readers.entrySet().iterator();
        Map.Entry<String, Set<ClientTracking>> oldest = it.next();
        it.remove();
        metrics.trackingKeys(-1);
        for (ClientTracking client : oldest.getValue()) {
            client.keys().remove(oldest.getKey());
            client.invalidate(List.of(oldest.getKey()), false);
        }
    }

    /** Opens the connection of every live server that has none (after a loss, on the next read). */
    private void ensureLinks() {
        if (trackers.isEmpty()) {
            return;
        }
        for (int server : pool.liveServers()) {
            if (!links.containsKey(server)) {
                Link link = new Link(server);
                links.put(server, link);
                metrics.trackingConnections(1);
                link.open();
            }
        }
    }

    private boolean allSettled() {
        for (Link link : links.values()) {
            if (!link.settled) {
                return false;
            }
        }
        return true;
    }

    private void settled() {
        if (allSettled() && !waiting.isEmpty()) {
            List<Runnable> pending = new ArrayList<>(waiting);
            waiting.clear();
            pending.forEach(Runnable::run);
        }
    }

    /** Every tracking client of the loop forgets everything: Redis' null invalidation (as after FLUSHALL). */
    void flushAll() {
        forgetKeys();
        // Own writes are forgotten too: the barrier in flight has nothing left to end.
        barrier = null;
        barrierWanted.clear();
        if (!trackers.isEmpty()) {
            metrics.trackingFlushed();
        }
        for (ClientTracking client : new ArrayList<>(trackers)) {
            client.keys().clear();
            client.invalidate(null, false);
        }
    }

    private void forgetKeys() {
        metrics.trackingKeys(-readers.size());
        readers.clear();
    }

    /**
     * NOLOOP: {@code client} has own writes answered (see {@link OwnWrites}): they end with the next
     * barrier, a PING on every tracking connection of the loop, sent now unless one is in flight
     * (then once it is back, for every client that asked meanwhile). Every connection, as which
     * server ran a write is not known here: a split command's parts, a redirection followed, a
     * command sent again after a failover. A connection lost meanwhile flushes the clients, their
     * own writes with the rest.
     */
    void barrier(ClientTracking client) {
        barrierWanted.add(client);
        if (barrier == null) {
            sendBarrier();
        }
    }

    private void sendBarrier() {
        List<ClientTracking> covers = new ArrayList<>(barrierWanted);
        barrierWanted.clear();
        for (ClientTracking client : covers) {
            client.barrierSent();
        }
        if (links.isEmpty()) {
            // No server is heard: no invalidation is left to wait for (and a flush comes with the next connection).
            barrierPassed(covers);
            return;
        }
        Barrier sent = new Barrier(covers, links.size());
        barrier = sent;
        for (Link link : links.values()) {
            link.connection.send(Unpooled.wrappedBuffer(PING), new PendingCommand(new BarrierPing(sent, link)));
        }
    }

    private void barrierPassed(List<ClientTracking> covers) {
        for (ClientTracking client : covers) {
            if (client.barrierPassed()) {
                barrierWanted.add(client);
            }
        }
        if (!barrierWanted.isEmpty()) {
            sendBarrier();
        }
    }

    /** An invalidation message of a server, heard on {@code from}: {@code keys} null for a flush. */
    void invalidated(List<String> keys, Link from) {
        if (keys == null) {
            flushAll();
            return;
        }
        // NOLOOP: the keys each client wrote itself, heard now whether or not it read them. Past the
        // barrier's PONG on this connection, none comes from the writes the barrier covers.
        boolean pastBarrier = barrier != null && from.passed == barrier;
        Map<ClientTracking, Set<String>> own = Map.of();
        for (ClientTracking client : trackers) {
            Set<String> heard = client.ownWritesHeard(keys, pastBarrier);
            if (!heard.isEmpty()) {
                if (own.isEmpty()) {
                    own = new HashMap<>();
                }
                own.put(client, heard);
            }
        }
        Map<ClientTracking, List<String>> byClient = new LinkedHashMap<>();
        for (String key : keys) {
            Set<ClientTracking> set = readers.remove(key);
            if (set != null) {
                metrics.trackingKeys(-1);
                for (ClientTracking client : set) {
                    client.keys().remove(key);
                    if (!own.getOrDefault(client, Set.of()).contains(key)) {
                        byClient.computeIfAbsent(client, c -> new ArrayList<>()).add(key);
                    }
                }
            }
        }
        for (Map.Entry<ClientTracking, List<String>> entry : byClient.entrySet()) {
            for (String key : entry.getValue()) {
                // Redis sends the default mode's invalidations key by key.
                entry.getKey().invalidate(List.of(key), true);
            }
        }
        for (ClientTracking client : new ArrayList<>(trackers)) {
            if (client.bcast()) {
                client.invalidateByPrefix(keys, own.getOrDefault(client, Set.of()));
            }
        }
    }

    /** The keys of {@code >2 $10 invalidate *n …}, an empty list for another frame, null for the null one. */
    static List<String> keysOf(ByteBuf frame) {
        int at = frame.readerIndex();
        if (frame.readableBytes() < INVALIDATE_HEAD.length + 3) {
            return List.of();
        }
        for (int i = 0; i < INVALIDATE_HEAD.length; i++) {
            if (frame.getByte(at + i) != INVALIDATE_HEAD[i]) {
                return List.of();
            }
        }
        at += INVALIDATE_HEAD.length;
        byte type = frame.getByte(at);
        if (type == '_' || (type == '*' && frame.getByte(at + 1) == '-')) {
            return null;
        }
        if (type != '*') {
            return List.of();
        }
        int[] pos = {at + 1};
        int count = (int) readLong(frame, pos);
        List<String> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pos[0]++; // '$'
            int length = (int) readLong(frame, pos);
            keys.add(frame.toString(pos[0], length, StandardCharsets.ISO_8859_1));
            pos[0] += length + 2;
        }
        return keys;
    }

    /** Reads the decimal at {@code pos[0]} up to its CRLF; leaves {@code pos[0]} past the CRLF. */
    private static long readLong(ByteBuf frame, int[] pos) {
        long value = 0;
        int at = pos[0];
        byte b;
        while ((b = frame.getByte(at)) != '\r') {
            value = value * 10 + (b - '0');
            at++;
        }
        pos[0] = at + 2;
        return value;
    }

    /** A barrier: passed once every connection it was sent on answered its PING (or failed, which flushes). */
    private final class Barrier {

        private final List<ClientTracking> covers;
        private int awaited;

        Barrier(List<ClientTracking> covers, int awaited) {
            this.covers = covers;
            this.awaited = awaited;
        }

        void answered(Link link) {
            link.passed = this;
            if (--awaited == 0 && barrier == this) {
                barrier = null;
                barrierPassed(covers);
            }
        }
    }

    /** A barrier's PING on one tracking connection. */
    private static final class BarrierPing implements ReplySink {

        private final Barrier barrier;
        private final Link link;

        BarrierPing(Barrier barrier, Link link) {
            this.barrier = barrier;
            this.link = link;
        }

        @Override
        public void onReply(PendingCommand command, ByteBuf reply) {
            reply.release();
            barrier.answered(link);
        }

        @Override
        public RespProtocol protocol() {
            return RespProtocol.RESP3;
        }
    }

    /** One server's tracking connection. */
    private final class Link implements ReplySink {

        private final int server;
        private BackendConnection connection;
        /** Its CLIENT TRACKING was answered (or failed). */
        private boolean settled;

        private boolean tracking;
        /** The last barrier whose PING it answered: the invalidations it sends now come after that barrier's writes'. */
        private Barrier passed;

        Link(int server) {
            this.server = server;
        }

        void open() {
            connection = backends.dedicated(server, this, RespProtocol.RESP3);
            connection.send(Unpooled.wrappedBuffer(TRACKING_ON_BCAST), new PendingCommand(this));
        }

        @Override
        public void onReply(PendingCommand command, ByteBuf reply) {
            try {
                tracking = reply.readableBytes() > 0 && ByteBufUtil.equals(reply, RespReplies.OK);
            } finally {
                reply.release();
            }
            settled = true;
            if (!tracking) {
                // Refused (a server without CLIENT TRACKING) or failed: its writes go unheard, so
                // what is read there is flushed; the next read tries again.
                if (links.get(server) == this) {
                    links.remove(server);
                    metrics.trackingConnections(-1);
                    lost.add(server);
                    backends.discard(server, connection);
                }
                flushAll();
            } else if (reconnected(server)) {
                // Keys may have been read and written while no connection heard this server.
                flushAll();
            }
            settled();
        }

        @Override
        public void onPush(ByteBuf frame) {
            List<String> keys;
            try {
                keys = keysOf(frame);
            } finally {
                frame.release();
            }
            if (keys == null || !keys.isEmpty()) {
                invalidated(keys, this);
            }
        }

        @Override
        public void onBackendWritable() {}

        @Override
        public void onDedicatedClosed(BackendConnection closed) {
            if (links.get(server) != this) {
                return;
            }
            links.remove(server);
            metrics.trackingConnections(-1);
            lost.add(server);
            settled = true;
            flushAll();
            settled();
        }

        @Override
        public RespProtocol protocol() {
            return RespProtocol.RESP3;
        }
    }

    private boolean reconnected(int server) {
        return lost.remove(server);
    }
}
