package io.shardis.proxy.session;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Moves a client to the pool a configuration reload made to replace its own (new servers, weights,
 * timeouts, auth...) without closing its connection: once nothing of the client's is unanswered and
 * it has no connection of its own, since its later commands could otherwise overtake earlier ones
 * still on the old pool's connections. While only replies on shared connections are awaited, its
 * next commands wait (are not read); a transaction, blocking call or subscription moves once it is
 * over. Lives on the client's event loop.
 */
final class PoolMove {

    /** What the move asks of the session, which carries it out. */
    interface Client {
        /** After QUIT, a protocol error or the connection's close: nothing moves any more. */
        boolean gone();

        /** Whether the client has a connection of its own, a transaction or subscriptions. */
        boolean holdsConnection();

        /** Takes {@code next} (the last of its successors) as the client's pool now. */
        void rebind(SessionPool next);
    }

    /** How often a client that waits for replies checks whether it can move, in case no reply tells it. */
    private static final long CHECK_MILLIS = 50;

    private final Client client;
    private final ClientReplies replies;
    private final EventExecutor executor;
    /** The pool a reload asked this client to move to, until it can. */
    private SessionPool next;

    private boolean checkScheduled;

    PoolMove(Client client, ClientReplies replies, EventExecutor executor) {
        this.client = client;
        this.replies = replies;
        this.executor = executor;
    }

    /** Whether a move waits: the client's commands and replies check it again. */
    boolean pending() {
        return next != null;
    }

    /** Moves to {@code pool} now if nothing of this client's is in flight, else once it is answered. */
    void to(SessionPool pool) {
        next = pool;
        whenIdle();
    }

    /** Moves to the pool asked for if the client is idle now; else its commands wait or it checks again. */
    void whenIdle() {
        if (next == null || client.gone()) {
            return;
        }
        if (client.holdsConnection()) {
            replies.waitForMove(false);
            return;
        }
        if (replies.lastUnanswered() != null) {
            replies.waitForMove(true);
            if (!checkScheduled) {
                // Replies come back through onReply, which checks again; this catches any other way.
                checkScheduled = true;
                executor.schedule(
                        () -> {
                            checkScheduled = false;
                            whenIdle();
                        },
                        CHECK_MILLIS,
                        TimeUnit.MILLISECONDS);
            }
            return;
        }
        SessionPool target = next;
        while (target.successor() != null) {
            target = target.successor();
        }
        next = null;
        client.rebind(target);
        replies.waitForMove(false);
    }
}
