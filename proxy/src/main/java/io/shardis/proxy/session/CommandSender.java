package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.command.CommandGroup;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespReplies;

/**
 * The send path of one client: enters each command's reply slot in the client's queue
 * ({@link ClientReplies}) and writes its frame on the right backend connection, the client's own
 * ({@link PinnedConnection}) when it goes there, else its shared one. Refusals and replies made by
 * Shardis take their place in the same queue. What goes where is decided before
 * ({@link Dispatcher}); this only carries it out. Lives on the client's event loop.
 */
final class CommandSender implements Replies, Forwarding {

    /** The session: owner of every command sent, told of its reply. */
    private final ReplySink client;

    private final ByteBufAllocator alloc;
    private final ClientReplies replies;
    /** The client's transaction, which decides where its commands may go inside MULTI (see {@link #transactions}). */
    private Transactions transactions;

    // What the client uses of its pool; replaced when a reload moves it to another pool (bind).
    private String pool;
    private ShardRouter router;
    private BackendPool backends;
    private int sharedIndex;
    private PinnedConnection pinned;
    /**
     * Whether commands keep their frame until answered: to follow cluster redirections, and to be
     * sent again after a failover (cluster and Sentinel pools).
     */
    private boolean keepsFrames;
    /** Follows the redirections of commands on {@link #pinned}; null outside cluster pools. */
    private PinnedRedirects pinnedRedirects;
    /** The client's protocol: its commands go on backend connections that speak it. */
    private RespProtocol protocol = RespProtocol.RESP2;
    /** The group of the command being sent, stamped on what it sends (shardis_requests_total). */
    private CommandGroup group = CommandGroup.OTHER;

    CommandSender(ReplySink client, ByteBufAllocator alloc, ClientReplies replies) {
        this.client = client;
        this.alloc = alloc;
        this.replies = replies;
    }

