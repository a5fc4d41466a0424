package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.cluster.ClusterNodes;
import io.shardis.proxy.cluster.ClusterRedirects;
import io.shardis.proxy.cluster.ClusterRedirects.Redirection;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespReplyFramer;
import java.util.concurrent.TimeUnit;

/**
 * Cluster redirections of the commands on a client's dedicated connection, so that the client
 * never sees MOVED or ASK from them either (shared connections have {@link ClusterRedirects}):
 * <ul>
 * <li>A blocking command (BLPOP…, outside a transaction) follows {@code MOVED}/{@code ASK} as a
 * cluster client would: the map is refreshed, the client's dedicated connection moves to the node
 * named and the command is sent there again ({@code ASKING} first for an ASK), where its wait starts
 * over. Redis answers MOVED to a client blocked on a slot that migrated away, so a blocked command
 * keeps waiting on the slot's new master. {@code TRYAGAIN}/{@code CLUSTERDOWN} are retried on the
 * same node after ClusterRedirects' pauses, while their sum stays within the pool's failover_timeout. The
 * client's later commands for the pinned node wait behind it (HeldCommands), as on one connection.</li>
 * <li>Another command pipelined on the dedicated connection is sent again to the node named, on that
 * connection when it goes there, else on a shared one.</li>
 * <li>Inside a transaction (WATCH … EXEC) the backend's state is on the node the command went to: the
 * redirection is answered with a clear error instead (Redis itself aborts the transaction: a queued
 * command redirected makes EXEC answer EXECABORT, a redirected EXEC discards it). After a MOVED the
 * error waits (within failover_timeout) until the refreshed map names the new node, so that the client's
 * retry goes there.</li>
 * <li>The SSUBSCRIBE that opened push mode, answered MOVED, is sent again to the node named; a later
 * MOVED in push mode (the connection has subscriptions on its node) becomes a clear error.</li>
 * </ul>
 * Every error is answered in the client's order. Runs on the session's event loop.
 */
final class PinnedRedirects {

    /** How often a transaction's error checks whether the refreshed map names the slot's new node. */
    private static final long MAP_CHECK_MILLIS = 5;

    /** What following a redirection does with the client's own connection ({@link PinnedMoves}). */
    interface OwnConnection {
        /** Moves the client's own connection to {@code server}; false when it cannot move now. */
        boolean movePin(int server);

        /** Sends a redirected command on the client's own connection, ahead of the held commands it precedes. */
        void sendPinned(ByteBuf frame, PendingCommand pending);

        /** The client's next commands for its own connection wait until every command so far is answered. */
        void holdLaterCommands();

        /** The connection a redirection moved away from goes once its commands in flight are answered. */
        void releaseRetiredWhenDrained();

        /** A command of a transaction being prepared was redirected: its connection and WATCHes go. */
        void endWatchAfterRedirection();
    }

    private final SessionContext client;
    private final Replies replies;
    private final Forwarding sender;
    private final OwnConnection own;
    private final ClusterNodes cluster;
    private final long retryWindowMillis;
    /** The SSUBSCRIBE that put the session in push mode, until its reply: a MOVED sends it again. */
    private ByteBuf firstSubscription;

    PinnedRedirects(
            SessionContext client, Replies replies, Forwarding sender, OwnConnection own, ClusterNodes cluster) {
        this.client = client;
        this.replies = replies;
        this.sender = sender;
        this.own = own;
        this.cluster = cluster;
        this.retryWindowMillis = cluster.config().timeouts().failoverMillis();
    }

