package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.channel.WriteCoalescer;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.command.Routing;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.proxy.server.PoolRuntime;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespCommands;
import io.shardis.resp.RespProtocolError;
import io.shardis.resp.RespReplies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;

/**
 * One client connection: reads its commands, sends each where it belongs, and writes the replies
 * back in the order the commands came, whichever backend answers first ("flush out what we can").
 *
 * <p>Runs on the client channel's event loop, which is also the loop of every backend connection it
 * uses, so no state here is shared between threads.
 *
 * <p>Ownership: each decoded {@link RespCommand} is either forwarded (its frame passes to the
 * backend connection) or released here. Replies are owned by their {@link PendingCommand} until
 * written to the client.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ReplySink {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    /** The event that asks a session to finish, on shutdown. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    private final PoolRuntime pool;
    private final long id;
    private final LocalCommands local;
    private final Transactions transactions;
    private final ArrayDeque<PendingCommand> replies = new ArrayDeque<>();
    private final Runnable flushTask = this::flushNow;
    private final int maxPipeline;
    private final HeldCommands held = new HeldCommands();
    /** Whether commands keep their frame to follow cluster redirections. */
    private final boolean redirectable;
    /** Whether read-only commands may go to replicas: a cluster pool whose read_from is not master. */
    private final boolean readsReplicas;
    /** Picks this client's replica for each slot, so its reads of a slot stay on one replica. */
    private final int readSeed;
    /** Follows the redirections of commands on {@link #dedicated}; null outside cluster pools. */
    private final PinnedRedirects pinnedRedirects;

    private ChannelHandlerContext ctx;
    private BackendPool backends;
    private ShardRouter router;
    private Fanout fanout;
    /** Which of each server's {@code server_connections} shared connections this client uses. */
    private int sharedIndex;
    /** This client's own backend connection, once a transaction, blocking call or subscription needs one. */
    private BackendConnection dedicated;
    /** The server {@link #dedicated} goes to. */
    private int dedicatedServer = -1;
    /** The former dedicated connection after a redirection moved it, until its commands in flight are answered. */
    private BackendConnection retiring;
    private int retiringServer = -1;
    /** After SUBSCRIBE: replies no longer match commands one to one; frames are relayed as they come. */
    private boolean pushMode;
    private boolean flushScheduled;
    private boolean closeAfterFlush;
    private boolean quitting;
    private boolean closed;
    private boolean readPausedForPipeline;
    private boolean readPausedForBackend;
    /** Small replies copied together, so a flush writes one buffer instead of one per reply. */
    private WriteCoalescer out;

    public ClientSession(PoolRuntime pool) {
        this.pool = pool;
        this.id = pool.nextClientId();
        this.local = new LocalCommands(this);
        this.transactions = new Transactions(this);
        this.maxPipeline = pool.config().maxPipeline();
        this.redirectable = pool.cluster() != null;
        this.readsReplicas = pool.cluster() != null && pool.config().cluster().readFrom().readsReplicas();
        // Client ids are consecutive: mixed, so that clients spread evenly over the replicas.
        this.readSeed = (int) ((id * 0x9E3779B97F4A7C15L) >>> 32);
        this.pinnedRedirects = redirectable ? new PinnedRedirects(this, pool.cluster()) : null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.out = new WriteCoalescer(ctx.alloc());
        this.backends = pool.backendsFor(ctx.channel().eventLoop());
        this.router = pool.router();
        this.fanout = new Fanout(this);
        this.sharedIndex = backends.nextConnectionIndex();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed || quitting) {
            // After QUIT or a protocol error Redis reads nothing more from the client.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RespCommand command) {
            dispatch(command);
        } else if (msg instanceof RespProtocolError error) {
            // Redis answers a protocol error and closes the connection.
            reply(RespReplies.error(ctx.alloc(), "ERR " + error.message()));
            replyThenClose();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(RespCommand command) {
        CommandSpec spec = pool.commands().lookup(command);
        if (spec == null) {
            refuse(command, "ERR unknown or unsupported command '" + Names.printable(command, 0) + "'");
            return;
        }
        if (pushMode) {
            relayInPushMode(command, spec);
            return;
        }
        if (!spec.arityAccepts(command.argCount())) {
            refuse(command, "ERR wrong number of arguments for '" + spec.name() + "' command");
            return;
        }
        if (spec.has(CommandFlag.DANGEROUS) && !pool.config().allowAdmin()) {
            refuse(command, "ERR command '" + spec.name() + "' is refused by Shardis: admin commands are off"
                    + " for pool '" + pool.config().name() + "' (allow_admin: true turns them on)");
            return;
        }
        if (transactions.inMulti() && spec.routing() != Routing.TRANSACTION) {
            queueInTransaction(command, spec);
            return;
        }
        switch (spec.routing()) {
            case LOCAL -> local.answer(command, spec);
            case REFUSED -> refuse(command, "ERR unknown or unsupported command '" + spec.name() + "'");
            case TRANSACTION -> transactions.handle(command, spec);
            case SUBSCRIBE -> {
                int server = subscriptionServer(command, spec);
                if (server < 0) {
                    refuseUnroutable(command, spec, server);
                    return;
                }
                boolean newConnection = dedicated == null;
                if (!pin(server)) {
                    refuse(command, otherSubscriptionServer(spec));
                    return;
                }
                pushMode = true;
                // A shard channel's slot may have moved: the first SSUBSCRIBE can follow a MOVED.
                ByteBuf resubscribe = pinnedRedirects != null && newConnection && spec.keyCount(command) > 0
                        ? command.content().retainedDuplicate() : null;
                sendUnanswered(command);
                if (resubscribe != null) {
                    pinnedRedirects.followFirstReply(resubscribe);
                }
            }
            default -> route(command, spec);
        }
    }

    /** Sends a keyed, keyless or all-servers command where the pool's router says. */
    private void route(RespCommand command, CommandSpec spec) {
        if (router.serverCount() == 1 && !router.groupsAreSlots()) {
            forwardTo(0, command, spec);
            return;
        }
        switch (spec.routing()) {
            case MULTI_KEY -> fanout.split(command, spec);
            case ALL_SHARDS -> fanout.broadcast(command, spec);
            default -> {
                if (spec.routing() == Routing.KEYLESS && spec.name().startsWith("wait")) {
                    refuse(command, "ERR Shardis: " + spec.name() + " counts the replicas of one server;"
                            + " pool '" + pool.config().name() + "' has " + router.serverCount());
                    return;
                }
                int server = serverOf(command, spec, readsFromReplica(command, spec));
                if (server < 0) {
                    refuseUnroutable(command, spec, server);
                    return;
                }
                forwardTo(server, command, spec);
            }
        }
    }

    /**
     * Whether {@code command} may be read from a replica: the pool reads from replicas, the table
     * says the command only reads ({@link CommandFlag#REPLICA_READABLE}), it does not block, and the
     * client has no transaction and no connection of its own (WATCH, a subscription, a blocking
     * command in progress), whose commands must all see the master.
     */
    boolean readsFromReplica(RespCommand command, CommandSpec spec) {
        return readsReplicas && spec.has(CommandFlag.REPLICA_READABLE) && dedicated == null
                && !transactions.inMulti() && !spec.blocks(command);
    }

    /**
     * The server of a group ({@link ShardRouter#groupFor}): for a read ({@link #readsFromReplica}),
     * where the pool reads from, which may be {@link ShardRouter#NO_REPLICA}; else its master.
     */
    int serverOfGroup(int group, boolean read) {
        return read ? router.readServerOfGroup(group, readSeed) : router.serverOfGroup(group);
    }

    /**
     * Where a subscription lives: sharded channels (SSUBSCRIBE) on the server of their channel, as
     * SPUBLISH routes by it; other channels and patterns on the server the client already uses,
     * else the pool's keyless server, where PUBLISH goes, so publishers and subscribers meet.
     */
    private int subscriptionServer(RespCommand command, CommandSpec spec) {
        if (spec.keyCount(command) > 0) {
            return serverOf(command, spec);
        }
        return dedicated != null ? dedicatedServer : router.keylessServer();
    }

    private String otherSubscriptionServer(CommandSpec spec) {
        return "ERR Shardis: '" + spec.name() + "' needs another server of pool '" + pool.config().name()
                + "' than this connection's subscriptions or transaction; use another connection for it";
    }

    /** Returned by {@link #serverOf} when the command's keys live on different servers. */
    static final int CROSS_SERVER = -2;

    /**
     * The server every key of {@code command} maps to; the keyless server for a command without
     * keys (or whose keys cannot be told, which Redis will answer); {@link #CROSS_SERVER} when its
     * keys are on several servers, {@link ShardRouter#NO_SERVER} when no live server can take them.
     */
    int serverOf(RespCommand command, CommandSpec spec) {
        return serverOf(command, spec, false);
    }

    /** {@link #serverOf(RespCommand, CommandSpec)}, or for a read, as {@link #serverOfGroup} says. */
    private int serverOf(RespCommand command, CommandSpec spec, boolean read) {
        int keys = spec.keyCount(command);
        if (keys <= 0) {
            return router.keylessServer();
        }
        // Keys must share a group: their server, or in a cluster their hash slot.
        int group = -1;
        for (int k = 0; k < keys; k++) {
            int arg = spec.keyIndex(command, k);
            int keyGroup = router.groupFor(command.content(), command.argOffset(arg), command.argLength(arg));
            if (keyGroup < 0) {
                return ShardRouter.NO_SERVER;
            }
            if (k > 0 && keyGroup != group) {
                return CROSS_SERVER;
            }
            group = keyGroup;
        }
        return serverOfGroup(group, read);
    }

    /** The group ({@link ShardRouter#groupFor}) of the command's first key; -1 for a keyless command. */
    int firstKeyGroup(RespCommand command, CommandSpec spec) {
        if (spec.keyCount(command) <= 0) {
            return -1;
        }
        int arg = spec.keyIndex(command, 0);
        return router.groupFor(command.content(), command.argOffset(arg), command.argLength(arg));
    }

    String crossServer(CommandSpec spec) {
        if (router.groupsAreSlots()) {
            return "ERR Shardis: keys of '" + spec.name() + "' are in different hash slots of the cluster behind pool '"
                    + pool.config().name() + "'; keys used together need the same hash tag, e.g. {user1}.a and {user1}.b";
        }
        return "ERR Shardis: the keys of '" + spec.name() + "' are on different servers of pool '"
                + pool.config().name() + "'; keys used together need the same hash tag, e.g. {user1}.a and {user1}.b";
    }

    /** Refuses a command {@link #serverOf} found no single server for ({@code server} < 0). */
    void refuseUnroutable(RespCommand command, CommandSpec spec, int server) {
        refuse(command, server == CROSS_SERVER ? crossServer(spec)
                : server == ShardRouter.NO_REPLICA ? noReplica(spec, firstKeyGroup(command, spec))
                : noServer(spec));
    }

    /** For {@link ShardRouter#NO_REPLICA}: the pool reads only from replicas, and {@code slot} has none reachable. */
    String noReplica(CommandSpec spec, int slot) {
        return "ERR Shardis: pool '" + pool.config().name() + "' reads from replicas only (read_from: replica)"
                + " and no replica of hash slot " + slot + " is reachable; '" + spec.name() + "' was not sent";
    }

    String noServer(CommandSpec spec) {
        return "ERR Shardis: no server of pool '" + pool.config().name() + "' is available for '" + spec.name() + "'";
    }

    /** Sends a whole command to {@code server}; blocking ones on a connection of the client's own. */
    void forwardTo(int server, RespCommand command, CommandSpec spec) {
        if (spec.blocks(command)) {
            if (!pin(server)) {
                refuse(command, "ERR Shardis: '" + spec.name() + "' blocks on another server than the"
                        + " blocking command or transaction this client already has in progress");
                return;
            }
            if (spec.name().startsWith("wait")) {
                markReplicationOffset();
            }
            forward(server, command, new PendingCommand(this).untimed());
        } else {
            forward(server, command, new PendingCommand(this));
        }
    }

    /**
     * Inside MULTI, Redis queues commands and answers them all at EXEC, so commands Shardis would
     * answer itself go to the backend too; blocking commands do not block inside a transaction.
     */
    private void queueInTransaction(RespCommand command, CommandSpec spec) {
        switch (spec.routing()) {
            case LOCAL -> local.answerInTransaction(command, spec);
            case REFUSED -> refuse(command, "ERR unknown or unsupported command '" + spec.name() + "'");
            case SUBSCRIBE -> refuse(command, "ERR " + spec.name() + " inside MULTI is not supported by Shardis");
            case ALL_SHARDS -> {
                if (router.serverCount() > 1) {
                    refuse(command, "ERR Shardis: '" + spec.name() + "' runs on every server of pool '"
                            + pool.config().name() + "' and cannot be part of a transaction");
                } else {
                    forward(command);
                }
            }
            default -> {
                int server = serverOf(command, spec);
                if (server < 0) {
                    refuseUnroutable(command, spec, server);
                } else if (!transactions.queueOn(server, firstKeyGroup(command, spec))) {
                    refuse(command, "ERR Shardis: the keys of a transaction must all be "
                            + (router.groupsAreSlots() ? "in one hash slot of the cluster behind pool '" : "on one server of pool '")
                            + pool.config().name() + "'; '" + spec.name() + "' uses another one (hash tags keep keys together)");
                } else {
                    forward(server, command, new PendingCommand(this));
                }
            }
        }
    }

    /** After a subscription Redis itself decides what is allowed; everything but QUIT goes to it. */
    private void relayInPushMode(RespCommand command, CommandSpec spec) {
        if (spec.name().equals("quit")) {
            local.answer(command, spec);
        } else if (spec.name().equals("ssubscribe") && spec.keyCount(command) > 0
                && subscriptionServer(command, spec) != dedicatedServer) {
            refuse(command, otherSubscriptionServer(spec));
        } else if (spec.routing() == Routing.REFUSED
                || (spec.has(CommandFlag.DANGEROUS) && !pool.config().allowAdmin())) {
            refuse(command, "ERR unknown or unsupported command '" + spec.name() + "'");
        } else {
            sendUnanswered(command);
        }
    }

    /**
     * WAIT counts the replicas that have the writes of the connection it runs on. This client's
     * writes went through a shared connection, and WAIT must not block that one, so WAIT runs on the
     * client's dedicated connection after a write that Redis propagates there (a PUBLISH to a channel
     * nobody listens to): its offset covers every write the client made before, which the held
     * commands barrier guarantees have been answered.
     */
    private void markReplicationOffset() {
        send(dedicatedServer, RespCommands.encode(ctx.alloc(), "PUBLISH", "__shardis__:wait", "").content(),
                PendingCommand.silent(this));
    }

    /**
     * Sends a command whose reply is queued in order for this client, to the server the client is
     * pinned to, else the keyless one; inside MULTI, to the transaction's server. Takes the frame.
     */
    void forward(RespCommand command) {
        int server = dedicated != null ? dedicatedServer : router.keylessServer();
        if (transactions.inMulti() && !transactions.queueOn(server, -1)) {
            refuse(command, "ERR Shardis: no server for this command in the transaction");
            return;
        }
        forward(server, command, new PendingCommand(this));
    }

    private void forward(int server, RespCommand command, PendingCommand pending) {
        if (server < 0) {
            refuse(command, "ERR Shardis: no server of pool '" + pool.config().name() + "' is available");
            return;
        }
        replies.add(pending);
        send(server, command.content(), pending);
        limitPipeline();
    }

    /** EXEC, sent after the transaction's state was closed here: a redirection of it cannot be followed either. */
    void forwardExec(RespCommand command) {
        forward(dedicatedServer, command, new PendingCommand(this).partOfTransaction());
    }

    /** Like {@link #forward} but the client sees {@code substitute} instead of the backend's reply. */
    void forwardReplacingReply(RespCommand command, ByteBuf substitute) {
        PendingCommand pending = new PendingCommand(this);
        pending.substituteReply(substitute);
        replies.add(pending);
        send(dedicatedServer, command.content(), pending);
    }

    /** Sends a frame of the proxy's own (a deferred MULTI) on the dedicated connection; its reply is dropped. */
    void sendSilently(RespCommand command) {
        send(dedicatedServer, command.content(), PendingCommand.silent(this));
    }

    /** Queues the reply slot of a command whose reply is made elsewhere (a split command's merge). */
    void expectReply(PendingCommand pending) {
        replies.add(pending);
        limitPipeline();
    }

    private void sendUnanswered(RespCommand command) {
        if (pinnedRedirects != null) {
            pinnedRedirects.forgetSubscription();
        }
        send(dedicatedServer, command.content(), null);
    }

    /** Sends {@code frame} (ownership passes) to {@code server}: the client's own connection if it goes there. */
    void send(int server, ByteBuf frame, PendingCommand pending) {
        if (redirectable && pending != null && !pending.isSilent()) {
            // A cluster may answer MOVED, ASK or TRYAGAIN: the command is kept to be sent again. A
            // blocking one may wait for hours: a copy, rather than a slice pinning the read buffer.
            pending.keepFrame(pending.isUntimed() ? ctx.alloc().buffer(frame.readableBytes()).writeBytes(frame,
                    frame.readerIndex(), frame.readableBytes()) : frame.retainedDuplicate());
        }
        if (dedicated != null && server == dedicatedServer) {
            if (pending != null && transactions.holdsState()) {
                pending.partOfTransaction();
            }
            if (held.isHolding()) {
                held.add(frame, pending);
            } else {
                dedicated.send(frame, pending);
                limitBackendBacklog(dedicated);
            }
        } else {
            BackendConnection connection = backends.shared(server, sharedIndex);
            connection.send(frame, pending);
            limitBackendBacklog(connection);
        }
    }

    /** Stops reading this client while the backend it writes to has a full outbound buffer. */
    private void limitBackendBacklog(BackendConnection connection) {
        if (!readPausedForBackend && !connection.isWritable()) {
            readPausedForBackend = true;
            connection.notifyWhenWritable(this);
            updateAutoRead();
        }
    }

    @Override
    public void onBackendWritable() {
        readPausedForBackend = false;
        if (!closed) {
            updateAutoRead();
        }
    }

    /**
     * Gives this client a backend connection of its own from now on. Commands for it wait until
     * the client's commands already on the shared connection are answered, so they run in order.
     */
    boolean pin(int server) {
        if (dedicated == null) {
            dedicated = backends.dedicated(server, this);
            dedicatedServer = server;
            held.holdUntil(lastUnanswered());
            return true;
        }
        return dedicatedServer == server;
    }

    /**
     * Moves the dedicated connection to {@code server}, where a redirected command goes on (a
     * blocking command, or the SSUBSCRIBE that opened push mode and was refused). The old connection
     * is given back once the commands in flight on it are answered; the client's later commands for
     * the new one wait for them. False when the connection holds what cannot move: a transaction,
     * commands held for its node, or a connection already being given back.
     */
    boolean movePin(int server) {
        if (dedicated == null || transactions.holdsState() || held.hasCommands() || retiring != null) {
            return false;
        }
        BackendConnection old = dedicated;
        int oldServer = dedicatedServer;
        dedicated = backends.dedicated(server, this);
        dedicatedServer = server;
        if (pushMode) {
            // The subscription was refused there: nothing is subscribed on it.
            backends.discard(oldServer, old);
        } else if (old.inFlight() == 0) {
            backends.release(oldServer, old);
        } else {
            retiring = old;
            retiringServer = oldServer;
            held.holdUntil(lastUnanswered());
        }
        return true;
    }

    /** Gives back the connection {@link #movePin} left behind once nothing is in flight on it. */
    void releaseRetiredWhenDrained() {
        if (retiring != null && retiring.inFlight() == 0) {
            backends.release(retiringServer, retiring);
            retiring = null;
            retiringServer = -1;
        }
    }

    /** Sends a redirected command (frame owned by the connection) on the dedicated one, ahead of the held commands it precedes. */
    void sendPinned(ByteBuf frame, PendingCommand pending) {
        dedicated.send(frame, pending);
        limitBackendBacklog(dedicated);
    }

    /** Sends a redirected command (frame owned by the connection) on this client's shared connection to {@code server}. */
    void sendShared(int server, ByteBuf frame, PendingCommand pending) {
        BackendConnection connection = backends.shared(server, sharedIndex);
        connection.send(frame, pending);
        limitBackendBacklog(connection);
    }

    /** The client's next commands for the dedicated connection wait until every command so far is answered. */
    void holdLaterCommands() {
        held.holdUntil(lastUnanswered());
    }

    /**
     * A command of a transaction being prepared (WATCH, not yet MULTI) was redirected and the client
     * awaits nothing else on the connection: the transaction is void, so the connection and the
     * WATCHes on it go, and the client's next WATCH or MULTI pins the node the map names by then.
     */
    void endWatchAfterRedirection() {
        if (dedicated == null || pushMode || transactions.inMulti() || !transactions.holdsState()
                || dedicated.inFlight() > 0 || held.isHolding()) {
            return;
        }
        transactions.watchesLost();
        BackendConnection old = dedicated;
        int oldServer = dedicatedServer;
        dedicated = null;
        dedicatedServer = -1;
        backends.discard(oldServer, old);
    }

    @Override
    public boolean followRedirection(PendingCommand command, ByteBuf reply, BackendSettings from) {
        return pinnedRedirects != null && !closed && pinnedRedirects.follow(command, reply, from);
    }

    boolean isClosed() {
        return closed;
    }

    private PendingCommand lastUnanswered() {
        var descending = replies.descendingIterator();
        while (descending.hasNext()) {
            PendingCommand command = descending.next();
            if (!command.isDone()) {
                return command;
            }
        }
        return null;
    }

    Transactions transactions() {
        return transactions;
    }

    /**
     * Gives the dedicated connection back once nothing on it is the client's own any more: no
     * transaction, no WATCH, no subscription, nothing in flight. The client's next commands go to
     * the shared connection again, which cannot overtake anything since nothing is in flight.
     */
    private void releaseDedicatedWhenIdle() {
        if (dedicated != null && !pushMode && !closed && !transactions.holdsState()
                && dedicated.inFlight() == 0 && !held.isHolding()) {
            backends.release(dedicatedServer, dedicated);
            dedicated = null;
            dedicatedServer = -1;
        }
    }

    boolean isPinned() {
        return dedicated != null;
    }

    /** Answers with an error and drops the command. */
    void refuse(RespCommand command, String error) {
        command.release();
        transactions.commandRefused();
        reply(RespReplies.error(ctx.alloc(), error));
    }

    /** Queues a reply made here; written as soon as every earlier reply has been. Takes {@code reply}. */
    void reply(ByteBuf reply) {
        if (replies.isEmpty()) {
            out.write(ctx, reply);
            scheduleFlush();
        } else {
            replies.add(PendingCommand.answered(this, reply));
        }
    }

    /** Closes the connection once every reply queued so far has been written. */
    void replyThenClose() {
        quitting = true;
        if (replies.isEmpty()) {
            closeAfterFlush = true;
            scheduleFlush();
        } else {
            replies.add(PendingCommand.answered(this, ctx.alloc().buffer(0)).closingAfterReply());
        }
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        if (closed || command.isSilent()) {
            reply.release();
            return;
        }
        command.fill(reply);
        releaseRetiredWhenDrained();
        if (held.isHolding() && held.barrierPassed()) {
            held.sendAll(dedicated);
            limitBackendBacklog(dedicated);
        }
        drain();
        releaseDedicatedWhenIdle();
    }

    @Override
    public void onPush(ByteBuf frame) {
        if (closed) {
            frame.release();
            return;
        }
        if (pinnedRedirects != null && (frame = pinnedRedirects.push(frame)) == null) {
            return;
        }
        reply(frame);
    }

    @Override
    public void onDedicatedClosed(BackendConnection connection) {
        if (connection == dedicated && !closed) {
            // The backend state this client relied on (transaction, subscriptions) is gone: so is the client.
            replyThenClose();
        }
    }

    /** Writes every reply at the head of the queue that has arrived. */
    private void drain() {
        PendingCommand head;
        boolean wrote = false;
        while ((head = replies.peek()) != null && head.isDone()) {
            replies.poll();
            ByteBuf reply = head.takeReply();
            out.write(ctx, reply);
            wrote = true;
            if (head.closeAfterReply()) {
                closeAfterFlush = true;
                discardQueue();
                break;
            }
        }
        if (wrote) {
            scheduleFlush();
            resumeReadingIfDrained();
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.channel().eventLoop().execute(flushTask);
        }
    }

    private void flushNow() {
        flushScheduled = false;
        if (closed) {
            return;
        }
        out.flush(ctx);
        if (closeAfterFlush) {
            ctx.close();
        }
    }

    /** Stops reading from a client that has too many replies outstanding: bounded memory, no error. */
    private void limitPipeline() {
        if (!readPausedForPipeline && replies.size() >= maxPipeline) {
            readPausedForPipeline = true;
            updateAutoRead();
        }
    }

    private void resumeReadingIfDrained() {
        if (readPausedForPipeline && replies.size() <= maxPipeline / 2) {
            readPausedForPipeline = false;
            updateAutoRead();
        }
    }

    private void updateAutoRead() {
        boolean read = !readPausedForPipeline && !readPausedForBackend && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /** Shardis is stopping: read nothing more, write what is owed, then close. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == DRAIN) {
            ctx.channel().config().setAutoRead(false);
            if (!quitting) {
                replyThenClose();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that does not read its replies is not read from either.
        updateAutoRead();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        out.discard();
        held.discard();
        discardQueue();
        if (pinnedRedirects != null) {
            pinnedRedirects.discard();
        }
        if (retiring != null) {
            backends.discard(retiringServer, retiring);
            retiring = null;
        }
        if (dedicated != null) {
            if (!pushMode && !transactions.holdsState() && dedicated.inFlight() == 0 && !held.isHolding()) {
                backends.release(dedicatedServer, dedicated);
            } else {
                backends.discard(dedicatedServer, dedicated);
            }
            dedicated = null;
        }
        pool.clientGone();
    }

    private void discardQueue() {
        PendingCommand command;
        while ((command = replies.poll()) != null) {
            // Replies still in flight are released when they arrive, since the session is closed.
            command.discard();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {} of pool '{}': {}", id, pool.config().name(), cause.getMessage());
        } else {
            log.warn("client {} of pool '{}': closing after an unexpected error", id, pool.config().name(), cause);
        }
        ctx.close();
    }

    long id() {
        return id;
    }

    @Override
    public int sharedIndex() {
        return sharedIndex;
    }

    @Override
    public int readSeed() {
        return readSeed;
    }

    PoolRuntime pool() {
        return pool;
    }

    ShardRouter router() {
        return router;
    }

    int pinnedServer() {
        return dedicatedServer;
    }

    ChannelHandlerContext context() {
        return ctx;
    }
}
