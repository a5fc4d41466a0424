package io.shardis.proxy.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.shardis.proxy.auth.ClientAccess;
import io.shardis.proxy.backend.BackendConnection;
import io.shardis.proxy.backend.BackendPool;
import io.shardis.proxy.backend.BackendSettings;
import io.shardis.proxy.backend.PendingCommand;
import io.shardis.proxy.backend.ReplySink;
import io.shardis.proxy.command.CommandFlag;
import io.shardis.proxy.command.CommandGroup;
import io.shardis.proxy.command.CommandSpec;
import io.shardis.proxy.route.ShardRouter;
import io.shardis.resp.RespCommand;
import io.shardis.resp.RespProtocol;
import io.shardis.resp.RespProtocolError;
import io.shardis.resp.RespReplies;
import io.shardis.resp.RespRequestDecoder;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Where a command goes is decided by the {@link Dispatcher} (a {@link Route}); sending is the
 * {@link CommandSender}'s. Longer than our usual 350 lines because it is still the hub the helpers
 * ({@link Fanout}, {@link LocalCommands}, {@link Transactions}, {@link PinnedRedirects}) call back
 * into, and it moves the client to a reloaded pool. What shrinks it next: those helpers taking
 * narrow interfaces of their own (as {@link PinnedConnection} does) and the move as a class.
 */
