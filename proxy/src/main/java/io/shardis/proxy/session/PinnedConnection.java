package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.resp.RespProtocol;
import java.util.function.Consumer;

/**
 * A client's own backend connection, taken when a transaction, a blocking command or a
 * subscription needs one: the server it goes to, the commands that wait until the client's
 * earlier ones (on a shared connection) are answered, and the former connection a cluster
 * redirection left behind until its commands in flight are answered. Lives on the session's loop.
 *
 * <p>Whether the connection holds state of the client's (a transaction, subscriptions) is the
 * session's to say: the methods that give the connection back are told.
 */
final class PinnedConnection {

    /** The session: owner of the connection, told of its replies. */
    private final ReplySink owner;
    /** Stops reading the client while a connection it writes to is full (see ClientReplies). */
    private final Consumer<BackendConnection> backlog;

    private final BackendPool backends;
    private final HeldCommands held = new HeldCommands();
    private BackendConnection connection;
    private int server = -1;
    /** The former connection after a redirection moved this one, until its commands in flight are answered. */
    private BackendConnection retiring;
    /** The protocol of the client: what a connection taken from now on speaks. */
    private RespProtocol protocol = RespProtocol.RESP2;
    /**
     * The connection's protocol was changed under it (HELLO or RESET sent on it): it is closed
     * rather than given back, where it would be taken as one that speaks what it was made for.
     */
    private boolean spoilt;

    private int retiringServer = -1;

    PinnedConnection(ReplySink owner, Consumer<BackendConnection> backlog, BackendPool backends) {
        this.owner = owner;
        this.backlog = backlog;
        this.backends = backends;
    }

    void protocol(RespProtocol next) {
        this.protocol = next;
    }

    /** The protocol the client's own connection speaks; null when it has none. */
    RespProtocol connectionProtocol() {
        return connection == null ? null : connection.protocol();
    }

    /** The connection is not given back to the pool but closed (see {@link #spoilt}). */
    void spoil() {
        spoilt = connection != null;
    }

    /** The oldest command in flight on the client's own connection, or null: see {@link BackendConnection#oldestAnsweredTo}. */
    PendingCommand oldestInFlight() {
        return connection == null ? null : connection.oldestAnsweredTo(owner);
    }

    private void giveBack(int toServer, BackendConnection given) {
        if (spoilt && given == connection) {
            spoilt = false;
            backends.discard(toServer, given);
        } else {
            backends.release(toServer, given);
        }
    }

    boolean isPinned() {
        return connection != null;
    }

    /** The server the connection goes to; -1 when there is none. */
    int server() {
        return server;
    }

    /** Whether commands wait for the client's earlier ones, or the connection has any in flight. */
    boolean isBusy() {
        return connection != null && (connection.inFlight() > 0 || held.isHolding());
    }

    /**
     * Takes a connection to {@code target} unless one is held already; true when the client's
     * connection goes to {@code target}. Commands for a new one wait until {@code barrier} (the
     * client's last command in flight elsewhere) is answered, so they run in order.
     */
    boolean pin(int target, PendingCommand barrier) {
        if (connection == null) {
            connection = backends.dedicated(target, owner, protocol);
            server = target;
            held.holdUntil(barrier);
            return true;
        }
        return server == target;
    }

    /**
     * Moves the connection to {@code target}, where a redirected command goes on (a blocking
     * command, or the SSUBSCRIBE that opened push mode and was refused). The old connection is
     * given back once the commands in flight on it are answered; the client's later commands for the
     * new one wait for them ({@code barrier}). False when the connection holds what cannot move:
     * a transaction ({@code holdsTransaction}), commands held for its node, or a connection already
     * being given back.
     *
     * @param subscribed whether the old connection is in push mode (its subscription was refused: it is dropped)
     */
    boolean move(int target, boolean holdsTransaction, boolean subscribed, PendingCommand barrier) {
        if (connection == null || holdsTransaction || held.hasCommands() || retiring != null) {
            return false;
        }
        BackendConnection old = connection;
        int oldServer = server;
        connection = backends.dedicated(target, owner, protocol);
        server = target;
        if (subscribed || spoilt) {
            spoilt = false;
            backends.discard(oldServer, old);
        } else if (old.inFlight() == 0) {
            backends.release(oldServer, old);
        } else {
            retiring = old;
            retiringServer = oldServer;
            held.holdUntil(barrier);
        }
        return true;
    }

    /** Gives back the connection {@link #move} left behind once nothing is in flight on it. */
    void releaseRetiredWhenDrained() {
        if (retiring != null && retiring.inFlight() == 0) {
            backends.release(retiringServer, retiring);
            retiring = null;
            retiringServer = -1;
        }
    }

    /** Sends {@code frame} (ownership passes) on the connection, or holds it behind the barrier. */
    void send(ByteBuf frame, PendingCommand pending) {
        if (held.isHolding()) {
            held.add(frame, pending);
        } else {
            sendNow(frame, pending);
        }
    }

    /** Sends at once, ahead of held commands (a redirected command that precedes them). */
    void sendNow(ByteBuf frame, PendingCommand pending) {
        connection.send(frame, pending);
        backlog.accept(connection);
    }

    /** The client's next commands for the connection wait until {@code barrier} is answered. */
    void holdUntil(PendingCommand barrier) {
        held.holdUntil(barrier);
    }

    /** A reply arrived: held commands go once their barrier is answered. */
    void replyArrived() {
        releaseRetiredWhenDrained();
        if (held.isHolding() && held.barrierPassed()) {
            held.sendAll(connection);
            backlog.accept(connection);
        }
    }

    /**
     * Gives the connection back once nothing on it is the client's own any more: no client state
     * ({@code holdsState}: a transaction, WATCH, subscriptions), nothing in flight, nothing held.
     */
    void releaseWhenIdle(boolean holdsState) {
        if (connection != null && !holdsState && !isBusy()) {
            giveBack(server, connection);
            connection = null;
            server = -1;
        }
    }

    /** Drops the connection and whatever server state is on it (WATCHes a redirection made void). */
    void drop() {
        BackendConnection old = connection;
        int oldServer = server;
        connection = null;
        server = -1;
        spoilt = false;
        backends.discard(oldServer, old);
    }

    /** Whether {@code closed} is this client's connection (not one being given back). */
    boolean is(BackendConnection closed) {
        return closed == connection;
    }

    /** The client is gone: a clean connection goes back to the pool, one with client state is closed. */
    void close(boolean holdsState) {
        held.discard();
        if (retiring != null) {
            backends.discard(retiringServer, retiring);
            retiring = null;
        }
        if (connection != null) {
            if (!holdsState && connection.inFlight() == 0) {
                giveBack(server, connection);
            } else {
                backends.discard(server, connection);
            }
            connection = null;
        }
    }
}