    /** See {@link io.shardis.proxy.backend.ReplySink#followRedirection}; for commands that kept their frame on a dedicated connection. */
    boolean follow(PendingCommand command, ByteBuf reply, BackendSettings from) {
        Redirection redirection = Redirection.parse(reply);
        if (redirection == null) {
            return false;
        }
        boolean redirect = redirection.kind() == Redirection.Kind.MOVED || redirection.kind() == Redirection.Kind.ASK;
        if (command.isPartOfTransaction()) {
            if (!redirect) {
                // Redis' own TRYAGAIN/CLUSTERDOWN: not a redirection, and Redis aborts the transaction itself.
                return false;
            }
            reply.release();
            abortTransaction(command, redirection, from);
            return true;
        }
        int count = redirect ? command.countRedirection() : command.countRetry();
        if (redirect) {
            reply.release();
            if (count > ClusterRedirects.MAX_REDIRECTIONS) {
                command.complete(error(Refusals.redirectedTooOften(redirection.slot(), count - 1)));
                return true;
            }
            int node = nodeOf(redirection, from);
            if (redirection.kind() == Redirection.Kind.MOVED) {
                cluster.requestRefresh("MOVED " + redirection.slot() + " " + redirection.hostOr(from) + ":"
                        + redirection.port() + " on a dedicated connection");
            }
            resend(command, node, redirection.kind() == Redirection.Kind.ASK, redirection.slot());
            own.releaseRetiredWhenDrained();
            return true;
        }
        long delayMillis = ClusterRedirects.retryDelayMillis(count);
        int node = cluster.servers().find(from.label());
        if (count > ClusterRedirects.MAX_RETRIES || pausedMillis(count) > retryWindowMillis || node < 0) {
            return false;
        }
        if (redirection.kind() == Redirection.Kind.CLUSTERDOWN) {
            cluster.requestRefresh("CLUSTERDOWN from " + from.label());
        }
        reply.release();
        // Whatever the client sends next for this node must not overtake the command while it waits.
        own.holdLaterCommands();
        // An importing node answers TRYAGAIN only to a command sent after ASKING: so is the retry.
        boolean asking = command.wasSentAfterAsking();
        client.channel()
                .eventLoop()
                .schedule(() -> resend(command, node, asking, -1), delayMillis, TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * Sends {@code command} again to {@code node}: a blocking command moves the client's dedicated
     * connection there; another command goes on that connection if it is there, else on a shared one.
     */
    private void resend(PendingCommand command, int node, boolean asking, int slot) {
        if (client.isClosed()) {
            command.complete(error(Refusals.CLIENT_CLOSED));
            return;
        }
        command.sentAfterAsking(asking);
        if (node != client.pinnedServer()) {
            if (!command.isUntimed()) {
                if (asking) {
                    sender.sendShared(node, askingFrame(), PendingCommand.silent(client.owner()));
                }
                sender.sendShared(node, command.resendableFrame(), command);
                return;
            }
            if (!own.movePin(node)) {
                command.complete(error(Refusals.blockingCannotFollow(slot)));
                return;
            }
        }
        if (asking) {
            own.sendPinned(askingFrame(), PendingCommand.silent(client.owner()));
        }
        own.sendPinned(command.resendableFrame(), command);
    }

    /**
     * A transaction's command was redirected: the client learns that its transaction is void, and
     * its retry must reach the slot's new node.
     */
    private void abortTransaction(PendingCommand command, Redirection redirection, BackendSettings from) {
        own.endWatchAfterRedirection();
        int slot = redirection.slot();
        if (redirection.kind() == Redirection.Kind.ASK) {
            // The slot is being migrated: the map does not change until it is over.
            command.complete(error(Refusals.transactionSlotMigrating(slot)));
            return;
        }
        int node = nodeOf(redirection, from);
        cluster.requestRefresh("MOVED " + slot + " in a transaction");
        answerOnceMapped(command, slot, node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryWindowMillis));
    }

    private void answerOnceMapped(PendingCommand command, int slot, int node, long deadlineNanos) {
        if (client.isClosed()
                || client.router().serverOfGroup(slot) == node
                || System.nanoTime() - deadlineNanos >= 0) {
            command.complete(error(Refusals.transactionSlotMoved(slot)));
        } else {
            client.channel()
                    .eventLoop()
                    .schedule(
                            () -> answerOnceMapped(command, slot, node, deadlineNanos),
                            MAP_CHECK_MILLIS,
                            TimeUnit.MILLISECONDS);
        }
    }

    /** Keeps (takes) the frame of the SSUBSCRIBE that opened push mode on a new connection, until its reply. */
    void followFirstReply(ByteBuf subscription) {
        forgetSubscription();
        firstSubscription = subscription;
    }

    /** Another command went out in push mode: a MOVED may now answer it, and cannot be followed. */
    void forgetSubscription() {
        ReferenceCountUtil.release(firstSubscription);
        firstSubscription = null;
    }

    /**
     * A frame received in push mode; returns what the client gets (the frame itself, or a clear
     * error instead of a MOVED/ASK), or null when the frame was taken (the subscription sent again).
     */
    ByteBuf push(ByteBuf frame) {
        ByteBuf subscription = firstSubscription;
        firstSubscription = null;
        Redirection redirection = RespReplyFramer.isError(frame) ? Redirection.parse(frame) : null;
        if (redirection == null
                || (redirection.kind() != Redirection.Kind.MOVED && redirection.kind() != Redirection.Kind.ASK)) {
            ReferenceCountUtil.release(subscription);
            return frame;
        }
        // In push mode the frame comes from the pinned node: an empty host in it is that node's.
        int node = nodeOf(redirection, cluster.servers().get(client.pinnedServer()));
        frame.release();
        if (redirection.kind() == Redirection.Kind.MOVED) {
            cluster.requestRefresh("MOVED " + redirection.slot() + " for a shard channel");
        }
        if (subscription != null && redirection.kind() == Redirection.Kind.MOVED && own.movePin(node)) {
            own.sendPinned(subscription, null);
            return null;
        }
        ReferenceCountUtil.release(subscription);
        return error(Refusals.shardChannelMoved(redirection.slot()));
    }

    /** Closing: what is kept goes. */
    void discard() {
        forgetSubscription();
    }

    private int nodeOf(Redirection redirection, BackendSettings from) {
        return cluster.indexOf(redirection.hostOr(from), redirection.port());
    }

    /** Sum of the pauses before the {@code count} retries so far. */
    private static long pausedMillis(int count) {
        long total = 0;
        for (int attempt = 1; attempt <= count; attempt++) {
            total += ClusterRedirects.retryDelayMillis(attempt);
        }
        return total;
    }

    private ByteBuf askingFrame() {
        return RespCommands.encode(replies.alloc(), "ASKING").content();
    }

    private ByteBuf error(String text) {
        return RespReplies.error(replies.alloc(), text);
    }
}
