package io.shardis.proxy.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.Redirects;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.backend.UnreachableHold;
import io.shardis.proxy.command.CommandTable;
import io.shardis.proxy.config.HostPort;
import io.shardis.resp.RespCommands;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Follows a cluster's redirections on one event loop, as a cluster-aware client would:
 * <ul>
 * <li>{@code MOVED slot host:port}: the slot has a new master; the map is refreshed and the command
 * sent again to the node named;</li>
 * <li>{@code ASK slot host:port}: the slot is being migrated and this key is already there; the
 * command is sent once to that node, preceded by {@code ASKING};</li>
 * <li>{@code TRYAGAIN} (a multi-key command during a migration) and {@code CLUSTERDOWN} (a failover
 * in progress): sent again to the same node after a short, growing wait, within the pool's timeout.</li>
 * </ul>
 * A command is redirected at most {@link #MAX_REDIRECTIONS} times; then its client gets the last error.
 * Commands whose node cannot be reached wait for the failover in an {@link UnreachableHold}, by slot.
 */
public final class ClusterRedirects implements Redirects {

    public static final int MAX_REDIRECTIONS = 5;
    public static final int MAX_RETRIES = 100;

    /** Takes the replies of the ASKING commands sent before an ASK's retry. */
    private static final ReplySink DROP = new ReplySink() {
        @Override
        public void onReply(PendingCommand command, ByteBuf reply) {
            reply.release();
        }
    };

    private final ClusterNodes cluster;
    private final EventLoop loop;
    /** How long TRYAGAIN and CLUSTERDOWN are retried: the pool's {@code failover_timeout}. */
    private final long retryWindowNanos;

    private final UnreachableHold hold;
    private BackendPool backends;

    public ClusterRedirects(ClusterNodes cluster, CommandTable commands, EventLoop loop) {
        this.cluster = cluster;
        this.loop = loop;
        int window = cluster.config().timeouts().failoverMillis();
        this.retryWindowNanos = TimeUnit.MILLISECONDS.toNanos(window);
        this.hold = new UnreachableHold(new SlotRoute(cluster.router()), commands, loop, window);
    }

    /** The loop's connections, where redirected commands go; set once, right after they are made. */
    public void attach(BackendPool pool) {
        this.backends = pool;
        hold.attach(pool);
    }

    @Override
    public boolean holdUnreachable(PendingCommand command, BackendSettings from, String reason, boolean written) {
        return hold.holdUnreachable(command, from, reason, written);
    }

    @Override
    public boolean isHolding() {
        return hold.isHolding();
    }

    @Override
    public boolean queueBehindHeld(PendingCommand command, ByteBuf frame, BackendSettings to) {
        return hold.queueBehindHeld(command, frame, to);
    }

    @Override
    public void close() {
        hold.close();
    }

    @Override
    public boolean follow(PendingCommand command, ByteBuf reply, BackendSettings from) {
        Redirection redirection = Redirection.parse(reply);
        if (redirection == null) {
            return false;
        }
        from.poolMetrics().redirected(redirection.kind().name());
        switch (redirection.kind()) {
            case MOVED, ASK -> {
                if (command.countRedirection() > MAX_REDIRECTIONS) {
                    return false;
                }
                String host = redirection.host().isEmpty() ? hostOf(from) : redirection.host();
                int node = cluster.indexOf(host, redirection.port());
                if (redirection.kind() == Redirection.Kind.MOVED) {
                    cluster.requestRefresh("MOVED " + redirection.slot() + " " + host + ":" + redirection.port());
                }
                reply.release();
                BackendConnection connection = backends.shared(node, command.sharedIndex(), command.protocol());
                if (redirection.kind() == Redirection.Kind.ASK) {
                    connection.send(
                            RespCommands.encode(ByteBufAllocator.DEFAULT, "ASKING")
                                    .content(),
                            new PendingCommand(DROP));
                }
                connection.send(command.resendableFrame(), command);
                return true;
            }
            case LOADING, MASTERDOWN -> {
                // The node cannot serve now: reads skip it (a replica) and the command waits, like
                // one whose node is unreachable, for a node that can (another replica, the master,
                // the same node once loaded).
                String reason = "answered " + redirection.kind();
                from.events().failed(reason);
                if (!hold.holdUnreachable(command, from, reason, false)) {
                    return false;
                }
                reply.release();
                return true;
            }
            default -> {
                int count = command.countRetry();
                long waited = System.nanoTime() - command.firstSentNanos();
                long delayMillis = retryDelayMillis(count);
                if (count > MAX_RETRIES || waited + TimeUnit.MILLISECONDS.toNanos(delayMillis) > retryWindowNanos) {
                    return false;
                }
                if (redirection.kind() == Redirection.Kind.CLUSTERDOWN) {
                    cluster.requestRefresh("CLUSTERDOWN from " + from.label());
                }
                int node = cluster.servers().find(from.label());
                if (node < 0) {
                    return false;
                }
                reply.release();
                loop.schedule(
                        () -> backends.shared(node, command.sharedIndex(), command.protocol())
                                .send(command.resendableFrame(), command),
                        delayMillis,
                        TimeUnit.MILLISECONDS);
                return true;
            }
        }
    }

    /** The pause before the {@code attempt}-th retry after TRYAGAIN/CLUSTERDOWN: 10, 20, 40, 80, then 100 ms. */
    public static long retryDelayMillis(int attempt) {
        return Math.min(100, 10L << Math.min(attempt - 1, 4));
    }

    private static String hostOf(BackendSettings from) {
        HostPort address = HostPort.parse(from.label());
        return address != null ? address.host() : from.label();
    }

    /** What a cluster error reply asks for; the rest of the line is not needed. */
    public record Redirection(Kind kind, int slot, String host, int port) {

        /**
         * MOVED and ASK name another node; TRYAGAIN and CLUSTERDOWN ask to try again; LOADING (a node
         * loading its data) and MASTERDOWN (a replica whose master link is down, with
         * replica-serve-stale-data off) say the node cannot serve now. None of them ran the command.
         */
        public enum Kind {
            MOVED,
            ASK,
            TRYAGAIN,
            CLUSTERDOWN,
            LOADING,
            MASTERDOWN
        }

        /** The host named, or the answering node's when the reply names none ({@code MOVED 3999 :6380}). */
        public String hostOr(BackendSettings from) {
            return host.isEmpty() ? hostOf(from) : host;
        }

        /** Null when {@code reply} is not one of these errors. Reads without moving indexes. */
        public static Redirection parse(ByteBuf reply) {
            int start = reply.readerIndex();
            int length = Math.min(reply.readableBytes(), 128);
            if (length < 4 || reply.getByte(start) != '-') {
                return null;
            }
            byte first = reply.getByte(start + 1);
            if (first != 'M' && first != 'A' && first != 'T' && first != 'C' && first != 'L') {
                return null;
            }
            String line = reply.toString(start + 1, length - 1, StandardCharsets.US_ASCII);
            int end = line.indexOf('\r');
            if (end >= 0) {
                line = line.substring(0, end);
            }
            if (line.startsWith("TRYAGAIN")) {
                return new Redirection(Kind.TRYAGAIN, -1, "", 0);
            }
            if (line.startsWith("CLUSTERDOWN")) {
                return new Redirection(Kind.CLUSTERDOWN, -1, "", 0);
            }
            if (line.startsWith("LOADING")) {
                return new Redirection(Kind.LOADING, -1, "", 0);
            }
            if (line.startsWith("MASTERDOWN")) {
                return new Redirection(Kind.MASTERDOWN, -1, "", 0);
            }
            Kind kind = line.startsWith("MOVED ") ? Kind.MOVED : line.startsWith("ASK ") ? Kind.ASK : null;
            if (kind == null) {
                return null;
            }
            String[] words = line.split(" ");
            if (words.length != 3) {
                return null;
            }
            HostPort node = HostPort.parseWithOptionalHost(words[2]);
            if (node == null) {
                return null;
            }
            try {
                return new Redirection(kind, Integer.parseInt(words[1]), node.host(), node.port());
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }
}