    /** The client's transaction, which sends through this sender: set once, before the first command. */
    void transactions(Transactions clientTransactions) {
        this.transactions = clientTransactions;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    /** Sends through {@code backends} of {@code pool} from now on. */
    void bind(
            String pool,
            ShardRouter router,
            BackendPool backends,
            int sharedIndex,
            PinnedConnection pinned,
            boolean keepsFrames,
            PinnedRedirects pinnedRedirects) {
        this.pool = pool;
        this.router = router;
        this.backends = backends;
        this.sharedIndex = sharedIndex;
        this.pinned = pinned;
        this.keepsFrames = keepsFrames;
        this.pinnedRedirects = pinnedRedirects;
        pinned.protocol(protocol);
    }

    /** The client speaks {@code next} from now on; a connection of its own it has still speaks the former. */
    void protocol(RespProtocol next) {
        this.protocol = next;
        pinned.protocol(next);
    }

    void group(CommandGroup commandGroup) {
        this.group = commandGroup;
    }

    /** Answers with an error and drops the command. */
    @Override
    public void refuse(RespCommand command, String error) {
        command.release();
        transactions.commandRefused();
        reply(RespReplies.error(alloc, error));
    }

    /** Queues a reply made here; written as soon as every earlier reply has been. Takes {@code reply}. */
    @Override
    public void reply(ByteBuf reply) {
        replies.add(reply);
    }

    /**
     * Sends a command whose reply is queued in order for this client, to the server the client is
     * pinned to, else the keyless one; inside MULTI, to the transaction's server. Takes the frame.
     */
    @Override
    public void forward(RespCommand command) {
        int server = pinned.isPinned() ? pinned.server() : router.keylessServer();
        if (transactions.inMulti() && !transactions.queueOn(server, -1)) {
            refuse(command, Refusals.noServerInTransaction());
            return;
        }
        forward(server, command, new PendingCommand(client));
    }

    /** Sends {@code command} to {@code server}, its reply slot queued as {@code pending}. */
    void forward(int server, RespCommand command, PendingCommand pending) {
        if (server < 0) {
            refuse(command, Refusals.noServerAvailable(pool));
            return;
        }
        replies.expect(pending);
        send(server, command.content(), pending);
    }

    /** A blocking command on the client's own connection to {@code server}, which it takes if it has none. */
    void forwardBlocking(int server, RespCommand command, boolean countsReplicas) {
        pin(server);
        if (countsReplicas) {
            markReplicationOffset();
        }
        forward(server, command, new PendingCommand(client).untimed());
    }

    /**
     * WAIT counts the replicas that have the writes of the connection it runs on. This client's
     * writes went through a shared connection, and WAIT must not block that one, so WAIT runs on the
     * client's dedicated connection after a write that Redis propagates there (a PUBLISH to a channel
     * nobody listens to): its offset covers every write the client made before, which the held
     * commands barrier guarantees have been answered.
     */
    private void markReplicationOffset() {
        send(
                pinned.server(),
                RespCommands.encode(alloc, "PUBLISH", "__shardis__:wait", "").content(),
                PendingCommand.silent(client));
    }

    /** EXEC, sent after the transaction's state was closed here: a redirection of it cannot be followed either. */
    @Override
    public void forwardExec(RespCommand command) {
        forward(pinned.server(), command, new PendingCommand(client).partOfTransaction());
    }

    /** Like {@link #forward} but the client sees {@code substitute} instead of the backend's reply. */
    @Override
    public void forwardReplacingReply(RespCommand command, ByteBuf substitute) {
        PendingCommand pending = new PendingCommand(client);
        pending.substituteReply(substitute);
        replies.expect(pending);
        send(pinned.server(), command.content(), pending);
    }

    /** Sends a frame of the proxy's own (a deferred MULTI) on the dedicated connection; its reply is dropped. */
    @Override
    public void sendSilently(RespCommand command) {
        send(pinned.server(), command.content(), PendingCommand.silent(client));
    }

    /** Queues the reply slot of a command whose reply is made elsewhere (a split command's merge). */
    @Override
    public void expectReply(PendingCommand pending) {
        replies.expect(pending);
    }

    /** In push mode: a command whose replies are relayed as they come, on the client's own connection. */
    void sendUnanswered(RespCommand command) {
        if (pinnedRedirects != null) {
            pinnedRedirects.forgetSubscription();
        }
        send(pinned.server(), command.content(), null);
    }

    /**
     * RESP3: the pushes that confirm the (un)subscription just sent have no reply slot of their own;
     * a PING behind it (its {@code +PONG} comes after them, and is not shown) holds the place of
     * the client's later replies until they have come, so that none overtakes them.
     */
    void markPushesEnd() {
        PendingCommand marker = new PendingCommand(client);
        marker.substituteReply(alloc.buffer(0));
        replies.expect(marker);
        send(pinned.server(), RespCommands.encode(alloc, "PING").content(), marker);
    }

    /** Sends {@code frame} (ownership passes) to {@code server}: the client's own connection if it goes there. */
    @Override
    public void send(int server, ByteBuf frame, PendingCommand pending) {
        if (pending != null) {
            pending.group(group);
        }
        if (keepsFrames && pending != null && !pending.isSilent()) {
            // A cluster may answer MOVED, ASK or TRYAGAIN, a master may die before answering: the
            // command is kept to be sent again, as one more reference to the buffer sent (nothing
            // allocated per command). A blocking one may wait for hours: a copy, rather than a
            // reference pinning the read buffer the frame may be a slice of.
            pending.keepFrame(
                    pending.isUntimed()
                            ? alloc.buffer(frame.readableBytes())
                                    .writeBytes(frame, frame.readerIndex(), frame.readableBytes())
                            : frame.retain());
        }
        if (pinned.isPinned() && server == pinned.server()) {
            if (pending != null && transactions.holdsState()) {
                pending.partOfTransaction();
            }
            pinned.send(frame, pending);
        } else {
            sendShared(server, frame, pending);
        }
    }

    /** Sends a command (frame owned by the connection) on this client's shared connection to {@code server}. */
    @Override
    public void sendShared(int server, ByteBuf frame, PendingCommand pending) {
        BackendConnection connection = protocol == RespProtocol.RESP2
                ? backends.shared(server, sharedIndex)
                : backends.shared3(server, sharedIndex);
        connection.send(frame, pending);
        replies.limitBackendBacklog(connection);
    }

    /**
     * Gives this client a backend connection of its own from now on (see {@link PinnedConnection#pin});
     * false when it has one to another server.
     */
    @Override
    public boolean pin(int server) {
        return pinned.pin(server, replies.lastUnanswered());
    }
}
