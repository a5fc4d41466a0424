package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.shardis.proxy.backend.PendingCommand;

/**
 * What a cluster redirection does with the client's own connection ({@link PinnedRedirects}): moves
 * it with a blocking command, holds the client's later commands behind a retry, drops it with the
 * WATCHes a redirection made void. Whether the connection may move depends on what the client keeps
 * on it (a transaction, subscriptions). Made with each {@link PinnedConnection}; lives on the
 * client's event loop.
 */
final class PinnedMoves implements PinnedRedirects.OwnConnection {

    private final PinnedConnection pinned;
    private final Transactions transactions;
    private final Subscriptions subscriptions;
    private final ClientReplies replies;

    PinnedMoves(
            PinnedConnection pinned, Transactions transactions, Subscriptions subscriptions, ClientReplies replies) {
        this.pinned = pinned;
        this.transactions = transactions;
        this.subscriptions = subscriptions;
        this.replies = replies;
    }

    /** Moves the client's own connection to {@code server} (see {@link PinnedConnection#move}). */
    @Override
    public boolean movePin(int server) {
        return pinned.move(server, transactions.holdsState(), subscriptions.on(), replies.lastUnanswered());
    }

    @Override
    public void releaseRetiredWhenDrained() {
        pinned.releaseRetiredWhenDrained();
    }

    /** Sends a redirected command (frame owned by the connection) on the client's own one, ahead of the held commands it precedes. */
    @Override
    public void sendPinned(ByteBuf frame, PendingCommand pending) {
        pinned.sendNow(frame, pending);
    }

    /** The client's next commands for its own connection wait until every command so far is answered. */
    @Override
    public void holdLaterCommands() {
        pinned.holdUntil(replies.lastUnanswered());
    }

    /**
     * A command of a transaction being prepared (WATCH, not yet MULTI) was redirected and the client
     * awaits nothing else on the connection: the transaction is void, so the connection and the
     * WATCHes on it go, and the client's next WATCH or MULTI pins the node the map names by then.
     */
    @Override
    public void endWatchAfterRedirection() {
        if (!pinned.isPinned()
                || subscriptions.on()
                || transactions.inMulti()
                || !transactions.holdsState()
                || pinned.isBusy()) {
            return;
        }
        transactions.watchesLost();
        pinned.drop();
    }
}