public final class ClientSession extends ChannelInboundHandlerAdapter implements ReplySink, Dispatcher.ClientState {

    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    /** The event that asks a session to finish, on shutdown. */
    public static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };

    /** Replaced when a reload changes the pool (see {@link Rebind}). */
    private SessionPool pool;
    /** The pool a reload asked this client to move to, until it can. */
    private SessionPool nextPool;

    private boolean moveCheckScheduled;
    private final long id;
    private final LocalCommands local;
    private final Transactions transactions;
    private int maxPipeline;
    /** Reports a reply-limit breach; told the new limit when a reload moves the client. */
    private ReplyLimitBreach breach;
    /**
     * Whether commands keep their frame until answered: to follow cluster redirections, and to be
     * sent again after a failover (cluster and Sentinel pools).
     */
    private boolean keepsFrames;
    /** Picks this client's replica for each slot, so its reads of a slot stay on one replica. */
    private final int readSeed;
    /** Follows the redirections of commands on {@link #pinned}; null outside cluster pools. */
    private PinnedRedirects pinnedRedirects;
    /** Who this client is (AUTH, HELLO AUTH, RESET) and what it may run. */
    private final ClientAccess access;

    private ChannelHandlerContext ctx;
    private BackendPool backends;
    private ShardRouter router;
    private Placement placement;
    private Dispatcher dispatcher;
    private Fanout fanout;
    /** Which of each server's {@code server_connections} shared connections this client uses. */
    private int sharedIndex;
    /** This client's own backend connection, once a transaction, blocking call or subscription needs one. */
    private PinnedConnection pinned;
    /** After SUBSCRIBE: replies no longer match commands one to one; frames are relayed as they come. */
    private boolean pushMode;

    private boolean quitting;
    private boolean closed;
    /** See {@link #readAtNanos()}. */
    private long readAtNanos;

    private boolean readAtKnown;
    /** The replies owed to the client, in order; and when not to read it. */
    private ClientReplies replies;
    /** This client as CLIENT LIST shows it, in the pool's registry while connected. */
    private ClientEntry entry;
    /** Carries out what is decided: sends, refuses, queues reply slots. */
    private CommandSender sender;
    /** Its keyspace-notification subscriptions on the pool's other servers; null until it has some. */
    private KeyspaceFanIn fanIn;
    /** Its CLIENT TRACKING state; null until it first sends CLIENT TRACKING. */
    private ClientTracking tracking;
    /** The protocol the client speaks: RESP2 until its HELLO 3, again after RESET. */
    private RespProtocol protocol = RespProtocol.RESP2;

    public ClientSession(SessionPool pool) {
        this.pool = pool;
        this.id = pool.nextClientId();
        this.local = new LocalCommands(this);
        this.transactions = new Transactions(this);
        this.maxPipeline = pool.config().limits().maxPipeline();
        this.keepsFrames = pool.cluster() != null || pool.config().holdsForFailover();
        // Client ids are consecutive: mixed, so that clients spread evenly over replicas and masters.
        this.readSeed = seedOf(id);
        this.pinnedRedirects = pool.cluster() != null ? new PinnedRedirects(this, pool.cluster()) : null;
        this.access = new ClientAccess(pool.access());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.breach = new ReplyLimitBreach(
                ctx,
                pool.config().name(),
                id,
                pool.config().limits().clientReplyLimit(),
                pool.metrics(),
                ReplyBudget.PROCESS);
        this.replies = new ClientReplies(
                ctx,
                this,
                maxPipeline,
                new ReplyBytes(pool.config().limits().clientReplyLimit(), ReplyBudget.PROCESS),
                breach,
                this::process);
        this.entry = new ClientEntry(
                id, ctx.channel(), pool.config().backend().redisDb(), access.userName(), System.nanoTime());
        pool.clients().add(entry);
        this.sender = new CommandSender(this, ctx.alloc(), replies, transactions);
        bindPool();
        this.fanout = new Fanout(this);
        if (pool.successor() != null) {
            moveTo(pool.successor());
        }
    }

    /** Takes what this client uses of {@link #pool} on its loop: connections, router, placement. */
    private void bindPool() {
        this.backends = pool.backendsFor(ctx.channel().eventLoop());
        this.router = pool.router();
        this.placement = new Placement(
                router,
                pool.config().name(),
                pool.cluster() != null && pool.config().cluster().readFrom().readsReplicas(),
                readSeed);
        this.dispatcher = new Dispatcher(
                router, placement, access, pool.config().name(), pool.config().allowAdmin());
        this.pinned = new PinnedConnection(this, replies::limitBackendBacklog, backends);
        this.sharedIndex = backends.nextConnectionIndex();
        sender.bind(pool.config().name(), router, backends, sharedIndex, pinned, keepsFrames, pinnedRedirects);
    }

    /**
     * The event by which a configuration reload moves a client to the pool that replaces the one it
     * is in (new servers, weights, timeouts, auth...) without closing its connection.
     */
    public record Rebind(SessionPool next) {}

    /** Moves to {@code next} now if nothing of this client's is in flight, else once it is answered. */
    private void moveTo(SessionPool next) {
        nextPool = next;
        moveWhenIdle();
    }

    /**
     * Moves to {@link #nextPool} when this client has nothing unanswered and no connection of its
     * own: its later commands could otherwise overtake earlier ones on the old pool's connections.
     * While only replies on shared connections are awaited, its next commands wait (not read);
     * a transaction, blocking call or subscription moves once it is over.
     */
    private void moveWhenIdle() {
        if (nextPool == null || closed || quitting) {
            return;
        }
        if (pinned.isPinned() || pushMode || transactions.holdsState() || transactions.inMulti()) {
            replies.waitForMove(false);
            return;
        }
        if (replies.lastUnanswered() != null) {
            replies.waitForMove(true);
            if (!moveCheckScheduled) {
                // Replies come back through onReply, which checks again; this catches any other way.
                moveCheckScheduled = true;
                ctx.executor()
                        .schedule(
                                () -> {
                                    moveCheckScheduled = false;
                                    moveWhenIdle();
                                },
                                50,
                                TimeUnit.MILLISECONDS);
            }
            return;
        }
        SessionPool next = nextPool;
        while (next.successor() != null) {
            next = next.successor();
        }
        nextPool = null;
        SessionPool old = pool;
        old.disown(ctx.channel());
        old.clients().remove(entry);
        pool = next;
        next.adopt(ctx.channel());
        next.clients().add(entry);
        access.rebind(next.access());
        keepsFrames = next.cluster() != null || next.config().holdsForFailover();
        if (pinnedRedirects != null) {
            pinnedRedirects.discard();
        }
        pinnedRedirects = next.cluster() != null ? new PinnedRedirects(this, next.cluster()) : null;
        bindPool();
        applyLimits();
        if (tracking != null && tracking.on()) {
            tracking.moved();
        }
        replies.waitForMove(false);
    }

    /** The limits of the pool the client just moved to: its next command is read and judged by them. */
    private void applyLimits() {
        maxPipeline = pool.config().limits().maxPipeline();
        replies.limits(maxPipeline, pool.config().limits().clientReplyLimit());
        breach.limit(pool.config().limits().clientReplyLimit());
        RespRequestDecoder decoder = ctx.pipeline().get(RespRequestDecoder.class);
        if (decoder != null) {
            decoder.limits(pool.requestLimits());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!closed && !quitting && replies.holdBack(msg)) {
            // Too many replies or reply bytes owed: processed once they are written (see ClientReplies).
            return;
        }
        process(msg);
    }

    /** Processes one message read from the client, now or after it was held back. */
    private void process(Object msg) {
        if (closed || quitting) {
            // After QUIT or a protocol error Redis reads nothing more from the client.
            ReferenceCountUtil.release(msg);
            return;
        }
        if (nextPool != null) {
            moveWhenIdle();
            if (replies.waitingForMove()) {
                replies.holdBackFirst(msg);
                return;
            }
        }
        if (msg instanceof RespCommand command) {
            dispatch(command);
        } else if (msg instanceof RespProtocolError error) {
            // Redis answers a protocol error and closes the connection.
            reply(RespReplies.error(ctx.alloc(), Refusals.protocolError(error.message())));
            replyThenClose();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void dispatch(RespCommand command) {
        CommandSpec spec = pool.commands().lookup(command);
        CommandGroup group = spec == null ? CommandGroup.OTHER : pushMode ? CommandGroup.PUBSUB : spec.group();
        pool.metrics().commandReceived(group);
        if (spec != null) {
            entry.commandStarted(spec, System.nanoTime());
        }
        sender.group(group);
        if (tracking != null && tracking.on()) {
            tracking.observe(command, spec);
        }
        execute(dispatcher.route(command, spec, this), command, spec);
        if (tracking != null && tracking.awaitsSlot()) {
            tracking.sent(replies.lastUnanswered());
        }
    }

    /** Carries out what the {@link Dispatcher} decided; the common route, one server, first. */
    private void execute(Route route, RespCommand command, CommandSpec spec) {
        if (route instanceof Route.Server server) {
            sender.forward(server.index(), command, new PendingCommand(this, readAtNanos()));
        } else if (route instanceof Route.Refused refused) {
            if (refused.accessDenied()) {
                pool.metrics().accessDenied();
            }
            refuse(command, refused.reason());
        } else if (route instanceof Route.Pinned blocking) {
            sender.forwardBlocking(blocking.index(), command, spec.has(CommandFlag.COUNTS_REPLICAS));
        } else if (route == Route.Fanout.SPLIT) {
            fanout.split(command, spec);
        } else if (route == Route.Fanout.BROADCAST) {
            fanout.broadcast(command, spec);
        } else if (route == Route.Local.ANSWER) {
            local.answer(command, spec);
        } else if (route == Route.Local.IN_TRANSACTION) {
            local.answerInTransaction(command, spec);
        } else if (route == Route.Transaction.CONTROL) {
            transactions.handle(command, spec);
        } else if (route == Route.Relay.PUSH_MODE) {
            fanOutKeyspace(command, spec);
            sender.sendUnanswered(command);
            if (protocol == RespProtocol.RESP3) {
                sender.markPushesEnd();
            }
        } else if (route instanceof Route.Queued queued) {
            if (transactions.queueOn(queued.server(), queued.keyGroup())) {
                sender.forward(queued.server(), command, new PendingCommand(this));
            } else {
                refuse(
                        command,
                        Refusals.transactionElsewhere(spec, pool.config().name(), router.groupsAreSlots()));
            }
        } else if (route instanceof Route.Subscribe subscribe) {
            subscribe(subscribe.server(), command, spec);
        }
    }

    /** Opens or adds to the client's subscriptions on its own connection to {@code server}. */
    private void subscribe(int server, RespCommand command, CommandSpec spec) {
        boolean newConnection = !pinned.isPinned();
        pin(server);
        pushMode = true;
        entry.subscribed(true);
        // A shard channel's slot may have moved: the first SSUBSCRIBE can follow a MOVED.
        ByteBuf resubscribe = pinnedRedirects != null && newConnection && spec.keyCount(command) > 0
                ? command.content().retainedDuplicate()
                : null;
        fanOutKeyspace(command, spec);
        sender.sendUnanswered(command);
        if (resubscribe != null) {
            pinnedRedirects.followFirstReply(resubscribe);
        } else if (protocol == RespProtocol.RESP3) {
            sender.markPushesEnd();
        }
    }

    /**
     * Keyspace notifications are each server's own: a subscription to them goes to the pool's other
     * servers too (see {@link KeyspaceFanIn}). The command stays the caller's.
     */
    private void fanOutKeyspace(RespCommand command, CommandSpec spec) {
        if (router.serverCount() < 2 && pool.cluster() == null) {
            return;
        }
        if (fanIn == null) {
            if (spec.name().startsWith("un") || spec.name().startsWith("pun")) {
                return;
            }
            fanIn = new KeyspaceFanIn(this, backends);
        }
        if (fanIn.concerns(command, spec.name())) {
            fanIn.sendToOthers(command, pinned.server(), protocol);
        }
    }

    /** The client's CLIENT TRACKING state, made on first use. */
    ClientTracking tracking() {
        if (tracking == null) {
            tracking = new ClientTracking(this);
        }
        return tracking;
    }

    /** RESET: tracking is off. */
    void stopTracking() {
        if (tracking != null) {
            tracking.stop();
        }
    }

    /** The client-side caching of this client's pool on its loop. */
    InvalidationHub invalidationHub() {
        return pool.invalidationHub(ctx.channel().eventLoop());
    }

    /** An invalidation for this client, sent after the replies already queued (a read's reply before it). */
    void deliver(ByteBuf frame) {
        if (closed || quitting) {
            frame.release();
            return;
        }
        reply(frame);
    }

    /** A connection hearing another server's keyspace notifications closed: the client goes, as with its own. */
    void fanInLost() {
        if (!closed) {
            replyThenClose();
        }
    }

    /** Whether {@code command} may be read from a replica (see {@link Dispatcher#readsFromReplica}). */
    boolean readsFromReplica(RespCommand command, CommandSpec spec) {
        return dispatcher.readsFromReplica(command, spec, this);
    }

    /** Sends a whole command to {@code server}; blocking ones on a connection of the client's own. */
    void forwardTo(int server, RespCommand command, CommandSpec spec) {
        execute(dispatcher.toServer(server, command, spec, this), command, spec);
    }

    // --- The send path (CommandSender), as the helpers reach it. ---

    void forward(RespCommand command) {
        sender.forward(command);
    }

    void forwardExec(RespCommand command) {
        sender.forwardExec(command);
    }

    void forwardReplacingReply(RespCommand command, ByteBuf substitute) {
        sender.forwardReplacingReply(command, substitute);
    }

    void sendSilently(RespCommand command) {
        sender.sendSilently(command);
    }

    void expectReply(PendingCommand pending) {
        sender.expectReply(pending);
    }

    void send(int server, ByteBuf frame, PendingCommand pending) {
        sender.send(server, frame, pending);
    }

    void sendShared(int server, ByteBuf frame, PendingCommand pending) {
        sender.sendShared(server, frame, pending);
    }

    boolean pin(int server) {
        return sender.pin(server);
    }

    void refuse(RespCommand command, String error) {
        sender.refuse(command, error);
    }

    void reply(ByteBuf reply) {
        sender.reply(reply);
    }

    @Override
    public void onBackendWritable() {
        replies.backendWritable();
    }

    /** Moves the client's own connection to {@code server} (see {@link PinnedConnection#move}). */
    boolean movePin(int server) {
        return pinned.move(server, transactions.holdsState(), pushMode, replies.lastUnanswered());
    }

    void releaseRetiredWhenDrained() {
        pinned.releaseRetiredWhenDrained();
    }

    /** Sends a redirected command (frame owned by the connection) on the client's own one, ahead of the held commands it precedes. */
    void sendPinned(ByteBuf frame, PendingCommand pending) {
        pinned.sendNow(frame, pending);
    }

    /** The client's next commands for its own connection wait until every command so far is answered. */
    void holdLaterCommands() {
        pinned.holdUntil(replies.lastUnanswered());
    }

    /**
     * A command of a transaction being prepared (WATCH, not yet MULTI) was redirected and the client
     * awaits nothing else on the connection: the transaction is void, so the connection and the
     * WATCHes on it go, and the client's next WATCH or MULTI pins the node the map names by then.
     */
    void endWatchAfterRedirection() {
        if (!pinned.isPinned() || pushMode || transactions.inMulti() || !transactions.holdsState() || pinned.isBusy()) {
            return;
        }
        transactions.watchesLost();
        pinned.drop();
    }

    @Override
    public boolean followRedirection(PendingCommand command, ByteBuf reply, BackendSettings from) {
        return pinnedRedirects != null && !closed && pinnedRedirects.follow(command, reply, from);
    }

    boolean isClosed() {
        return closed;
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
        if (!closed) {
            pinned.releaseWhenIdle(pushMode || transactions.holdsState());
        }
    }

    @Override
    public boolean isPinned() {
        return pinned.isPinned();
    }

    @Override
    public boolean pushMode() {
        return pushMode;
    }

    @Override
    public boolean resp3() {
        return protocol == RespProtocol.RESP3;
    }

    @Override
    public boolean tracksKeys() {
        return tracking != null && tracking.on();
    }

    @Override
    public boolean inMulti() {
        return transactions.inMulti();
    }

    /** Closes the connection once every reply queued so far has been written. */
    void replyThenClose() {
        quitting = true;
        replies.closeAfterQueued();
    }

    /**
     * When the commands of the current read from the socket were read (nanoTime): one clock read
     * for a pipeline of commands, for the latency histograms.
     */
    private long readAtNanos() {
        if (!readAtKnown) {
            readAtNanos = System.nanoTime();
            readAtKnown = true;
        }
        return readAtNanos;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readAtKnown = false;
        ctx.fireChannelReadComplete();
    }

    @Override
    public void onReply(PendingCommand command, ByteBuf reply) {
        if (closed || command.isSilent()) {
            reply.release();
            return;
        }
        command.answered(pool.metrics());
        if (tracking != null) {
            tracking.replied(command);
        }
        replies.arrived(command, reply);
        pinned.replyArrived();
        releaseDedicatedWhenIdle();
        if (nextPool != null) {
            moveWhenIdle();
        }
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
        if (protocol == RespProtocol.RESP3) {
            // Redis wrote it before the replies still awaited on the connection: it goes before them.
            replies.addBefore(frame, pinned.oldestInFlight());
        } else {
            reply(frame);
        }
    }

    /** A reply could not be handed to this client (its memory ran out): the client goes, the backend stays. */
    @Override
    public void onDeliveryFailed(Throwable cause) {
        if (!closed) {
            ctx.close();
        }
    }

    @Override
    public void onDedicatedClosed(BackendConnection connection) {
        if (pinned.is(connection) && !closed) {
            // The backend state this client relied on (transaction, subscriptions) is gone: so is the client.
            replyThenClose();
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
        } else if (event instanceof Rebind rebind) {
            moveTo(rebind.next());
        } else if (event instanceof ClientTracking.Redirected redirected) {
            ByteBuf frame = ClientTracking.redirectedFrame(ctx.alloc(), redirected.keys(), protocol, pushMode);
            if (frame != null) {
                deliver(frame);
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A client that does not read its replies is not read from either.
        replies.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        replies.discard();
        if (pinnedRedirects != null) {
            pinnedRedirects.discard();
        }
        pinned.close(pushMode || transactions.holdsState());
        if (fanIn != null) {
            fanIn.close();
        }
        if (tracking != null) {
            tracking.stop();
        }
        pool.clients().remove(entry);
        pool.clientGone();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {} of pool '{}': {}", id, pool.config().name(), cause.getMessage());
        } else {
            log.warn(
                    "client {} of pool '{}': closing after an unexpected error",
                    id,
                    pool.config().name(),
                    cause);
        }
        ctx.close();
    }

    long id() {
        return id;
    }

    @Override
    public RespProtocol protocol() {
        return protocol;
    }

    /**
     * The client speaks {@code next} from its next command on: the replies Shardis makes are spelled
     * in it, and its commands go on backend connections that speak it (see {@link CommandSender#protocol}).
     */
    void protocol(RespProtocol next) {
        protocol = next;
        entry.resp(next.version());
        sender.protocol(next);
    }

    /** The protocol of the client's own backend connection; null when it has none. */
    RespProtocol pinnedProtocol() {
        return pinned.connectionProtocol();
    }

    /** The client's own connection's protocol was changed: closed, not reused, once given back. */
    void spoilPinned() {
        pinned.spoil();
    }

    /** RESET unsubscribed the client's own connection from everything (RESP3: its commands are answered one by one again). */
    void endPushMode() {
        pushMode = false;
        entry.subscribed(false);
    }

    /** The null reply in the client's protocol: {@code $-1} in RESP2, {@code _} in RESP3. */
    ByteBuf nullReply() {
        return (protocol == RespProtocol.RESP3 ? RespReplies.NULL : RespReplies.NULL_BULK).duplicate();
    }

    ClientEntry entry() {
        return entry;
    }

    /** SplitMix64's finaliser: consecutive ids give seeds that spread evenly modulo any count. */
    static int seedOf(long id) {
        long z = id * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) ((z ^ (z >>> 31)) >>> 32);
    }

    @Override
    public int sharedIndex() {
        return sharedIndex;
    }

    @Override
    public int readSeed() {
        return readSeed;
    }

    ClientAccess access() {
        return access;
    }

    SessionPool pool() {
        return pool;
    }

    ShardRouter router() {
        return router;
    }

    @Override
    public int pinnedServer() {
        return pinned.server();
    }

    Placement placement() {
        return placement;
    }

    ChannelHandlerContext context() {
        return ctx;
    }
}
